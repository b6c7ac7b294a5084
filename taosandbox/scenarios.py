"""The catalogue of named Yuma scenarios (``spec/yuma_cases.md``) and a runner that plays one epoch by epoch.

Three validators A, B, C (UIDs 0-2) weight two or three miners S1, S2(, S3) (UIDs 3, 4(, 5)). A case is
plain data: starting stakes, the weights each validator sets *from* a given epoch on (they persist until
changed), stake changes, and bond resets (a miner's bond column zeroed, as after a new model commit). Case 19
draws noisy evaluations from a seeded generator, so every run is deterministic for its seed.

    run = run_case(2, "YC3")            # or run_all_variants(2) for YC2, YC3 and YC3 + liquid alpha
    run.dividends                       # variant, epoch, validator, stake, dividends, emission
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from taosandbox.yuma import YumaParams, epoch, top_k_permits

__all__ = [
    "CASES",
    "VALIDATORS",
    "VARIANTS",
    "Case",
    "CaseRun",
    "Noise",
    "get_case",
    "run_all_variants",
    "run_case",
]

VALIDATORS = ("A", "B", "C")

# The chain's Yuma 3 tests' settings (yuma_cases.md): no bonds penalty, slow EMA, liquid alpha (0.1, 0.3) on
# the u16 grid. YC2 runs as Yuma 2 subnets did, with the runtime defaults (bonds penalty 1, moving avg 0.9).
VARIANTS: dict[str, YumaParams] = {
    "YC2": YumaParams(yuma_version=2, bonds_penalty=1.0, bonds_moving_avg=0.9),
    "YC3": YumaParams(yuma_version=3, bonds_penalty=0.0, bonds_moving_avg=0.975),
    "YC3 + liquid alpha": YumaParams(
        yuma_version=3,
        bonds_penalty=0.0,
        bonds_moving_avg=0.975,
        liquid_alpha_enabled=True,
        alpha_low=6553 / 65535,
        alpha_high=19660 / 65535,
        alpha_sigmoid_steepness=1000.0,
    ),
}


@dataclass(frozen=True)
class Noise:
    """Noisy winner-takes-all: every epoch each validator scores each miner as its quality plus Gaussian noise
    (standard deviation ``sd``) and puts all its weight on its own best."""

    quality: tuple[float, ...]
    sd: float = 0.05


@dataclass(frozen=True)
class Case:
    """One scenario. ``weights`` entries are ``(epoch, validator, weights on the miners)``, valid from that
    epoch on; ``stake_changes`` are ``(epoch, stakes of A, B, C)``, valid from that epoch on; ``resets`` are
    ``(epoch, miner)``: the bonds on that miner are zeroed when that epoch loads them."""

    number: int
    name: str
    shows: str
    weights: tuple[tuple[int, str, tuple[float, ...]], ...] = ()
    stakes: tuple[float, float, float] = (0.8, 0.1, 0.1)
    miners: tuple[str, ...] = ("S1", "S2")
    stake_changes: tuple[tuple[int, tuple[float, float, float]], ...] = ()
    resets: tuple[tuple[int, str], ...] = ()
    noise: Noise | None = None

    @property
    def title(self) -> str:
        return f"Case {self.number}: {self.name}"

    def weight_schedule(self, epochs: int = 40, seed: int = 0) -> np.ndarray:
        """Weights set by A, B, C at every epoch: an array (epochs, 3, miners)."""
        w = np.zeros((epochs, len(VALIDATORS), len(self.miners)))
        for start, validator, row in sorted(self.weights, key=lambda entry: entry[0]):
            w[start:, VALIDATORS.index(validator)] = row
        if self.noise is not None:
            rng = np.random.default_rng(seed)
            scores = np.asarray(self.noise.quality) + rng.normal(0.0, self.noise.sd, w.shape)
            w[:] = 0.0
            np.put_along_axis(w, scores.argmax(axis=2)[..., None], 1.0, axis=2)
        return w

    def stake_schedule(self, epochs: int = 40) -> np.ndarray:
        """Stakes of A, B, C at every epoch: an array (epochs, 3)."""
        s = np.tile(np.asarray(self.stakes, dtype=float), (epochs, 1))
        for start, stakes in sorted(self.stake_changes):
            s[start:] = stakes
        return s


def _set(*moves: tuple[int, str, tuple[float, ...]]) -> tuple[tuple[int, str, tuple[float, ...]], ...]:
    """Expand ``(epoch, "BC", row)`` into one entry per validator letter."""
    return tuple((e, v, tuple(row)) for e, letters, row in moves for v in letters)


S1, S2 = (1.0, 0.0), (0.0, 1.0)
_KAPPA_SECOND = ((0, "ABC", S1), (1, "B", S2), (2, "A", S2), (3, "C", S2))


def _stable_miner(number: int, share: float) -> Case:
    rest = 1.0 - share
    old, new = (rest, 0.0, share), (0.0, rest, share)
    return Case(
        number,
        f"stable miner gets {share:g}",
        f"S3 keeps {share:g} of every validator's weight while the rest moves from S1 to S2 as in case 2",
        _set((0, "ABC", old), (1, "B", new), (2, "A", new), (3, "C", new)),
        miners=("S1", "S2", "S3"),
    )


CASES: tuple[Case, ...] = (
    Case(1, "kappa moves first", "the majority leads; followers lose a little",
         _set((0, "ABC", S1), (1, "A", S2), (2, "B", S2), (3, "C", S2))),
    Case(2, "kappa moves second", "does the small validator who found S2 first get rewarded?",
         _set(*_KAPPA_SECOND)),
    Case(3, "kappa moves third", "the big validator is last",
         _set((0, "ABC", S1), (1, "B", S2), (2, "C", S2), (3, "A", S2))),
    Case(4, "all validators switch", "simultaneous switch: nobody should lose",
         _set((0, "ABC", S1), (1, "ABC", S2))),
    Case(5, "kappa moves second, then third", "two regime changes",
         _set((0, "ABC", S1), (1, "BC", S2), (2, "A", S2), (21, "B", S1), (22, "C", S1), (23, "A", S1)),
         resets=((20, "S2"),)),
    Case(6, "kappa moves second, then all switch", "a lone early mover, then a simultaneous switch back",
         _set(*_KAPPA_SECOND, (21, "ABC", S1)), resets=((21, "S1"),)),
    Case(7, "big validator moves late, then all but one small validator move late",
         "the big validator follows twice; one small validator leads the way back",
         _set((0, "ABC", S1), (1, "BC", S2), (2, "A", S2), (21, "C", S1), (22, "AB", S1)),
         resets=((21, "S1"),)),
    # yuma_cases.md names no miner for this reset; like yuma-simulation we reset S2, the miner then in use.
    Case(8, "big validator lazy twice", "a copier-like big validator",
         _set((0, "ABC", S1), (1, "BC", S2), (2, "A", S2), (21, "BC", S1), (22, "A", S1)),
         resets=((20, "S2"),)),
    Case(9, "small validators merged", "bonds versus changing stake",
         _set((0, "ABC", S2)), stake_changes=((6, (0.8, 0.2, 0.0)),)),
    Case(10, "kappa delayed", "a long lag of the majority",
         _set((0, "ABC", S1), (1, "B", S2), (10, "A", S2), (11, "C", S2))),
    Case(11, "clipping demo", "clipping and incentive",
         _set((0, "A", (0.3, 0.7)), (0, "B", (0.6, 0.4)), (0, "C", (0.61, 0.39)), (20, "C", (0.3, 0.61))),
         stakes=(0.49, 0.49, 0.02)),
    Case(12, "small validator props up the other miner", "the bonds penalty on tiny weights",
         _set((0, "ABC", S1), (1, "AC", S2), (1, "B", (0.001, 0.999)))),
    Case(13, "big validator on S2, small ones on S1", "a majority against split minorities",
         _set((0, "AC", S2), (0, "B", (0.5, 0.5)), (21, "C", (0.5, 0.5))), resets=((20, "S1"),)),
    Case(14, "one validator switches for one epoch", "a one-epoch deviation should cost little",
         _set((0, "ABC", S1), (20, "C", S2), (21, "C", S1)), stakes=(0.33, 0.33, 0.34)),
    _stable_miner(15, 0.25),
    _stable_miner(16, 0.5),
    _stable_miner(17, 0.75),
    _stable_miner(18, 0.9),
    Case(19, "winner takes all, chosen by validators", "noise plus winner-takes-all",
         stakes=(0.49, 0.49, 0.02), noise=Noise(quality=(0.60, 0.55), sd=0.05)),
)


def get_case(key: int | str | Case) -> Case:
    """A catalogue case by number (1-19) or name."""
    if isinstance(key, Case):
        return key
    for case in CASES:
        if key in (case.number, case.name):
            return case
    raise ValueError(f"case must be a catalogue number 1-{len(CASES)} or name, got {key!r}")


@dataclass(frozen=True)
class CaseRun:
    """Tidy results, one row per variant x epoch x entity (validator, miner or validator-miner pair)."""

    case: Case
    dividends: pd.DataFrame  # variant, epoch, validator, stake, dividends, emission
    incentive: pd.DataFrame  # variant, epoch, miner, consensus, incentive, emission
    bonds: pd.DataFrame  # variant, epoch, validator, miner, bond (stored), bond_share (of the miner's bonds)
    weights: pd.DataFrame  # variant, epoch, validator, miner, weight (as set)


def run_case(case: int | str | Case, variant: str | YumaParams = "YC3 + liquid alpha", epochs: int = 40,
             seed: int = 0) -> CaseRun:
    """Play a case for ``epochs`` epochs under a variant of ``VARIANTS`` (or custom ``YumaParams``, labelled
    "custom"), chaining bonds and validator permits from epoch to epoch."""
    case = get_case(case)
    if isinstance(variant, YumaParams):
        label, params = "custom", variant
    elif variant in VARIANTS:
        label, params = variant, VARIANTS[variant]
    else:
        raise ValueError(f"variant must be one of {list(VARIANTS)} or a YumaParams, got {variant!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")

    nv, nm = len(VALIDATORS), len(case.miners)
    n = nv + nm
    weight_sched = case.weight_schedule(epochs, seed)
    stake_sched = case.stake_schedule(epochs)
    resets = {}
    for e, miner in case.resets:
        resets.setdefault(e, []).append(nv + case.miners.index(miner))

    stakes, dividends, v_emission = (np.zeros((epochs, nv)) for _ in range(3))
    consensus, incentive, m_emission = (np.zeros((epochs, nm)) for _ in range(3))
    bonds, shares = np.zeros((epochs, nv, nm)), np.zeros((epochs, nv, nm))

    stake = np.zeros(n)
    stake[:nv] = stake_sched[0]
    permits = top_k_permits(stake, params.max_validators)  # the chain's permit-issuing first epoch
    stored = None
    weights = np.zeros((n, n))
    for e in range(epochs):
        stake[:nv] = stake_sched[e]
        weights[:nv, nv:] = weight_sched[e]
        new_reg = np.zeros(n, bool)
        new_reg[resets.get(e, [])] = True
        r = epoch(weights, stake, stored, params=params, permits=permits, new_registrations=new_reg)
        stored, permits = r.bonds, r.next_permits
        stakes[e] = r.steps["stake"][:nv]
        dividends[e], v_emission[e] = r.dividends[:nv], r.validator_emission[:nv]
        consensus[e], incentive[e], m_emission[e] = r.consensus[nv:], r.incentive[nv:], r.miner_emission[nv:]
        bonds[e] = stored[:nv, nv:]
        col = bonds[e].sum(axis=0)
        shares[e] = bonds[e] / np.where(col > 0, col, 1.0)

    ep = np.arange(epochs)
    per_validator = {"epoch": np.repeat(ep, nv), "validator": np.tile(VALIDATORS, epochs)}
    per_miner = {"epoch": np.repeat(ep, nm), "miner": np.tile(case.miners, epochs)}
    per_pair = {
        "epoch": np.repeat(ep, nv * nm),
        "validator": np.tile(np.repeat(VALIDATORS, nm), epochs),
        "miner": np.tile(case.miners, epochs * nv),
    }
    return CaseRun(
        case=case,
        dividends=_frame(label, per_validator, stake=stakes, dividends=dividends, emission=v_emission),
        incentive=_frame(label, per_miner, consensus=consensus, incentive=incentive, emission=m_emission),
        bonds=_frame(label, per_pair, bond=bonds, bond_share=shares),
        weights=_frame(label, per_pair, weight=weight_sched),
    )


def run_all_variants(case: int | str | Case, epochs: int = 40, seed: int = 0) -> CaseRun:
    """The same case under every variant of ``VARIANTS``, frames concatenated (the ``variant`` column tells
    them apart)."""
    runs = [run_case(case, v, epochs, seed) for v in VARIANTS]
    return CaseRun(
        case=runs[0].case,
        **{
            name: pd.concat([getattr(r, name) for r in runs], ignore_index=True)
            for name in ("dividends", "incentive", "bonds", "weights")
        },
    )


def _frame(label: str, index: dict[str, np.ndarray], **values: np.ndarray) -> pd.DataFrame:
    columns = {"variant": label, **index, **{k: v.ravel() for k, v in values.items()}}
    return pd.DataFrame(columns)
