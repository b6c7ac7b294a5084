"""The free sandbox's dashboards: what a simulation looks like now, as rows for two live charts.

The charts are laid out once from named datasets (`alt.Data(name=...)`); every update only swaps the rows,
which is what lets Play redraw several times a second. Rows are read straight from the chain's recorded
history (lists of tuples) rather than through pandas frames: at every Play tick that is a few milliseconds
instead of a few tens.
"""

from __future__ import annotations

import math

import altair as alt

from taosandbox.chain import ROOT, History
from taosandbox.simulations import Simulation

from .chain_views import SUBNET_COLORS, subnet_label

PRICES, PARTICIPANTS, METAGRAPH = "prices", "participants", "metagraph"
PRICE_POINTS = 160  # blocks drawn per subnet on the price and share charts
EPOCHS_SHOWN = 40  # epochs drawn on the "who earns" chart

# Kinds of participant, as a reader names them (agent class -> label), in the charts' order.
KINDS = {
    "Miner": "miner",
    "cabal miner": "cabal miner",
    "HonestValidator": "honest validator",
    "WinnerTakesAll": "winner-takes-all validator",
    "WeightCopier": "weight copier",
    "CabalValidator": "cabal validator",
    "other": "other (yours, owners)",
}
KIND_COLORS = ["#2f9e44", "#e8590c", "#1f6feb", "#7048e8", "#0c8599", "#c2255c", "#9aa4ad"]

_BLOCK = {name: i for i, name in enumerate(History.BLOCK_COLUMNS)}
_EPOCH = {name: i for i, name in enumerate(History.EPOCH_COLUMNS)}


def kinds_of(sim: Simulation) -> dict[str, str]:
    """Hotkey -> the reader's name for who is behind it; miners a cabal votes for are "cabal miner"."""
    kinds = {hotkey: KINDS.get(kind, KINDS["other"]) for hotkey, kind in sim.roles().items()}
    for agent in sim.agents:
        for hotkey in getattr(agent, "cabal_miners", ()):
            kinds[hotkey] = KINDS["cabal miner"]
    return kinds


def price_rows(sim: Simulation, points: int = PRICE_POINTS) -> list[dict]:
    """Per recorded block (at most `points` of them, evenly spaced, the latest always in) and subnet: the
    spot price and the subnet's share of the block's TAO emission."""
    history = sim.chain.history
    blocks = [row[0] for row in history.network]
    if not blocks:
        return []
    every = history.stride * max(1, math.ceil(len(blocks) / points))
    last = blocks[-1]
    block, netuid, price, share = _BLOCK["block"], _BLOCK["netuid"], _BLOCK["price"], _BLOCK["share"]
    return [{"block": r[block], "subnet": subnet_label(r[netuid]), "price": r[price], "share": r[share]}
            for r in history.blocks if r[netuid] != ROOT and (r[block] % every == 0 or r[block] == last)]


def participant_rows(sim: Simulation, netuid: int, kinds: dict[str, str], epochs: int = EPOCHS_SHOWN) -> list[dict]:
    """Per epoch of subnet `netuid` (the last `epochs`): each kind of participant's share of the emission."""
    b, n, hk, em = _EPOCH["block"], _EPOCH["netuid"], _EPOCH["hotkey"], _EPOCH["emission"]
    totals: dict[int, dict[str, float]] = {}
    for r in sim.chain.history.epochs:
        if r[n] == netuid:
            per_kind = totals.setdefault(r[b], {})
            kind = kinds.get(r[hk], KINDS["other"])
            per_kind[kind] = per_kind.get(kind, 0.0) + r[em]
    rows = []
    for block in sorted(totals)[-epochs:]:
        total = sum(totals[block].values()) or 1.0
        rows += [{"block": block, "kind": kind, "share": value / total} for kind, value in totals[block].items()]
    return rows


def metagraph_rows(sim: Simulation, netuid: int, kinds: dict[str, str]) -> list[dict]:
    """Per UID of subnet `netuid`: who it is, its stake weight, incentive and dividends (one row per measure)."""
    frame = sim.chain.metagraph(netuid)
    rows = []
    for uid, hotkey, stake, incentive, dividends, permit in zip(
            frame["uid"], frame["hotkey"], frame["total_stake"], frame["incentive"], frame["dividends"],
            frame["validator_permit"], strict=True):
        who = {"uid": int(uid), "hotkey": hotkey, "kind": kinds.get(hotkey, KINDS["other"]), "permit": bool(permit)}
        rows += [{**who, "measure": "stake weight (τ)", "value": float(stake)},
                 {**who, "measure": "incentive", "value": float(incentive)},
                 {**who, "measure": "dividends", "value": float(dividends)}]
    return rows


def kind_color() -> alt.Scale:
    return alt.Scale(domain=list(KINDS.values()), range=KIND_COLORS)


def network_chart() -> alt.HConcatChart:
    """Prices of every subnet, and each subnet's share of the TAO emitted per block, over time."""
    data = alt.Data(name=PRICES)
    x = alt.X("block:Q", title="block", axis=alt.Axis(format=",d", tickCount=5), scale=alt.Scale(nice=False))
    # No fixed domain: subnets registered later get the next colour (rows come in netuid order).
    color = alt.Color("subnet:N", title=None, sort=None, scale=alt.Scale(range=list(SUBNET_COLORS)),
                      legend=alt.Legend(columns=9))
    tooltip = ["subnet:N", alt.Tooltip("block:Q", format=",d"), alt.Tooltip("price:Q", format=".4f"),
               alt.Tooltip("share:Q", format=".1%", title="emission share")]
    prices = alt.Chart(data).mark_line(strokeWidth=2.5).encode(
        x=x, y=alt.Y("price:Q", title="τ per α (spot)"), color=color, tooltip=tooltip,
    ).properties(title="Subnet token prices", width=500, height=240)
    shares = alt.Chart(data).mark_area().encode(
        x=x, y=alt.Y("share:Q", stack="normalize", title="share of each block's TAO", axis=alt.Axis(format="%")),
        color=color, order=alt.Order("subnet:N"), tooltip=tooltip,
    ).properties(title="Where the TAO emission goes", width=500, height=240)
    return alt.hconcat(prices, shares)


def subnet_chart() -> alt.VConcatChart:
    """The chosen subnet: who earned its emission epoch by epoch, and its metagraph as bars per UID."""
    participants, metagraph = alt.Data(name=PARTICIPANTS), alt.Data(name=METAGRAPH)
    color = alt.Color("kind:N", title=None, scale=kind_color(), legend=alt.Legend(columns=4))
    earners = alt.Chart(participants).mark_area().encode(
        x=alt.X("block:Q", title="epoch (block)", axis=alt.Axis(format=",d", tickCount=6),
                  scale=alt.Scale(zero=False, nice=False)),
        y=alt.Y("share:Q", stack="normalize", title="share of the emission", axis=alt.Axis(format="%")),
        color=color, order=alt.Order("kind:N"),
        tooltip=["kind:N", alt.Tooltip("block:Q", format=",d"), alt.Tooltip("share:Q", format=".1%")],
    ).properties(title="Who earns this subnet's emission, epoch by epoch", width=1040, height=150)
    bars = alt.Chart(metagraph).mark_bar().encode(
        x=alt.X("uid:O", title="UID", axis=alt.Axis(values=list(range(0, 4096, 8)), labelAngle=0)),
        y=alt.Y("value:Q", title=None),
        color=color,
        tooltip=["uid:O", "hotkey:N", "kind:N", "permit:N", "measure:N", alt.Tooltip("value:Q", format=",.4f")],
    ).properties(width=1040, height=80)
    rows = [bars.transform_filter(alt.datum.measure == m).properties(title=f"Metagraph: {m} per UID")
            for m in ("stake weight (τ)", "incentive", "dividends")]
    return alt.vconcat(earners, *rows).resolve_scale(y="independent")
