"""Agents: the people behind the keys. Each one acts on a chain only through the chain's own operations.

    Miner              a hidden true quality at its subnet's task: improves, decays, wanders, or games the proxy
    HonestValidator    scores every miner through the subnet's task (with noise) and weights by score
    WinnerTakesAll     scores like an honest validator but puts all its weight on its best miner
    WeightCopier       evaluates nobody: sets the consensus of the weights revealed on chain
    CabalValidator     weights only its own cabal's miners (a real validator with real stake)
    Delegator          keeps its stake on the validator with the best recent yield
    AlphaTrader        buys and sells a subnet's alpha: "noise" (random) or "momentum" (follows the trend)
    SubnetOwner        sets hyperparameters of its subnet on a schedule

An agent joins the chain once (`join`: funded by the faucet, then registers and stakes like anyone) and
then acts on a schedule: after every epoch of its subnet (`every=0`) or every `every` blocks. It draws
randomness only from the simulation's generator (`sim.rng`) and acts in a fixed order, so a seeded
simulation replays exactly. A refusal from the chain (no permit yet, too little stake, ...) is counted in
`refusals` and the agent carries on, as a real operator would.

Agents are plain dataclasses: `agent.to_dict()` / `agent_from_dict(d)` save and restore them with their
state. What an agent needs from the simulation: `sim.chain`, `sim.rng`, `sim.task(netuid)` and
`sim.miners(netuid)`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

import numpy as np

from taosandbox.errors import ChainError
from taosandbox.units import RAO_PER_TAO, tao
from taosandbox.yuma import weighted_median_col

__all__ = [
    "AGENT_KINDS",
    "Agent",
    "AlphaTrader",
    "CabalValidator",
    "Delegator",
    "HonestValidator",
    "Miner",
    "SubnetOwner",
    "Validator",
    "WeightCopier",
    "WinnerTakesAll",
    "agent_from_dict",
    "next_epoch_block",
]

NEVER = 2**62  # the next action block of an agent that never acts


def next_epoch_block(chain, netuid: int, after: int) -> int:
    """The first block after `after` at which subnet `netuid` runs its epoch (subnets are staggered)."""
    return chain.subnet(netuid).next_epoch_block(after)


@dataclass
class Agent:
    """Base of every agent: `name` is its coldkey; `next_block` is when it acts next (after that block)."""

    name: str
    netuid: int = 1
    every: int = 0  # 0: right after each epoch of its subnet; otherwise every `every` blocks
    next_block: int = -1  # -1: not planned yet
    refusals: int = 0

    @property
    def hotkey(self) -> str:
        return f"{self.name}/hk"

    def join(self, chain) -> None:
        """Enter the chain (funded by the faucet). The default: a coldkey with a little TAO."""
        chain.faucet(self.name, tao(1))

    def plan(self, chain) -> None:
        """Set `next_block`, the block after which this agent acts next."""
        if self.every:
            self.next_block = chain.block + self.every
        else:
            self.next_block = next_epoch_block(chain, self.netuid, chain.block)

    def act(self, sim) -> None:
        """One action; subclasses override."""

    def try_(self, operation, *args, **kwargs) -> bool:
        """Call a chain operation; a refusal is counted, not raised (the agent tries again next time)."""
        try:
            operation(*args, **kwargs)
        except ChainError:
            self.refusals += 1
            return False
        return True

    def to_dict(self) -> dict:
        return {"kind": type(self).__name__, **asdict(self)}


# ----------------------------------------------------------------------------------------------------------
# Miners


@dataclass
class Miner(Agent):
    """A miner with a hidden true quality in [0, 1]. Per tempo the quality moves by `drift` (improving if
    positive, decaying if negative) plus Gaussian steps of size `volatility`. `gaming` is effort spent
    inflating the proxy metric: it raises scores on a subjective task and nothing on an objective one."""

    quality: float = 0.5
    gaming: float = 0.0
    drift: float = 0.0
    volatility: float = 0.0

    def join(self, chain) -> None:
        chain.faucet(self.name, chain.burn(self.netuid) + tao(1))
        chain.register_neuron(self.name, self.hotkey, self.netuid)

    def plan(self, chain) -> None:
        if self.drift == 0 and self.volatility == 0:
            self.next_block = NEVER  # nothing to update: skip it in the event loop
        else:
            super().plan(chain)

    def act(self, sim) -> None:
        step = self.drift + (sim.rng.normal(0.0, self.volatility) if self.volatility else 0.0)
        self.quality = float(min(1.0, max(0.0, self.quality + step)))


# ----------------------------------------------------------------------------------------------------------
# Validators


@dataclass
class Validator(Agent):
    """A validator: registers, stakes `stake_tao` on its own hotkey and, after each epoch, sets weights
    (sealed with commit-reveal v3 when the subnet uses commit-reveal). Subclasses decide the weights."""

    stake_tao: float = 1000.0
    weights_set: int = 0

    def join(self, chain, stake: bool = True) -> None:
        """Register (unless the hotkey already has a UID, as a subnet owner's does), and stake `stake_tao`
        unless `stake` is False (then the TAO stays free, for a builder that stakes in rounds)."""
        registered = self.hotkey in chain.subnet(self.netuid).uid_of
        chain.faucet(self.name, tao(self.stake_tao) + tao(1) + (0 if registered else chain.burn(self.netuid)))
        if not registered:
            chain.register_neuron(self.name, self.hotkey, self.netuid)
        if stake and self.stake_tao > 0:
            chain.add_stake(self.name, self.hotkey, self.netuid, tao(self.stake_tao))

    def weights(self, sim) -> tuple[list[int], list[float]]:
        """(UIDs, weights) to set now; an empty list sets nothing."""
        raise NotImplementedError

    def act(self, sim) -> None:
        uids, weights = self.weights(sim)
        if not uids:
            return
        chain = sim.chain
        sealed = chain.subnet(self.netuid).hyperparams["commit_reveal_weights_enabled"]
        operation = chain.commit_timelocked_weights if sealed else chain.set_weights
        if self.try_(operation, self.name, self.hotkey, self.netuid, uids, weights):
            self.weights_set += 1

    def scores(self, sim) -> tuple[list[int], np.ndarray]:
        """Evaluate every miner on the subnet through its task: (UIDs, noisy scores)."""
        miners = sim.miners(self.netuid)
        if not miners:
            return [], np.zeros(0)
        quality = np.array([m.quality for m in miners])
        gaming = np.array([m.gaming for m in miners])
        uids = [sim.chain.uid(self.netuid, m.hotkey) for m in miners]
        return uids, sim.task(self.netuid).observe(quality, gaming, sim.rng)


@dataclass
class HonestValidator(Validator):
    """Scores every miner (with the task's noise) and weights it by `max(score, 0) ** sharpness`: 1 is
    proportional, larger values reward the best miners more."""

    sharpness: float = 1.0

    def weights(self, sim) -> tuple[list[int], list[float]]:
        uids, scores = self.scores(sim)
        w = np.maximum(scores, 0.0) ** self.sharpness
        if w.sum() <= 0:
            return [], []
        return uids, (w / w.sum()).tolist()


@dataclass
class WinnerTakesAll(Validator):
    """Scores every miner honestly, then puts all its weight on the one that scored best."""

    def weights(self, sim) -> tuple[list[int], list[float]]:
        uids, scores = self.scores(sim)
        if not uids:
            return [], []
        return [uids[int(np.argmax(scores))]], [1.0]


@dataclass
class WeightCopier(Validator):
    """Evaluates nobody: sets the consensus of the weights it can see on chain — the stake-weighted
    κ-median of the permit holders' weights, as Yuma computes it. Without commit-reveal it sees the weights
    the others set this tempo; with commit-reveal only those revealed at the last epoch, which were
    evaluated `commit_reveal_period` epochs earlier (and its copy is sealed as long): it always lags."""

    def weights(self, sim) -> tuple[list[int], list[float]]:
        chain = sim.chain
        s = chain.subnet(self.netuid)
        me = s.uid_of.get(self.hotkey)
        w = np.array(s.weights, dtype=float)
        np.fill_diagonal(w, 0.0)  # self-weights do not count
        stake = chain.stake_weight(self.netuid) * s.validator_permit
        if me is not None:
            stake[me] = 0.0
            w[:, me] = 0.0
        totals = w.sum(axis=1, keepdims=True)
        w = np.divide(w, totals, out=np.zeros_like(w), where=totals > 0)
        consensus = weighted_median_col(stake, w, s.hyperparams["kappa"])
        uids = np.flatnonzero(consensus > 0)
        if uids.size == 0:
            return [], []
        return uids.tolist(), consensus[uids].tolist()


@dataclass
class CabalValidator(Validator):
    """A member of a cabal: puts all its weight, evenly, on its cabal's miners (hotkeys in `cabal_miners`),
    whatever their quality."""

    cabal_miners: list[str] = field(default_factory=list)

    def weights(self, sim) -> tuple[list[int], list[float]]:
        s = sim.chain.subnet(self.netuid)
        uids = [s.uid_of[hk] for hk in self.cabal_miners if hk in s.uid_of]
        return uids, [1.0] * len(uids)


# ----------------------------------------------------------------------------------------------------------
# Stakers


@dataclass
class Delegator(Agent):
    """Stakes `stake_tao` on a validator and, every `every` blocks, moves it to the validator (on any
    subnet) whose last epoch paid the most per unit of stake, if that beats the current one by `margin`."""

    stake_tao: float = 100.0
    margin: float = 0.1
    every: int = 1000
    target: list = field(default_factory=list)  # [hotkey, netuid] where the stake is now
    moves: int = 0

    def join(self, chain) -> None:
        chain.faucet(self.name, tao(self.stake_tao) + tao(1))

    @staticmethod
    def yields(chain) -> dict[tuple[str, int], float]:
        """Last epoch's emission per unit of stake, for every validator with a permit, in TAO terms."""
        out = {}
        for netuid in chain.netuids:
            if netuid == 0:
                continue
            s = chain.subnet(netuid)
            for uid in np.flatnonzero(s.validator_permit):
                hk = s.hotkeys[uid]
                stake = chain.stake(hk, netuid)
                if stake > 0 and s.dividends[uid] > 0:
                    out[(hk, netuid)] = s.emission[uid] / stake
        return out

    def act(self, sim) -> None:
        chain = sim.chain
        yields = self.yields(chain)
        if not yields:
            return
        best = max(sorted(yields), key=lambda k: yields[k])
        if not self.target:
            if self.try_(chain.add_stake, self.name, best[0], best[1], tao(self.stake_tao)):
                self.target = list(best)
            return
        here = (self.target[0], self.target[1])
        have = chain.stake(here[0], here[1], self.name)
        if best == here or have == 0 or yields[best] <= yields.get(here, 0.0) * (1.0 + self.margin):
            return
        if self.try_(chain.move_stake, self.name, here[0], best[0], here[1], best[1], have):
            self.target = list(best)
            self.moves += 1


@dataclass
class AlphaTrader(Agent):
    """Trades a subnet's alpha every `every` blocks, staking on `hotkey` (default: the subnet owner's).

    style "noise": buys or sells at random, amounts ~ `trade_tao` × Exp(1).
    style "momentum": buys after the price rose over the last `lookback` trades, sells after it fell.
    Starts with `budget_tao` of free TAO."""

    style: str = "noise"
    trade_tao: float = 5.0
    budget_tao: float = 200.0
    lookback: int = 5
    every: int = 50
    stake_hotkey: str = ""
    prices: list = field(default_factory=list)
    trades: int = 0

    def join(self, chain) -> None:
        if self.style not in ("noise", "momentum"):
            raise ValueError(f"AlphaTrader style is 'noise' or 'momentum', not {self.style!r}.")
        chain.faucet(self.name, tao(self.budget_tao))
        if not self.stake_hotkey:
            self.stake_hotkey = chain.subnet(self.netuid).owner_hotkey

    def act(self, sim) -> None:
        chain = sim.chain
        price = chain.price(self.netuid)
        self.prices = (self.prices + [price])[-(self.lookback + 1):]
        amount = self.trade_tao * sim.rng.exponential()
        if self.style == "noise":
            side = 1 if sim.rng.random() < 0.5 else -1
        else:
            if len(self.prices) <= self.lookback or self.prices[-1] == self.prices[0]:
                return
            side = 1 if self.prices[-1] > self.prices[0] else -1
        if side > 0:
            rao = min(int(amount * RAO_PER_TAO), chain.balance(self.name))
            done = rao > 0 and self.try_(chain.add_stake, self.name, self.stake_hotkey, self.netuid, rao)
        else:
            have = chain.stake(self.stake_hotkey, self.netuid, self.name)
            alpha = min(have, int(amount * RAO_PER_TAO / price))
            if alpha and (have - alpha) * price < 10 * chain.params["min_stake"]:
                alpha = have  # sell the rest rather than leave dust the chain would refuse
            done = alpha > 0 and self.try_(chain.remove_stake, self.name, self.stake_hotkey, self.netuid, alpha)
        if done:
            self.trades += 1


# ----------------------------------------------------------------------------------------------------------
# Subnet owners


@dataclass
class SubnetOwner(Agent):
    """The owner of subnet `netuid` (the coldkey that registered it: `name`), changing hyperparameters on
    a schedule: `schedule` is a list of [block, hyperparameter, value], applied once that block is passed."""

    schedule: list = field(default_factory=list)
    applied: int = 0

    def join(self, chain) -> None:
        """The owner registered the subnet already; nothing to do."""

    def plan(self, chain) -> None:
        pending = self.schedule[self.applied:]
        self.next_block = max(chain.block, int(pending[0][0])) if pending else NEVER

    def act(self, sim) -> None:
        while self.applied < len(self.schedule) and self.schedule[self.applied][0] <= sim.chain.block:
            _, name, value = self.schedule[self.applied]
            self.try_(sim.chain.set_hyperparameter, self.name, self.netuid, name, value)
            self.applied += 1


AGENT_KINDS: dict[str, type[Agent]] = {
    cls.__name__: cls
    for cls in (Miner, HonestValidator, WinnerTakesAll, WeightCopier, CabalValidator, Delegator, AlphaTrader,
                SubnetOwner)
}


def agent_from_dict(d: dict) -> Agent:
    """Rebuild an agent saved by `Agent.to_dict` (state included)."""
    d = dict(d)
    cls = AGENT_KINDS[d.pop("kind")]
    known = {f.name for f in fields(cls)}
    unknown = set(d) - known
    if unknown:
        raise ValueError(f"Unknown fields for {cls.__name__}: {', '.join(sorted(unknown))}.")
    return cls(**d)
