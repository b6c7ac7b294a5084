"""The halving explorer: how the halving rule and recycled TAO move TAO's supply over the years."""

from __future__ import annotations

import altair as alt
import ipywidgets as ipw
import pandas as pd

from taosandbox.emission import DEFAULT_ANCHOR, MAX_SUPPLY_RAO, RAO_PER_TAO, Anchor, halving_dates, project_supply

from .charts import live_chart

RULE_LABELS = {"On-chain: by issuance": "issuance", "Article: every 10,512,000 blocks": "blocks"}
SCENARIO_ORDER = ["with recycling", "no recycling"]
DATA = "supply"


class HalvingExplorer(ipw.VBox):
    """Controls for the rule, recycled TAO per day and the horizon; charts of issuance and reward.

    ``frame`` holds the current projection and ``baseline`` the same rule with no recycling, so a
    test (or a curious reader) can read the numbers behind the charts.
    """

    def __init__(self, anchor: Anchor = DEFAULT_ANCHOR, *, recycled_tao_per_day: float = 0.0,
                 years: int = 40, rule: str = "issuance"):
        self.anchor = anchor
        self.rule = ipw.ToggleButtons(
            options=list(RULE_LABELS.items()), value=rule, description="Halving rule",
            style={"button_width": "240px"},
        ).add_class("ts-rule")
        self.recycling = ipw.FloatSlider(
            value=recycled_tao_per_day, min=0, max=3_000, step=50, description="Recycled TAO / day",
            continuous_update=False, readout_format=",.0f", style={"description_width": "150px"},
            layout=ipw.Layout(width="520px"),
        ).add_class("ts-recycling")
        self.years = ipw.IntSlider(
            value=years, min=8, max=60, step=1, description="Horizon (years)", continuous_update=False,
            style={"description_width": "150px"}, layout=ipw.Layout(width="520px"),
        ).add_class("ts-horizon")
        self.halving = ipw.BoundedIntText(
            value=2, min=2, max=30, description="Halving n°", style={"description_width": "150px"},
            layout=ipw.Layout(width="240px"),
        ).add_class("ts-halving")
        self.readout = ipw.HTML().add_class("ts-readout")
        self.message = ipw.HTML().add_class("ts-message")
        self.frame = self.baseline = pd.DataFrame()
        # The chart's layout is built (and validated by Altair) once; a recompute only swaps its data.
        self.chart = live_chart(_chart())
        self._template = self.chart.spec
        self.chart.add_class("ts-chart")
        for control in (self.rule, self.recycling, self.years):
            control.observe(self._recompute, names="value")
        self.halving.observe(self._update_readout, names="value")
        super().__init__([
            self.rule, self.recycling, self.years, self.halving, self.readout, self.message, self.chart,
        ])
        self.add_class("ts-halving-explorer")
        self._recompute()

    def _recompute(self, _change=None) -> None:
        try:
            frame = project_supply(self.rule.value, recycled_tao_per_day=self.recycling.value,
                                   years=self.years.value, anchor=self.anchor)
            baseline = project_supply(self.rule.value, years=self.years.value, anchor=self.anchor)
        except (TypeError, ValueError) as refused:  # shown next to the controls, never as a traceback
            self.message.value = f"<span style='color:#b00'>{refused}</span>"
            return
        self.message.value = ""
        self.frame, self.baseline = frame, baseline
        rows = pd.concat([frame.assign(scenario=SCENARIO_ORDER[0]), baseline.assign(scenario=SCENARIO_ORDER[1])])
        rows = rows[["date", "issuance_tao", "reward_tao", "scenario", "event"]].assign(
            date=rows["date"].dt.strftime("%Y-%m-%dT%H:%M:%S"))
        # Keep the template's own datasets (the 21M line) and swap only the projection.
        datasets = {**self._template["datasets"], DATA: rows.to_dict("records")}
        self.chart.spec = {**self._template, "datasets": datasets}
        self._update_readout()

    def _update_readout(self, _change=None) -> None:
        n = self.halving.value
        mine, plain = _date_of(self.frame, n), _date_of(self.baseline, n)
        rule = "the chain's rule" if self.rule.value == "issuance" else "the article's calendar rule"
        if mine is None:
            self.readout.value = (f"<b>Halving {n}</b> does not happen within {self.years.value} years "
                                  f"under {rule}{_stall_note(self.frame)}.")
            return
        text = f"<b>Halving {n}</b> happens on <b>{mine:%d %B %Y}</b> under {rule}"
        if plain is not None and self.recycling.value > 0:
            days = (mine - plain).days
            text += f", <b>{days:,} days later</b> than with no recycling"
        self.readout.value = text + "."


def _chart() -> alt.VConcatChart:
    """Issuance and reward over time, drawn from the named dataset that each recompute replaces."""
    data = alt.Data(name=DATA)
    color = alt.Color("scenario:N", title=None, sort=SCENARIO_ORDER,
                      scale=alt.Scale(domain=SCENARIO_ORDER, range=["#1f6feb", "#9aa4ad"]))
    dash = alt.StrokeDash("scenario:N", sort=SCENARIO_ORDER, title=None,
                          scale=alt.Scale(domain=SCENARIO_ORDER, range=[[1, 0], [6, 4]]))
    base = alt.Chart(data).encode(x=alt.X("date:T", title=None), color=color, strokeDash=dash)
    halvings = alt.Chart(data).transform_filter(
        (alt.datum.scenario == SCENARIO_ORDER[0]) & ((alt.datum.event == "halving") | (alt.datum.event == "stall"))
    ).mark_rule(color="#d29922", strokeWidth=1.5).encode(x="date:T", tooltip=[alt.Tooltip("date:T", title="halving")])
    cap = alt.Chart(pd.DataFrame({"cap": [MAX_SUPPLY_RAO / RAO_PER_TAO]})).mark_rule(
        color="#b00", strokeDash=[2, 2]).encode(y="cap:Q")
    issuance = (base.mark_line(strokeWidth=3).encode(
        y=alt.Y("issuance_tao:Q", title="TAO issued", scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("date:T"), alt.Tooltip("issuance_tao:Q", format=",.0f", title="issued")],
    ) + halvings + cap).properties(title="Issuance (red line: the 21M cap; gold: halvings)",
                                   width=640, height=230)
    reward = (base.mark_line(strokeWidth=3, interpolate="step-after").encode(
        y=alt.Y("reward_tao:Q", title="TAO per block"),
        tooltip=[alt.Tooltip("date:T"), alt.Tooltip("reward_tao:Q", format=".6f", title="reward")],
    ) + halvings).properties(title="Reward per block", width=640, height=170)
    return alt.vconcat(issuance, reward)


def _date_of(frame: pd.DataFrame, n: int):
    rows = halving_dates(frame)
    rows = rows[rows["halving"] == n]
    return None if rows.empty else rows["date"].iloc[0]


def _stall_note(frame: pd.DataFrame) -> str:
    if (frame["event"] == "stall").any():
        return (": issuance stalls at a threshold, where the reward on one side is below the recycling "
                "and on the other above it")
    return ""
