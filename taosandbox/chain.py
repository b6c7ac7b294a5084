"""`Chain`: the state of a whole Bittensor network, and the extrinsics that change it.

State: coldkeys with free TAO, hotkeys owned by coldkeys, subnets (netuid 0 is root) each with a pool,
neurons (UIDs), hyperparameters and pending emission, and stake per (hotkey, netuid) held as a share pool
of nominators. Operations are named like the chain's extrinsics. Each one validates everything first and
mutates second, so a refused call raises a `taosandbox.errors.ChainError` and leaves the chain exactly as
it was. `step(blocks)` runs the per-block coinbase (`taosandbox.coinbase`).

Amounts are integer rao. Keys are plain strings ("alice", "alice/hk1"), the sandbox's stand-in for
ss58 addresses.

    faucet, transfer, associate_hotkey, set_take            accounts
    register_subnet (register_network), register_neuron (burned_register), root_register
    set_weights, commit_weights / reveal_weights, commit_timelocked_weights, set_root_weights
    add_stake, remove_stake (limit_price, allow_partial), move_stake
    set_hyperparameter (owner), sudo_set_hyperparameter
    step(blocks)                                            coinbase, epochs, moving prices
    metagraph, subnets_frame, stakes_of, history_frame      views (pandas)
    accounting, check_invariants                            the books
    to_json / from_json, save / load, copy                  persistence

`SIMPLIFICATIONS` lists where the model departs from the chain.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers

import numpy as np
import pandas as pd

from taosandbox import coinbase, registration
from taosandbox.amm import Pool, check_amount
from taosandbox.emission import block_reward
from taosandbox.errors import (
    AmountTooLow,
    ChainError,
    CommitRevealDisabled,
    CommitRevealEnabled,
    DelegateTakeTooHigh,
    DelegateTakeTooLow,
    DuplicateUids,
    ExpiredWeightCommit,
    HotKeyAccountNotExists,
    HotKeyAlreadyRegisteredInSubNet,
    HotKeyNotRegisteredInSubNet,
    InvalidInput,
    InvalidRevealCommitHashNotMatch,
    NeuronNoValidatorPermit,
    NonAssociatedColdKey,
    NoNeuronIdAvailable,
    NotEnoughBalance,
    NotEnoughBalanceToStake,
    NotEnoughStakeToWithdraw,
    NotSubnetOwner,
    NoWeightsCommitFound,
    RegistrationNotPermittedOnRootSubnet,
    RevealTooEarly,
    SettingWeightsTooFast,
    StakeTooLowForRoot,
    SubnetLimitReached,
    SubnetNotExists,
    SubtokenDisabled,
    TooManyRegistrationsThisBlock,
    TooManyRegistrationsThisInterval,
    TooManyUnrevealedCommits,
    UidVecContainsInvalidOne,
    WeightVecLengthIsLow,
    WeightVecNotEqualSize,
)
from taosandbox.quote import Quote
from taosandbox.units import RAO_PER_TAO
from taosandbox.yuma import YumaParams

# Where this model departs from opentensor/subtensor, in words a chapter can show to readers.
SIMPLIFICATIONS = (
    "Accounts are plain names: no signatures, no transaction fees, no existential deposit.",
    "A subnet emits from the block after its registration (the chain waits for the owner's start_call).",
    "Pre-dTAO ('root-vote'): a subnet's share is the stake-weighted sum of the top root validators' weights, "
    "recomputed every block (the chain ran a root Yuma epoch each tempo). Subnets keep an unused pool, and the "
    "lock is burned as in dTAO (then it was refundable).",
    "Validator dividends: the validator half (less the root stakers' part) is split in proportion to Yuma's "
    "dividends times each validator's alpha share, as the chain's later calculate_dividend_distribution; "
    "no child keys or childkey take.",
    "Rounding dust (floors in swaps, splits and takes) leaves circulation (it is burned), so the books balance "
    "to the rao; on chain it silently disappears.",
    "Dissolving a subnet pays its pool's TAO to alpha holders pro rata and recycles pending emission; the "
    "owner's lock refund is not modelled.",
    "Commit-reveal: v2 hashes with blake2b over JSON (not SCALE); v3 is modelled without encryption (sealed "
    "weights are held back and applied at the reveal epoch).",
    "Weights: no max_weight_limit, version key or minimum stake to set weights.",
    "No rate limits on take changes or subnet registrations; no proof-of-work registration.",
    "Fees: a flat 50,000 rao on every stake and unstake, root included; a move across subnets pays one fee, "
    "a move within a subnet none.",
    "Taoflow: the root stakers' alpha is staked at the epoch, on the validator's hotkey on the subnet, to its "
    "root nominators pro rata (no separate claim step).",
    "The subnet owner's UID is never pruned; a full subnet whose UIDs are all immune refuses registrations.",
)

FORMAT_VERSION = 1
ROOT = 0
ERAS = ("root-vote", "dtao", "taoflow")
U16_MAX = 65535
SHARE_SCALE = 10**12  # shares minted per rao in an empty stake pool: keeps share prices precise for long

# Chain-wide parameters (chain names where the chain has one).
CHAIN_DEFAULTS: dict = {
    "tao_weight": 0.18,  # root stake counts 0.18 as much as alpha stake in a subnet
    "subnet_owner_cut": 0.18,
    "default_take": 11796 / U16_MAX,  # 18 %, also the maximum take
    "staking_fee": 50_000,  # flat fee per stake/unstake in the dTAO era, added to the TAO reserve
    "min_stake": 500_000,  # DefaultMinStake: 0.0005 TAO
    "subnet_moving_alpha": 0.000003,
    "ema_price_halving_blocks": 201_600,
    "taoflow_half_life": 216_000,
    "network_min_lock": 1_000 * RAO_PER_TAO,
    "network_lock_reduction_interval": 14 * 7200,
    "network_immunity_period": 7 * 7200,
    "max_subnets": 128,
    "max_root_validators": 64,
}

# Subnet hyperparameters: chain names and defaults (spec/yuma.md), plus the registration terms.
SUBNET_DEFAULTS: dict = {
    "tempo": 360,
    "kappa": 32767 / U16_MAX,
    "bonds_penalty": 1.0,
    "bonds_moving_avg": 0.9,
    "yuma_version": 2,
    "liquid_alpha_enabled": False,
    "alpha_low": 45875 / U16_MAX,
    "alpha_high": 58982 / U16_MAX,
    "alpha_sigmoid_steepness": 1000.0,
    "activity_cutoff": 5000,
    "immunity_period": 5000,
    "max_allowed_uids": 256,
    "max_validators": 64,
    "min_allowed_weights": 1,
    "weights_rate_limit": 100,
    "commit_reveal_weights_enabled": True,
    "commit_reveal_period": 1,
    "min_burn": 500_000,
    "max_burn": 100 * RAO_PER_TAO,
    "adjustment_interval": 360,
    "adjustment_alpha": 0.97,
    "target_registrations_per_interval": 1,
    "max_registrations_per_block": 1,
}
INITIAL_BURN = RAO_PER_TAO
MAX_UNREVEALED_COMMITS = 10
_YUMA_FIELDS = (
    "kappa",
    "bonds_penalty",
    "bonds_moving_avg",
    "yuma_version",
    "liquid_alpha_enabled",
    "alpha_low",
    "alpha_high",
    "alpha_sigmoid_steepness",
    "max_validators",
)


# ----------------------------------------------------------------------------------------------------
# Input checks (raise InvalidInput, never mutate)


def _key(value, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"A {what} is a non-empty name (a string); got {value!r}.")
    return value


def _int(value, what: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidInput(f"The {what} must be a whole number; got {value!r}.")
    value = int(value)
    if value < minimum:
        raise InvalidInput(f"The {what} must be at least {minimum}; got {value}.")
    return value


def _fraction(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise InvalidInput(f"The {what} must be a finite number; got {value!r}.")
    return float(value)


def _weight_vector(targets, weights, what: str) -> tuple[list[int], list[float]]:
    """Check a (targets, weights) pair as set_weights and set_root_weights receive it."""
    try:
        targets, weights = list(targets), list(weights)
    except TypeError:
        raise InvalidInput(f"{what}s and weights are lists of numbers.") from None
    if len(targets) != len(weights):
        raise WeightVecNotEqualSize(f"{len(targets)} {what}s but {len(weights)} weights.")
    targets = [_int(t, what) for t in targets]
    weights = [_fraction(w, "weight") for w in weights]
    if any(w < 0 for w in weights):
        raise InvalidInput("Weights cannot be negative.")
    if len(set(targets)) != len(targets):
        raise DuplicateUids(f"A {what} appears twice in the weights.")
    return targets, weights


def yuma_params(hyperparams: dict) -> YumaParams:
    """The Yuma Consensus parameters among a subnet's hyperparameters (InvalidInput if inconsistent)."""
    try:
        return YumaParams(**{k: hyperparams[k] for k in _YUMA_FIELDS})
    except ValueError as e:
        raise InvalidInput(f"Invalid Yuma hyperparameters: {e}") from None


def weights_to_u16(weights) -> list[int]:
    """The chain stores weights as u16, scaled so the largest is 65535 (only ratios matter)."""
    top = max(weights, default=0.0)
    if top <= 0:
        return [0 for _ in weights]
    return [int(round(w / top * U16_MAX)) for w in weights]


def weights_commit_hash(hotkey: str, netuid: int, uids, weights, salt) -> str:
    """The hash a validator commits: it binds hotkey, netuid, UIDs, (u16) weights and a secret salt."""
    payload = json.dumps([hotkey, int(netuid), [int(u) for u in uids], weights_to_u16(list(weights)),
                          [int(s) for s in salt]])
    return hashlib.blake2b(payload.encode(), digest_size=32).hexdigest()


# ----------------------------------------------------------------------------------------------------
# Stake as a share pool


class StakePool:
    """Stake of one hotkey on one subnet: `alpha` rao owned pro rata by coldkeys through `shares`.

    Dividends added to the pool raise every nominator's stake at once; a coldkey's stake is its floored
    share of `alpha` (the few rao of rounding stay in the pool and are still counted in issuance).
    """

    __slots__ = ("alpha", "shares_total", "shares")

    def __init__(self, alpha: int = 0, shares_total: int = 0, shares: dict | None = None):
        self.alpha, self.shares_total, self.shares = alpha, shares_total, shares or {}

    def value(self, coldkey: str) -> int:
        s = self.shares.get(coldkey, 0)
        return self.alpha * s // self.shares_total if s else 0

    def deposit(self, coldkey: str, amount: int) -> None:
        if amount <= 0:
            return
        if self.shares_total == 0 or self.alpha == 0:
            # An empty pool (perhaps holding rounding dust) starts afresh: the depositor gets the dust too.
            self.shares, self.shares_total = {}, 0
            new = amount * SHARE_SCALE
        else:
            new = amount * self.shares_total // self.alpha
        self.shares[coldkey] = self.shares.get(coldkey, 0) + new
        self.shares_total += new
        self.alpha += amount

    def withdraw(self, coldkey: str, amount: int) -> None:
        """Remove `amount` (≤ value(coldkey)); shares are burned rounding up, against the withdrawer."""
        if amount <= 0:
            return
        burn = min(self.shares[coldkey], -(-amount * self.shares_total // self.alpha))
        self.shares[coldkey] -= burn
        if self.shares[coldkey] == 0:
            del self.shares[coldkey]
        self.shares_total -= burn
        self.alpha -= amount

    def distribute(self, amount: int, fallback_coldkey: str) -> None:
        """Add `amount` pro rata to every holder (a pool without holders credits `fallback_coldkey`)."""
        if amount <= 0:
            return
        if self.shares_total == 0:
            self.deposit(fallback_coldkey, amount)
        else:
            self.alpha += amount

    def to_list(self) -> list:
        return [self.alpha, self.shares_total, dict(sorted(self.shares.items()))]


# ----------------------------------------------------------------------------------------------------
# Subnets


class Subnet:
    """One subnet: owner, hyperparameters, pool, pending emission and its neurons (UIDs)."""

    def __init__(self, netuid: int, owner_coldkey: str, owner_hotkey: str, registered_at: int,
                 hyperparams: dict, pool: Pool):
        self.netuid = netuid
        self.owner_coldkey = owner_coldkey
        self.owner_hotkey = owner_hotkey
        self.registered_at = registered_at
        self.hyperparams = dict(hyperparams)
        self.pool = pool
        self.alpha_out = 0  # alpha outside the pool: stakes + pending (root: all root stake)
        self.moving_price = 0.0  # the chain's SubnetMovingPrice starts at 0
        self.taoflow_ema = 0.0
        self.flow = 0  # net TAO staked in during the current block (taoflow)
        self.burn = INITIAL_BURN
        self.registrations_this_block = 0
        self.registrations_this_interval = 0
        self.last_adjustment_block = registered_at
        self.last_epoch_block: int | None = None
        # Pending emission, paid at the next epoch. Units: alpha in the pool eras, TAO in "root-vote".
        self.pending_server = 0
        self.pending_validator = 0
        self.pending_owner = 0
        self.pending_root_tao = 0  # dTAO: TAO from the root stakers' alpha sold each block
        self.pending_root_alpha = 0  # taoflow: root stakers' alpha kept as alpha
        # Neurons, indexed by UID.
        self.hotkeys: list[str] = []
        self.uid_of: dict[str, int] = {}
        self.registered_block: list[int] = []
        self.last_update: list[int] = []
        self.has_set_weights: list[bool] = []
        self.emission: list[int] = []  # rao paid to the UID at the last epoch (the pruning score)
        self.weights = np.zeros((0, 0))  # u16 values as set (row = validator)
        self.bonds = np.zeros((0, 0))  # stored form from the last epoch
        self.validator_permit = np.zeros(0, bool)
        self.new_registration = np.zeros(0, bool)
        self.consensus = np.zeros(0)
        self.incentive = np.zeros(0)
        self.dividends = np.zeros(0)
        self.validator_trust = np.zeros(0)
        self.commits: dict[str, list[list]] = {}  # hotkey -> [[hash, block, epoch], ...]
        self.timelocked: list[list] = []  # [[hotkey, epoch, uids, u16 weights], ...] revealed by the chain
        self.root_weights: dict[str, dict[int, float]] = {}  # root only: hotkey -> {netuid: weight}

    @property
    def n(self) -> int:
        return len(self.hotkeys)

    def yuma_params(self) -> YumaParams:
        return yuma_params(self.hyperparams)

    @property
    def price(self) -> float:
        return 1.0 if self.netuid == ROOT else self.pool.price

    @property
    def alpha_issuance(self) -> int:
        return self.pool.alpha_reserve + self.alpha_out

    def epoch_index(self, block: int) -> int:
        return (block + self.netuid + 1) // (self.hyperparams["tempo"] + 1)

    def is_epoch_block(self, block: int) -> bool:
        # The chain's blocks_until_next_epoch == 0: subnets are staggered by netuid.
        return (block + self.netuid + 1) % (self.hyperparams["tempo"] + 1) == 0

    def next_epoch_block(self, after: int) -> int:
        """The first block after `after` at which this subnet runs its epoch."""
        return after + 1 + (-(after + 1 + self.netuid + 1)) % (self.hyperparams["tempo"] + 1)

    def append_neuron(self, hotkey: str, block: int) -> int:
        uid = self.n
        self.hotkeys.append(hotkey)
        self.uid_of[hotkey] = uid
        self.registered_block.append(block)
        self.last_update.append(block)
        self.has_set_weights.append(False)
        self.emission.append(0)
        self.weights = np.pad(self.weights, ((0, 1), (0, 1)))
        self.bonds = np.pad(self.bonds, ((0, 1), (0, 1)))
        for name in ("validator_permit", "new_registration"):
            setattr(self, name, np.append(getattr(self, name), False))
        for name in ("consensus", "incentive", "dividends", "validator_trust"):
            setattr(self, name, np.append(getattr(self, name), 0.0))
        self.new_registration[uid] = True
        return uid

    def replace_neuron(self, uid: int, hotkey: str, block: int) -> None:
        old = self.hotkeys[uid]
        del self.uid_of[old]
        self.commits.pop(old, None)
        self.hotkeys[uid] = hotkey
        self.uid_of[hotkey] = uid
        self.registered_block[uid] = block
        self.last_update[uid] = block
        self.has_set_weights[uid] = False
        self.emission[uid] = 0
        self.weights[uid, :] = 0.0
        self.bonds[uid, :] = 0.0
        self.validator_permit[uid] = False
        self.new_registration[uid] = True
        for arr in (self.consensus, self.incentive, self.dividends, self.validator_trust):
            arr[uid] = 0.0

    # --- persistence ---------------------------------------------------------------------------------------
    _SCALARS = ("netuid", "owner_coldkey", "owner_hotkey", "registered_at", "alpha_out", "moving_price",
                "taoflow_ema", "flow", "burn", "registrations_this_block", "registrations_this_interval",
                "last_adjustment_block", "last_epoch_block", "pending_server", "pending_validator",
                "pending_owner", "pending_root_tao", "pending_root_alpha", "hotkeys", "registered_block",
                "last_update", "has_set_weights", "emission")
    _VECTORS = ("validator_permit", "new_registration", "consensus", "incentive", "dividends",
                "validator_trust")

    def to_dict(self) -> dict:
        d = {name: getattr(self, name) for name in self._SCALARS}
        d["hyperparams"] = dict(sorted(self.hyperparams.items()))
        d["pool"] = self.pool.to_dict()
        for name in self._VECTORS:
            d[name] = getattr(self, name).tolist()
        d["weights"] = _sparse(self.weights)
        d["bonds"] = _sparse(self.bonds)
        d["commits"] = dict(sorted(self.commits.items()))
        d["timelocked"] = self.timelocked
        d["root_weights"] = {hk: {str(k): v for k, v in sorted(w.items())}
                             for hk, w in sorted(self.root_weights.items())}
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Subnet:
        s = cls(d["netuid"], d["owner_coldkey"], d["owner_hotkey"], d["registered_at"], d["hyperparams"],
                Pool.from_dict(d["pool"]))
        for name in cls._SCALARS:
            setattr(s, name, d[name])
        s.uid_of = {hk: uid for uid, hk in enumerate(s.hotkeys)}
        for name in cls._VECTORS:
            setattr(s, name, np.array(d[name], dtype=bool if name in ("validator_permit", "new_registration")
                                      else float))
        s.weights = _dense(d["weights"], s.n)
        s.bonds = _dense(d["bonds"], s.n)
        s.commits = {hk: [list(c) for c in cs] for hk, cs in d["commits"].items()}
        s.timelocked = [list(c) for c in d["timelocked"]]
        s.root_weights = {hk: {int(k): v for k, v in w.items()} for hk, w in d["root_weights"].items()}
        return s


def _sparse(m: np.ndarray) -> list:
    i, j = np.nonzero(m)
    return [[int(a), int(b), float(m[a, b])] for a, b in zip(i, j, strict=True)]


def _dense(entries: list, n: int) -> np.ndarray:
    m = np.zeros((n, n))
    for i, j, v in entries:
        m[i, j] = v
    return m


# ----------------------------------------------------------------------------------------------------
# History: cheap appends, frames built on demand


class History:
    """Per-block and per-epoch records as lists of tuples.

    Per-block rows are kept for every `stride`-th block; when a table passes `max_rows` it drops every
    other recorded block and doubles the stride, so memory stays bounded on long runs.
    """

    BLOCK_COLUMNS = ("block", "netuid", "price", "moving_price", "tao_reserve", "alpha_reserve", "alpha_out",
                     "tao_in", "alpha_in", "alpha_out_emission", "share", "taoflow_ema")
    NETWORK_COLUMNS = ("block", "issuance", "block_reward", "emitted", "root_tao", "total_balances",
                       "n_subnets")
    EPOCH_COLUMNS = ("block", "netuid", "uid", "hotkey", "alpha_stake", "tao_stake", "consensus", "incentive",
                     "dividends", "validator_trust", "validator_permit", "emission")

    def __init__(self, max_rows: int = 50_000):
        self.max_rows = max_rows
        self.stride = 1
        self.epoch_stride = 1
        self.blocks: list[tuple] = []
        self.network: list[tuple] = []
        self.epochs: list[tuple] = []
        self.n_epochs = 0

    def records_block(self, block: int) -> bool:
        return block % self.stride == 0

    def thin(self) -> None:
        while len(self.blocks) > self.max_rows or len(self.network) > self.max_rows:
            self.stride *= 2
            self.blocks = [r for r in self.blocks if r[0] % self.stride == 0]
            self.network = [r for r in self.network if r[0] % self.stride == 0]
        while len(self.epochs) > self.max_rows:
            self.epoch_stride *= 2
            # r[-1] is the subnet's own epoch index: every subnet keeps every epoch_stride-th of its epochs.
            self.epochs = [r for r in self.epochs if r[-1] % self.epoch_stride == 0]

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("max_rows", "stride", "epoch_stride", "blocks", "network",
                                               "epochs", "n_epochs")}

    @classmethod
    def from_dict(cls, d: dict) -> History:
        h = cls(d["max_rows"])
        h.stride, h.epoch_stride, h.n_epochs = d["stride"], d["epoch_stride"], d["n_epochs"]
        h.blocks = [tuple(r) for r in d["blocks"]]
        h.network = [tuple(r) for r in d["network"]]
        h.epochs = [tuple(r) for r in d["epochs"]]
        return h


def downsample(frame: pd.DataFrame, max_rows: int = 5000, by: str = "block") -> pd.DataFrame:
    """Keep evenly spaced values of `by` (all rows of each) so that at most `max_rows` rows remain."""
    if len(frame) <= max_rows or frame.empty:
        return frame.reset_index(drop=True)
    keys = frame[by].unique()
    per_key = max(1, math.ceil(len(frame) / len(keys)))
    keep_n = max(1, max_rows // per_key)
    idx = np.unique(np.linspace(0, len(keys) - 1, keep_n).round().astype(int))
    return frame[frame[by].isin(keys[idx])].reset_index(drop=True)


# ----------------------------------------------------------------------------------------------------
# The chain


class Chain:
    """A whole network from genesis: root subnet (netuid 0), accounts, subnets, neurons, stakes, issuance.

    >>> c = Chain(seed=1)
    >>> c.faucet("alice", 5_000 * 10**9)
    >>> netuid = c.register_subnet("alice", "alice/owner")
    >>> c.step(10)
    """

    def __init__(self, seed: int = 0, era: str = "dtao", subnet_defaults: dict | None = None, **params):
        if era not in ERAS:
            raise InvalidInput(f"Unknown era {era!r}; choose one of {', '.join(ERAS)}.")
        unknown = set(params) - set(CHAIN_DEFAULTS)
        if unknown:
            raise InvalidInput(f"Unknown chain parameter(s): {', '.join(sorted(unknown))}.")
        self.era = era
        self.seed = _int(seed, "seed")
        self.rng = np.random.default_rng(self.seed)
        self.params = {**CHAIN_DEFAULTS, **params}
        self.subnet_defaults = dict(SUBNET_DEFAULTS)
        for name, value in (subnet_defaults or {}).items():
            self.subnet_defaults[name] = self._check_hyperparameter(name, value)
        yuma_params(self.subnet_defaults)
        self.block = 0
        self.total_issuance = 0
        self.total_minted = 0  # faucet
        self.total_emitted = 0  # block rewards
        self.total_burned = 0  # burned or recycled TAO (leaves issuance)
        self.balances: dict[str, int] = {}
        self.hotkey_owner: dict[str, str] = {}
        self.take: dict[str, float] = {}
        self.stakes: dict[tuple[str, int], StakePool] = {}
        self.network_last_lock = self.params["network_min_lock"]
        self.network_last_lock_block: int | None = None
        self.history = History()
        root_params = {**SUBNET_DEFAULTS, "max_allowed_uids": self.params["max_root_validators"],
                       "commit_reveal_weights_enabled": False}
        root = Subnet(ROOT, "", "", 0, root_params, Pool(0, 0, min_reserve=0))
        self.subnets: dict[int, Subnet] = {ROOT: root}

    # ------------------------------------------------------------------------------------------------------
    # Reading state

    @property
    def netuids(self) -> list[int]:
        """All subnets, root included, in netuid order."""
        return sorted(self.subnets)

    def subnet(self, netuid: int) -> Subnet:
        return self._subnet(netuid, allow_root=True)

    def balance(self, coldkey: str) -> int:
        return self.balances.get(coldkey, 0)

    def price(self, netuid: int) -> float:
        return self._subnet(netuid, allow_root=True).price

    def stake(self, hotkey: str, netuid: int, coldkey: str | None = None) -> int:
        """Alpha (TAO on root) staked on `hotkey` on `netuid`: all of it, or the part `coldkey` owns."""
        pool = self.stakes.get((hotkey, netuid))
        if pool is None:
            return 0
        return pool.alpha if coldkey is None else pool.value(coldkey)

    def stakes_of(self, coldkey: str) -> pd.DataFrame:
        """Every (hotkey, netuid) position of a coldkey, with its alpha and its value in TAO at spot price."""
        rows = []
        for (hk, netuid), pool in sorted(self.stakes.items()):
            v = pool.value(coldkey)
            if v:
                rows.append((hk, netuid, v, v * self.subnets[netuid].price))
        return pd.DataFrame(rows, columns=["hotkey", "netuid", "alpha_rao", "tao_value_rao"])

    def hotkeys_of(self, coldkey: str) -> list[str]:
        return sorted(hk for hk, ck in self.hotkey_owner.items() if ck == coldkey)

    def uid(self, netuid: int, hotkey: str) -> int:
        s = self._subnet(netuid, allow_root=True)
        if hotkey not in s.uid_of:
            raise HotKeyNotRegisteredInSubNet(f"Hotkey {hotkey!r} has no UID on subnet {netuid}.")
        return s.uid_of[hotkey]

    def network_lock_cost(self) -> int:
        """What registering a subnet costs at this block."""
        interval = registration.lock_reduction_interval(self.params["network_lock_reduction_interval"],
                                                        block_reward(self.total_issuance))
        return registration.network_lock_cost(self.network_last_lock, self.network_last_lock_block,
                                              self.block, self.params["network_min_lock"], interval)

    def burn(self, netuid: int) -> int:
        """What registering a UID on `netuid` costs at this block."""
        return self._subnet(netuid).burn

    def stake_weight(self, netuid: int) -> np.ndarray:
        """Per UID: alpha stake + tao_weight × root stake (rao, float); pre-dTAO: the root (TAO) stake."""
        s = self._subnet(netuid)
        alpha = 0 if self.era == "root-vote" else 1
        tw = self.tao_weight
        return np.array([alpha * self.stake(hk, netuid) + tw * self.stake(hk, ROOT) for hk in s.hotkeys],
                        dtype=float)

    @property
    def tao_weight(self) -> float:
        """How much a TAO staked on root counts in a subnet's stake weight (before dTAO root stake was all)."""
        return 1.0 if self.era == "root-vote" else self.params["tao_weight"]

    # ------------------------------------------------------------------------------------------------------
    # Validation helpers

    def _subnet(self, netuid, allow_root: bool = False) -> Subnet:
        if isinstance(netuid, bool) or not isinstance(netuid, numbers.Integral):
            raise InvalidInput(f"A netuid is a whole number; got {netuid!r}.")
        s = self.subnets.get(int(netuid))
        if s is None:
            raise SubnetNotExists(f"There is no subnet with netuid {netuid}.")
        if s.netuid == ROOT and not allow_root:
            raise RegistrationNotPermittedOnRootSubnet(
                "That does not apply to the root subnet (netuid 0): it has no miners, pool or epochs."
            )
        return s

    def _coldkey(self, coldkey) -> str:
        _key(coldkey, "coldkey")
        if coldkey not in self.balances:
            raise InvalidInput(f"Unknown coldkey {coldkey!r}: give it some TAO with faucet() first.")
        return coldkey

    def _own_hotkey(self, coldkey, hotkey, *, may_be_new: bool = False) -> str:
        """The hotkey exists (or may be created) and belongs to `coldkey`."""
        _key(hotkey, "hotkey")
        owner = self.hotkey_owner.get(hotkey)
        if owner is None:
            if may_be_new:
                return hotkey
            raise HotKeyAccountNotExists(f"Hotkey {hotkey!r} does not exist yet: register it first.")
        if owner != coldkey:
            raise NonAssociatedColdKey(f"Hotkey {hotkey!r} belongs to coldkey {owner!r}, not {coldkey!r}.")
        return hotkey

    def _existing_hotkey(self, hotkey) -> str:
        _key(hotkey, "hotkey")
        if hotkey not in self.hotkey_owner:
            raise HotKeyAccountNotExists(f"Hotkey {hotkey!r} does not exist yet: register it first.")
        return hotkey

    def _require_balance(self, coldkey: str, amount: int, error=NotEnoughBalance, what: str = "this") -> None:
        if self.balances[coldkey] < amount:
            raise error(f"{coldkey!r} has {self.balances[coldkey] / 1e9:,.9g} τ free, but {what} needs "
                        f"{amount / 1e9:,.9g} τ.")

    def _check_hyperparameter(self, name: str, value):
        if name not in SUBNET_DEFAULTS:
            raise InvalidInput(f"Unknown hyperparameter {name!r}.")
        default = SUBNET_DEFAULTS[name]
        if isinstance(default, bool):
            if not isinstance(value, bool | np.bool_):
                raise InvalidInput(f"{name} is True or False; got {value!r}.")
            return bool(value)
        if isinstance(default, int):
            minimum = 1 if name in ("tempo", "max_allowed_uids", "adjustment_interval") else 0
            v = _int(value, name, minimum=minimum)
            if name == "yuma_version" and v not in (1, 2, 3):
                raise InvalidInput("yuma_version is 1, 2 or 3.")
            if name == "max_allowed_uids" and v > 4096:
                raise InvalidInput("max_allowed_uids is at most 4096 in the sandbox.")
            return v
        v = _fraction(value, name)
        if name in ("kappa", "bonds_penalty", "bonds_moving_avg", "alpha_low", "alpha_high",
                    "adjustment_alpha") and not 0.0 <= v <= 1.0:
            raise InvalidInput(f"{name} lies between 0 and 1; got {v}.")
        if v < 0:
            raise InvalidInput(f"{name} cannot be negative; got {v}.")
        return v

    # ------------------------------------------------------------------------------------------------------
    # Sandbox helpers (not extrinsics)

    def faucet(self, coldkey: str, amount_rao: int) -> None:
        """Mint TAO to a coldkey (creating it). Counts in issuance, as `total_minted`."""
        _key(coldkey, "coldkey")
        amount = check_amount(amount_rao)
        self.balances[coldkey] = self.balances.get(coldkey, 0) + amount
        self.total_issuance += amount
        self.total_minted += amount

    def set_hyperparameter(self, coldkey: str, netuid: int, name: str, value) -> None:
        """The subnet owner changes a hyperparameter (the chain's `sudo_set_*` calls, simplified)."""
        s = self._subnet(netuid)
        if coldkey != s.owner_coldkey:
            raise NotSubnetOwner(f"Only {s.owner_coldkey!r}, the owner of subnet {netuid}, may change it.")
        self.sudo_set_hyperparameter(netuid, name, value)

    def sudo_set_hyperparameter(self, netuid: int, name: str, value) -> None:
        """Change a hyperparameter as the chain's root (no owner check)."""
        s = self._subnet(netuid)
        value = self._check_hyperparameter(name, value)
        if name == "max_allowed_uids" and value < s.n:
            raise InvalidInput(f"Subnet {netuid} already has {s.n} UIDs; max_allowed_uids cannot go below.")
        yuma_params({**s.hyperparams, name: value})  # e.g. 0.025 <= alpha_low <= alpha_high
        s.hyperparams[name] = value

    # ------------------------------------------------------------------------------------------------------
    # Balances and keys

    def transfer(self, coldkey: str, dest: str, amount_rao: int) -> None:
        """Move free TAO between coldkeys (the destination is created if new)."""
        self._coldkey(coldkey)
        _key(dest, "destination coldkey")
        amount = check_amount(amount_rao)
        if amount == 0:
            raise AmountTooLow("Transfer a positive amount.")
        self._require_balance(coldkey, amount, what="this transfer")
        self.balances[coldkey] -= amount
        self.balances[dest] = self.balances.get(dest, 0) + amount

    def associate_hotkey(self, coldkey: str, hotkey: str) -> None:
        """Create a hotkey owned by `coldkey` (the chain's `try_associate_hotkey`)."""
        self._coldkey(coldkey)
        self._own_hotkey(coldkey, hotkey, may_be_new=True)
        self._create_hotkey(coldkey, hotkey)

    def _create_hotkey(self, coldkey: str, hotkey: str) -> None:
        if hotkey not in self.hotkey_owner:
            self.hotkey_owner[hotkey] = coldkey
            self.take[hotkey] = self.params["default_take"]

    def set_take(self, coldkey: str, hotkey: str, take: float) -> None:
        """Set a validator's take: the share of its nominators' dividends it keeps (0 to 18 %)."""
        self._coldkey(coldkey)
        self._own_hotkey(coldkey, hotkey)
        t = _fraction(take, "take")
        if t < 0:
            raise DelegateTakeTooLow(f"A take cannot be negative; got {t}.")
        if t > self.params["default_take"] + 1e-12:
            top = self.params["default_take"]
            raise DelegateTakeTooHigh(f"A take can be at most {top:.2%}; got {t:.2%}.")
        self.take[hotkey] = t

    # ------------------------------------------------------------------------------------------------------
    # Registration

    def register_subnet(self, coldkey: str, hotkey: str) -> int:
        """Lock TAO to create a subnet; the owner's hotkey becomes UID 0. Returns the netuid.

        dTAO: the new pool starts with τ = α_in = network_min_lock (price 1) and the rest of the lock is
        burned. When all `max_subnets` slots are taken, the non-immune subnet with the lowest moving price is
        dissolved and its netuid reused."""
        self._coldkey(coldkey)
        self._own_hotkey(coldkey, hotkey, may_be_new=True)
        cost = self.network_lock_cost()
        self._require_balance(coldkey, cost, what="a subnet's lock")
        prune = None
        user_subnets = [n for n in self.subnets if n != ROOT]
        if len(user_subnets) >= self.params["max_subnets"]:
            prune = registration.subnet_to_prune(
                {n: self.subnets[n].moving_price for n in user_subnets},
                {n: self.subnets[n].registered_at for n in user_subnets},
                self.block, self.params["network_immunity_period"])
            if prune is None:
                raise SubnetLimitReached(
                    f"All {self.params['max_subnets']} subnet slots are taken and every subnet is immune."
                )
        # --- mutate ---
        if prune is not None:
            self._dissolve_subnet(prune)
            netuid = prune
        else:
            netuid = next(n for n in range(1, len(self.subnets) + 1) if n not in self.subnets)
        self._create_hotkey(coldkey, hotkey)
        min_lock = self.params["network_min_lock"]
        self.balances[coldkey] -= cost
        burned = cost - min_lock
        self.total_issuance -= burned
        self.total_burned += burned
        pool = Pool(min_lock, min_lock)
        s = Subnet(netuid, coldkey, hotkey, self.block, self.subnet_defaults, pool)
        s.burn = max(INITIAL_BURN, s.hyperparams["min_burn"])
        self.subnets[netuid] = s
        s.append_neuron(hotkey, self.block)
        self.network_last_lock = cost
        self.network_last_lock_block = self.block
        return netuid

    def _dissolve_subnet(self, netuid: int) -> None:
        """Pay the pool's TAO to the subnet's alpha holders pro rata; pending emission is recycled.
        (Simplified: the chain also refunds part of the owner's lock.)"""
        s = self.subnets[netuid]
        holdings = []
        for (_, n), pool in sorted(self.stakes.items()):
            if n == netuid:
                holdings.extend((ck, pool.value(ck)) for ck in sorted(pool.shares))
        total_alpha = sum(a for _, a in holdings)
        tao = s.pool.tao_reserve
        paid = 0
        if total_alpha > 0:
            for ck, a in holdings:
                share = tao * a // total_alpha
                self.balances[ck] = self.balances.get(ck, 0) + share
                paid += share
        recycled = tao - paid + (s.pending_root_tao if self.era != "root-vote" else 0)
        if self.era == "root-vote":
            recycled += s.pending_server + s.pending_validator + s.pending_owner
        self.total_issuance -= recycled
        self.total_burned += recycled
        for key in [k for k in self.stakes if k[1] == netuid]:
            del self.stakes[key]
        for hk in self.subnets[ROOT].root_weights.values():
            hk.pop(netuid, None)
        del self.subnets[netuid]

    def register_neuron(self, coldkey: str, hotkey: str, netuid: int) -> int:
        """Burned registration: pay the subnet's burn price for a UID. Returns the UID.

        The TAO buys alpha from the pool and that alpha is destroyed (the price rises); pre-dTAO the TAO is
        recycled. A full subnet replaces its non-immune UID with the lowest emission."""
        self._coldkey(coldkey)
        s = self._subnet(netuid)
        self._own_hotkey(coldkey, hotkey, may_be_new=True)
        if hotkey in s.uid_of:
            raise HotKeyAlreadyRegisteredInSubNet(f"Hotkey {hotkey!r} already has UID {s.uid_of[hotkey]} on "
                                                  f"subnet {netuid}.")
        hp = s.hyperparams
        if s.registrations_this_block >= hp["max_registrations_per_block"]:
            raise TooManyRegistrationsThisBlock(
                f"Subnet {netuid} accepts {hp['max_registrations_per_block']} registration(s) per block; "
                "step a block and try again.")
        if s.registrations_this_interval >= 3 * hp["target_registrations_per_interval"]:
            raise TooManyRegistrationsThisInterval(
                f"Subnet {netuid} accepts at most {3 * hp['target_registrations_per_interval']} "
                "registrations per adjustment interval.")
        cost = s.burn
        self._require_balance(coldkey, cost, what=f"a UID on subnet {netuid} (the burn)")
        replace = None
        if s.n >= hp["max_allowed_uids"]:
            replace = registration.neuron_to_prune(s.emission, s.registered_block, self.block,
                                                   hp["immunity_period"], {s.uid_of.get(s.owner_hotkey, -1)})
            if replace is None:
                raise NoNeuronIdAvailable(f"Subnet {netuid} is full and every UID is still immune.")
        if self.era != "root-vote":
            s.pool.plan_tao_for_alpha(cost)  # raises InsufficientLiquidity before anything changes
        # --- mutate ---
        self._create_hotkey(coldkey, hotkey)
        self.balances[coldkey] -= cost
        if self.era == "root-vote":
            self.total_issuance -= cost
            self.total_burned += cost
        else:
            s.pool.swap_tao_for_alpha(cost)  # the alpha bought leaves existence
        s.registrations_this_block += 1
        s.registrations_this_interval += 1
        if replace is None:
            return s.append_neuron(hotkey, self.block)
        s.replace_neuron(replace, hotkey, self.block)
        return replace

    def root_register(self, coldkey: str, hotkey: str) -> int:
        """Join the root network (64 seats; when full, replace the member with the least root stake)."""
        self._coldkey(coldkey)
        self._own_hotkey(coldkey, hotkey)
        root = self.subnets[ROOT]
        if hotkey in root.uid_of:
            raise HotKeyAlreadyRegisteredInSubNet(f"Hotkey {hotkey!r} is already on the root network.")
        replace = None
        if root.n >= root.hyperparams["max_allowed_uids"]:
            replace = min(range(root.n), key=lambda u: (self.stake(root.hotkeys[u], ROOT), u))
            if self.stake(root.hotkeys[replace], ROOT) >= self.stake(hotkey, ROOT):
                raise StakeTooLowForRoot(f"The root network is full and {hotkey!r} has less root stake than "
                                         "its smallest member.")
        if replace is None:
            return root.append_neuron(hotkey, self.block)
        root.root_weights.pop(root.hotkeys[replace], None)
        root.replace_neuron(replace, hotkey, self.block)
        return replace

    # The chain's own extrinsic names.
    register_network = register_subnet
    burned_register = register_neuron

    # ------------------------------------------------------------------------------------------------------
    # Weights

    def _check_weights(self, s: Subnet, hotkey: str, uids, weights) -> tuple[list[int], list[float]]:
        uids, weights = _weight_vector(uids, weights, "UID")
        if any(u >= s.n for u in uids):
            raise UidVecContainsInvalidOne(f"Subnet {s.netuid} has UIDs 0 to {s.n - 1}.")
        uid = s.uid_of[hotkey]
        self_only = uids == [uid]
        if not self_only and not s.validator_permit[uid]:
            raise NeuronNoValidatorPermit(
                f"UID {uid} has no validator permit (permits go to the top {s.hyperparams['max_validators']} "
                "by stake at each epoch), so it may only set a weight on itself.")
        if not self_only and len(uids) < s.hyperparams["min_allowed_weights"]:
            raise WeightVecLengthIsLow(f"Subnet {s.netuid} needs weights on at least "
                                       f"{s.hyperparams['min_allowed_weights']} UIDs.")
        if s.has_set_weights[uid] and self.block - s.last_update[uid] < s.hyperparams["weights_rate_limit"]:
            wait = s.hyperparams["weights_rate_limit"] - (self.block - s.last_update[uid])
            raise SettingWeightsTooFast(f"UID {uid} set weights {self.block - s.last_update[uid]} blocks "
                                        f"ago; wait {wait} more blocks.")
        return uids, weights

    def _registered(self, coldkey, hotkey, netuid) -> Subnet:
        self._coldkey(coldkey)
        s = self._subnet(netuid)
        self._own_hotkey(coldkey, hotkey)
        if hotkey not in s.uid_of:
            raise HotKeyNotRegisteredInSubNet(f"Hotkey {hotkey!r} has no UID on subnet {netuid}.")
        return s

    def _apply_weights(self, s: Subnet, hotkey: str, uids: list[int], weights: list[float]) -> None:
        uid = s.uid_of[hotkey]
        s.weights[uid, :] = 0.0
        if uids:
            s.weights[uid, uids] = weights_to_u16(weights)
        s.last_update[uid] = self.block
        s.has_set_weights[uid] = True

    def set_weights(self, coldkey: str, hotkey: str, netuid: int, uids, weights) -> None:
        """A validator sets its weights on miners (u16 on chain: scaled so the largest is 65535).

        Checks, as the chain does: the hotkey has a UID, equal lengths, valid distinct UIDs, a validator
        permit unless only weighting itself, at least min_allowed_weights UIDs, the weights rate limit."""
        s = self._registered(coldkey, hotkey, netuid)
        if s.hyperparams["commit_reveal_weights_enabled"]:
            raise CommitRevealEnabled(f"Subnet {netuid} uses commit-reveal: call commit_weights now and "
                                      "reveal_weights in a later epoch.")
        uids, weights = self._check_weights(s, hotkey, uids, weights)
        self._apply_weights(s, hotkey, uids, weights)

    def commit_weights(self, coldkey: str, hotkey: str, netuid: int, commit_hash: str) -> None:
        """Commit the hash of weights (see `weights_commit_hash`); reveal them `commit_reveal_period` epochs
        later with `reveal_weights`."""
        s = self._registered(coldkey, hotkey, netuid)
        if not s.hyperparams["commit_reveal_weights_enabled"]:
            raise CommitRevealDisabled(f"Commit-reveal is off on subnet {netuid}: call set_weights.")
        _key(commit_hash, "commit hash")
        # Commits past their reveal epoch (expired, as in reveal_weights) no longer count toward the limit.
        now = s.epoch_index(self.block)
        live = [c for c in s.commits.get(hotkey, []) if c[2] + s.hyperparams["commit_reveal_period"] >= now]
        if len(live) >= MAX_UNREVEALED_COMMITS:
            raise TooManyUnrevealedCommits(f"{hotkey!r} has {MAX_UNREVEALED_COMMITS} unrevealed commits.")
        # --- mutate --- (the expired commits are dropped only now that this one is accepted)
        s.commits[hotkey] = [*live, [commit_hash, self.block, now]]

    def reveal_weights(self, coldkey: str, hotkey: str, netuid: int, uids, weights, salt) -> None:
        """Reveal committed weights in the reveal epoch; they then apply as `set_weights` would."""
        s = self._registered(coldkey, hotkey, netuid)
        if not s.hyperparams["commit_reveal_weights_enabled"]:
            raise CommitRevealDisabled(f"Commit-reveal is off on subnet {netuid}: call set_weights.")
        commits = s.commits.get(hotkey, [])
        if not commits:
            raise NoWeightsCommitFound(f"{hotkey!r} has no weights commit on subnet {netuid}.")
        try:
            checked = [_fraction(w, "weight") for w in weights]
            digest = weights_commit_hash(hotkey, netuid, uids, checked, salt)
        except (TypeError, ValueError):
            raise InvalidInput("UIDs, weights and salt must be lists of numbers.") from None
        match = next((i for i, c in enumerate(commits) if c[0] == digest), None)
        if match is None:
            raise InvalidRevealCommitHashNotMatch("These weights and salt do not match any commit.")
        reveal_epoch = commits[match][2] + s.hyperparams["commit_reveal_period"]
        now = s.epoch_index(self.block)
        if now < reveal_epoch:
            raise RevealTooEarly(f"Committed in epoch {commits[match][2]}: reveal in epoch {reveal_epoch} "
                                 f"(now {now}).")
        if now > reveal_epoch:
            raise ExpiredWeightCommit(f"This commit had to be revealed in epoch {reveal_epoch} (now {now}).")
        uids, weights = self._check_weights(s, hotkey, uids, weights)
        remaining = [c for i, c in enumerate(commits) if i != match
                     and c[2] + s.hyperparams["commit_reveal_period"] >= now]
        if remaining:
            s.commits[hotkey] = remaining
        else:
            del s.commits[hotkey]
        self._apply_weights(s, hotkey, uids, weights)

    def commit_timelocked_weights(self, coldkey: str, hotkey: str, netuid: int, uids, weights) -> None:
        """Commit-reveal v3: weights sealed until `commit_reveal_period` epochs later, when the chain itself
        reveals and applies them at the epoch (on chain: drand time-lock encryption; here simply held back).

        The shape is checked now; permit and rate limit when revealed, where a failing reveal is dropped
        silently, as on chain."""
        s = self._registered(coldkey, hotkey, netuid)
        if not s.hyperparams["commit_reveal_weights_enabled"]:
            raise CommitRevealDisabled(f"Commit-reveal is off on subnet {netuid}: call set_weights.")
        uids, weights = _weight_vector(uids, weights, "UID")
        if sum(1 for c in s.timelocked if c[0] == hotkey) >= MAX_UNREVEALED_COMMITS:
            raise TooManyUnrevealedCommits(f"{hotkey!r} has {MAX_UNREVEALED_COMMITS} unrevealed commits.")
        s.timelocked.append([hotkey, s.epoch_index(self.block), uids, weights_to_u16(weights)])

    def _reveal_timelocked(self, s: Subnet) -> None:
        """At an epoch: apply the timelocked commits whose reveal epoch has come (called by the coinbase)."""
        now = s.epoch_index(self.block)
        due = [c for c in s.timelocked if c[1] + s.hyperparams["commit_reveal_period"] <= now]
        if not due:
            return
        s.timelocked = [c for c in s.timelocked if c not in due]
        for hotkey, _, uids, weights in due:
            if hotkey not in s.uid_of:
                continue
            try:
                uids, weights = self._check_weights(s, hotkey, uids, weights)
            except ChainError:
                continue  # as on chain: a reveal that fails its checks is dropped
            self._apply_weights(s, hotkey, uids, weights)

    def set_root_weights(self, coldkey: str, hotkey: str, netuids, weights) -> None:
        """A root validator weights subnets (pre-dTAO: this decides each subnet's share of emission)."""
        self._coldkey(coldkey)
        self._own_hotkey(coldkey, hotkey)
        root = self.subnets[ROOT]
        if hotkey not in root.uid_of:
            raise HotKeyNotRegisteredInSubNet(f"Hotkey {hotkey!r} is not on the root network: register it.")
        netuids, weights = _weight_vector(netuids, weights, "netuid")
        for n in netuids:
            self._subnet(n)
        root.root_weights[hotkey] = dict(zip(netuids, weights_to_u16(weights), strict=True))
        root.last_update[root.uid_of[hotkey]] = self.block

    # ------------------------------------------------------------------------------------------------------
    # Staking

    def _stake_pool(self, hotkey: str, netuid: int) -> StakePool:
        pool = self.stakes.get((hotkey, netuid))
        if pool is None:
            pool = self.stakes[(hotkey, netuid)] = StakePool()
        return pool

    def _credit(self, hotkey: str, netuid: int, coldkey: str, amount: int) -> None:
        self._stake_pool(hotkey, netuid).deposit(coldkey, amount)

    def _debit(self, hotkey: str, netuid: int, coldkey: str, amount: int) -> None:
        pool = self.stakes[(hotkey, netuid)]
        pool.withdraw(coldkey, amount)
        if pool.alpha == 0 and pool.shares_total == 0:
            del self.stakes[(hotkey, netuid)]

    def _plan_stake(self, s: Subnet, amount: int, limit_price, allow_partial) -> tuple[int, int]:
        """(TAO charged, alpha received) for staking `amount` TAO; raises before anything changes."""
        if amount < self.params["min_stake"]:
            raise AmountTooLow(f"The minimum stake is {self.params['min_stake'] / 1e9} τ.")
        if s.netuid != ROOT and self.era == "root-vote":
            raise SubtokenDisabled()
        fee = self.params["staking_fee"]
        if s.netuid == ROOT:
            return amount, amount - fee  # root: 1:1, no slippage; the fee stays in root's TAO
        swapped, alpha = s.pool.plan_tao_for_alpha(amount - fee, limit_price, allow_partial)
        return swapped + fee, alpha

    def _plan_unstake(self, s: Subnet, alpha: int, limit_price, allow_partial) -> tuple[int, int]:
        """(alpha sold, TAO received after the fee) for unstaking `alpha`; raises before anything changes."""
        fee = self.params["staking_fee"]
        if s.netuid == ROOT:
            sold, tao = alpha, alpha
        else:
            sold, tao = s.pool.plan_alpha_for_tao(alpha, limit_price, allow_partial)
        if tao < self.params["min_stake"]:
            raise AmountTooLow(f"Unstaking is worth {tao / 1e9:.9g} τ, under the minimum of "
                               f"{self.params['min_stake'] / 1e9} τ.")
        return sold, tao - fee

    def _check_remainder(self, s: Subnet, have: int, sold: int) -> None:
        """Refuse to leave a dust position: what stays must be nothing or worth at least the minimum stake."""
        left = have - sold
        if 0 < left and left * s.price < self.params["min_stake"]:
            raise AmountTooLow(f"That would leave {left / 1e9:.9g} staked, worth less than the minimum of "
                               f"{self.params['min_stake'] / 1e9} τ: remove all of it instead.")

    def quote_add_stake(self, coldkey: str, hotkey: str, netuid: int, amount_rao: int,
                        limit_price: float | None = None, allow_partial: bool = False) -> Quote:
        """What `add_stake` with these arguments would do, changing nothing; raises what it would raise."""
        self._coldkey(coldkey)
        s = self._subnet(netuid, allow_root=True)
        self._existing_hotkey(hotkey)
        amount = check_amount(amount_rao)
        self._require_balance(coldkey, amount, NotEnoughBalanceToStake, "this stake")
        charged, alpha = self._plan_stake(s, amount, limit_price, allow_partial)
        fee = self.params["staking_fee"]
        after = 1.0 if s.netuid == ROOT else (s.pool.tao_reserve + charged) / (s.pool.alpha_reserve - alpha)
        return Quote("stake", amount, charged, alpha, fee, s.price, after)

    def quote_remove_stake(self, coldkey: str, hotkey: str, netuid: int, amount_rao: int,
                           limit_price: float | None = None, allow_partial: bool = False) -> Quote:
        """What `remove_stake` with these arguments would do, changing nothing; raises what it would raise."""
        self._coldkey(coldkey)
        s = self._subnet(netuid, allow_root=True)
        self._existing_hotkey(hotkey)
        amount = check_amount(amount_rao)
        have = self.stake(hotkey, s.netuid, coldkey)
        if amount > have or amount == 0:
            raise NotEnoughStakeToWithdraw(f"{coldkey!r} has {have / 1e9:,.9g} staked on {hotkey!r} on "
                                           f"subnet {netuid}; cannot remove {amount / 1e9:,.9g}.")
        sold, tao = self._plan_unstake(s, amount, limit_price, allow_partial)
        self._check_remainder(s, have, sold)
        fee = self.params["staking_fee"]
        after = 1.0 if s.netuid == ROOT else (s.pool.tao_reserve - tao) / (s.pool.alpha_reserve + sold)
        return Quote("unstake", amount, sold, tao, fee, s.price, after)

    def add_stake(self, coldkey: str, hotkey: str, netuid: int, amount_rao: int,
                  limit_price: float | None = None, allow_partial: bool = False) -> int:
        """Stake TAO from a coldkey's balance onto a hotkey on a subnet; returns the alpha received.

        The TAO (less the flat fee, which is added to the pool's TAO reserve) is swapped through the pool.
        `limit_price` caps the average price in τ/α: a larger order fails with SlippageTooHigh, or with
        `allow_partial` only the part that respects the limit executes."""
        quote = self.quote_add_stake(coldkey, hotkey, netuid, amount_rao, limit_price, allow_partial)
        s, charged, alpha = self.subnets[netuid], quote.executed_in, quote.amount_out
        # --- mutate ---
        self.balances[coldkey] -= charged
        self._buy(s, charged, quote.fee, alpha)
        self._credit(hotkey, s.netuid, coldkey, alpha)
        return alpha

    def remove_stake(self, coldkey: str, hotkey: str, netuid: int, amount_rao: int,
                     limit_price: float | None = None, allow_partial: bool = False) -> int:
        """Unstake alpha (TAO on root) to the coldkey's balance; returns the TAO received after the fee."""
        quote = self.quote_remove_stake(coldkey, hotkey, netuid, amount_rao, limit_price, allow_partial)
        s, sold, tao = self.subnets[netuid], quote.executed_in, quote.amount_out
        # --- mutate ---
        self._debit(hotkey, s.netuid, coldkey, sold)
        self._sell(s, sold, tao)
        self.balances[coldkey] += tao
        return tao

    def _buy(self, s: Subnet, tao: int, fee: int, alpha: int) -> None:
        """TAO into the pool (the fee stays in its TAO reserve; root takes it all 1:1), alpha out to a staker."""
        if s.netuid == ROOT:
            s.pool.tao_reserve += tao
        else:
            s.pool.swap_tao_for_alpha(tao - fee)
            s.pool.tao_reserve += fee
        s.alpha_out += alpha
        s.flow += tao

    def _sell(self, s: Subnet, alpha: int, tao_after_fee: int) -> None:
        """Alpha back into the pool, TAO out; the fee stays in the TAO reserve."""
        if s.netuid == ROOT:
            s.pool.tao_reserve -= tao_after_fee
        else:
            s.pool.swap_alpha_for_tao(alpha)
            s.pool.tao_reserve += self.params["staking_fee"]
        s.alpha_out -= alpha
        s.flow -= tao_after_fee

    def move_stake(self, coldkey: str, origin_hotkey: str, destination_hotkey: str, origin_netuid: int,
                   destination_netuid: int, amount_rao: int) -> int:
        """Move stake to another hotkey and/or subnet; returns the alpha received at the destination.

        Same subnet: alpha moves as is, no swap and no fee. Across subnets: sold for TAO, bought again, with
        one fee (as the chain's move_stake)."""
        self._coldkey(coldkey)
        src = self._subnet(origin_netuid, allow_root=True)
        dst = self._subnet(destination_netuid, allow_root=True)
        self._existing_hotkey(origin_hotkey)
        self._existing_hotkey(destination_hotkey)
        amount = check_amount(amount_rao)
        have = self.stake(origin_hotkey, src.netuid, coldkey)
        if amount > have or amount == 0:
            raise NotEnoughStakeToWithdraw(f"{coldkey!r} has {have / 1e9:,.9g} staked on {origin_hotkey!r} "
                                           f"on subnet {origin_netuid}; cannot move {amount / 1e9:,.9g}.")
        if src is dst:
            if origin_hotkey == destination_hotkey:
                raise InvalidInput("Origin and destination are the same.")
            self._check_remainder(src, have, amount)
            self._debit(origin_hotkey, src.netuid, coldkey, amount)
            self._credit(destination_hotkey, dst.netuid, coldkey, amount)
            return amount
        sold, tao = self._plan_unstake(src, amount, None, False)
        self._check_remainder(src, have, sold)
        # The TAO re-enters the destination with no second fee.
        if dst.netuid != ROOT and self.era == "root-vote":
            raise SubtokenDisabled()
        if dst.netuid == ROOT:
            alpha = tao
        else:
            _, alpha = dst.pool.plan_tao_for_alpha(tao)  # a different pool: the sale does not move it
        # --- mutate ---
        self._debit(origin_hotkey, src.netuid, coldkey, sold)
        self._sell(src, sold, tao)
        self._buy(dst, tao, 0, alpha)
        self._credit(destination_hotkey, dst.netuid, coldkey, alpha)
        return alpha

    # ------------------------------------------------------------------------------------------------------
    # Blocks

    def step(self, blocks: int = 1) -> None:
        """Produce `blocks` blocks: coinbase, epochs at each subnet's tempo, moving prices."""
        blocks = _int(blocks, "number of blocks")
        for _ in range(blocks):
            coinbase.run_block(self)

    # ------------------------------------------------------------------------------------------------------
    # Views

    def metagraph(self, netuid: int) -> pd.DataFrame:
        """One row per UID, with the columns of the Bittensor SDK's metagraph (amounts in TAO / alpha)."""
        s = self._subnet(netuid, allow_root=True)
        hp = s.hyperparams
        rows = []
        for uid, hk in enumerate(s.hotkeys):
            alpha = self.stake(hk, netuid) if netuid != ROOT else 0
            tao_stake = self.stake(hk, ROOT)
            rows.append({
                "uid": uid,
                "hotkey": hk,
                "coldkey": self.hotkey_owner.get(hk, ""),
                "active": self.block - s.last_update[uid] <= hp["activity_cutoff"],
                "validator_permit": bool(s.validator_permit[uid]),
                "alpha_stake": alpha / RAO_PER_TAO,
                "tao_stake": tao_stake / RAO_PER_TAO,
                "total_stake": (alpha + self.tao_weight * tao_stake) / RAO_PER_TAO,
                "consensus": float(s.consensus[uid]),
                "incentive": float(s.incentive[uid]),
                "dividends": float(s.dividends[uid]),
                "validator_trust": float(s.validator_trust[uid]),
                "emission": s.emission[uid] / RAO_PER_TAO,
                "last_update": s.last_update[uid],
                "registered_at": s.registered_block[uid],
                "is_immune": self.block - s.registered_block[uid] < hp["immunity_period"],
                "take": self.take.get(hk, 0.0),
            })
        columns = ["uid", "hotkey", "coldkey", "active", "validator_permit", "alpha_stake", "tao_stake",
                   "total_stake", "consensus", "incentive", "dividends", "validator_trust", "emission",
                   "last_update", "registered_at", "is_immune", "take"]
        return pd.DataFrame(rows, columns=columns)

    def subnets_frame(self) -> pd.DataFrame:
        """One row per subnet: owner, price, moving price, reserves, alpha out, UIDs, pending emission."""
        rows = []
        for netuid in self.netuids:
            s = self.subnets[netuid]
            rows.append({
                "netuid": netuid, "owner": s.owner_coldkey, "registered_at": s.registered_at, "n": s.n,
                # Reserves, not per-block injections (history_frame's tao_in / alpha_in are those).
                "price": s.price, "moving_price": s.moving_price, "tao_reserve": s.pool.tao_reserve,
                "alpha_reserve": s.pool.alpha_reserve, "alpha_out": s.alpha_out, "burn": s.burn,
                "pending": s.pending_server + s.pending_validator + s.pending_owner + s.pending_root_alpha,
                "pending_root_tao": s.pending_root_tao, "taoflow_ema": s.taoflow_ema,
                "tempo": s.hyperparams["tempo"],
            })
        return pd.DataFrame(rows)

    def history_frame(self, kind: str = "subnets", max_rows: int | None = 5000,
                      netuid: int | None = None) -> pd.DataFrame:
        """Tidy history. kind: "subnets" (per block and subnet: prices, reserves, emission, share),
        "network" (per block: issuance, reward, root TAO), "epochs" (per epoch and UID). Down-sampled to
        at most `max_rows` rows (None: everything recorded)."""
        h = self.history
        if kind == "subnets":
            frame = pd.DataFrame(h.blocks, columns=History.BLOCK_COLUMNS)
        elif kind == "network":
            frame = pd.DataFrame(h.network, columns=History.NETWORK_COLUMNS)
        elif kind == "epochs":
            frame = pd.DataFrame([r[:-1] for r in h.epochs], columns=History.EPOCH_COLUMNS)
        else:
            raise InvalidInput(f"Unknown history kind {kind!r}: use 'subnets', 'network' or 'epochs'.")
        if netuid is not None and "netuid" in frame:
            frame = frame[frame["netuid"] == netuid]
        return frame.reset_index(drop=True) if max_rows is None else downsample(frame, max_rows)

    # ------------------------------------------------------------------------------------------------------
    # Accounting

    def accounting(self) -> dict:
        """Both sides of the books.

        TAO: issuance = free balances + TAO in pools (root included) + TAO pending for root stakers
        (+ pending TAO emission in the root-vote era). Also: issuance = minted + emitted − burned.
        Alpha, per subnet: issuance (α_in + α_out) = pool reserve + stakes + pending."""
        root_vote = self.era == "root-vote"
        balances = sum(self.balances.values())
        pools = sum(s.pool.tao_reserve for s in self.subnets.values())
        pending_root = sum(s.pending_root_tao for s in self.subnets.values())
        pending_tao = sum(s.pending_server + s.pending_validator + s.pending_owner
                          for s in self.subnets.values()) if root_vote else 0
        held = balances + pools + pending_root + pending_tao
        tao = {
            "issuance": self.total_issuance, "free_balances": balances, "pool_tao": pools,
            "pending_root_tao": pending_root, "pending_tao": pending_tao, "held": held,
            "minted": self.total_minted, "emitted": self.total_emitted, "burned": self.total_burned,
            "ok": self.total_issuance == held == self.total_minted + self.total_emitted - self.total_burned,
        }
        staked: dict[int, int] = {}
        for (_, netuid), pool in self.stakes.items():
            staked[netuid] = staked.get(netuid, 0) + pool.alpha
        alpha = {}
        for netuid, s in sorted(self.subnets.items()):
            pending = s.pending_root_alpha + (0 if root_vote else s.pending_server + s.pending_validator
                                              + s.pending_owner)
            outstanding = staked.get(netuid, 0) + pending
            ok = s.alpha_out == outstanding and s.pool.alpha_reserve >= 0 and s.pool.tao_reserve >= 0
            if netuid == ROOT:
                ok = ok and s.pool.tao_reserve >= s.alpha_out  # root: 1:1, plus the fees it kept
            alpha[netuid] = {"issuance": s.alpha_issuance, "pool_alpha": s.pool.alpha_reserve,
                             "alpha_out": s.alpha_out, "stakes": staked.get(netuid, 0), "pending": pending,
                             "ok": ok}
        return {"tao": tao, "alpha": alpha, "ok": tao["ok"] and all(a["ok"] for a in alpha.values())}

    def check_invariants(self) -> None:
        """Raise AssertionError naming the first identity that does not hold."""
        books = self.accounting()
        assert books["tao"]["ok"], f"TAO does not add up: {books['tao']}"
        for netuid, a in books["alpha"].items():
            assert a["ok"], f"Alpha of subnet {netuid} does not add up: {a}"
        for (hk, netuid), pool in self.stakes.items():
            assert pool.alpha >= 0 and pool.shares_total == sum(pool.shares.values()), (hk, netuid)
        for ck, b in self.balances.items():
            assert b >= 0, ck

    # ------------------------------------------------------------------------------------------------------
    # Save and load

    def copy(self) -> Chain:
        """An independent copy (through the saved form), e.g. to compare two futures."""
        return Chain.from_json(self.to_json())

    def restore(self, saved: str) -> None:
        """Return this chain, in place, to a state saved with `to_json` (views holding it stay valid)."""
        restored = Chain.from_json(saved)
        self.__dict__.clear()
        self.__dict__.update(restored.__dict__)

    def __repr__(self) -> str:
        return (f"Chain(era={self.era!r}, block={self.block}, subnets={len(self.subnets) - 1}, "
                f"issuance={self.total_issuance / RAO_PER_TAO:,.3f} τ)")

    def to_dict(self) -> dict:
        return {
            "format": "taosandbox.chain",
            "version": FORMAT_VERSION,
            "era": self.era,
            "seed": self.seed,
            "rng": self.rng.bit_generator.state,
            "params": dict(sorted(self.params.items())),
            "subnet_defaults": dict(sorted(self.subnet_defaults.items())),
            "block": self.block,
            "total_issuance": self.total_issuance,
            "total_minted": self.total_minted,
            "total_emitted": self.total_emitted,
            "total_burned": self.total_burned,
            "network_last_lock": self.network_last_lock,
            "network_last_lock_block": self.network_last_lock_block,
            "balances": dict(sorted(self.balances.items())),
            "hotkey_owner": dict(sorted(self.hotkey_owner.items())),
            "take": dict(sorted(self.take.items())),
            "stakes": [[hk, netuid, *pool.to_list()] for (hk, netuid), pool in sorted(self.stakes.items())],
            "subnets": [self.subnets[n].to_dict() for n in self.netuids],
            "history": self.history.to_dict(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    def save(self, path) -> None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.to_json())

    @classmethod
    def from_dict(cls, d: dict) -> Chain:
        if not isinstance(d, dict) or d.get("format") != "taosandbox.chain" or d.get("version") != FORMAT_VERSION:
            raise InvalidInput(f"Not a taosandbox chain of format version {FORMAT_VERSION}.")
        try:
            return cls._from_dict(d)
        except (KeyError, TypeError, ValueError, IndexError) as e:
            raise InvalidInput(f"This saved chain is damaged ({type(e).__name__}: {e}).") from None

    @classmethod
    def _from_dict(cls, d: dict) -> Chain:
        c = cls(seed=d["seed"], era=d["era"], **d["params"])
        c.rng.bit_generator.state = d["rng"]
        c.subnet_defaults = dict(d["subnet_defaults"])
        for name in ("block", "total_issuance", "total_minted", "total_emitted", "total_burned",
                     "network_last_lock", "network_last_lock_block"):
            setattr(c, name, d[name])
        c.balances = dict(d["balances"])
        c.hotkey_owner = dict(d["hotkey_owner"])
        c.take = dict(d["take"])
        c.stakes = {(hk, netuid): StakePool(alpha, total, dict(shares))
                    for hk, netuid, alpha, total, shares in d["stakes"]}
        c.subnets = {s["netuid"]: Subnet.from_dict(s) for s in d["subnets"]}
        c.history = History.from_dict(d["history"])
        return c

    @classmethod
    def from_json(cls, text: str) -> Chain:
        try:
            d = json.loads(text)
        except (TypeError, ValueError):
            raise InvalidInput("This is not a saved chain (not JSON).") from None
        return cls.from_dict(d)

    @classmethod
    def load(cls, path) -> Chain:
        with open(path, encoding="utf-8") as f:
            return cls.from_json(f.read())


__all__ = [
    "CHAIN_DEFAULTS",
    "SIMPLIFICATIONS",
    "Chain",
    "ERAS",
    "History",
    "ROOT",
    "SUBNET_DEFAULTS",
    "StakePool",
    "Subnet",
    "downsample",
    "weights_commit_hash",
    "weights_to_u16",
]
