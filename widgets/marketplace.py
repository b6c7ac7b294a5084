"""The marketplace (one subnet, miners of different quality, honest validators) and the oracle problem.

``Marketplace`` plays the "marketplace" scenario epoch by epoch. A run of 40 epochs takes a fraction of a
second, so it is computed whole whenever the reader changes a miner's quality; Play (in the browser, linked
to the epoch slider), Step and Reset only reveal it. A quality change at epoch e rewrites the run from e on:
the same seed replays the same history up to e.

``OracleProblem`` runs the same subnet on an objective task and on a subjective one, with a miner that moves
effort from real quality to gaming the validators' proxy.
"""

from __future__ import annotations

import altair as alt
import ipywidgets as ipw
import pandas as pd

from taosandbox.errors import InvalidInput
from taosandbox.simulations import build, scenario_spec

from .charts import live_chart

GROUPS = ["owner", "miners", "validators"]
GROUP_COLORS = ["#d29922", "#1f6feb", "#8250df"]
DEFAULT_QUALITIES = (0.2, 0.4, 0.6, 0.9)  # the "marketplace" scenario's miners


def _refusal(text: str) -> str:
    return f"<span style='color:#b00; font-size:15px'>{text}</span>"


# ----------------------------------------------------------------------------------------------------------
# The marketplace


def market_run(qualities: dict[int, tuple[float, ...]], epochs: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run the marketplace for `epochs` epochs; `qualities` maps an epoch to the miners' qualities from then on
    (epoch 0: the start). Returns (miners, groups): per epoch and miner its hidden quality, share of the miners'
    emission and α earned; per epoch what the owner, the miners and the validators earned (α)."""
    sim = build("marketplace", seed=seed, miners=tuple(qualities[0]))
    miners = sim.miners(1)
    for e in range(epochs):
        if e in qualities:
            for miner, q in zip(miners, qualities[e], strict=True):
                miner.quality = float(q)
        sim.run(1)
    frame = sim.epochs(netuid=1)
    blocks = sorted(frame["block"].unique())
    frame["epoch"] = frame["block"].map({b: k for k, b in enumerate(blocks)})  # 0: the epoch before agents act
    frame["alpha"] = frame["emission"] / 1e9
    is_miner = frame["role"] == "Miner"
    per_miner = frame.loc[is_miner & (frame["epoch"] > 0), ["epoch", "hotkey", "quality", "incentive", "alpha"]]
    per_miner = per_miner.assign(miner=per_miner["hotkey"].str.removesuffix("/hk")).rename(
        columns={"incentive": "share"}).drop(columns="hotkey")
    # The owner's cut is what its hotkey gained beyond its own dividends as a validator.
    owner = frame[frame["hotkey"] == sim.chain.subnet(1).owner_hotkey].set_index("epoch")
    groups = pd.DataFrame({
        "owner": (owner["alpha_stake"].diff() / 1e9 - owner["alpha"]),
        "miners": frame[is_miner].groupby("epoch")["alpha"].sum(),
        "validators": frame[~is_miner].groupby("epoch")["alpha"].sum(),
    }).iloc[1:].reset_index().melt(id_vars="epoch", var_name="group", value_name="alpha")
    groups["cumulative"] = groups.groupby("group")["alpha"].cumsum()
    groups["stack_order"] = groups["group"].map(GROUPS.index)
    return per_miner.reset_index(drop=True), groups


class Marketplace(ipw.VBox):
    """Play / Step / Reset over the epochs of one subnet; a slider per miner sets its hidden quality from the
    current epoch on. Charts: each miner's share of the miners' emission against its hidden quality, that share
    epoch by epoch, and the cumulative earnings of owner, miners and validators (18 / 41 / 41).

    ``miners`` and ``groups`` hold the current run (see `market_run`); ``epoch`` is the slider Play moves."""

    def __init__(self, *, qualities=DEFAULT_QUALITIES, epochs: int = 40, seed: int = 1, interval_ms: int = 500):
        self.epochs, self.seed = epochs, seed
        self.epoch = ipw.IntSlider(value=0, min=0, max=epochs, description="Epoch", readout=False,
                                   layout=ipw.Layout(width="360px")).add_class("ts-market-epoch")
        # Play runs in the browser (jslink): the kernel only hears the epoch change, it never loops.
        self.play = ipw.Play(value=0, min=0, max=epochs, interval=interval_ms, show_repeat=False)
        self.play.add_class("ts-market-play")
        ipw.jslink((self.play, "value"), (self.epoch, "value"))
        self.step = ipw.Button(description="Step ▶", layout=ipw.Layout(width="100px")).add_class("ts-market-step")
        self.reset = ipw.Button(description="Reset", layout=ipw.Layout(width="100px")).add_class("ts-market-reset")
        self.counter = ipw.HTML().add_class("ts-epoch-counter")
        self.quality_sliders = [
            ipw.FloatSlider(value=q, min=0, max=1, step=0.05, description=f"miner{i}", continuous_update=False,
                            readout_format=".2f", layout=ipw.Layout(width="300px")).add_class("ts-quality")
            for i, q in enumerate(qualities)]
        self.readout = ipw.HTML().add_class("ts-readout")
        self.message = ipw.HTML().add_class("ts-message")
        self.chart = live_chart(_market_chart(epochs))
        self.chart.add_class("ts-chart").add_class("ts-market-chart")
        self._template = self.chart.spec
        self._qualities = {0: tuple(float(q) for q in qualities)}  # epoch -> qualities from then on

        self.epoch.observe(self._show_epoch, names="value")
        self.step.on_click(self._step)
        self.reset.on_click(self._reset)
        for slider in self.quality_sliders:
            slider.observe(self._quality_changed, names="value")
        sliders = ipw.HBox(self.quality_sliders, layout=ipw.Layout(flex_flow="row wrap"))
        super().__init__([
            ipw.HBox([self.play, self.step, self.reset, self.epoch, self.counter],
                     layout=ipw.Layout(align_items="center", flex_flow="row wrap")),
            ipw.HTML("<b>Hidden quality of each miner</b> (validators only see noisy scores of it):"),
            sliders, self.message, self.readout, self.chart,
        ])
        self.add_class("ts-marketplace")
        self._recompute()

    # --- what the reader does -------------------------------------------------------------------------------
    def set_quality(self, miner: int, quality: float) -> None:
        """Set miner `miner`'s hidden quality from the current epoch on (as its slider does)."""
        if not (isinstance(miner, int) and 0 <= miner < len(self.quality_sliders)):
            self.message.value = _refusal(f"There is no miner{miner}: the miners are miner0 to "
                                          f"miner{len(self.quality_sliders) - 1}.")
            return
        if not 0.0 <= quality <= 1.0:
            self.message.value = _refusal(f"A quality is between 0 and 1; {quality} is not.")
            return
        self.quality_sliders[miner].value = quality

    def _step(self, _button=None) -> None:
        if self.epoch.value >= self.epochs:
            self.message.value = _refusal(f"This run ends at epoch {self.epochs}: press Reset to start again.")
            return
        self.message.value = ""
        self.epoch.value += 1

    def _reset(self, _button=None) -> None:
        """Start again from epoch 0 with the qualities the sliders show now."""
        self.play.playing = False
        self.epoch.value = 0
        self._qualities = {0: tuple(s.value for s in self.quality_sliders)}
        self._recompute()

    def _quality_changed(self, _change=None) -> None:
        now = self.epoch.value
        if now >= self.epochs:
            self.message.value = _refusal("The run is over, so a new quality changes nothing: press Reset to "
                                          "start again with these qualities.")
            return
        # The future is rewritten from this epoch: later changes belonged to the old future.
        self._qualities = {e: q for e, q in self._qualities.items() if e < now}
        self._qualities[now] = tuple(s.value for s in self.quality_sliders)
        self._recompute()

    # --- the run and the chart ------------------------------------------------------------------------------
    def _recompute(self) -> None:
        try:
            self.miners, self.groups = market_run(self._qualities, self.epochs, self.seed)
        except (InvalidInput, ValueError) as refused:  # a plain message, never a traceback
            self.message.value = _refusal(str(refused))
            return
        self.message.value = ""
        self._miner_rows = [rows.to_dict("records") for _, rows in self.miners.groupby("epoch")]
        self._group_rows = [rows.to_dict("records") for _, rows in self.groups.groupby("epoch")]
        self._show_epoch()

    def earnings(self, epoch: int | None = None) -> dict[str, float]:
        """α earned so far (up to `epoch`, default the current one) by the owner, the miners, the validators."""
        e = self.epoch.value if epoch is None else epoch
        so_far = self.groups[self.groups["epoch"] <= e]
        return {g: float(so_far.loc[so_far["group"] == g, "alpha"].sum()) for g in GROUPS}

    def _show_epoch(self, _change=None) -> None:
        e = self.epoch.value
        if e == 0:  # before the first epoch: the miners at their qualities, nothing earned yet
            now = [{"miner": f"miner{i}", "quality": q, "share": 0.0} for i, q in enumerate(self._qualities[0])]
        else:
            now = self._miner_rows[e - 1]
        self.chart.spec = {**self._template, "datasets": {
            "market_now": now,
            "market_miners": [row for rows in self._miner_rows[:e] for row in rows],
            "market_groups": [row for rows in self._group_rows[:e] for row in rows],
        }}
        self.counter.value = f"<b style='font-size:16px'>Epoch {e}</b> of {self.epochs}"
        self.readout.value = self._describe(e, now)

    def _describe(self, e: int, now: list[dict]) -> str:
        if e == 0:
            return "<p style='font-size:15px'>Press <b>Play</b> or <b>Step</b> to run the subnet.</p>"
        this_epoch = {row["group"]: row["alpha"] for row in self._group_rows[e - 1]}
        total = sum(this_epoch.values())
        split = " · ".join(f"{g} <b>{this_epoch[g] / total:.0%}</b>" for g in GROUPS)
        best = max(now, key=lambda row: row["share"])
        if best["share"] == 0:
            return (f"<p style='font-size:15px'>This epoch the subnet paid {total:,.0f} α: {split}. The miners earn "
                    "nothing yet: the validators set their first weights after this epoch, so the validators "
                    "take the miners' part too.</p>")
        return (f"<p style='font-size:15px'>This epoch the subnet paid {total:,.0f} α: {split}. "
                f"<b>{best['miner']}</b> (hidden quality {best['quality']:.2f}) took the largest share of the "
                f"miners' part: <b>{best['share']:.0%}</b>.</p>")


def _market_chart(epochs: int) -> alt.VConcatChart:
    now, miners, groups = (alt.Data(name=n) for n in ("market_now", "market_miners", "market_groups"))
    color = alt.Color("miner:N", title="miner", scale=alt.Scale(scheme="tableau10"))
    share_axis = alt.Scale(domain=[0, 1])
    epoch_axis = alt.X("epoch:Q", title="epoch", scale=alt.Scale(domain=[0, epochs], nice=False))
    points = alt.Chart(now).encode(
        x=alt.X("quality:Q", title="hidden quality", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("share:Q", title="share of the miners' emission", scale=share_axis, axis=alt.Axis(format="%")),
        color=color, tooltip=["miner:N", alt.Tooltip("quality:Q", format=".2f"), alt.Tooltip("share:Q", format=".1%")])
    versus = (points.mark_circle(size=320, opacity=0.9)
              + points.mark_text(dy=-20, fontSize=14, fontWeight="bold").encode(text="miner:N")).properties(
        title="Share of the miners' emission vs hidden quality", width=330, height=260)
    over_time = alt.Chart(miners).mark_line(strokeWidth=3).encode(
        x=epoch_axis, y=alt.Y("share:Q", title="share of the miners' emission", scale=share_axis,
                              axis=alt.Axis(format="%")),
        color=color, tooltip=["miner:N", "epoch:Q", alt.Tooltip("share:Q", format=".1%")],
    ).properties(title="Each miner's share, epoch by epoch", width=380, height=260)
    earnings = alt.Chart(groups).mark_area(opacity=0.85).encode(
        x=epoch_axis,
        y=alt.Y("cumulative:Q", title="α earned so far", stack=True),
        color=alt.Color("group:N", title="paid to", sort=GROUPS,
                        scale=alt.Scale(domain=GROUPS, range=GROUP_COLORS)),
        order=alt.Order("stack_order:Q"),
        tooltip=["group:N", "epoch:Q", alt.Tooltip("cumulative:Q", format=",.0f", title="α so far")],
    ).properties(
        title="Cumulative earnings: subnet owner, miners, validators", width=780, height=200)
    return alt.vconcat(alt.hconcat(versus, over_time), earnings).resolve_scale(color="independent")


# ----------------------------------------------------------------------------------------------------------
# Proof of Intelligence: an objective and a subjective task

TASKS = {"objective": "proof-of-intelligence-objective", "subjective": "proof-of-intelligence-subjective"}
TASK_TITLES = {"objective": "Objective task: forecasts that resolve",
               "subjective": "Subjective task: text quality (a proxy)"}
EXPERT_QUALITY = 0.7
EFFORT_COST = 0.5  # real quality the gamer gives up per unit of gaming (the scenario's gamer: 0.4 -> 0.5)
MINER_ORDER = ["expert", "gamer", "average", "novice"]


def oracle_run(gaming: float, epochs: int = 20, seed: int = 0, warmup: int = 2) -> pd.DataFrame:
    """Both Proof-of-Intelligence scenarios with the gamer's gaming effort set: per task and miner, its true
    quality, what validators measure on average, and its mean share of the miners' emission after `warmup`."""
    rows = []
    for task, name in TASKS.items():
        spec = scenario_spec(name)
        for agent in spec["agents"]:
            if agent["name"] == "gamer":
                agent["gaming"] = float(gaming)
                agent["quality"] = EXPERT_QUALITY - EFFORT_COST * float(gaming)
        sim = build(spec, seed=seed)
        sim.run(epochs)
        frame = sim.epochs(netuid=1)
        period = sim.chain.subnet(1).hyperparams["tempo"] + 1
        frame = frame[(frame["role"] == "Miner") & (frame["block"] > frame["block"].min() + warmup * period)]
        measured = sim.task(1).measured
        for agent in sim.miners(1):
            share = frame.loc[frame["hotkey"] == agent.hotkey, "incentive"].mean()
            rows.append({"task": task, "miner": agent.name, "quality": agent.quality, "gaming": agent.gaming,
                         "measured": float(measured(agent.quality, agent.gaming)), "share": float(share)})
    return pd.DataFrame(rows)


class OracleProblem(ipw.VBox):
    """One slider: how much effort the "gamer" moves from real quality to the validators' proxy. Side by side,
    on an objective and on a subjective task: each miner's share of the miners' emission, and its true quality
    against what the validators measure. ``frame`` holds the numbers behind the chart."""

    def __init__(self, *, gaming: float = 0.4, epochs: int = 20, seed: int = 0):
        self.epochs, self.seed = epochs, seed
        self.gaming = ipw.FloatSlider(
            value=gaming, min=0, max=0.8, step=0.05, description="Gamer's effort on the proxy",
            continuous_update=False, readout_format=".2f", style={"description_width": "200px"},
            layout=ipw.Layout(width="560px")).add_class("ts-gaming")
        self.readout = ipw.HTML().add_class("ts-readout")
        self.message = ipw.HTML().add_class("ts-message")
        self.chart = live_chart(_oracle_chart())
        self.chart.add_class("ts-chart").add_class("ts-oracle-chart")
        self._template = self.chart.spec
        self.frame = pd.DataFrame()
        self.gaming.observe(self._recompute, names="value")
        super().__init__([self.gaming, self.message, self.readout, self.chart])
        self.add_class("ts-oracle-problem")
        self._recompute()

    def set_gaming(self, effort: float) -> None:
        """Set the gamer's effort (as the slider does); outside 0 to 0.8 it is refused with a message."""
        if not 0.0 <= effort <= self.gaming.max:
            self.message.value = _refusal(f"The gamer's effort is between 0 and {self.gaming.max:g}; "
                                          f"{effort} is not (at {EXPERT_QUALITY / EFFORT_COST:g} it would have "
                                          "no real quality left).")
            return
        self.gaming.value = effort

    def _recompute(self, _change=None) -> None:
        try:
            frame = oracle_run(self.gaming.value, self.epochs, self.seed)
        except (InvalidInput, ValueError) as refused:
            self.message.value = _refusal(str(refused))
            return
        self.message.value = ""
        self.frame = frame
        self.chart.spec = {**self._template, "datasets": {"oracle": frame.to_dict("records")}}
        share = frame[frame["miner"] == "gamer"].set_index("task")["share"]
        rank = {task: int((g["share"] > share[task]).sum()) + 1 for task, g in frame.groupby("task")}
        quality = frame.loc[frame["miner"] == "gamer", "quality"].iloc[0]
        self.readout.value = (
            f"<p style='font-size:15px'>The gamer's real quality is <b>{quality:.2f}</b> (the expert's: "
            f"{EXPERT_QUALITY}). On the objective task it takes <b>{share['objective']:.0%}</b> of the miners' "
            f"emission (rank {rank['objective']} of 4); on the subjective task <b>{share['subjective']:.0%}</b> "
            f"(rank {rank['subjective']} of 4).</p>")


def _oracle_chart() -> alt.HConcatChart:
    data = alt.Data(name="oracle")
    highlight = alt.Color("miner:N", legend=None, scale=alt.Scale(
        domain=MINER_ORDER, range=["#1f6feb", "#e8590c", "#8c959f", "#b6bdc5"]))
    y_miner = alt.Y("miner:N", sort=MINER_ORDER, title=None, axis=alt.Axis(labelFontSize=15))
    panels = []
    for task in TASKS:
        mine = alt.datum.task == task
        bars = alt.Chart(data).transform_filter(mine).mark_bar().encode(
            x=alt.X("share:Q", title="share of the miners' emission", scale=alt.Scale(domain=[0, 1]),
                    axis=alt.Axis(format="%")),
            y=y_miner, color=highlight, tooltip=["miner:N", alt.Tooltip("share:Q", format=".1%")])
        labels = bars.mark_text(align="left", dx=4, fontSize=14).encode(text=alt.Text("share:Q", format=".0%"))
        seen = alt.Chart(data).transform_filter(mine).transform_fold(
            ["quality", "measured"], as_=["what", "value"]).encode(
            x=alt.X("value:Q", title="true quality (○) vs what validators measure (●)",
                    scale=alt.Scale(domain=[0, 1.2]), axis=alt.Axis(values=[0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2])),
            y=y_miner, tooltip=["miner:N", "what:N", alt.Tooltip("value:Q", format=".2f")])
        gap = alt.Chart(data).transform_filter(mine).mark_rule(color="#999", strokeWidth=2).encode(
            x="quality:Q", x2="measured:Q", y=y_miner)
        dots = seen.mark_point(size=180, filled=False, strokeWidth=2.5, color="#333").transform_filter(
            alt.datum.what == "quality") + seen.mark_circle(size=180, color="#e8590c").transform_filter(
            alt.datum.what == "measured")
        panels.append(alt.vconcat(
            (bars + labels).properties(title=TASK_TITLES[task], width=330, height=150),
            (gap + dots).properties(width=330, height=150)))
    return alt.hconcat(*panels)
