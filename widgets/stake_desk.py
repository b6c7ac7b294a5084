"""The stake desk: stake and unstake through a subnet's pool, with the trade previewed before you commit.

The preview is the chain's own plan for the trade (`Chain.quote_add_stake` / `quote_remove_stake`), so what it shows is
what the trade then does. The chart shows the pool's curve x·y = k with your trade as a move along it,
and your positions valued at the spot price and at what selling them now would really return.
"""

from __future__ import annotations

import math

import altair as alt
import ipywidgets as ipw
import numpy as np

from taosandbox.chain import ROOT, Chain
from taosandbox.errors import ChainError
from taosandbox.quote import Quote
from taosandbox.units import format_alpha, format_tao, tao, to_tao

from .chain_views import WIDE, done, refused
from .charts import live_chart

CURVE, POSITIONS = "curve", "positions"
CURVE_POINTS = 80
SIDES = {"Stake τ → α": "stake", "Unstake α → τ": "unstake"}
AT_SPOT, IF_SOLD = "at spot price", "if sold now"


class StakeDesk(ipw.VBox):
    """Stake or unstake for one coldkey on any subnet, with a live preview, a limit price and allow-partial.

    ``quote`` is the last preview (a `Quote`, or None when the chain would refuse: the reason is in
    ``preview``); ``positions`` the data behind the positions chart."""

    def __init__(self, chain: Chain, coldkey: str = "you", netuid: int | None = None, amount: float = 100.0):
        self.chain, self.coldkey = chain, coldkey
        self.quote: Quote | None = None
        self.positions: list[dict] = []
        self.subnet = ipw.Dropdown(description="Subnet", style=WIDE, layout=ipw.Layout(width="300px"))
        self.subnet.add_class("ts-subnet")
        self.hotkey = ipw.Dropdown(description="Validator hotkey", style=WIDE, layout=ipw.Layout(width="420px"))
        self.hotkey.add_class("ts-hotkey")
        self.side = ipw.ToggleButtons(options=list(SIDES.items()), value="stake",
                                      style={"button_width": "150px"}).add_class("ts-side")
        # continuous_update: the preview follows every keystroke; nothing happens until the button.
        self.amount = ipw.FloatText(value=amount, description="Amount (τ)", style=WIDE, continuous_update=True,
                                    layout=ipw.Layout(width="300px")).add_class("ts-amount")
        self.max_button = ipw.Button(description="Max", tooltip="all your free TAO, or all this stake",
                                     layout=ipw.Layout(width="70px")).add_class("ts-max")
        self.limit = ipw.FloatText(value=0.0, description="Limit price", style=WIDE, continuous_update=True,
                                   layout=ipw.Layout(width="300px")).add_class("ts-limit-price")
        self.limit_note = ipw.HTML("τ/α on the average price (0: no limit)")
        self.partial = ipw.Checkbox(value=False, description="allow partial", indent=False,
                                    layout=ipw.Layout(width="160px")).add_class("ts-allow-partial")
        self.preview = ipw.HTML().add_class("ts-preview")
        self.go = ipw.Button(description="Stake", button_style="primary", icon="check",
                             layout=ipw.Layout(width="220px")).add_class("ts-stake-button")
        self.message = ipw.HTML().add_class("ts-message")
        self.price = ipw.HTML().add_class("ts-price")
        self.chart = live_chart(_chart())
        self._template = self.chart.spec
        self.chart.add_class("ts-chart")

        self.subnet.observe(self._on_subnet, names="value")
        self.side.observe(self._on_side, names="value")
        for control in (self.hotkey, self.amount, self.limit, self.partial):
            control.observe(lambda _: self._update_preview(), names="value")
        self.go.on_click(self._execute)
        self.max_button.on_click(self._fill_max)
        super().__init__([
            self.price,
            ipw.HBox([self.subnet, self.hotkey]),
            self.side,
            ipw.HBox([self.amount, self.max_button, self.limit, self.limit_note]),
            ipw.HBox([self.partial]),
            self.preview,
            ipw.HBox([self.go, self.message]),
            self.chart,
        ])
        self.add_class("ts-stake-desk")
        self.refresh(select=netuid)

    # --- reading the chain ------------------------------------------------------------------------------
    def refresh(self, select: int | None = None) -> None:
        """Re-read the chain (call after changing it from code, e.g. after `chain.step`)."""
        nets = [n for n in self.chain.netuids if n != ROOT]
        current = select if select is not None else self.subnet.value
        with self.hold_trait_notifications():
            self.subnet.options = [(f"subnet {n}", n) for n in nets]
            self.subnet.value = current if current in nets else (nets[0] if nets else None)
        self._on_subnet()

    def _on_subnet(self, _change=None) -> None:
        netuid = self.subnet.value
        if netuid is not None:
            s = self.chain.subnet(netuid)
            keep = self.hotkey.value if self.hotkey.value in s.hotkeys else s.owner_hotkey
            self.hotkey.options = [(f"UID {uid} · {hk}", hk) for uid, hk in enumerate(s.hotkeys)]
            self.hotkey.value = keep
        self._update_preview()

    def _on_side(self, _change=None) -> None:
        staking = self.side.value == "stake"
        self.amount.description = "Amount (τ)" if staking else "Amount (α)"
        self.go.description = "Stake" if staking else "Unstake"
        self._update_preview()

    def _available(self) -> int:
        """What the current side can trade at most: free TAO to stake, or the stake on this hotkey."""
        if self.side.value == "stake":
            return self.chain.balance(self.coldkey)
        if self.subnet.value is None or self.hotkey.value is None:
            return 0
        return self.chain.stake(self.hotkey.value, self.subnet.value, self.coldkey)

    def _fill_max(self, _button=None) -> None:
        self.amount.value = self._available() / 1e9

    def _amount_rao(self) -> int:
        if not math.isfinite(self.amount.value):
            return -1  # refused by the chain's own check
        amount, available = tao(self.amount.value), self._available()
        # A decimal in the box can miss "all of it" by a rao or two; the chain would then refuse the dust left.
        return available if 0 < abs(amount - available) <= 10 else amount

    def _quote(self) -> Quote:
        limit = self.limit.value if self.limit.value and self.limit.value > 0 else None
        amount = self._amount_rao()
        quote = self.chain.quote_add_stake if self.side.value == "stake" else self.chain.quote_remove_stake
        return quote(self.coldkey, self.hotkey.value, self.subnet.value, amount, limit, self.partial.value)

    def _update_preview(self) -> None:
        netuid = self.subnet.value
        self.quote = None
        if netuid is None:
            self.preview.value = "<i>No subnet yet.</i>"
        else:
            try:
                self.quote = self._quote()
                self.preview.value = _preview_html(self.quote, netuid)
            except ChainError as err:
                self.preview.value = f"<b>Preview:</b> {refused(err)}"
        self.go.disabled = self.quote is None
        self._readout()
        self._redraw()

    def _readout(self) -> None:
        netuid = self.subnet.value
        free = format_tao(self.chain.balance(self.coldkey))
        if netuid is None:
            self.price.value = f"<b>{self.coldkey}</b>: {free} free."
            return
        s = self.chain.subnet(netuid)
        held = self.chain.stake(self.hotkey.value, netuid, self.coldkey) if self.hotkey.value else 0
        self.price.value = (
            f"<span style='font-size:1.15em'>Subnet {netuid} price <b class='ts-price-value'>{s.price:.4f} τ/α"
            f"</b></span> &nbsp; pool: {format_tao(s.pool.tao_reserve, 1)} and "
            f"{format_alpha(s.pool.alpha_reserve, 1, netuid)} &nbsp;|&nbsp; <b>{self.coldkey}</b>: {free} free, "
            f"{format_alpha(held, 3, netuid)} staked on this hotkey")

    # --- acting -------------------------------------------------------------------------------------------
    def _execute(self, _button=None) -> None:
        netuid, hotkey = self.subnet.value, self.hotkey.value
        try:
            quote = self._quote()
            limit = self.limit.value if self.limit.value > 0 else None
            if quote.side == "stake":
                got = self.chain.add_stake(self.coldkey, hotkey, netuid, quote.amount_in, limit, self.partial.value)
                text = (f"Staked {format_tao(quote.executed_in)}: received {format_alpha(got, 4, netuid)}. "
                        f"The price moved to {self.chain.price(netuid):.4f} τ/α.")
            else:
                got = self.chain.remove_stake(self.coldkey, hotkey, netuid, quote.amount_in, limit,
                                              self.partial.value)
                text = (f"Unstaked {format_alpha(quote.executed_in, 4, netuid)}: received {format_tao(got, 4)}. "
                        f"The price moved to {self.chain.price(netuid):.4f} τ/α.")
        except ChainError as err:
            self.message.value = refused(err)
            return
        self.message.value = done(text)
        self._update_preview()

    # --- the chart ------------------------------------------------------------------------------------------
    def _redraw(self) -> None:
        self.positions = self._positions()
        self.chart.spec = {**self._template, "datasets": {CURVE: self._curve(), POSITIONS: self.positions}}

    def _curve(self) -> list[dict]:
        netuid = self.subnet.value
        if netuid is None:
            return []
        pool = self.chain.subnet(netuid).pool
        tao_in, alpha_in = to_tao(pool.tao_reserve), to_tao(pool.alpha_reserve)
        k = tao_in * alpha_in
        q = self.quote
        rows = [{"alpha": alpha_in, "tao": tao_in, "part": "now"}]
        after_alpha = alpha_in
        if q is not None:
            alpha_moved = to_tao(q.amount_out if q.side == "stake" else q.executed_in)
            after_alpha = alpha_in - alpha_moved if q.side == "stake" else alpha_in + alpha_moved
            rows += [{"alpha": a, "tao": k / a, "part": "your trade"} for a in np.linspace(alpha_in, after_alpha, 20)]
            rows.append({"alpha": after_alpha, "tao": after_alpha * q.price_after, "part": "after"})
        # Frame the trade: wide enough to show the curve bend, close enough that a small trade is visible.
        margin = max(3 * abs(after_alpha - alpha_in), 0.35 * alpha_in)
        low, high = max(min(alpha_in, after_alpha) - margin, 0.05 * alpha_in), max(alpha_in, after_alpha) + margin
        rows += [{"alpha": a, "tao": k / a, "part": "x·y = k"} for a in np.linspace(low, high, CURVE_POINTS)]
        return rows

    def _positions(self) -> list[dict]:
        """Per subnet: value at spot and what selling all of it now returns (each position quoted alone)."""
        rows = [{"subnet": "free τ", "measure": AT_SPOT, "tao": to_tao(self.chain.balance(self.coldkey))}]
        frame = self.chain.stakes_of(self.coldkey)
        for netuid, group in frame.groupby("netuid"):
            label = "root" if netuid == ROOT else f"subnet {netuid}"
            sold = 0
            for hotkey, alpha in zip(group["hotkey"], group["alpha_rao"], strict=True):
                try:
                    sold += self.chain.quote_remove_stake(self.coldkey, hotkey, int(netuid), int(alpha)).amount_out
                except ChainError:
                    pass  # too small to sell: worth nothing if sold now
            rows.append({"subnet": label, "measure": AT_SPOT, "tao": to_tao(float(group["tao_value_rao"].sum()))})
            rows.append({"subnet": label, "measure": IF_SOLD, "tao": to_tao(sold)})
        return rows


def _preview_html(q: Quote, netuid: int) -> str:
    alpha = lambda rao: format_alpha(rao, 4, netuid)  # noqa: E731
    if q.side == "stake":
        gives, gets = format_tao(q.executed_in, 4), alpha(q.amount_out)
    else:
        gives, gets = alpha(q.executed_in), format_tao(q.amount_out, 4)
    partial = ""
    if q.executed_in < q.amount_in:
        offered = format_tao(q.amount_in, 4) if q.side == "stake" else alpha(q.amount_in)
        partial = f"<tr><td colspan=2><b>Only {gives} of {offered} executes</b> within your limit.</td></tr>"
    rows = [
        ("You give", gives), ("You get (expected)", f"<b>{gets}</b>"),
        ("Average price", f"{q.average_price:.4f} τ/α (spot now {q.price_before:.4f})"),
        ("Slippage vs spot", f"{q.slippage:.2%}"),
        ("Price impact", f"{q.price_impact:+.2%} → {q.price_after:.4f} τ/α"),
        ("Fee", f"{format_tao(q.fee, 5)} (stays in the pool)"),
    ]
    cells = "".join(f"<tr><td style='padding:1px 18px 1px 0'>{k}</td><td style='padding:1px 0'>{v}</td></tr>"
                    for k, v in rows)
    return (f"<div style='font-size:15px;line-height:1.35'><b>Preview</b> — nothing happens until you press the "
            f"button<table class='ts-preview-table' style='border-collapse:collapse'>{cells}{partial}</table></div>")


def _chart() -> alt.HConcatChart:
    curve_data, positions_data = alt.Data(name=CURVE), alt.Data(name=POSITIONS)
    parts = ["x·y = k", "your trade", "now", "after"]
    color = alt.Color("part:N", title=None, scale=alt.Scale(domain=parts,
                                                            range=["#9aa4ad", "#e8590c", "#1f6feb", "#e8590c"]))
    x = alt.X("alpha:Q", title="α in the pool (α_in)", scale=alt.Scale(zero=False), axis=alt.Axis(format=",.0f"))
    y = alt.Y("tao:Q", title="τ in the pool (τ_in)", scale=alt.Scale(zero=False), axis=alt.Axis(format=",.0f"))
    tooltip = [alt.Tooltip("alpha:Q", format=",.2f", title="α_in"), alt.Tooltip("tao:Q", format=",.2f", title="τ_in"),
               "part:N"]
    base = alt.Chart(curve_data).encode(x=x, y=y, color=color, tooltip=tooltip)
    line = base.transform_filter(alt.datum.part == "x·y = k").mark_line(strokeWidth=2)
    trade = base.transform_filter(alt.datum.part == "your trade").mark_line(strokeWidth=6)
    points = base.transform_filter((alt.datum.part == "now") | (alt.datum.part == "after")).mark_point(
        size=160, filled=True)
    now_label = base.transform_filter(alt.datum.part == "now").mark_text(
        align="left", dx=10, dy=16, fontSize=14, fontWeight="bold").encode(text="part:N")
    after_label = base.transform_filter(alt.datum.part == "after").mark_text(
        align="right", dx=-10, dy=-14, fontSize=14, fontWeight="bold").encode(text="part:N")
    pool = (line + trade + points + now_label + after_label).properties(
        title="The pool: every trade moves along x·y = k", width=380, height=300)
    bars = alt.Chart(positions_data).mark_bar().encode(
        y=alt.Y("subnet:N", title=None, sort=None),
        yOffset=alt.YOffset("measure:N", sort=[AT_SPOT, IF_SOLD]),
        x=alt.X("tao:Q", title="value (τ)"),
        color=alt.Color("measure:N", title=None, sort=[AT_SPOT, IF_SOLD],
                        scale=alt.Scale(domain=[AT_SPOT, IF_SOLD], range=["#1f6feb", "#f59f00"])),
        tooltip=["subnet:N", "measure:N", alt.Tooltip("tao:Q", format=",.4f", title="τ")],
    ).properties(title="Your holdings", width=300, height=300)
    return alt.hconcat(pool, bars).resolve_scale(color="independent")
