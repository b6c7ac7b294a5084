"""Helpers shared by the chain views (registrar, stake desk, emission board) and their chapters.

* plain messages for refused actions (a `ChainError` is already a sentence written for a reader);
* `demo_network`: a small seeded network built only from the chain's own operations, so that two eras
  can start from the same setup;
* `RandomTrades`: seeded stakers who buy and sell subnet tokens between blocks, drawing from the chain's
  own random generator (saved and restored with the chain, so a reset replays the same trades);
* `metagraph_chart` / `metagraph_table`: a subnet's metagraph as a chart and as the table the SDK prints.
"""

from __future__ import annotations

import html

import altair as alt
import numpy as np
import pandas as pd

from taosandbox.chain import ROOT, Chain
from taosandbox.errors import ChainError
from taosandbox.units import tao, to_tao

from .charts import live_chart

SUBNET_COLORS = ("#1f6feb", "#e8590c", "#2f9e44", "#c2255c", "#7048e8", "#8a6d3b", "#0c8599", "#5c940d")
WIDE = {"description_width": "130px"}


def refused(err: ChainError) -> str:
    """A refusal as a short red sentence, led by the chain's own name for the error."""
    return (f"<span style='color:#b00'><b>Refused ({html.escape(err.name)}).</b> "
            f"{html.escape(str(err))}</span>")


def done(text: str) -> str:
    return f"<span style='color:#2f6f3e'>{text}</span>"


def subnet_label(netuid: int) -> str:
    return "root" if netuid == ROOT else f"subnet {netuid}"


def subnet_colors(netuids) -> alt.Scale:
    labels = [subnet_label(n) for n in netuids]
    return alt.Scale(domain=labels, range=[SUBNET_COLORS[i % len(SUBNET_COLORS)] for i in range(len(labels))])


# ----------------------------------------------------------------------------------------------------
# A seeded network, built with the chain's operations only

EASY_SETUP = {
    "commit_reveal_weights_enabled": False,  # validators set weights in the open
    "max_registrations_per_block": 32,  # register a whole subnet in one block
    "target_registrations_per_interval": 32,
}


def demo_network(era: str = "dtao", seed: int = 0, subnets: int = 3, validators: int = 2, miners: int = 3,
                 root_stake_tao: float = 1_000, alpha_stake_tao: float = 100, **chain_params) -> Chain:
    """`subnets` subnets, each with an owner, `validators` validators and `miners` miners, one epoch old.

    Validators stake TAO on root (all eras) and on their subnet (the pool eras); in "root-vote" they also
    join the root network and vote: validator v of every subnet weights subnet k in proportion to
    (1 + k)·(v + 1), a fixed, readable pattern. After the first epoch hands out validator permits, every
    validator weights the miners of its subnet by a seeded random draw. `chain_params` go to `Chain`
    (e.g. `subnet_moving_alpha`)."""
    chain = Chain(seed=seed, era=era, subnet_defaults=EASY_SETUP, **chain_params)
    chain.faucet("owner", chain.params["network_min_lock"] * 2 ** (subnets + 1))
    nets = [chain.register_subnet("owner", f"owner/{k + 1}") for k in range(subnets)]
    for net in nets:
        for v in range(validators):
            coldkey, hotkey = f"validator-{net}{'abcdefgh'[v]}", f"validator-{net}{'abcdefgh'[v]}/hk"
            chain.faucet(coldkey, tao(root_stake_tao + alpha_stake_tao + 10))
            chain.register_neuron(coldkey, hotkey, net)
            if root_stake_tao:
                chain.add_stake(coldkey, hotkey, ROOT, tao(root_stake_tao * (v + 1) / validators))
            if era != "root-vote" and alpha_stake_tao:
                chain.add_stake(coldkey, hotkey, net, tao(alpha_stake_tao))
            if era == "root-vote":
                chain.root_register(coldkey, hotkey)
                chain.set_root_weights(coldkey, hotkey, nets, [(1 + k) * (v + 1) for k in range(len(nets))])
        for m in range(miners):
            chain.faucet(f"miner-{net}{m}", tao(10))
            chain.register_neuron(f"miner-{net}{m}", f"miner-{net}{m}/hk", net)
    chain.step(chain.subnet(nets[0]).hyperparams["tempo"] + len(nets))  # every subnet's first epoch
    for net in nets:
        s = chain.subnet(net)
        miner_uids = [s.uid_of[f"miner-{net}{m}/hk"] for m in range(miners)]
        for v in range(validators):
            hotkey = f"validator-{net}{'abcdefgh'[v]}/hk"
            chain.set_weights(chain.hotkey_owner[hotkey], hotkey, net, miner_uids,
                              list(chain.rng.random(len(miner_uids)) + 0.1))
    return chain


class RandomTrades:
    """Seeded stakers trading subnet tokens while blocks pass: `trades(chain, blocks)` replaces `chain.step`.

    Every `every` blocks one trader acts on a random subnet: with probability `buy_bias[netuid]` (default
    0.5) it stakes a log-normal amount of TAO around `size_tao` on the subnet owner's hotkey, otherwise it
    unstakes a random part of its position there. Every draw comes from `chain.rng`, so a copy or a reset
    chain replays the same decisions, and a refused trade (say, not enough TAO) is simply skipped, as a
    failed transaction would be. Traders are funded on first use with `budget_tao` each.
    """

    def __init__(self, traders: int = 4, every: int = 30, size_tao: float = 10.0,
                 buy_bias: dict[int, float] | None = None, budget_tao: float = 5_000):
        self.traders = [f"trader-{i + 1}" for i in range(traders)]
        self.every, self.size_tao, self.budget_tao = every, size_tao, budget_tao
        self.buy_bias = dict(buy_bias or {})

    def fund(self, chain: Chain) -> None:
        for trader in self.traders:
            if trader not in chain.balances:
                chain.faucet(trader, tao(self.budget_tao))

    def __call__(self, chain: Chain, blocks: int) -> None:
        self.fund(chain)
        done_blocks = 0
        while done_blocks < blocks:
            wait = min(self.every - chain.block % self.every or self.every, blocks - done_blocks)
            chain.step(wait)
            done_blocks += wait
            if chain.block % self.every == 0:
                self._trade_once(chain)

    def _trade_once(self, chain: Chain) -> None:
        nets = [n for n in chain.netuids if n != ROOT]
        if not nets:
            return
        rng = chain.rng
        # Draw everything first so the sequence of draws never depends on the outcome.
        trader = self.traders[int(rng.integers(len(self.traders)))]
        net = nets[int(rng.integers(len(nets)))]
        buy = rng.random() < self.buy_bias.get(net, 0.5)
        size = float(rng.lognormal(0.0, 0.6)) * self.size_tao
        part = float(rng.uniform(0.2, 1.0))
        hotkey = chain.subnet(net).owner_hotkey
        try:
            if buy:
                chain.add_stake(trader, hotkey, net, tao(size))
            else:
                have = chain.stake(hotkey, net, trader)
                if have:
                    chain.remove_stake(trader, hotkey, net, have if part > 0.9 else int(have * part))
        except ChainError:
            pass  # a refused trade changes nothing, as on chain


# ----------------------------------------------------------------------------------------------------
# The metagraph

METAGRAPH_COLUMNS = ["uid", "hotkey", "coldkey", "validator_permit", "alpha_stake", "tao_stake", "total_stake",
                     "incentive", "dividends", "emission", "is_immune"]


def metagraph_table(chain: Chain, netuid: int):
    """The metagraph as the SDK prints it (a few columns, amounts rounded), styled for a projector."""
    frame = chain.metagraph(netuid)[METAGRAPH_COLUMNS]
    amounts = {c: "{:,.3f}" for c in ("alpha_stake", "tao_stake", "total_stake", "emission")}
    return (frame.style.hide(axis="index").format({**amounts, "incentive": "{:.3f}", "dividends": "{:.3f}"})
            .set_table_styles([{"selector": "th, td", "props": "font-size: 14px; padding: 3px 10px;"}]))


def metagraph_chart(chain: Chain, netuid: int) -> alt.JupyterChart:
    """Per UID: stake, incentive and dividends side by side; validators and miners told apart by colour."""
    frame = chain.metagraph(netuid)
    frame = frame.assign(
        uid=frame["uid"].astype(str) + " " + frame["hotkey"].str.replace("/hk", "", regex=False),
        role=frame["validator_permit"].map({True: "validator permit", False: "no permit"}),
    )
    base = alt.Chart(frame).encode(
        y=alt.Y("uid:N", title="UID", sort=None),
        color=alt.Color("role:N", title=None, scale=alt.Scale(domain=["validator permit", "no permit"],
                                                              range=["#1f6feb", "#9aa4ad"])),
        tooltip=["uid:N", "coldkey:N", alt.Tooltip("total_stake:Q", format=",.3f"),
                 alt.Tooltip("incentive:Q", format=".3f"), alt.Tooltip("dividends:Q", format=".3f")],
    )
    panels = [base.mark_bar().encode(x=alt.X(f"{column}:Q", title=title)).properties(width=200, height=22 * len(frame))
              for column, title in (("total_stake", "stake weight"), ("incentive", "incentive"),
                                    ("dividends", "dividends"))]
    chart = live_chart(alt.hconcat(*panels).properties(title=f"Metagraph of subnet {netuid} at block {chain.block}"))
    chart.add_class("ts-metagraph")
    return chart


# ----------------------------------------------------------------------------------------------------
# Subnet tokens as assets: price paths, volatility, the cost of exiting


def price_risk(chain: Chain, since_block: int = 0, every: int = 720, position_alpha: float = 100.0):
    """Per subnet, from the chain's recorded history after `since_block`: the price path (relative to its
    first value), the volatility of each day (standard deviation of the log returns over `every` blocks,
    scaled to a day) and what selling `position_alpha` alpha at once would cost against its spot value.
    Returns (stats per subnet, volatility per subnet and day, chart)."""
    history = chain.history_frame("subnets", max_rows=None)
    history = history[(history["netuid"] != ROOT) & (history["block"] >= since_block)
                      & (history["block"] % every == 0)]
    paths, daily, stats = [], [], []
    for netuid, rows in history.groupby("netuid"):
        label = subnet_label(int(netuid))
        prices, blocks = rows["price"].to_numpy(), rows["block"].to_numpy()
        returns = pd.Series(np.diff(np.log(prices)), index=(blocks[1:] - since_block - 1) // 7_200 + 1)
        for day, day_returns in returns.groupby(level=0):
            if len(day_returns) > 1:
                daily.append({"subnet": label, "day": int(day),
                              "volatility": float(day_returns.std(ddof=0) * np.sqrt(7_200 / every))})
        pool = chain.subnet(int(netuid)).pool
        position = tao(position_alpha)
        stats.append({"subnet": label, "tao_in": to_tao(pool.tao_reserve), "alpha_in": to_tao(pool.alpha_reserve),
                      "exit_cost": 1.0 - pool.quote_alpha_for_tao(position) / (position * pool.price)})
        paths += [{"subnet": label, "day": (b - since_block) / 7_200, "relative": p / prices[0]}
                  for b, p in zip(blocks, prices, strict=True)]
    stats, daily = pd.DataFrame(stats), pd.DataFrame(daily)
    scale = subnet_colors([n for n in chain.netuids if n != ROOT])
    color = alt.Color("subnet:N", title=None, scale=scale)
    path_chart = alt.Chart(pd.DataFrame(paths), title="Price, relative to day 0").mark_line(strokeWidth=2.5).encode(
        x=alt.X("day:Q", title="day"),
        y=alt.Y("relative:Q", title="× starting price", scale=alt.Scale(type="log", nice=False)),
        color=color,
        tooltip=["subnet:N", alt.Tooltip("day:Q", format=".1f"), alt.Tooltip("relative:Q", format=".3f")],
    ).properties(width=330, height=240)
    volatility_chart = alt.Chart(daily, title="Volatility, day by day").mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("day:O", title="day"), y=alt.Y("volatility:Q", title="daily std of log returns",
                                               axis=alt.Axis(format="%")),
        color=color, tooltip=["subnet:N", "day:O", alt.Tooltip("volatility:Q", format=".2%")],
    ).properties(width=260, height=240)
    exit_chart = alt.Chart(stats, title=f"Selling {position_alpha:,.0f} α at once costs").mark_bar().encode(
        x=alt.X("subnet:N", title=None), y=alt.Y("exit_cost:Q", title="lost against spot value",
                                                 axis=alt.Axis(format=".2%")),
        color=alt.Color("subnet:N", legend=None, scale=scale),
        tooltip=["subnet:N", alt.Tooltip("exit_cost:Q", format=".2%"), alt.Tooltip("alpha_in:Q", format=",.0f")],
    ).properties(width=150, height=240)
    chart = live_chart(alt.hconcat(path_chart, volatility_chart, exit_chart))
    chart.add_class("ts-price-risk")
    return stats, daily, chart


# ----------------------------------------------------------------------------------------------------
# Stake concentration on root


def stake_concentration(chain: Chain):
    """Root members by TAO stake, largest first, with their cumulative share; and the Nakamoto coefficient
    (the fewest members holding more than half). Returns (frame, coefficient, chart)."""
    root = chain.subnet(ROOT)
    stakes = sorted(((chain.stake(hk, ROOT), hk) for hk in root.hotkeys), reverse=True)
    total = sum(s for s, _ in stakes)
    frame = pd.DataFrame({"rank": range(1, len(stakes) + 1), "hotkey": [hk for _, hk in stakes],
                          "stake": [to_tao(s) for s, _ in stakes],
                          "share": [s / total if total else 0.0 for s, _ in stakes]})
    frame["cumulative"] = frame["share"].cumsum()
    # No root stake: nobody holds any of it, so no number of members holds more than half (not members + 1).
    coefficient = int((frame["cumulative"] <= 0.5).sum()) + 1 if total > 0 else 0
    x = alt.X("rank:O", title="root validators, largest stake first", axis=alt.Axis(labelFontSize=10))
    bars = alt.Chart(frame).mark_bar(color="#1f6feb").encode(
        x=x, y=alt.Y("share:Q", title="share of root stake", axis=alt.Axis(format="%")),
        tooltip=["rank:O", "hotkey:N", alt.Tooltip("stake:Q", format=",.1f"), alt.Tooltip("share:Q", format=".1%")])
    cumulative = alt.Chart(frame).mark_line(color="#e8590c", strokeWidth=3,
                                                 point=alt.OverlayMarkDef(color="#e8590c")).encode(
        x=x, y=alt.Y("cumulative:Q", title="cumulative share (orange)", axis=alt.Axis(format="%")),
        tooltip=["rank:O", alt.Tooltip("cumulative:Q", format=".1%")])
    half = alt.Chart(pd.DataFrame({"y": [0.5]})).mark_rule(color="#b00", strokeDash=[4, 4]).encode(y="y:Q")
    chart = live_chart(alt.layer(bars, cumulative + half).resolve_scale(y="independent").properties(
        width=640, height=260,
        title=(f"{coefficient} of {len(frame)} root validators hold more than half of the stake" if total
               else f"None of the {len(frame)} root validators holds any root stake yet")))
    chart.add_class("ts-concentration")
    return frame, coefficient, chart
