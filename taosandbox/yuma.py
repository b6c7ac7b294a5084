"""Yuma Consensus: one epoch of a subnet, as the chain computes it.

A float64 numpy restatement of subtensor's ``run_epoch.rs`` (see ``spec/yuma.md``). Every UID is both a row
(validator) and a column (miner). The work is done only on the rows that can matter (validators with a permit,
plus rows still holding old bonds), so a 256-UID subnet with 64 validators costs a 64 x 256 problem.

Typical use::

    params = YumaParams(yuma_version=3, liquid_alpha_enabled=True)
    r = epoch(weights, stake, params=params)
    r2 = epoch(weights, stake, r.bonds, params=params, permits=r.next_permits)

``r.steps`` holds the intermediate arrays in pipeline order; ``STEP_DESCRIPTIONS`` says what each one is.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

__all__ = [
    "STEP_DESCRIPTIONS",
    "EpochResult",
    "Step",
    "YumaParams",
    "col_clip",
    "ema_alpha",
    "epoch",
    "top_k_permits",
    "weighted_median",
    "weighted_median_col",
]

U16_MAX = 65535.0


# ------------------------------------------------------------------------------------------------------------
# Parameters


@dataclass(frozen=True)
class YumaParams:
    """Subnet hyperparameters in human units (chain defaults).

    ``yuma_version`` selects the engine:

    * 3: Yuma 3, per-pair bonds that move towards each validator's own weight (optional Liquid Alpha 2).
    * 2: Yuma 2, column-normalised bonds; ``liquid_alpha_enabled`` is ignored, as on the chain.
    * 1: the historical Yuma 1 / whitepaper model. Consensus ``C_j = sigmoid(rho * (T_j - kappa))`` with
      ``T_j`` the active stake that put any weight on j; no clipping; incentive ``norm(R * C)``. The spec
      defines only its consensus: for its bonds we chose Yuma 2 bonds on the unclipped weights (the pre-2023
      chain's bonds were the same stake-times-weight EMA).

    ``max_validators`` sets the next epoch's permits; ``rho`` is used by Yuma 1 only.
    """

    kappa: float = 32767 / 65535
    bonds_penalty: float = 1.0
    bonds_moving_avg: float = 0.9
    yuma_version: int = 2
    liquid_alpha_enabled: bool = False
    alpha_low: float = 45875 / 65535
    alpha_high: float = 58982 / 65535
    alpha_sigmoid_steepness: float = 1000.0
    max_validators: int = 64
    rho: float = 10.0  # Yuma 1 only: steepness of the sigmoid consensus

    def __post_init__(self) -> None:
        for name in ("kappa", "bonds_penalty", "bonds_moving_avg", "alpha_low", "alpha_high"):
            value = _real(name, getattr(self, name))
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value!r}")
        if not 0.025 <= self.alpha_low <= self.alpha_high:
            raise ValueError(
                f"alpha_low must satisfy 0.025 <= alpha_low <= alpha_high, got alpha_low={self.alpha_low!r}, "
                f"alpha_high={self.alpha_high!r}"
            )
        for name in ("alpha_sigmoid_steepness", "rho"):
            if _real(name, getattr(self, name)) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        if _integer("yuma_version", self.yuma_version) not in (1, 2, 3):
            raise ValueError(f"yuma_version must be 1, 2 or 3, got {self.yuma_version!r}")
        if _integer("max_validators", self.max_validators) < 0:
            raise ValueError(f"max_validators must be >= 0, got {self.max_validators!r}")
        if not isinstance(self.liquid_alpha_enabled, bool | np.bool_):
            raise ValueError(f"liquid_alpha_enabled must be a bool, got {self.liquid_alpha_enabled!r}")


def _real(name: str, value: object) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return float(value)


def _integer(name: str, value: object) -> int:
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    return int(value)


# ------------------------------------------------------------------------------------------------------------
# Primitives (public: the vector tests drive them directly)


def weighted_median(stake, score, majority: float) -> float:
    """Stake-weighted kappa-median of one list: the smallest score x whose stake at or below x exceeds
    ``sum(stake) - majority`` (the largest score that holders of ``majority`` of the stake rate at or above).
    Stakes are used as given; an empty list gives 0."""
    s = np.asarray(stake, dtype=float).ravel()
    x = np.asarray(score, dtype=float).ravel()
    if s.shape != x.shape:
        raise ValueError(f"stake and score must have the same length, got {s.size} and {x.size}")
    if s.size == 0:
        return 0.0
    order = np.argsort(x, kind="stable")
    cum = np.cumsum(s[order])
    idx = min(int(np.count_nonzero(cum <= cum[-1] - majority)), s.size - 1)
    return float(x[order[idx]])


def weighted_median_col(stake, weights, kappa: float) -> np.ndarray:
    """Per-column stake-weighted kappa-median (the consensus rule). Only rows with stake > 0 take part, their
    stake renormalised to 1; a missing weight counts as 0. No positive stake gives zeros."""
    s = np.asarray(stake, dtype=float).ravel()
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2 or w.shape[0] != s.size:
        raise ValueError(f"weights must be a matrix with one row per stake entry, got shape {w.shape}")
    use = s > 0
    if not use.any():
        return np.zeros(w.shape[1])
    s = s[use]
    return _median_cols(s / s.sum(), w[use], kappa)


def _median_cols(s: np.ndarray, w: np.ndarray, kappa: float) -> np.ndarray:
    """Kappa-median of every column of ``w`` (k voters x n) for normalised positive stakes ``s``."""
    k, n = w.shape
    # Sort each column's votes: rows of the transposed copy are contiguous, which numpy sorts several times
    # faster than along axis 0.
    wt = np.ascontiguousarray(w.T)
    order = np.argsort(wt, axis=1)
    cum = np.cumsum(s[order], axis=1)
    # First sorted position whose cumulative stake (that vote included) exceeds total - kappa; the chain's
    # partition search returns exactly this value. Ties need no care: tied positions hold the same value.
    pos = np.count_nonzero(cum <= (cum[:, -1] - kappa)[:, None], axis=1)
    np.minimum(pos, k - 1, out=pos)
    cols = np.arange(n)
    return wt[cols, order[cols, pos]]


def col_clip(weights, consensus) -> np.ndarray:
    """Clip every weight at its column's consensus: ``min(W_ij, C_j)``."""
    return np.minimum(np.asarray(weights, dtype=float), np.asarray(consensus, dtype=float))


def ema_alpha(old, new, alpha) -> np.ndarray:
    """Per-pair bond moving average (YC3): ``min(1, (1 - alpha) * old + max(0, alpha * new))``; ``alpha`` is
    the weight of the new observation, a number or an array like ``old``."""
    old = np.asarray(old, dtype=float)
    new = np.asarray(new, dtype=float)
    alpha = np.asarray(alpha, dtype=float)
    return np.minimum(1.0, (1.0 - alpha) * old + np.maximum(0.0, alpha * new))


def top_k_permits(stake, k: int) -> np.ndarray:
    """Validator permits: the ``k`` UIDs with the most stake among those with stake > 0; ties at the cut-off
    go to the higher UID (the chain drops the n - k smallest after a stable ascending sort)."""
    s = np.asarray(stake, dtype=float)
    if s.ndim != 1:
        raise ValueError(f"stake must be a vector, got shape {s.shape}")
    if _integer("k", k) < 0:
        raise ValueError(f"k must be >= 0, got {k!r}")
    permits = s > 0
    if np.count_nonzero(permits) > k:
        permits[np.argsort(s, kind="stable")[: s.size - k]] = False
    return permits


# ------------------------------------------------------------------------------------------------------------
# The epoch

STEP_DESCRIPTIONS: dict[str, str] = {
    "stake": "Stake S of every UID, normalised to sum to 1.",
    "active_stake": "Active stake a: stake of the active validators holding a permit, renormalised to sum "
    "to 1.",
    "weights": "Weights W: rows without a permit emptied, self-weights (except the owner's) and outdated "
    "entries dropped, then every row normalised to sum to 1.",
    "consensus": "Consensus C per miner: the largest weight that validators holding at least kappa of the "
    "active stake set at or above it (Yuma 1: a sigmoid of the active stake that voted for the miner).",
    "clipped_weights": "Clipped weights: every weight cut down to its miner's consensus (no clipping in "
    "Yuma 1).",
    "validator_trust": "Validator trust: the share of each validator's weight that survived clipping.",
    "rank": "Rank R per miner: the active-stake-weighted sum of the clipped weights it received.",
    "incentive": "Incentive I: rank normalised to sum to 1, the miners' share (Yuma 1: rank times "
    "consensus).",
    "weights_for_bonds": "Weights for bonds: (1 - bonds_penalty) * W + bonds_penalty * clipped weights.",
    "bonds_loaded": "Previous bonds as loaded: columns of newly registered UIDs zeroed; Yuma 2 then "
    "normalises every column to sum to 1, Yuma 3 uses them as proportions in [0, 1].",
    "alpha": "Alpha per validator-miner pair: the weight the new observation gets in the bond moving "
    "average.",
    "bonds_delta": "Instant bonds: Yuma 2 column-normalises active stake times weights for bonds; in Yuma 3 "
    "each bond moves towards the validator's own weight for bonds.",
    "ema_bonds": "Bonds after the moving average, before storage (Yuma 2: column-normalised).",
    "dividends": "Dividends D: the validators' share, from their bonds on the miners that earned incentive "
    "(Yuma 3 also weighs them by active stake).",
    "miner_emission": "Miner emission: the fraction of the epoch's emission each miner receives.",
    "validator_emission": "Validator emission: the fraction each validator receives (by active stake when no "
    "miner earned anything).",
    "next_permits": "Permits for the next epoch: the max_validators largest stakes (and the subnet owner).",
    "bonds_stored": "Bonds stored for the next epoch on the u16 grid (Yuma 2: each column scaled to max 1 "
    "first); rows that lose their permit are cleared.",
}


class Step(NamedTuple):
    name: str
    description: str
    value: np.ndarray


@dataclass(frozen=True, eq=False)
class EpochResult:
    """Everything one epoch produced; vectors have length n, matrices are n x n."""

    consensus: np.ndarray
    incentive: np.ndarray
    dividends: np.ndarray
    validator_trust: np.ndarray
    rank: np.ndarray
    bonds: np.ndarray  # stored form: pass it as ``bonds`` to the next epoch
    miner_emission: np.ndarray
    validator_emission: np.ndarray
    active_stake: np.ndarray
    next_permits: np.ndarray
    steps: Mapping[str, np.ndarray]
    params: YumaParams

    @property
    def emission(self) -> np.ndarray:
        """Fraction of the epoch's emission per UID (miner and validator parts added)."""
        return self.miner_emission + self.validator_emission

    def trace(self) -> Iterator[Step]:
        """The intermediate steps in pipeline order, each with its description."""
        for name, value in self.steps.items():
            yield Step(name, STEP_DESCRIPTIONS[name], value)


class _Steps(Mapping):
    """Ordered name -> array mapping. Matrices computed on a subset of rows are expanded to n x n only when
    read, so recording every step costs (almost) nothing."""

    def __init__(self, n: int, rows: np.ndarray, all_rows: bool) -> None:
        self._n, self._rows, self._all_rows = n, rows, all_rows
        self._raw: dict[str, tuple[np.ndarray, float | None]] = {}
        self._cache: dict[str, np.ndarray] = {}

    def add(self, name: str, value: np.ndarray, fill: float | None = None) -> None:
        """``fill`` marks a row-subset matrix: the value of the rows that were not computed."""
        self._raw[name] = (value, fill)

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._cache:
            value, fill = self._raw[name]
            if fill is not None and not self._all_rows:
                full = np.full((self._n, self._n), fill)
                full[self._rows] = value
                value = full
            self._cache[name] = value
        return self._cache[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def epoch(
    weights,
    stake,
    bonds=None,
    *,
    params: YumaParams | None = None,
    active=None,
    permits=None,
    outdated=None,
    new_registrations=None,
    owner_uid: int | None = None,
) -> EpochResult:
    """Run one epoch.

    weights: n x n, rows are validators, any non-negative scale (only each row's ratios matter).
    stake: (n,) non-negative stake weights. bonds: the previous ``EpochResult.bonds`` (None: zeros).
    active, permits: bool (n,), default all True. new_registrations: bool (n,), default all False; those
    UIDs' bond columns are zeroed on load. outdated: bool n x n, weight (i, j) set before j's registration.
    owner_uid: the subnet owner, whose self-weight counts and who always gets a next permit.
    """
    p = YumaParams() if params is None else params
    if not isinstance(p, YumaParams):
        raise ValueError(f"params must be a YumaParams, got {type(p).__name__}")
    w_in = _nonneg_array("weights", weights, None)
    n = w_in.shape[0]
    s_in = _nonneg_array("stake", stake, (n,))
    b_in = None if bonds is None else _nonneg_array("bonds", bonds, (n, n))
    active = _bool_array("active", active, (n,))
    permits = _bool_array("permits", permits, (n,))
    outdated = _bool_array("outdated", outdated, (n, n))
    new_reg = _bool_array("new_registrations", new_registrations, (n,))
    if owner_uid is not None and not 0 <= _integer("owner_uid", owner_uid) < n:
        raise ValueError(f"owner_uid must be a UID in [0, {n}), got {owner_uid!r}")

    # 1-3. Stake, next permits, active stake.
    stake_n = _norm(s_in.astype(float))
    next_permits = top_k_permits(stake_n, p.max_validators)
    if owner_uid is not None:
        next_permits[owner_uid] = True
    active_stake = stake_n.copy()
    if active is not None:
        active_stake[~active] = 0.0
    if permits is not None:
        active_stake[~permits] = 0.0
    active_stake = _norm(active_stake)

    # Rows that can matter: validators with a permit (others' weights are emptied) and rows holding old bonds.
    keep = np.ones(n, bool) if permits is None else permits.copy()
    if b_in is not None:
        keep |= b_in.any(axis=1)
    rows = np.flatnonzero(keep)
    all_rows = rows.size == n
    m = rows.size
    a = active_stake[rows]
    steps = _Steps(n, rows, all_rows)
    steps.add("stake", stake_n)
    steps.add("active_stake", active_stake)

    # 4. Weights: mask, then row-normalise.
    w = w_in[rows].astype(float)
    if permits is not None:
        w[~permits[rows]] = 0.0
    not_owner = rows != owner_uid
    w[np.flatnonzero(not_owner), rows[not_owner]] = 0.0
    if outdated is not None:
        w[outdated[rows]] = 0.0
    w = _rownorm(w)
    steps.add("weights", w, 0.0)

    # 5-8. Consensus, clipping, validator trust, rank, incentive.
    if p.yuma_version == 1:
        support = a @ (w > 0)
        consensus = 1.0 / (1.0 + np.exp(-p.rho * (support - p.kappa)))
        clipped = w
    else:
        voters = a > 0
        consensus = np.zeros(n)
        if voters.any():
            consensus = _median_cols(a[voters] / a[voters].sum(), w[voters], p.kappa)
        clipped = np.minimum(w, consensus)
    trust = clipped.sum(axis=1)
    rank = a @ clipped
    incentive = _norm(rank * consensus if p.yuma_version == 1 else rank)
    steps.add("consensus", consensus)
    steps.add("clipped_weights", clipped, 0.0)
    steps.add("validator_trust", _expand(trust, rows, n))
    steps.add("rank", rank)
    steps.add("incentive", incentive)

    # 9. Weights for bonds (the shortcuts are exact: 0 * x == 0).
    beta = p.bonds_penalty
    w_bonds = clipped if beta == 1.0 else w if beta == 0.0 else (1.0 - beta) * w + beta * clipped
    steps.add("weights_for_bonds", w_bonds, 0.0)

    # 10. Bonds and dividends.
    b_old = np.zeros((m, n)) if b_in is None else b_in[rows].astype(float)
    if new_reg is not None:
        b_old[:, new_reg] = 0.0
    if p.yuma_version == 3:
        if p.liquid_alpha_enabled and consensus.any():
            alpha = _liquid_alpha(w_bonds, b_old, consensus, p)
            alpha_fill = _liquid_alpha_at_zero(p)  # for the rows not computed: no weight, no bond
        else:
            alpha = alpha_fill = 1.0 - p.bonds_moving_avg
        delta = w_bonds
        ema = _ema(b_old, w_bonds, alpha)
        dividends = _norm(a * (_colnorm(ema) @ incentive))
    else:
        b_old = _colnorm(b_old)
        alpha = alpha_fill = 1.0 - p.bonds_moving_avg
        # A column nobody supports stays zero here, so the renormalised EMA restores its old bonds (freeze).
        delta = _colnorm(a[:, None] * w_bonds)
        ema = _colnorm(alpha * delta + (1.0 - alpha) * b_old)
        dividends = _norm(ema @ incentive)
    steps.add("bonds_loaded", b_old, 0.0)
    steps.add("alpha", np.broadcast_to(alpha, (m, n)), alpha_fill)
    steps.add("bonds_delta", delta, 0.0)
    steps.add("ema_bonds", ema, 0.0)
    dividends = _expand(dividends, rows, n)
    steps.add("dividends", dividends)

    # 11. Emission shares, with the chain's fallback when nobody earned anything.
    total = incentive.sum() + dividends.sum()
    if total > 0:
        miner_emission = incentive / total
        validator_emission = dividends / total
    else:
        miner_emission = np.zeros(n)
        validator_emission = active_stake.copy() if active_stake.any() else stake_n.copy()
    steps.add("miner_emission", miner_emission)
    steps.add("validator_emission", validator_emission)
    steps.add("next_permits", next_permits)

    # Storage on the u16 grid. Rows without a next permit are cleared (the chain clears those that just lost
    # it; rows that never had one hold no bonds in a chained run).
    if p.yuma_version == 3:
        stored = np.floor(U16_MAX * ema) / U16_MAX
    else:
        col_max = ema.max(axis=0) if m else np.zeros(n)
        stored = np.floor(U16_MAX * ema / np.where(col_max > 0, col_max, 1.0)) / U16_MAX
    stored[~next_permits[rows]] = 0.0
    stored = stored if all_rows else _expand(stored, rows, n)
    steps.add("bonds_stored", stored)

    return EpochResult(
        consensus=consensus,
        incentive=incentive,
        dividends=dividends,
        validator_trust=steps["validator_trust"],
        rank=rank,
        bonds=stored,
        miner_emission=miner_emission,
        validator_emission=validator_emission,
        active_stake=active_stake,
        next_permits=next_permits,
        steps=steps,
        params=p,
    )


def _liquid_alpha(w_bonds: np.ndarray, b_old: np.ndarray, consensus: np.ndarray, p: YumaParams) -> np.ndarray:
    """Liquid Alpha 2: a validator moving far from where it was (buying above consensus, or selling off an old
    bond) gets a larger alpha, i.e. its bond follows faster. In-place arithmetic: this runs on every pair."""
    distance = np.where(w_bonds >= b_old, w_bonds - consensus, b_old - w_bonds)
    np.clip(distance, 0.0, 1.0, out=distance)
    # exp(-slope * (d - 1/2)) with the chain's exponent clamp to [-20, 20]
    slope = p.alpha_sigmoid_steepness / 100.0
    distance -= 0.5
    distance *= -slope
    np.clip(distance, -20.0, 20.0, out=distance)
    sigmoid = np.exp(distance, out=distance)
    sigmoid += 1.0
    np.reciprocal(sigmoid, out=sigmoid)
    alpha = sigmoid
    alpha *= p.alpha_high - p.alpha_low
    alpha += p.alpha_low
    return np.clip(alpha, p.alpha_low, p.alpha_high, out=alpha)


def _liquid_alpha_at_zero(p: YumaParams) -> float:
    """Liquid alpha of a pair with no weight and no bond (a "buy" at distance 0)."""
    exponent = min(20.0, max(-20.0, p.alpha_sigmoid_steepness / 200.0))
    return min(p.alpha_high, p.alpha_low + (p.alpha_high - p.alpha_low) / (1.0 + math.exp(exponent)))


def _ema(old: np.ndarray, new: np.ndarray, alpha: np.ndarray | float) -> np.ndarray:
    """``ema_alpha`` for the epoch's own non-negative inputs, without temporaries."""
    out = np.subtract(1.0, alpha)
    out *= old
    out += np.multiply(alpha, new)
    return np.minimum(out, 1.0, out=out)


# ------------------------------------------------------------------------------------------------------------
# Helpers


def _norm(x: np.ndarray) -> np.ndarray:
    total = x.sum()
    return x / total if total > 0 else x


def _rownorm(x: np.ndarray) -> np.ndarray:
    sums = x.sum(axis=1, keepdims=True)
    return x / np.where(sums > 0, sums, 1.0)


def _colnorm(x: np.ndarray) -> np.ndarray:
    sums = x.sum(axis=0)
    return x / np.where(sums > 0, sums, 1.0)


def _expand(values: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    if rows.size == n:
        return values
    full = np.zeros((n,) + values.shape[1:])
    full[rows] = values
    return full


def _nonneg_array(name: str, value, shape: tuple[int, ...] | None) -> np.ndarray:
    """Validate a finite, non-negative numeric array; ``shape=None`` means a non-empty square matrix."""
    try:
        x = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be a numeric array: {exc}") from exc
    if shape is None:
        if x.ndim != 2 or x.shape[0] != x.shape[1] or x.shape[0] == 0:
            raise ValueError(f"{name} must be a non-empty square n x n matrix, got shape {x.shape}")
    elif x.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {x.shape}")
    if x.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numeric, got dtype {x.dtype}")
    if x.size and x.dtype.kind == "f":
        low, high = x.min(), x.max()
        if not (low >= 0 and np.isfinite(high)):  # NaN fails both comparisons
            raise ValueError(f"{name} must contain only finite, non-negative values")
    elif x.size and x.dtype.kind == "i" and x.min() < 0:
        raise ValueError(f"{name} must contain only finite, non-negative values")
    return x


def _bool_array(name: str, value, shape: tuple[int, ...]) -> np.ndarray | None:
    if value is None:
        return None
    x = np.asarray(value)
    if x.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {x.shape}")
    if x.dtype == bool:
        return x
    if x.dtype.kind in "iu" and np.isin(x, (0, 1)).all():
        return x.astype(bool)
    raise ValueError(f"{name} must be boolean, got dtype {x.dtype}")
