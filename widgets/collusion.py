"""Collusion and weight copying: a cabal's stake against κ, the honest-utility study, and a weight copier.

``CabalThreshold`` calls `cabal_experiment` (Yuma on a 64-UID subnet, 10 epochs, ≈ 1.5 ms a run) directly: a
κ change recomputes the whole curve over the cabal's stake (≈ 0.2–0.4 s), a stake change only its current point.
``HonestUtilityStudy`` and ``CopierStudy`` run sweeps of several seconds, so they run when the reader presses
Run, with a progress bar (`widgets.progress.SweepProgress`).
"""

from __future__ import annotations

import altair as alt
import ipywidgets as ipw
import numpy as np
import pandas as pd

from taosandbox.errors import InvalidInput
from taosandbox.scenarios import VARIANTS
from taosandbox.simulations import PUBLISHED_HONEST_UTILITY, cabal_experiment, required_honest_utility
from taosandbox.sweep import sweep

from .charts import live_chart
from .progress import SweepProgress

MEASURES = {  # what cabal_experiment returns -> how the chart names it
    "cabal_incentive": "cabal miners' share of incentive",
    "cabal_validator_trust": "cabal validators' trust",
    "cabal_dividends": "cabal's share of dividends",
}
MEASURE_COLORS = ["#cf222e", "#8250df", "#d29922"]
STAKES = np.round(np.arange(0.02, 0.981, 0.02), 2)


def _refusal(text: str) -> str:
    return f"<span style='color:#b00; font-size:15px'>{text}</span>"


def _seed_count(seeds) -> int:
    if isinstance(seeds, bool) or not isinstance(seeds, int | np.integer) or not 1 <= seeds <= 20:
        raise InvalidInput(f"The number of seeds is a whole number from 1 to 20; got {seeds!r}.")
    return int(seeds)


# ----------------------------------------------------------------------------------------------------------
# A cabal against kappa


def cabal_outcome(kappa: float, cabal_stake: float, seeds: int = 3) -> dict[str, float]:
    """`cabal_experiment`'s measures averaged over seeds 0..seeds-1."""
    runs = [cabal_experiment(seed, kappa=kappa, cabal_stake=cabal_stake) for seed in range(seeds)]
    return {m: float(np.mean([r[m] for r in runs])) for m in MEASURES}


class CabalThreshold(ipw.VBox):
    """Sliders for the cabal's share of validator stake and for κ. The chart draws, against the cabal's stake, its
    miners' share of incentive, its validators' trust and its share of dividends, with κ (and 1 − κ) marked and
    the current stake as a vertical line. ``curve`` and ``now`` hold the numbers behind it."""

    def __init__(self, *, cabal_stake: float = 0.4, kappa: float = 0.5, seeds: int = 3):
        self.seeds = _seed_count(seeds)
        self.cabal_stake = ipw.FloatSlider(
            value=cabal_stake, min=0.02, max=0.98, step=0.01, description="Cabal's stake", continuous_update=False,
            readout_format=".0%", style={"description_width": "120px"}, layout=ipw.Layout(width="560px"),
        ).add_class("ts-cabal-stake")
        self.kappa = ipw.FloatSlider(
            value=kappa, min=0.3, max=0.7, step=0.05, description="κ (kappa)", continuous_update=False,
            readout_format=".2f", style={"description_width": "120px"}, layout=ipw.Layout(width="560px"),
        ).add_class("ts-cabal-kappa")
        self.readout = ipw.HTML().add_class("ts-readout").add_class("ts-cabal-readout")
        self.message = ipw.HTML().add_class("ts-message")
        self.chart = live_chart(_cabal_chart())
        self.chart.add_class("ts-chart").add_class("ts-cabal-chart")
        self._template = self.chart.spec
        self.curve = pd.DataFrame()
        self.now: dict[str, float] = {}
        self.kappa.observe(self._recompute_curve, names="value")
        self.cabal_stake.observe(self._recompute_now, names="value")
        super().__init__([self.cabal_stake, self.kappa, self.message, self.readout, self.chart])
        self.add_class("ts-cabal-threshold")
        self._recompute_curve()

    def set_stake(self, cabal_stake: float) -> None:
        """Set the cabal's share of validator stake (as the slider does); refused outside 2 % to 98 %."""
        if not self.cabal_stake.min <= cabal_stake <= self.cabal_stake.max:
            self.message.value = _refusal(
                f"The cabal's stake is a share between {self.cabal_stake.min:.0%} and {self.cabal_stake.max:.0%} "
                f"(someone honest must be left, and the cabal must exist); {cabal_stake!r} is not.")
            return
        self.message.value = ""
        self.cabal_stake.value = cabal_stake

    def _recompute_curve(self, _change=None) -> None:
        kappa = self.kappa.value
        rows = [{"cabal_stake": float(x), **cabal_outcome(kappa, float(x), self.seeds)} for x in STAKES]
        self.curve = pd.DataFrame(rows)
        self._recompute_now()

    def _recompute_now(self, _change=None) -> None:
        self.now = cabal_outcome(self.kappa.value, self.cabal_stake.value, self.seeds)
        kappa, stake = self.kappa.value, self.cabal_stake.value
        marks = [{"x": kappa, "label": "κ"}] + ([{"x": 1 - kappa, "label": "1 − κ"}] if abs(kappa - 0.5) > 1e-9 else [])
        long = self.curve.melt(id_vars="cabal_stake", var_name="measure", value_name="value")
        long["measure"] = long["measure"].map(MEASURES)
        self.chart.spec = {**self._template, "datasets": {
            "cabal_curve": long.to_dict("records"),
            "cabal_now": [{"cabal_stake": stake, "measure": MEASURES[m], "value": v} for m, v in self.now.items()],
            "cabal_marks": marks,
            "cabal_split": [{"who": "honest miners", "share": 1 - self.now["cabal_incentive"]},
                            {"who": "cabal miners", "share": self.now["cabal_incentive"]}],
        }}
        self.readout.value = self._describe(kappa, stake)

    def _describe(self, kappa: float, stake: float) -> str:
        incentive, trust = self.now["cabal_incentive"], self.now["cabal_validator_trust"]
        if stake > kappa:
            verdict = "It holds more than κ: <b>it sets the consensus</b>, and its weights survive clipping."
        elif stake > 1 - kappa:
            verdict = ("It holds less than κ but more than 1 − κ: the honest validators no longer reach κ without "
                       "it, so <b>it vetoes the honest miners</b> (their consensus drops to 0).")
        else:
            verdict = "It holds less than κ: its excess weight is <b>clipped</b> to the honest consensus."
        return (f"<p style='font-size:15px'>A cabal with <b>{stake:.0%}</b> of the validator stake, κ = {kappa:.2f}: "
                f"its miners take <b>{incentive:.0%}</b> of the miners' incentive and its validators keep "
                f"<b>{trust:.0%}</b> of their weight after clipping. {verdict}</p>")


def _cabal_chart() -> alt.VConcatChart:
    curve, now, marks, split = (alt.Data(name=n) for n in ("cabal_curve", "cabal_now", "cabal_marks", "cabal_split"))
    color = alt.Color("measure:N", title=None, sort=list(MEASURES.values()),
                      scale=alt.Scale(domain=list(MEASURES.values()), range=MEASURE_COLORS),
                      legend=alt.Legend(orient="top", columns=2, labelLimit=300))
    x = alt.X("cabal_stake:Q", title="cabal's share of validator stake", scale=alt.Scale(domain=[0, 1]),
              axis=alt.Axis(format="%"))
    y = alt.Y("value:Q", title=None, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"))
    lines = alt.Chart(curve).mark_line(strokeWidth=3).encode(
        x=x, y=y, color=color, strokeDash=alt.condition(
            alt.datum.measure == MEASURES["cabal_dividends"], alt.value([6, 4]), alt.value([1, 0])),
        tooltip=["measure:N", alt.Tooltip("cabal_stake:Q", format=".0%"), alt.Tooltip("value:Q", format=".0%")])
    thresholds = alt.Chart(marks).mark_rule(color="#555", strokeDash=[4, 4], strokeWidth=2).encode(x="x:Q")
    threshold_labels = alt.Chart(marks).mark_text(dy=-8, fontSize=15, fontWeight="bold", color="#555").encode(
        x="x:Q", y=alt.value(0), text="label:N")
    stake_now = alt.Chart(now).mark_rule(color="#111", strokeWidth=2.5).encode(x="cabal_stake:Q")
    points_now = alt.Chart(now).mark_circle(size=160, opacity=1).encode(
        x="cabal_stake:Q", y="value:Q", color=color,
        tooltip=["measure:N", alt.Tooltip("value:Q", format=".1%")])
    main = alt.layer(lines, thresholds, threshold_labels, stake_now, points_now).properties(
        title="What the cabal gets, against its share of the stake", width=720, height=280)
    bar = alt.Chart(split).mark_bar(height=34).encode(
        x=alt.X("share:Q", stack="normalize", title="the miners' incentive now", axis=alt.Axis(format="%")),
        color=alt.Color("who:N", title=None, scale=alt.Scale(domain=["honest miners", "cabal miners"],
                                                             range=["#1f6feb", "#cf222e"])),
        order=alt.Order("who:N", sort="descending"),
        tooltip=["who:N", alt.Tooltip("share:Q", format=".1%")]).properties(width=720, height=40)
    return alt.vconcat(main, bar).resolve_scale(color="independent")


# ----------------------------------------------------------------------------------------------------------
# The honest-utility study (subtensor docs/consensus.md, "Consensus guarantees")

SETTING_KEYS = ("weight_stddev", "bonds_penalty", "validator_share")
BASELINE = {"weight_stddev": 0.4, "bonds_penalty": 1.0, "validator_share": 0.5}
SYMBOLS = {"weight_stddev": "weight σ", "bonds_penalty": "bonds penalty β", "validator_share": "validator share ξ"}


def setting_label(setting: dict) -> str:
    """'baseline' or what differs from it, e.g. 'bonds penalty β = 0'."""
    changed = [f"{SYMBOLS[k]} = {setting[k]:g}" for k in SETTING_KEYS if setting[k] != BASELINE[k]]
    return ", ".join(changed) or "baseline: σ 0.4, β 1, ξ 0.5"


SETTINGS = [{k: p[k] for k in SETTING_KEYS} for p in PUBLISHED_HONEST_UTILITY]
SETTING_ORDER = [setting_label(s) for s in SETTINGS]


def honest_utility_grid(utility_step: float = 0.05, self_weight_step: float = 0.1) -> list[dict]:
    """Every published setting × honest utility W_H from 0.5 to 0.95 × cabal self-weight W_C from 0 to 1."""
    utilities = np.round(np.arange(0.5, 0.95 + 1e-9, utility_step), 3)
    self_weights = np.round(np.arange(0.0, 1.0 + 1e-9, self_weight_step), 3)
    return [{**s, "major_weight": float(w), "minor_weight": float(c)}
            for s in SETTINGS for w in utilities for c in self_weights]


class HonestUtilityStudy(ipw.VBox):
    """Run the study (a sweep of `honest_utility_experiment` with a progress bar) and compare the honest utility
    it requires with the published figures. ``table`` holds setting, sandbox and published values."""

    def __init__(self, *, seeds: int = 3, utility_step: float = 0.05, self_weight_step: float = 0.1,
                 processes: int = 1):
        self.grid = honest_utility_grid(utility_step, self_weight_step)
        self.processes = processes
        self.seeds = ipw.Dropdown(options=[1, 2, 3, 5], value=seeds if seeds in (1, 2, 3, 5) else 1,
                                  description="Seeds", layout=ipw.Layout(width="160px")).add_class("ts-hu-seeds")
        self.run_button = ipw.Button(description="Run the study", button_style="primary",
                                     layout=ipw.Layout(width="160px")).add_class("ts-hu-run")
        self.progress = SweepProgress("Epochs simulated")
        self.readout = ipw.HTML(
            f"<p style='font-size:15px'>Press <b>Run the study</b>: {len(self.grid):,} single-epoch Monte Carlo "
            "runs per seed. The diamonds are the published figures.</p>").add_class("ts-readout")
        self.message = ipw.HTML().add_class("ts-message")
        self.chart = live_chart(_honest_utility_chart())
        self.chart.add_class("ts-chart").add_class("ts-hu-chart")
        self._template = self.chart.spec
        self.table = pd.DataFrame()
        self.run_button.on_click(lambda _: self.run())
        super().__init__([ipw.HBox([self.run_button, self.seeds, self.progress],
                                   layout=ipw.Layout(align_items="center", flex_flow="row wrap")),
                          self.message, self.readout, self.chart])
        self.add_class("ts-honest-utility")
        self._draw()

    def run(self, seeds: int | None = None) -> None:
        """Run the sweep for `seeds` seeds (default: the dropdown's) and draw it next to the published figures."""
        ran = _run_study(self, "honest-utility", self.grid, seeds)
        if ran is None:
            return
        frame, n = ran
        found = required_honest_utility(frame)
        published = pd.DataFrame(PUBLISHED_HONEST_UTILITY)
        self.table = found.merge(published, on=list(SETTING_KEYS), suffixes=("_sandbox", "_published")).rename(
            columns={"required_utility_sandbox": "sandbox", "required_utility_published": "published"})
        self.table["setting"] = [setting_label(row) for row in self.table.to_dict("records")]
        worst = (self.table["sandbox"] - self.table["published"]).abs().max()
        self.readout.value = (
            f"<p style='font-size:15px'>{n} seed{'s' * (n > 1)}, {len(frame):,} runs. The sandbox's required honest "
            f"utility differs from the published figure by at most <b>{worst:.3f}</b> "
            f"(the published figures are whole percentages).</p>")
        self._draw()

    def _draw(self) -> None:
        rows = [{"setting": setting_label(p), "source": "published", "required": p["required_utility"]}
                for p in PUBLISHED_HONEST_UTILITY]
        rows += [{"setting": r["setting"], "source": "sandbox", "required": r["sandbox"]}
                 for r in self.table.to_dict("records")]
        self.chart.spec = {**self._template, "datasets": {"honest_utility": rows}}


def _honest_utility_chart() -> alt.LayerChart:
    data = alt.Data(name="honest_utility")
    shape = alt.Shape("source:N", title=None, scale=alt.Scale(domain=["published", "sandbox"],
                                                              range=["diamond", "circle"]))
    color = alt.Color("source:N", title=None, scale=alt.Scale(domain=["published", "sandbox"],
                                                              range=["#333333", "#1f6feb"]))
    base = alt.Chart(data).encode(
        y=alt.Y("setting:N", sort=SETTING_ORDER, title=None, axis=alt.Axis(labelLimit=320, labelFontSize=14)),
        x=alt.X("required:Q", title="honest utility W_H needed to keep 60 % honest stake",
                scale=alt.Scale(domain=[0.55, 0.9]), axis=alt.Axis(format="%")))
    points = base.mark_point(size=260, filled=True, opacity=0.85).encode(
        shape=shape, color=color, tooltip=["setting:N", "source:N", alt.Tooltip("required:Q", format=".3f")])
    return points.properties(title="Honest utility required: the sandbox vs the published figures",
                             width=520, height=260)


# ----------------------------------------------------------------------------------------------------------
# The weight copier against commit-reveal

PERIODS = [0, 1, 2, 3, 4]
VARIANT_COLORS = ["#cf222e", "#1f6feb", "#2da44e"]


class CopierStudy(ipw.VBox):
    """Run the weight-copier experiment (full chains, 30 epochs) for every variant and commit-reveal period, with
    a progress bar; chart the copier's dividend per unit of stake relative to the honest validators'.
    ``table`` holds variant, period and the mean relative dividend."""

    def __init__(self, *, seeds: int = 3, periods=PERIODS, processes: int = 1):
        self.periods, self.processes = list(periods), processes
        self.seeds = ipw.Dropdown(options=[1, 2, 3, 5], value=seeds if seeds in (1, 2, 3, 5) else 1,
                                  description="Seeds", layout=ipw.Layout(width="160px")).add_class("ts-copier-seeds")
        self.run_button = ipw.Button(description="Run the chains", button_style="primary",
                                     layout=ipw.Layout(width="160px")).add_class("ts-copier-run")
        self.progress = SweepProgress("Chains simulated")
        runs = len(VARIANTS) * len(self.periods)
        self.readout = ipw.HTML(
            f"<p style='font-size:15px'>Press <b>Run the chains</b>: {runs} chains of 30 epochs per seed "
            "(about 0.15 s each).</p>").add_class("ts-readout")
        self.message = ipw.HTML().add_class("ts-message")
        self.chart = live_chart(_copier_chart(self.periods))
        self.chart.add_class("ts-chart").add_class("ts-copier-chart")
        self._template = self.chart.spec
        self._fixed_data = self._template.get("datasets", {})  # the "as much as evaluating" line
        self.table = pd.DataFrame()
        self.run_button.on_click(lambda _: self.run())
        super().__init__([ipw.HBox([self.run_button, self.seeds, self.progress],
                                   layout=ipw.Layout(align_items="center", flex_flow="row wrap")),
                          self.message, self.readout, self.chart])
        self.add_class("ts-copier-study")
        self.chart.spec = {**self._template, "datasets": {**self._fixed_data, "copier": []}}

    def run(self, seeds: int | None = None) -> None:
        """Run every variant × period for `seeds` seeds (default: the dropdown's) and draw the result."""
        ran = _run_study(self, "weight-copier", {"variant": list(VARIANTS), "commit_reveal_period": self.periods},
                         seeds)
        if ran is None:
            return
        frame, n = ran
        self.table = frame.groupby(["variant", "commit_reveal_period"], as_index=False, sort=False)[
            "relative_dividend"].mean()
        rows = self.table.to_dict("records")
        self.chart.spec = {**self._template, "datasets": {**self._fixed_data, "copier": rows}}
        at = self.table.set_index(["variant", "commit_reveal_period"])["relative_dividend"]
        longest = max(self.periods)
        summary = "; ".join(f"{v} <b>{at[v, longest]:.2f}</b>" for v in VARIANTS)
        self.readout.value = (f"<p style='font-size:15px'>{n} seed{'s' * (n > 1)}. With a reveal period of "
                              f"{longest} epochs the copier earns, per unit of stake, this much of what honest "
                              f"validators earn: {summary}.</p>")


def _run_study(study, scenario: str, grid: dict, seeds: int | None) -> tuple[pd.DataFrame, int] | None:
    """Run a study's sweep behind its progress bar, the Run button disabled meanwhile; returns (frame, seeds),
    or None after showing a refusal in the study's message."""
    try:
        n = _seed_count(study.seeds.value if seeds is None else seeds)
    except InvalidInput as refused:
        study.message.value = _refusal(str(refused))
        return None
    study.message.value = ""
    study.run_button.disabled = True
    study.progress.reset()
    try:
        return sweep(scenario, grid, seeds=n, processes=study.processes, progress=study.progress), n
    except (InvalidInput, ValueError) as refused:
        study.message.value = _refusal(str(refused))
        return None
    finally:
        study.run_button.disabled = False


def _copier_chart(periods: list[int]) -> alt.LayerChart:
    data = alt.Data(name="copier")
    color = alt.Color("variant:N", title=None, sort=list(VARIANTS),
                      scale=alt.Scale(domain=list(VARIANTS), range=VARIANT_COLORS))
    x = alt.X("commit_reveal_period:Q", title="commit-reveal period (epochs; 0 = off)",
              scale=alt.Scale(domain=[min(periods), max(periods)], nice=False),
              axis=alt.Axis(values=periods, format="d"))
    y = alt.Y("relative_dividend:Q", title="copier's dividend / honest validator's", scale=alt.Scale(domain=[0, 1.2]))
    lines = alt.Chart(data).mark_line(strokeWidth=3, point=alt.OverlayMarkDef(size=90)).encode(
        x=x, y=y, color=color, tooltip=["variant:N", "commit_reveal_period:Q",
                                        alt.Tooltip("relative_dividend:Q", format=".2f")])
    honest = alt.Chart(pd.DataFrame({"y": [1.0], "label": ["as much as evaluating"]}))
    par = honest.mark_rule(color="#555", strokeDash=[4, 4]).encode(y="y:Q") + honest.mark_text(
        align="right", dy=-8, fontSize=13, color="#555", x="width").encode(y="y:Q", text="label:N")
    return (lines + par).properties(title="What copying pays, per unit of stake", width=560, height=300)
