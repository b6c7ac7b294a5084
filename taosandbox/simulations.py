"""Simulations: a chain with agents acting on it, the named scenarios of the chapters, and fast experiments.

A `Simulation` wraps a `Chain`, its agents (`taosandbox.agents`), the task of each subnet
(`taosandbox.tasks`) and one seeded `numpy.random.Generator` from which every agent draws. `sim.step(blocks)`
produces blocks and lets every agent act when it is due (after its subnet's epoch, or every few blocks), in a
fixed order, so the same seed gives the same history. `to_json` / `from_json` save everything — chain, agents,
generator state, records — and a loaded simulation continues exactly as the original would have.

    sim = build("marketplace", seed=1)
    sim.run(20)                      # 20 epochs of the first subnet
    sim.epochs()                     # per epoch and UID: stake, incentive, dividends, role, true quality
    emission_split(sim, 1)           # owner / miners / validators: 18 / 41 / 41

Named scenarios (`SCENARIOS`) are plain data: `scenario_spec(name, **params)` returns the JSON-able spec
(subnets, their tasks and hyperparameters, and the agents) that `build` turns into a simulation.

Setup conventions (for every built scenario, and why):
* the subnet lock is 100 TAO and registration limits are raised, so that a scenario registers all its UIDs in
  one block; the chain's own rules apply afterwards;
* every subnet owner also validates honestly with its own hotkey (UID 0). On chain the owner always holds a
  validator permit; an owner that set no weights would count as a zero vote in every median;
* `max_validators` is the number of validators (owner included), unless a scenario sets it: miners' incentive
  is staked to their hotkeys, and in a small subnet they would otherwise win permits and vote zero too;
* `build` runs every subnet's first epoch, which issues the first validator permits; agents then act after
  each later epoch, so the weights they set first count at the second epoch after `build` (the first epoch
  a reader runs pays miners nothing).

Fast Yuma-level experiments. The collusion sweep and the honest-utility study need thousands of epochs of
subnets with hundreds of UIDs, where the chain adds nothing but cost (no pools, staking or registration are
involved: the question is what Yuma does with a given weights matrix and stake). They call
`taosandbox.yuma.epoch` directly on weights drawn from the agents' strategies: `cabal_experiment`,
`honest_utility_experiment` (the Monte Carlo study of subtensor's `docs/consensus.md`). The weight-copier
experiment runs full chains, because commit-reveal is a chain mechanism. All three are plain functions of
(seed, parameters) returning a row, for `taosandbox.sweep.sweep`.
"""

from __future__ import annotations

import copy
import json
import numbers

import numpy as np
import pandas as pd

from taosandbox.agents import (
    AGENT_KINDS,
    NEVER,
    Agent,
    Miner,
    Validator,
    agent_from_dict,
    next_epoch_block,
)
from taosandbox.chain import Chain
from taosandbox.errors import ChainError, InvalidInput
from taosandbox.scenarios import VARIANTS
from taosandbox.tasks import Task, get_task
from taosandbox.units import tao
from taosandbox.yuma import YumaParams, epoch

__all__ = [
    "EXPERIMENTS",
    "PUBLISHED_HONEST_UTILITY",
    "SCENARIOS",
    "Simulation",
    "build",
    "cabal_experiment",
    "emission_split",
    "honest_utility_experiment",
    "required_honest_utility",
    "scenario_spec",
    "weight_copier_experiment",
]

FORMAT_VERSION = 1


# ----------------------------------------------------------------------------------------------------------
# The simulation


def _agent_from_spec(spec: dict) -> Agent:
    """`agent_from_dict`, with a bad spec (unknown kind or field, wrong type) raised as a plain InvalidInput."""
    if not isinstance(spec, dict):
        raise InvalidInput(f"An agent is described by a dict with a 'kind'; got {spec!r}.")
    if spec.get("kind") not in AGENT_KINDS:
        raise InvalidInput(f"Unknown kind of agent {spec.get('kind')!r}; the kinds are {', '.join(AGENT_KINDS)}.")
    try:
        return agent_from_dict(spec)
    except (TypeError, ValueError) as e:
        raise InvalidInput(f"This {spec['kind']} cannot be built: {e}") from None


class Simulation:
    """A chain, its agents, the task of every subnet and the one generator they all draw from."""

    def __init__(self, chain: Chain, agents: list[Agent], tasks: dict[int, str], seed: int = 0,
                 name: str = "custom", spec: dict | None = None):
        self.chain = chain
        self.agents = list(agents)
        self.tasks = {int(k): v for k, v in tasks.items()}
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.name = name
        self.spec = spec or {}
        self.quality_rows: list[tuple] = []  # (block, netuid, hotkey, quality, gaming) at every epoch
        self._index()

    def _index(self) -> None:
        self._miners: dict[int, list[Miner]] = {}
        for a in self.agents:
            if isinstance(a, Miner):
                self._miners.setdefault(a.netuid, []).append(a)

    def add_agents(self, specs: list[dict]) -> list[Agent]:
        """Newcomers join the running simulation, all or nothing: each funds itself, registers and plans its
        first action; if any spec is invalid or the chain refuses any step, the chain goes back to how it was
        and the error is raised (a spec the agents reject as `InvalidInput`)."""
        # Every spec is checked before anything changes, so a bad one cannot strand an earlier newcomer.
        newcomers = [_agent_from_spec(spec) for spec in specs]
        saved = self.chain.to_json()
        try:
            for agent in newcomers:
                agent.join(self.chain)
                agent.plan(self.chain)
        except BaseException as err:
            # Whatever failed (a refusal, an agent rejecting its settings at join, a bug, an interrupt), funded and
            # registered newcomers that are not in `agents` must not stay on the chain.
            self.chain.restore(saved)
            if isinstance(err, ValueError) and not isinstance(err, ChainError):
                raise InvalidInput(str(err)) from None
            raise
        self.agents.extend(newcomers)
        self._index()
        return newcomers

    # --- what agents read ---------------------------------------------------------------------------------
    def task(self, netuid: int) -> Task:
        return get_task(self.tasks[netuid])

    def miners(self, netuid: int) -> list[Miner]:
        """The miner agents on a subnet that still hold a UID."""
        s = self.chain.subnet(netuid)
        return [m for m in self._miners.get(netuid, []) if m.hotkey in s.uid_of]

    @property
    def block(self) -> int:
        return self.chain.block

    # --- running ------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Plan every agent's first action (done by `build`; call it after adding agents by hand), and
        record the miners' qualities at each subnet's last epoch if nothing is recorded yet."""
        for a in self.agents:
            a.plan(self.chain)
        if not self.quality_rows:
            for netuid in self.chain.netuids:
                block = self.chain.subnet(netuid).last_epoch_block if netuid else None
                self.quality_rows += [(block, netuid, m.hotkey, m.quality, m.gaming)
                                      for m in self.miners(netuid)] if block is not None else []

    def step(self, blocks: int = 1) -> None:
        """Produce `blocks` blocks; after each block, agents that are due act (in list order)."""
        if isinstance(blocks, bool) or not isinstance(blocks, numbers.Integral) or blocks < 0:
            raise InvalidInput(f"The number of blocks is a whole number ≥ 0; got {blocks!r}.")
        chain = self.chain
        end = chain.block + blocks
        self._act_due()
        while chain.block < end:
            nxt = min(end, self._next_epoch(), min((a.next_block for a in self.agents), default=NEVER))
            chain.step(max(1, nxt - chain.block))
            self._record_epochs()
            self._act_due()

    def run(self, epochs: int) -> None:
        """Run `epochs` epochs of the first subnet (epochs × (tempo + 1) blocks)."""
        subnets = [n for n in self.chain.netuids if n]
        if not subnets:  # a loaded save may have none: no epoch length to count in
            raise InvalidInput("This network has no subnet yet, so it has no epochs to run: use step(blocks).")
        first = min(subnets)
        self.step(epochs * (self.chain.subnet(first).hyperparams["tempo"] + 1))

    def _next_epoch(self) -> int:
        return min((next_epoch_block(self.chain, n, self.chain.block) for n in self.chain.netuids if n),
                   default=NEVER)

    def _act_due(self) -> None:
        now = self.chain.block
        for a in self.agents:
            if 0 <= a.next_block <= now:
                a.act(self)
                a.plan(self.chain)

    def _record_epochs(self) -> None:
        for netuid in self.chain.netuids:
            if netuid and self.chain.subnet(netuid).last_epoch_block == self.chain.block:
                for m in self.miners(netuid):
                    self.quality_rows.append((self.chain.block, netuid, m.hotkey, m.quality, m.gaming))
        if len(self.quality_rows) > 2 * self.chain.history.max_rows:
            # Keep memory bounded on long runs: only the epochs the chain's (thinned) history still holds.
            kept = {r[0] for r in self.chain.history.epochs}
            self.quality_rows = [r for r in self.quality_rows if r[0] in kept]

    # --- results ------------------------------------------------------------------------------------------
    def roles(self) -> dict[str, str]:
        """Hotkey -> the kind of agent behind it (the owner's UID 0 is an honest validator)."""
        out = {}
        for a in self.agents:
            if isinstance(a, Miner | Validator):
                out.setdefault(a.hotkey, type(a).__name__)
        return out

    def epochs(self, netuid: int | None = None, max_rows: int | None = None) -> pd.DataFrame:
        """Per epoch and UID (the chain's epoch history), with each UID's `role` and, for miners, the
        `quality` and `gaming` they had at that epoch. Stakes and emission in rao."""
        frame = self.chain.history_frame("epochs", max_rows=None, netuid=netuid)
        frame["role"] = frame["hotkey"].map(self.roles()).fillna("other")
        q = pd.DataFrame(self.quality_rows, columns=["block", "netuid", "hotkey", "quality", "gaming"])
        frame = frame.merge(q, on=["block", "netuid", "hotkey"], how="left")
        if max_rows is not None:
            from taosandbox.chain import downsample

            frame = downsample(frame, max_rows)
        return frame

    def prices(self, max_rows: int | None = 5000) -> pd.DataFrame:
        """Per block and subnet: price, moving price, reserves, emission share (the chain's history)."""
        return self.chain.history_frame("subnets", max_rows=max_rows)

    def agents_frame(self) -> pd.DataFrame:
        """One row per agent: kind, subnet, UID, stake on its own hotkey (TAO/alpha), free TAO, state."""
        rows = []
        for a in self.agents:
            s = self.chain.subnets.get(a.netuid)
            uid = s.uid_of.get(a.hotkey) if s is not None else None
            rows.append({
                "agent": a.name, "kind": type(a).__name__, "netuid": a.netuid, "hotkey": a.hotkey,
                "uid": uid, "stake": self.chain.stake(a.hotkey, a.netuid) / 1e9,
                "balance": self.chain.balance(a.name) / 1e9, "quality": getattr(a, "quality", np.nan),
                "gaming": getattr(a, "gaming", np.nan), "refusals": a.refusals,
            })
        return pd.DataFrame(rows)

    # --- save and load ------------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "format": "taosandbox.simulation", "version": FORMAT_VERSION, "name": self.name,
            "seed": self.seed, "spec": self.spec, "rng": self.rng.bit_generator.state,
            "tasks": {str(k): v for k, v in sorted(self.tasks.items())},
            "agents": [a.to_dict() for a in self.agents], "quality_rows": self.quality_rows,
            "chain": self.chain.to_dict(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_dict(cls, d: dict) -> Simulation:
        if not isinstance(d, dict) or d.get("format") != "taosandbox.simulation" or d.get("version") != FORMAT_VERSION:
            raise InvalidInput(f"Not a taosandbox simulation of format version {FORMAT_VERSION}.")
        try:
            return cls._from_dict(d)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
            # A damaged or hand-edited file: one plain sentence (InvalidInput) that a widget can show, as
            # `Chain.from_dict` does for the chain inside it.
            raise InvalidInput(f"This is not a saved simulation, or it is damaged ({type(e).__name__}: {e}).") from None

    @classmethod
    def _from_dict(cls, d: dict) -> Simulation:
        tasks = {int(k): v for k, v in d["tasks"].items()}
        for name in tasks.values():
            get_task(name)  # an unknown task would otherwise fail at the first epoch, not here
        sim = cls(Chain.from_dict(d["chain"]), [agent_from_dict(a) for a in d["agents"]],
                  tasks, d["seed"], d["name"], d["spec"])
        sim.rng.bit_generator.state = d["rng"]
        sim.quality_rows = [tuple(r) for r in d["quality_rows"]]
        return sim

    @classmethod
    def from_json(cls, text: str) -> Simulation:
        try:
            d = json.loads(text)
        except (TypeError, ValueError):
            raise InvalidInput("This is not a saved simulation (not JSON).") from None
        return cls.from_dict(d)

    def copy(self) -> Simulation:
        return Simulation.from_json(self.to_json())

    def __repr__(self) -> str:
        return f"Simulation({self.name!r}, block={self.block}, agents={len(self.agents)})"


NO_SPLIT = {"owner": 0.0, "miners": 0.0, "validators": 0.0}


def emission_split(sim: Simulation, netuid: int) -> dict[str, float]:
    """Shares of the subnet's emission paid to the owner's cut, miners and validators, over the epochs after
    the first one in which miners earned anything (before, validators get the miners' half too). All zero
    while there is nothing to split: no miner has earned yet, or no epoch has been paid after that one.

    Miners' and validators' parts come from the epoch history; the owner's cut is what the owner's hotkey
    gained beyond its own dividends (valid while nobody else stakes on or unstakes from the owner's hotkey)."""
    frame = sim.chain.history_frame("epochs", max_rows=None, netuid=netuid)
    if sim.chain.history.epoch_stride != 1:
        raise ValueError("The epoch history was thinned; run a shorter simulation to measure the split.")
    owner_hotkey = sim.chain.subnet(netuid).owner_hotkey
    earned = frame.loc[frame["incentive"] > 0, "block"]
    if earned.empty:  # no miner has earned yet: no epoch to start from, and nothing to split
        return dict(NO_SPLIT)
    start = earned.min()
    owner = frame[frame["hotkey"] == owner_hotkey].set_index("block")
    if start not in owner.index:  # the owner's hotkey holds no UID then: its cut cannot be measured
        return dict(NO_SPLIT)
    frame = frame[frame["block"] > start]
    is_miner = frame["hotkey"].isin({m.hotkey for m in sim.miners(netuid)})
    to_miners = frame.loc[is_miner, "emission"].sum()
    to_validators = frame.loc[~is_miner, "emission"].sum()
    owner_cut = (owner["alpha_stake"].iloc[-1] - owner.loc[start, "alpha_stake"]
                 - owner.loc[owner.index > start, "emission"].sum())
    total = owner_cut + to_miners + to_validators
    if total <= 0:  # only the first earning epoch so far: nothing paid after it yet
        return dict(NO_SPLIT)
    return {"owner": float(owner_cut / total), "miners": float(to_miners / total),
            "validators": float(to_validators / total)}


# ----------------------------------------------------------------------------------------------------------
# Named scenarios: specs as data, and the builder


SETUP_DEFAULTS = {"max_registrations_per_block": 256, "target_registrations_per_interval": 256}


def _miners(prefix: str, netuid: int, qualities, **fields) -> list[dict]:
    return [{"kind": "Miner", "name": f"{prefix}{i}", "netuid": netuid,
             "quality": q if isinstance(q, dict) else float(q), **fields} for i, q in enumerate(qualities)]


def _marketplace(miners=(0.2, 0.4, 0.6, 0.9), validator_stakes=(30_000, 20_000, 10_000), task="forecast") -> dict:
    agents = _miners("miner", 1, miners)
    agents += [{"kind": "HonestValidator", "name": f"validator{i}", "netuid": 1, "stake_tao": s}
               for i, s in enumerate(validator_stakes)]
    return {"subnets": [{"task": task, "hyperparams": {"commit_reveal_weights_enabled": False}}],
            "agents": agents, "epochs": 20}


def _proof_of_intelligence(task: str) -> dict:
    # "gamer" spends effort on the proxy instead of on quality: 0.5 true quality, +0.4 on the proxy.
    agents = [
        {"kind": "Miner", "name": "expert", "netuid": 1, "quality": 0.7},
        {"kind": "Miner", "name": "gamer", "netuid": 1, "quality": 0.5, "gaming": 0.4},
        {"kind": "Miner", "name": "average", "netuid": 1, "quality": 0.5},
        {"kind": "Miner", "name": "novice", "netuid": 1, "quality": 0.3},
    ]
    agents += [{"kind": "HonestValidator", "name": f"validator{i}", "netuid": 1, "stake_tao": 20_000,
                "sharpness": 4.0} for i in range(4)]
    return {"subnets": [{"task": task, "hyperparams": {"commit_reveal_weights_enabled": False}}],
            "agents": agents, "epochs": 20}


def _cabal(cabal_stake: float = 0.4, kappa: float = 32767 / 65535, total_stake: float = 100_000) -> dict:
    honest_q = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
    agents = _miners("miner", 1, honest_q)
    agents += _miners("cabal-miner", 1, (0.1, 0.1))
    cabal = [f"cabal-miner{i}/hk" for i in range(2)]
    honest = (1.0 - cabal_stake) * total_stake / 4
    agents += [{"kind": "HonestValidator", "name": f"validator{i}", "netuid": 1, "stake_tao": honest}
               for i in range(4)]
    agents += [{"kind": "CabalValidator", "name": f"cabal{i}", "netuid": 1, "stake_tao": cabal_stake * total_stake / 2,
                "cabal_miners": cabal} for i in range(2)]
    return {"subnets": [{"task": "forecast",
                         "hyperparams": {"commit_reveal_weights_enabled": False, "kappa": kappa}}],
            "agents": agents, "epochs": 10, "owner_validates": False}


def _weight_copier(commit_reveal_period: int = 1, variant: str = "YC2", copier_stake: float = 10_000,
                   volatility: float = 0.15) -> dict:
    p = VARIANTS[variant]
    hyper = {"yuma_version": p.yuma_version, "bonds_penalty": p.bonds_penalty,
             "bonds_moving_avg": p.bonds_moving_avg, "liquid_alpha_enabled": p.liquid_alpha_enabled,
             "alpha_low": p.alpha_low, "alpha_high": p.alpha_high,
             "commit_reveal_weights_enabled": commit_reveal_period > 0,
             "commit_reveal_period": max(1, commit_reveal_period)}
    agents = _miners("miner", 1, np.linspace(0.3, 0.8, 6), volatility=volatility)
    agents += [{"kind": "HonestValidator", "name": f"validator{i}", "netuid": 1, "stake_tao": 20_000,
                "sharpness": 4.0} for i in range(4)]
    agents.append({"kind": "WeightCopier", "name": "copier", "netuid": 1, "stake_tao": copier_stake})
    return {"subnets": [{"task": "forecast", "hyperparams": hyper}], "agents": agents, "epochs": 30,
            "owner_validates": False}


def _sandbox(subnets: int = 8, uids: int = 64, validators: int = 15) -> dict:
    task_names = ("forecast", "text-quality", "storage-retrieval")
    n_miners = uids - 1 - validators
    specs, agents = [], []
    for k in range(subnets):
        net = k + 1
        specs.append({"task": task_names[k % 3], "hyperparams": {
            "max_allowed_uids": uids, "commit_reveal_weights_enabled": net % 2 == 0}})
        agents += _miners(f"sn{net}-miner", net, [{"uniform": [0.2, 0.9]}] * n_miners,
                          volatility=0.02, drift=0.0)
        for i in range(n_miners // 8):  # a few miners game the proxy, a few improve, a few decay
            agents[-1 - i]["gaming"] = 0.3
            agents[-1 - n_miners // 8 - i]["drift"] = 0.01
            agents[-1 - n_miners // 4 - i]["drift"] = -0.01
        cabal = [f"sn{net}-miner{i}/hk" for i in range(2)]
        for i in range(validators):  # the copier comes last: it copies what the others set before it
            kind = {0: "WinnerTakesAll", 1: "CabalValidator", validators - 1: "WeightCopier"}.get(i, "HonestValidator")
            v = {"kind": kind, "name": f"sn{net}-validator{i}", "netuid": net,
                 "stake_tao": {"uniform": [500, 3000]}}
            if kind == "CabalValidator":
                v["cabal_miners"] = cabal
            agents.append(v)
        agents.append({"kind": "AlphaTrader", "name": f"sn{net}-noise", "netuid": net, "style": "noise"})
        agents.append({"kind": "AlphaTrader", "name": f"sn{net}-momentum", "netuid": net, "style": "momentum"})
    agents += [{"kind": "Delegator", "name": f"delegator{i}", "netuid": 1, "stake_tao": 500, "every": 1000}
               for i in range(8)]
    agents.append({"kind": "SubnetOwner", "name": "owner2", "netuid": 2,
                   "schedule": [[1000, "yuma_version", 3], [1000, "liquid_alpha_enabled", True]]})
    return {"subnets": specs, "agents": agents, "epochs": 10, "pool_tao": 20_000}


def _staking(subnets: int = 3, delegators: int = 8, trade_tao: float = 2_000) -> dict:
    """Pools with traders on both sides and delegators chasing yield (the dTAO chapter)."""
    agents = []
    for net in range(1, subnets + 1):
        agents += _miners(f"sn{net}-miner", net, [{"uniform": [0.2, 0.9]}] * 6)
        agents += [{"kind": "HonestValidator", "name": f"sn{net}-validator{i}", "netuid": net,
                    "stake_tao": {"uniform": [2_000, 10_000]}} for i in range(3)]
        for style in ("noise", "momentum"):
            agents += [{"kind": "AlphaTrader", "name": f"sn{net}-{style}{i}", "netuid": net, "style": style,
                        "trade_tao": trade_tao, "budget_tao": 20 * trade_tao, "every": 20 + 7 * i}
                       for i in range(3)]
    agents += [{"kind": "Delegator", "name": f"delegator{i}", "stake_tao": 1_000, "every": 361 * (1 + i % 3)}
               for i in range(delegators)]
    return {"subnets": [{"task": "forecast", "hyperparams": {"commit_reveal_weights_enabled": False}}] * subnets,
            "agents": agents, "epochs": 30, "pool_tao": 100_000}


SCENARIOS: dict[str, dict] = {
    "marketplace": {
        "chapter": "The marketplace and its actors",
        "description": "One subnet, four miners of different quality, three honest validators: TAO flows to "
                       "the better miners, and the subnet's emission splits 18 / 41 / 41 between owner, "
                       "miners and validators.",
        "make": _marketplace,
    },
    "proof-of-intelligence-objective": {
        "chapter": "Proof of Intelligence and the oracle problem",
        "description": "An objective task (forecasts that resolve): a miner that games the proxy gains "
                       "nothing and loses to the better miner.",
        "make": lambda: _proof_of_intelligence("forecast"),
    },
    "proof-of-intelligence-subjective": {
        "chapter": "Proof of Intelligence and the oracle problem",
        "description": "A subjective task (text quality): validators see a proxy the gaming miner inflates, "
                       "so it wins although it is worse.",
        "make": lambda: _proof_of_intelligence("text-quality"),
    },
    "cabal": {
        "chapter": "Collusion and weight copying",
        "description": "Two cabal validators weight only their two weak miners. Below κ of the stake they "
                       "are clipped; above κ they capture their miners' emission. Parameters: cabal_stake, "
                       "kappa.",
        "make": _cabal,
    },
    "weight-copier": {
        "chapter": "Collusion and weight copying",
        "description": "Miners' quality wanders; four honest validators evaluate, a copier sets the last "
                       "revealed consensus. Parameters: commit_reveal_period (0: off), variant (YC2, YC3, "
                       "'YC3 + liquid alpha').",
        "make": _weight_copier,
    },
    "staking": {
        "chapter": "Dynamic TAO, pools and staking",
        "description": "Three subnets whose pools see noise and momentum traders (realistic price paths) and "
                       "delegators who move their stake to the validator with the best recent yield.",
        "make": _staking,
    },
    "sandbox": {
        "chapter": "A free sandbox",
        "description": "8 subnets × 64 UIDs across the three tasks: honest, winner-takes-all, copying and "
                       "cabal validators, miners that improve, decay or game, alpha traders, delegators "
                       "chasing yield, and an owner who switches to Yuma 3 with liquid alpha.",
        "make": _sandbox,
    },
}


def scenario_spec(name: str, **params) -> dict:
    """The named scenario as plain data (JSON-able), with its parameters applied."""
    if name not in SCENARIOS:
        raise InvalidInput(f"Unknown scenario {name!r}; choose one of {', '.join(SCENARIOS)}.")
    spec = SCENARIOS[name]["make"](**params)
    return {"name": name, "params": params, **spec}


def _draw(value, rng: np.random.Generator):
    """A spec value, or a draw from it: {"uniform": [low, high]}."""
    if isinstance(value, dict) and "uniform" in value:
        low, high = value["uniform"]
        return float(rng.uniform(low, high))
    return value


def build(scenario: str | dict, seed: int = 0, **params) -> Simulation:
    """A ready-to-run simulation of a named scenario (or of a spec from `scenario_spec`), seeded."""
    spec = scenario_spec(scenario, **params) if isinstance(scenario, str) else copy.deepcopy(scenario)
    rng = np.random.default_rng(seed)
    chain = Chain(seed=seed, subnet_defaults={**SETUP_DEFAULTS, **spec.get("subnet_defaults", {})},
                  network_min_lock=tao(spec.get("pool_tao", 1_000_000)))
    agents = [agent_from_dict({k: _draw(v, rng) for k, v in a.items()}) for a in spec["agents"]]
    tasks = {}
    for k, sub in enumerate(spec["subnets"]):
        owner = f"owner{k + 1}"
        chain.faucet(owner, chain.network_lock_cost())
        netuid = chain.register_subnet(owner, f"{owner}/hk")
        tasks[netuid] = sub["task"]
        n_validators = sum(isinstance(a, Validator) and a.netuid == netuid for a in agents)
        owner_validates = spec.get("owner_validates", True)
        hyper = {"max_validators": n_validators + owner_validates, **sub.get("hyperparams", {})}
        for name, value in hyper.items():
            chain.set_hyperparameter(owner, netuid, name, value)
        if owner_validates:
            agents.append(agent_from_dict({"kind": "HonestValidator", "name": owner, "netuid": netuid,
                                           "stake_tao": 0}))
    validators = [a for a in agents if isinstance(a, Validator)]
    for a in agents:
        if isinstance(a, Validator):
            a.join(chain, stake=False)
        else:
            a.join(chain)
    # Validators stake in rounds, so that no one buys all its alpha before the others at a lower price.
    rounds = 10
    for r in range(rounds):
        for v in validators:
            chunk = tao(v.stake_tao) * (r + 1) // rounds - tao(v.stake_tao) * r // rounds
            if chunk > 0:
                chain.add_stake(v.name, v.hotkey, v.netuid, chunk)
    # One epoch of every subnet issues the first validator permits; then agents start acting.
    chain.step(max(chain.subnet(n).hyperparams["tempo"] for n in chain.netuids if n) + 1)
    sim = Simulation(chain, agents, tasks, seed=seed, name=spec.get("name", "custom"), spec=spec)
    sim.rng = rng
    sim.start()
    return sim


# ----------------------------------------------------------------------------------------------------------
# Experiments (one row per seed and parameter set; sweep them with taosandbox.sweep)


def weight_copier_experiment(seed: int, commit_reveal_period: int = 1, variant: str = "YC2",
                             epochs: int = 30, warmup: int = 5, volatility: float = 0.15) -> dict:
    """The "weight-copier" scenario on a full chain: the copier's dividends per unit of stake relative to
    the honest validators' (1.0 = as good as evaluating), after `warmup` epochs."""
    sim = build("weight-copier", seed=seed, commit_reveal_period=commit_reveal_period, variant=variant,
                volatility=volatility)
    sim.run(epochs)
    frame = sim.epochs(netuid=1)
    frame = frame[frame["block"] > frame["block"].min() + warmup * (sim.chain.subnet(1).hyperparams["tempo"] + 1)]
    per_stake = frame["emission"] / frame["alpha_stake"].where(frame["alpha_stake"] > 0)
    frame = frame.assign(yield_=per_stake)
    copier = frame.loc[frame["role"] == "WeightCopier", "yield_"].mean()
    honest = frame.loc[frame["role"] == "HonestValidator", "yield_"].mean()
    return {"relative_dividend": float(copier / honest) if honest > 0 else np.nan,
            "copier_yield": float(copier), "honest_yield": float(honest)}


def cabal_experiment(seed: int, kappa: float = 0.5, cabal_stake: float = 0.4, validators: int = 16,
                     cabal_validators: int = 4, miners: int = 48, cabal_miners: int = 4, epochs: int = 10,
                     noise: float = 0.1, yuma_version: int = 2) -> dict:
    """A cabal holding `cabal_stake` of the validator stake weights only its own (weak) miners; honest
    validators weight miners by noisy true quality. Runs `epochs` Yuma epochs (bonds carried) and returns,
    for the last epoch, the cabal's share of miner incentive, of validator dividends and of all emission,
    and its validators' trust (the share of their weight that survived clipping).

    What it shows: the cabal raises consensus on its own miners only above kappa (trust jumps from ~0 to 1).
    With kappa > 1/2 a cabal above 1 - kappa also vetoes the honest miners (their consensus drops to 0), so
    its miners take the incentive before it reaches kappa."""
    rng = np.random.default_rng(seed)
    n = validators + miners
    quality = np.concatenate([rng.uniform(0.4, 1.0, miners - cabal_miners), np.full(cabal_miners, 0.1)])
    is_cabal_miner = np.r_[np.zeros(validators, bool), np.zeros(miners - cabal_miners, bool),
                           np.ones(cabal_miners, bool)]
    honest = validators - cabal_validators
    raw = rng.uniform(0.5, 1.5, validators)
    stake = np.r_[raw[:honest] / raw[:honest].sum() * (1 - cabal_stake),
                  raw[honest:] / raw[honest:].sum() * cabal_stake, np.zeros(miners)]
    params = YumaParams(kappa=kappa, yuma_version=yuma_version, max_validators=validators)
    permits = np.r_[np.ones(validators, bool), np.zeros(miners, bool)]
    bonds = None
    for _ in range(epochs):
        w = np.zeros((n, n))
        scores = quality + rng.normal(0.0, noise, (honest, miners))
        w[:honest, validators:] = np.maximum(scores, 0.0)
        w[honest:validators, is_cabal_miner] = 1.0
        r = epoch(w, stake, bonds, params=params, permits=permits)
        bonds = r.bonds
    divs = r.validator_emission.sum()
    return {
        "cabal_incentive": float(r.incentive[is_cabal_miner].sum()),
        "cabal_dividends": float(r.validator_emission[honest:validators].sum() / divs) if divs > 0 else 0.0,
        "cabal_emission": float(r.emission[honest:validators].sum() + r.emission[is_cabal_miner].sum()),
        "cabal_validator_trust": float(r.validator_trust[honest:validators].mean()),
    }


# The honest-utility study of subtensor docs/consensus.md ("Consensus guarantees"): how much honest utility
# (honest validators' self-weight W_H) keeps honest stake S_H = 0.6 from eroding (E_H >= S_H) against the
# worst cabal self-weight W_C, on 512 UIDs with 64 validators, single epoch, kappa 0.5.
PUBLISHED_HONEST_UTILITY = (
    {"figure": "weights_stddev_0", "weight_stddev": 0.0, "bonds_penalty": 1.0, "validator_share": 0.5,
     "required_utility": 0.60},
    {"figure": "weights_stddev_20", "weight_stddev": 0.2, "bonds_penalty": 1.0, "validator_share": 0.5,
     "required_utility": 0.67},
    {"figure": "weights_stddev_40", "weight_stddev": 0.4, "bonds_penalty": 1.0, "validator_share": 0.5,
     "required_utility": 0.73},
    {"figure": "bonds_penalty_0", "weight_stddev": 0.4, "bonds_penalty": 0.0, "validator_share": 0.5,
     "required_utility": 0.78},
    {"figure": "bonds_penalty_50", "weight_stddev": 0.4, "bonds_penalty": 0.5, "validator_share": 0.5,
     "required_utility": 0.76},
    {"figure": "validator_emission_0", "weight_stddev": 0.4, "bonds_penalty": 1.0, "validator_share": 0.0,
     "required_utility": 0.82},
    {"figure": "validator_emission_25", "weight_stddev": 0.4, "bonds_penalty": 1.0, "validator_share": 0.25,
     "required_utility": 0.78},
)


def _split_sizes(ratio: float, total: int) -> int:
    """How many of `total` go to the honest side: floor(ratio × total), but never 0 or all (as the study)."""
    k = int(ratio * total)
    return min(max(k, 1), total - 1)


def honest_utility_experiment(seed: int, major_weight: float, minor_weight: float, major_stake: float = 0.6,
                              weight_stddev: float = 0.4, bonds_penalty: float = 1.0,
                              validator_share: float = 0.5, kappa: float = 32767 / 65535, n: int = 512,
                              validators: int = 64, stake_stddev: float = 0.3) -> dict:
    """One epoch of the study's split graph; returns the honest (major) share of emission `honest_emission`.

    Honest validators hold `major_stake` and put `major_weight` of their weight on honest miners, the rest on
    cabal miners; cabal validators put `minor_weight` on cabal miners. Stakes ~ N(1, 0.3), weights within each
    quadrant ~ N(1, weight_stddev), clamped at 0 and normalised to the quadrant's total. Validators are the
    first UIDs (the study's blockwise layout). Emission: `validator_share` × dividends + the rest × incentive
    (fresh bonds, so one epoch's bonds are the instant bonds, as in the study)."""
    rng = np.random.default_rng(seed)
    servers = n - validators
    hv, hs = _split_sizes(major_stake, validators), _split_sizes(major_stake, servers)
    major = np.r_[np.arange(validators) < hv, np.arange(servers) < hs]

    def positive_normal(size: int, sd: float) -> np.ndarray:
        x = np.maximum(rng.normal(1.0, sd, size), 0.0)
        return x / x.sum() if x.sum() > 0 else np.full(size, 1.0 / size)

    stake = np.zeros(n)
    stake[:hv] = major_stake * positive_normal(hv, stake_stddev)
    stake[hv:validators] = (1 - major_stake) * positive_normal(validators - hv, stake_stddev)
    w = np.zeros((n, n))
    cols_major, cols_minor = slice(validators, validators + hs), slice(validators + hs, n)
    for i in range(validators):
        own = major_weight if i < hv else 1.0 - minor_weight  # weight on the honest miners
        w[i, cols_major] = own * positive_normal(hs, weight_stddev)
        w[i, cols_minor] = (1.0 - own) * positive_normal(servers - hs, weight_stddev)
    params = YumaParams(kappa=kappa, bonds_penalty=bonds_penalty, yuma_version=2, max_validators=validators)
    r = epoch(w, stake, params=params, permits=np.arange(n) < validators)
    dividends = r.dividends / r.dividends.sum() if r.dividends.sum() > 0 else r.dividends
    emission = validator_share * dividends + (1.0 - validator_share) * r.incentive
    return {"honest_emission": float(emission[major].sum() / emission.sum())}


def required_honest_utility(frame: pd.DataFrame, major_stake: float = 0.6,
                            by: tuple[str, ...] = ("weight_stddev", "bonds_penalty", "validator_share")
                            ) -> pd.DataFrame:
    """From `honest_utility_experiment` rows over a (major_weight, minor_weight) grid: per setting, the
    smallest honest utility W_H at which honest emission (mean over seeds) stays ≥ `major_stake` whatever
    the cabal's self-weight W_C — linearly interpolated between grid points."""
    keys = [k for k in by if k in frame]
    mean = frame.groupby([*keys, "major_weight", "minor_weight"], as_index=False)["honest_emission"].mean()
    worst = mean.groupby([*keys, "major_weight"], as_index=False)["honest_emission"].min()
    rows = []
    for setting, g in worst.groupby(keys) if keys else [((), worst)]:
        g = g.sort_values("major_weight")
        x, y = g["major_weight"].to_numpy(), g["honest_emission"].to_numpy() - major_stake
        ok = np.flatnonzero(y >= 0)
        required = np.nan
        if ok.size:
            k = ok[0]
            # Interpolate from the last failing grid point below the first passing one.
            required = x[k] if k == 0 else x[k - 1] + (x[k] - x[k - 1]) * (-y[k - 1]) / (y[k] - y[k - 1])
        setting = setting if isinstance(setting, tuple) else (setting,)
        rows.append({**dict(zip(keys, setting, strict=True)), "required_utility": float(required)})
    return pd.DataFrame(rows)


EXPERIMENTS = {
    "cabal": cabal_experiment,
    "honest-utility": honest_utility_experiment,
    "weight-copier": weight_copier_experiment,
}
