"""The registrar: register subnets and neurons, and watch what registering costs rise and decay.

A subnet's lock cost doubles with every subnet registration and decays linearly as blocks pass; a UID's
burn price follows the number of registrations per adjustment interval. The registrar keeps a log of
both costs, sampled after every action and along every wait, and charts it.
"""

from __future__ import annotations

import altair as alt
import ipywidgets as ipw
import pandas as pd

from taosandbox.chain import ROOT, Chain
from taosandbox.errors import ChainError
from taosandbox.units import format_tao, to_tao

from .chain_views import WIDE, done, refused
from .charts import live_chart

DATA = "costs"
WAITS = {"1 block": 1, "1 tempo (360 blocks, 72 min)": 360, "1 day (7,200 blocks)": 7_200,
         "1 week (50,400 blocks)": 50_400}
SAMPLES_PER_WAIT = 40  # points drawn along a wait: enough for a smooth line, cheap to send
LOCK = "subnet lock cost"
MAX_ROWS = 5_000


class Registrar(ipw.VBox):
    """Controls to register subnets and neurons from one coldkey and to let blocks pass, with a chart of the
    subnet lock cost and every subnet's neuron burn over time.

    ``costs`` is the recorded cost history (block, cost, what, event), the data behind the chart."""

    def __init__(self, chain: Chain, coldkey: str = "you", wait: int = 7_200):
        self.chain, self.coldkey = chain, coldkey
        self.balance = ipw.HTML().add_class("ts-balance")
        self.register_subnet_button = ipw.Button(description="Register a subnet", button_style="primary",
                                                 layout=ipw.Layout(width="220px")).add_class("ts-register-subnet")
        self.lock_cost = ipw.HTML().add_class("ts-lock-cost")
        self.subnet = ipw.Dropdown(description="Subnet", style=WIDE, layout=ipw.Layout(width="300px"))
        self.subnet.add_class("ts-subnet")
        self.register_neuron_button = ipw.Button(description="Register a neuron", button_style="primary",
                                                 layout=ipw.Layout(width="220px")).add_class("ts-register-neuron")
        self.burn = ipw.HTML().add_class("ts-burn")
        self.wait = ipw.Dropdown(options=list(WAITS.items()), value=wait, description="Let pass", style=WIDE,
                                 layout=ipw.Layout(width="420px")).add_class("ts-wait-blocks")
        self.wait_button = ipw.Button(description="Wait", icon="clock-o",
                                      layout=ipw.Layout(width="120px")).add_class("ts-wait")
        self.progress = ipw.IntProgress(min=0, max=SAMPLES_PER_WAIT, layout=ipw.Layout(width="300px",
                                                                                        visibility="hidden"))
        self.progress.add_class("ts-progress")
        self.message = ipw.HTML().add_class("ts-message")
        self.costs = pd.DataFrame(columns=["seq", "block", "cost", "what", "event"])
        self._rows: list[dict] = []
        self._seq = 0  # order of samples: several can share a block
        self.chart = live_chart(_chart())
        self._template = self.chart.spec
        self.chart.add_class("ts-chart")

        self.register_subnet_button.on_click(self._register_subnet)
        self.register_neuron_button.on_click(self._register_neuron)
        self.wait_button.on_click(self._wait)
        self.subnet.observe(lambda _: self._readouts(), names="value")
        row = ipw.HBox
        super().__init__([
            self.balance,
            row([self.register_subnet_button, self.lock_cost]),
            row([self.subnet, self.register_neuron_button, self.burn]),
            row([self.wait, self.wait_button, self.progress]),
            self.message,
            self.chart,
        ])
        self.add_class("ts-registrar")
        self._sample()
        self._refresh()

    # --- actions --------------------------------------------------------------------------------------
    def _register_subnet(self, _button=None) -> None:
        cost = self.chain.network_lock_cost()
        self._sample()  # the cost just before, so the chart shows the jump
        try:
            netuid = self.chain.register_subnet(self.coldkey, self._new_hotkey())
        except ChainError as err:
            self.message.value = refused(err)
            return
        self._sample(event=f"subnet {netuid} registered", what=LOCK)
        self.message.value = done(f"Subnet {netuid} registered for a lock of {format_tao(cost)}. The next one "
                                  f"now costs {format_tao(self.chain.network_lock_cost())}.")
        self._refresh(select=netuid)

    def _register_neuron(self, _button=None) -> None:
        netuid = self.subnet.value
        if netuid is None:
            self.message.value = "<span style='color:#b00'>Register a subnet first.</span>"
            return
        self._sample()
        try:
            cost = self.chain.burn(netuid)
            hotkey = self._new_hotkey()
            uid = self.chain.register_neuron(self.coldkey, hotkey, netuid)
        except ChainError as err:
            self.message.value = refused(err)
            return
        self._sample(event=f"UID {uid} registered", what=f"subnet {netuid} burn")
        self.message.value = done(f"{hotkey} has UID {uid} on subnet {netuid}; it burned {format_tao(cost)}.")
        self._refresh()

    def _wait(self, _button=None) -> None:
        blocks = int(self.wait.value)
        chunks = min(SAMPLES_PER_WAIT, blocks)
        self.progress.layout.visibility = "visible" if blocks >= 7_200 else "hidden"
        self.progress.value = 0
        for i in range(chunks):
            self.chain.step(blocks * (i + 1) // chunks - blocks * i // chunks)
            self._sample()
            self.progress.value = (i + 1) * SAMPLES_PER_WAIT // chunks
        self.progress.layout.visibility = "hidden"
        self.message.value = done(f"{blocks:,} block(s) passed; now at block {self.chain.block:,}.")
        self._refresh()

    def _new_hotkey(self) -> str:
        # The first unused name, e.g. "you/hk3": a hotkey is just a name the coldkey owns.
        number = 1
        while f"{self.coldkey}/hk{number}" in self.chain.hotkey_owner:
            number += 1
        return f"{self.coldkey}/hk{number}"

    # --- reading the chain ------------------------------------------------------------------------------
    def _sample(self, event: str | None = None, what: str | None = None) -> None:
        """Record every cost as it is now; `event` marks the series `what` at this block."""
        block = self.chain.block
        costs = {LOCK: self.chain.network_lock_cost()}
        for netuid in self.chain.netuids:
            if netuid != ROOT:
                costs[f"subnet {netuid} burn"] = self.chain.burn(netuid)
        for name, cost in costs.items():
            self._rows.append({"seq": self._seq, "block": block, "cost": to_tao(cost), "what": name,
                               "event": event if name == what else None})
            self._seq += 1
        del self._rows[:-MAX_ROWS]  # a long session keeps its most recent history

    def refresh(self) -> None:
        """Sample the costs and redraw (call after changing the chain from code)."""
        self._sample()
        self._refresh()

    def _refresh(self, select: int | None = None) -> None:
        nets = [n for n in self.chain.netuids if n != ROOT]
        current = select if select is not None else self.subnet.value
        self.subnet.options = [(f"subnet {n}", n) for n in nets]
        self.subnet.value = current if current in nets else (nets[-1] if nets else None)
        self._readouts()
        self.costs = pd.DataFrame(self._rows, columns=["seq", "block", "cost", "what", "event"])
        self.chart.spec = {**self._template, "datasets": {DATA: list(self._rows)}}

    def _readouts(self) -> None:
        self.balance.value = (f"<b>{self.coldkey}</b> has <b>{format_tao(self.chain.balance(self.coldkey))}</b> "
                              f"free, at block {self.chain.block:,}.")
        self.lock_cost.value = f"now costs <b>{format_tao(self.chain.network_lock_cost())}</b> (locked)"
        netuid = self.subnet.value
        self.burn.value = ("" if netuid is None else
                           f"burn now <b>{format_tao(self.chain.burn(netuid), 4)}</b>, "
                           f"{self.chain.subnet(netuid).n} UIDs")


def _chart() -> alt.VConcatChart:
    data = alt.Data(name=DATA)
    x = alt.X("block:Q", title="block", axis=alt.Axis(format=",d"))
    tooltip = [alt.Tooltip("block:Q", format=",d"), alt.Tooltip("cost:Q", format=",.4f", title="τ"), "what:N"]

    def panel(filter_, title: str, height: int, color: alt.Color | alt.ColorValue):
        base = alt.Chart(data).transform_filter(filter_).encode(x=x, y=alt.Y("cost:Q", title="τ"), color=color)
        line = base.mark_line(strokeWidth=3, interpolate="step-after").encode(tooltip=tooltip)
        events = base.transform_filter(alt.datum.event != None).mark_point(  # noqa: E711 (Vega's null)
            size=120, filled=True, shape="triangle-up").encode(tooltip=[*tooltip, "event:N"])
        # Each line is named at its last point: a legend would do, but an empty legend (before any subnet
        # exists) makes the browser's Vega draw an infinitely large SVG.
        names = base.transform_aggregate(last="argmax(seq)", groupby=["what"]).transform_calculate(
            block="datum.last.block", cost="datum.last.cost").mark_text(
            align="left", dx=8, fontSize=14, fontWeight="bold").encode(text="what:N")
        return (line + events + names).properties(title=title, width=620, height=height)

    lock = panel(alt.datum.what == LOCK, "Subnet lock cost (doubles on a registration, then decays)", 190,
                 alt.value("#1f6feb"))
    burn = panel(alt.datum.what != LOCK, "Neuron burn per subnet (follows registrations per interval)", 170,
                 alt.Color("what:N", legend=None))
    return alt.vconcat(lock, burn).properties(padding={"right": 110})
