"""The emission board: play a network block by block and watch prices, moving prices, shares of emission
and pool reserves evolve, for one chain or for the same network under two eras side by side.
"""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import ipywidgets as ipw
import pandas as pd

from taosandbox.chain import ROOT, Chain, downsample
from taosandbox.units import RAO_PER_TAO

from .chain_views import WIDE, demo_network, subnet_colors, subnet_label
from .charts import live_chart

DATA = "history"
STEPS = {"36 blocks (7 min)": 36, "360 blocks (1 tempo)": 360, "1,800 blocks (6 h)": 1_800,
         "7,200 blocks (1 day)": 7_200}
CHUNK = 360  # blocks run between two progress-bar updates
PROGRESS_FROM = 3_600  # shorter steps finish before a progress bar would be worth showing
Activity = Callable[[Chain, int], None]
PANELS = ("price", "share", "tao_in", "alpha")  # what the board can draw, top to bottom


class EmissionBoard(ipw.VBox):
    """Play / Step / Reset over one or more chains, and a chart of their per-subnet history.

    ``chains`` maps a label (e.g. the era) to a Chain; a single Chain is labelled by its era. ``activity``,
    if given, is called as ``activity(chain, blocks)`` instead of ``chain.step(blocks)`` (e.g. a
    `RandomTrades` that trades between blocks). Reset restores every chain in place to the state it had
    when the board was built, so other views holding the same chain stay valid. ``frame`` is the data
    behind the chart (at most ``max_rows`` rows). ``panels`` picks and orders the charts among `PANELS`
    (pre-dTAO, only "share" says much: prices and pools are not used)."""

    def __init__(self, chains: Chain | dict[str, Chain], blocks_per_step: int = 360,
                 activity: Activity | None = None, max_rows: int = 5_000, netuids: list[int] | None = None,
                 panels: tuple[str, ...] = PANELS):
        self.chains = {chains.era: chains} if isinstance(chains, Chain) else dict(chains)
        self.activity, self.max_rows, self.panels = activity, max_rows, tuple(panels)
        self._starts = {label: chain.to_json() for label, chain in self.chains.items()}
        self._listeners: list[Callable[[], None]] = []
        first = next(iter(self.chains.values()))
        self.netuids = netuids or [n for n in first.netuids if n != ROOT]
        self.frame = pd.DataFrame()

        self.play = ipw.Play(value=0, min=0, max=10**9, step=1, interval=1_200, show_repeat=False,
                             description="Play").add_class("ts-play")
        self.step_button = ipw.Button(description="Step", icon="step-forward", button_style="primary",
                                      layout=ipw.Layout(width="120px")).add_class("ts-step")
        self.reset_button = ipw.Button(description="Reset", icon="undo",
                                       layout=ipw.Layout(width="120px")).add_class("ts-reset")
        self.blocks = ipw.Dropdown(options=list(STEPS.items()), value=blocks_per_step, description="Each step",
                                   style=WIDE, layout=ipw.Layout(width="360px")).add_class("ts-blocks-per-step")
        if blocks_per_step not in STEPS.values():
            self.blocks.options = [*self.blocks.options, (f"{blocks_per_step:,} blocks", blocks_per_step)]
            self.blocks.value = blocks_per_step
        self.progress = ipw.IntProgress(min=0, max=1, layout=ipw.Layout(width="240px", visibility="hidden"))
        self.progress.add_class("ts-progress")
        self.readout = ipw.HTML().add_class("ts-readout")
        unknown = set(panels) - set(PANELS)
        if unknown or not panels:
            raise ValueError(f"panels are some of {PANELS}; got {panels!r}")
        self.chart = live_chart(_chart(list(self.chains), self.netuids, panels))
        self._template = self.chart.spec
        self.chart.add_class("ts-chart")

        self.play.observe(lambda change: change["new"] and self.step(), names="value")
        self.step_button.on_click(lambda _: self.step())
        self.reset_button.on_click(lambda _: self.reset())
        super().__init__([
            ipw.HBox([self.play, self.step_button, self.reset_button, self.blocks, self.progress]),
            self.readout,
            self.chart,
        ])
        self.add_class("ts-emission-board")
        self._redraw()

    @classmethod
    def compare(cls, eras=("dtao", "taoflow"), seed: int = 0, activity: Activity | None = None,
                network: dict | None = None, **board) -> EmissionBoard:
        """The same seeded network (`demo_network(era, seed, **network)`) under each era, side by side."""
        chains = {era: demo_network(era, seed, **(network or {})) for era in eras}
        return cls(chains, activity=activity, **board)

    def on_step(self, listener: Callable[[], None]) -> None:
        """Call `listener()` after every step and reset (e.g. a stake desk's `refresh`)."""
        self._listeners.append(listener)

    # --- running --------------------------------------------------------------------------------------
    def step(self, blocks: int | None = None) -> None:
        """Advance every chain by `blocks` (default: the dropdown), with a progress bar on long runs."""
        blocks = int(self.blocks.value if blocks is None else blocks)
        chunks = [CHUNK] * (blocks // CHUNK) + ([blocks % CHUNK] if blocks % CHUNK else [])
        show = blocks >= PROGRESS_FROM
        self.progress.max, self.progress.value = len(chunks) * len(self.chains), 0
        self.progress.layout.visibility = "visible" if show else "hidden"
        for chain in self.chains.values():
            for chunk in chunks:
                if self.activity is None:
                    chain.step(chunk)
                else:
                    self.activity(chain, chunk)
                if show:
                    self.progress.value += 1
        self.progress.layout.visibility = "hidden"
        self._redraw()

    def reset(self) -> None:
        """Every chain back to where it started (in place), and Play paused."""
        self.play.playing = False
        for label, chain in self.chains.items():
            chain.restore(self._starts[label])
        self._redraw()

    # --- drawing --------------------------------------------------------------------------------------
    def _redraw(self) -> None:
        self.frame = self._history()
        self.chart.spec = {**self._template, "datasets": {DATA: self.frame.to_dict("records")}}
        self._update_readout()
        for listener in self._listeners:
            listener()

    def _history(self) -> pd.DataFrame:
        parts = []
        for label, chain in self.chains.items():
            h = chain.history_frame("subnets", max_rows=None)
            h = h[h["netuid"].isin(self.netuids)]
            parts.append(pd.DataFrame({
                "block": h["block"], "era": label, "subnet": h["netuid"].map(subnet_label),
                "price": h["price"], "moving_price": h["moving_price"], "share": h["share"],
                "tao_in": h["tao_reserve"] / RAO_PER_TAO, "alpha_in": h["alpha_reserve"] / RAO_PER_TAO,
                "alpha_out": h["alpha_out"] / RAO_PER_TAO,
            }))
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        return downsample(frame, self.max_rows) if len(frame) else frame

    def _update_readout(self) -> None:
        prices = "price" in self.panels  # pre-dTAO boards show shares only: prices are not used then
        header = "<th>price τ/α</th><th>moving price</th>" if prices else ""
        cells = []
        for label, chain in self.chains.items():
            rows = ""
            for n in (n for n in self.netuids if n in chain.subnets):
                s = chain.subnet(n)
                price = f"<td>{s.price:.4f}</td><td>{s.moving_price:.4f}</td>" if prices else ""
                rows += f"<tr><td>{subnet_label(n)}</td>{price}<td>{_share_now(chain, n):.1%}</td></tr>"
            cells.append(f"<td style='vertical-align:top;padding-right:48px'><b>{label}</b> at block "
                         f"<b>{chain.block:,}</b><table class='ts-now'><tr><th></th>{header}"
                         f"<th>share of emission</th></tr>{rows}</table></td>")
        style = "<style>.ts-now td, .ts-now th {padding: 1px 10px; text-align: right; font-size: 15px}</style>"
        self.readout.value = f"{style}<table><tr>{''.join(cells)}</tr></table>"


def _share_now(chain: Chain, netuid: int) -> float:
    """The share the subnet got in the last recorded block (0 before any block)."""
    rows = chain.history.blocks
    for row in reversed(rows[-len(chain.subnets) - 1:]):
        if row[1] == netuid:
            return row[10]
    return 0.0


def _chart(labels: list[str], netuids: list[int], panels: tuple[str, ...]) -> alt.VConcatChart:
    data = alt.Data(name=DATA)
    width = 620 if len(labels) == 1 else max(240, 620 // len(labels))
    color = alt.Color("subnet:N", title=None, scale=subnet_colors(netuids))
    # One chain: no facet header. Several: one column per chain, headed by its label.
    facet = {} if len(labels) == 1 else {"column": alt.Column(
        "era:N", title=None, sort=labels, header=alt.Header(labelFontSize=16, labelFontWeight="bold"))}
    x = alt.X("block:Q", title="block", axis=alt.Axis(format=",d"))

    def panel(title: str, y: alt.Y, fold: list[str] | None = None):
        chart = alt.Chart(data, title=title)
        tooltip = ["era:N", "subnet:N", alt.Tooltip("block:Q", format=",d")]
        if fold:
            chart = chart.transform_fold(fold, as_=["series", "value"])
            dash = alt.StrokeDash("series:N", legend=None, sort=fold,  # the title says which is dashed
                                  scale=alt.Scale(domain=fold, range=[[1, 0], [6, 4]]))
            encoding = {"strokeDash": dash, "tooltip": [*tooltip, "series:N", alt.Tooltip("value:Q", format=",.4f")]}
        else:
            encoding = {"tooltip": [*tooltip, alt.Tooltip(y.shorthand, format=",.4f")]}
        return chart.mark_line(strokeWidth=2.5).encode(x=x, y=y, color=color, **facet, **encoding).properties(
            width=width, height=140)

    make = {
        "price": lambda: panel("Price (solid) and moving price (dashed), τ per α",
                               alt.Y("value:Q", title="τ/α"), ["price", "moving_price"]),
        "share": lambda: panel("Share of each block's TAO emission",
                               alt.Y("share:Q", title="share", axis=alt.Axis(format="%"))),
        "tao_in": lambda: panel("τ_in: TAO in the pool", alt.Y("tao_in:Q", title="τ", scale=alt.Scale(zero=False))),
        "alpha": lambda: panel("α_in: alpha in the pool (solid) and α_out: alpha held outside it (dashed)",
                               alt.Y("value:Q", title="α"), ["alpha_in", "alpha_out"]),
    }
    return alt.vconcat(*(make[name]() for name in panels))
