"""The case player: replay a named Yuma scenario epoch by epoch under YC2, YC3 and YC3 with liquid alpha.

A whole case (40 epochs, three variants) runs in a few milliseconds, so it is computed at once when picked;
Play, Step and the epoch slider only reveal it: each epoch sends the chart the rows up to that epoch.
"""

from __future__ import annotations

import altair as alt
import ipywidgets as ipw

from taosandbox.scenarios import CASES, VALIDATORS, VARIANTS, Case, CaseRun, get_case, run_all_variants

from .charts import live_chart
from .yuma_lab import heatmap, validator_color

EPOCHS = 40
PANEL = 230  # width of one variant's panel


class CasePlayer(ipw.VBox):
    """Pick a case; Play / Step / Reset move through its epochs; the chart shows the weights set, dividends per
    validator over time under every variant, and each variant's bonds at the current epoch.

    ``run`` is the current ``CaseRun`` (all variants); ``epoch`` is the slider that Play and Step move.
    """

    def __init__(self, case: int | str | Case = 2, *, interval_ms: int = 350):
        case = get_case(case)
        self.case = ipw.Dropdown(options=[(c.title, c.number) for c in CASES], value=case.number,
                                 description="Scenario", layout=ipw.Layout(width="560px"))
        self.case.add_class("ts-case")
        self.epoch = ipw.IntSlider(value=0, min=0, max=EPOCHS - 1, description="Epoch", readout=False,
                                   layout=ipw.Layout(width="420px")).add_class("ts-case-epoch")
        # Play animates in the browser (jslink): the kernel only hears the epoch, never blocks on a loop.
        self.play = ipw.Play(value=0, min=0, max=EPOCHS - 1, interval=interval_ms, show_repeat=False)
        self.play.add_class("ts-case-play")
        ipw.jslink((self.play, "value"), (self.epoch, "value"))
        self.step = ipw.Button(description="Step ▶", layout=ipw.Layout(width="100px")).add_class("ts-case-step")
        self.reset = ipw.Button(description="Reset", layout=ipw.Layout(width="100px")).add_class("ts-case-reset")
        self.counter = ipw.HTML().add_class("ts-epoch-counter")
        self.story = ipw.HTML().add_class("ts-case-story")
        self.chart = live_chart(_case_chart())
        self.chart.add_class("ts-chart").add_class("ts-case-chart")
        self._template = self.chart.spec
        self.run: CaseRun | None = None

        self.case.observe(self._load, names="value")
        self.epoch.observe(self._show_epoch, names="value")
        self.step.on_click(lambda _: setattr(self.epoch, "value", min(self.epoch.value + 1, self.epoch.max)))
        self.reset.on_click(self._reset)
        super().__init__([
            self.case, self.story,
            ipw.HBox([self.play, self.step, self.reset, self.epoch, self.counter],
                     layout=ipw.Layout(align_items="center", flex_flow="row wrap")),
            self.chart,
        ])
        self.add_class("ts-case-player")
        self._load()

    def _reset(self, _button=None) -> None:
        self.play.playing = False
        self.epoch.value = 0

    def _load(self, _change=None) -> None:
        case = get_case(self.case.value)
        self.play.playing = False
        self.run = run_all_variants(case, epochs=EPOCHS)
        self.story.value = describe(case)
        # Rows grouped by epoch once, so that revealing an epoch is a few list slices.
        dividends = self.run.dividends.sort_values("epoch", kind="stable")
        self._dividends = dividends[["variant", "epoch", "validator", "dividends"]].to_dict("records")
        self._dividends_until = dividends["epoch"].searchsorted(range(EPOCHS), side="right")
        self._bonds = _by_epoch(self.run.bonds[["variant", "epoch", "validator", "miner", "bond_share"]])
        weights = self.run.weights.query("variant == 'YC2'")  # the schedule is the same under every variant
        self._weights = _by_epoch(weights[["epoch", "validator", "miner", "weight"]])
        self._show_epoch()

    def _show_epoch(self, _change=None) -> None:
        # The rows are sent again rather than filtered by a Vega parameter: JupyterChart's parameter sync races
        # with the re-render after a case change and throws in the browser. A few hundred rows redraw in ~0.15 s.
        e = self.epoch.value
        self.chart.spec = {**self._template, "datasets": {
            "dividends": self._dividends[: self._dividends_until[e]], "bonds": self._bonds[e],
            "weights": self._weights[e], "now": [{"epoch": e}]}}
        self.counter.value = f"<b style='font-size:16px'>Epoch {e}</b> of {EPOCHS - 1}"


def _by_epoch(frame) -> list[list[dict]]:
    return [group.to_dict("records") for _, group in frame.groupby("epoch", sort=True)]


def describe(case: Case) -> str:
    """The case's schedule in plain words: who puts weight where, and from which epoch."""
    moves: dict[int, dict[str, list[str]]] = {}  # epoch -> what happens -> validators it happens to
    for start, validator, row in case.weights:
        one_miner = max(row) == 1.0 and sum(row) == 1.0
        target = (f"→ {case.miners[row.index(1.0)]}" if one_miner else
                  "→ " + " / ".join(f"{w:g} {m}" for w, m in zip(row, case.miners, strict=True) if w))
        moves.setdefault(start, {}).setdefault(target, []).append(validator)
    for start, stakes in case.stake_changes:
        moves.setdefault(start, {})["stakes become " + " / ".join(f"{s:g}" for s in stakes)] = []
    for start, miner in case.resets:
        moves.setdefault(start, {})[f"bonds on {miner} reset"] = []
    schedule = "; ".join(
        f"epoch {e}: " + ", ".join(f"{', '.join(who)} {what}".strip() for what, who in happenings.items())
        for e, happenings in sorted(moves.items()))
    if case.noise is not None:
        schedule = (f"every epoch each validator scores the miners (quality {' vs '.join(map(str, case.noise.quality))}"
                    ", plus noise) and puts all its weight on its own best")
    stakes = " / ".join(f"{s:g}" for s in case.stakes)
    shows = case.shows if case.shows.endswith("?") else case.shows + "."
    return (f"<p style='font-size:15px'><b>{case.title}</b> — {shows}"
            f"<br>Stakes of {', '.join(VALIDATORS)}: {stakes}. {schedule[:1].upper() + schedule[1:]}.</p>")


def _case_chart() -> alt.VConcatChart:
    dividends, bonds, weights, now = (alt.Data(name=name) for name in ("dividends", "bonds", "weights", "now"))
    color = alt.Color("validator:N", title="validator", scale=validator_color())

    set_now = heatmap(weights, "weight", "Weights set this epoch", x="miner", y="validator", width=170, height=140)
    so_far = alt.Chart(dividends).mark_bar().encode(
        x=alt.X("variant:N", title=None, sort=list(VARIANTS), axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("validator:N"),
        y=alt.Y("mean(dividends):Q", title="average share", scale=alt.Scale(domain=[0, 1])),
        color=color, tooltip=["variant:N", "validator:N", alt.Tooltip("mean(dividends):Q", format=".3f")],
    ).properties(title="Average dividends so far, per variant", width=420, height=140)

    lines, bond_maps = [], []
    for variant in VARIANTS:
        mine = alt.datum.variant == variant
        lines.append(alt.layer(
            alt.Chart(dividends).transform_filter(mine).mark_line(
                strokeWidth=3, point=alt.OverlayMarkDef(size=20)).encode(
                x=alt.X("epoch:Q", scale=alt.Scale(domain=[0, EPOCHS - 1], nice=False), title="epoch"),
                y=alt.Y("dividends:Q", scale=alt.Scale(domain=[0, 1]), title="dividends share"), color=color,
                tooltip=["validator:N", "epoch:Q", alt.Tooltip("dividends:Q", format=".3f")]),
            alt.Chart(now).mark_rule(color="#888", strokeDash=[4, 3]).encode(x="epoch:Q"),
        ).properties(title=f"Dividends per epoch — {variant}", width=PANEL, height=170))
        bond_maps.append(heatmap(bonds, "bond_share", f"Bond shares — {variant}", x="miner", y="validator",
                                 width=PANEL, height=110).transform_filter(mine))
    return alt.vconcat(
        alt.hconcat(set_now, so_far), alt.hconcat(*lines), alt.hconcat(*bond_maps),
    ).resolve_scale(xOffset="independent")
