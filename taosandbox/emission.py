"""TAO emission: the block reward and where halvings fall.

Two schedules are modelled so the book can compare them:

* ``"issuance"`` — what the chain does: the reward is a function of *issuance*.
  It halves each time issuance crosses 10.5M, 15.75M, 18.375M … TAO, so TAO that is
  recycled or burned (lowering issuance) delays the next halving.
* ``"blocks"`` — the seed article's calendar rule: the reward halves every
  10,512,000 blocks (4 × 365 × 7,200), whatever happens to issuance. Both schedules
  are lined up on the first halving (the anchor); the block rule is capped at 21M.

A projection jumps from event to event (a halving, a stall, the cap) in closed form
instead of iterating over tens of millions of blocks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from numbers import Integral, Real

import pandas as pd

from taosandbox.units import BLOCK_SECONDS, BLOCKS_PER_DAY, RAO_PER_TAO, TOTAL_SUPPLY_RAO

MAX_SUPPLY_RAO = TOTAL_SUPPLY_RAO
INITIAL_REWARD_RAO = RAO_PER_TAO
BLOCKS_PER_HALVING = 4 * 365 * BLOCKS_PER_DAY  # 10,512,000: the article's "about four years"
RULES = ("issuance", "blocks")

# Below this many halvings the reward 1e9 >> k is still positive.
_LAST_PAYING_HALVING = INITIAL_REWARD_RAO.bit_length() - 1
# At 21M the formula's log diverges; 2**64 > 21e15 rao, so 64 halvings stand for "all of them".
_HALVINGS_AT_CAP = 64


def _require_issuance(value, name: str = "issuance_rao") -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer amount of rao, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return int(value)


def halvings_at(issuance_rao: int) -> int:
    """How many halvings the on-chain rule has applied at this issuance.

    The chain computes ``k = floor(log2(21M / (21M − issuance)))``. With integers,
    ``2**k <= C / r`` exactly when ``2**k <= C // r``, so ``k`` is the bit length of
    ``C // r`` minus one — exact where a float log2 is one rao early.
    """
    issuance = _require_issuance(issuance_rao)
    if issuance >= MAX_SUPPLY_RAO:
        return _HALVINGS_AT_CAP
    return (MAX_SUPPLY_RAO // (MAX_SUPPLY_RAO - issuance)).bit_length() - 1


def block_reward(issuance_rao: int) -> int:
    """The chain's reward per block, in rao, at the given TAO issuance."""
    k = halvings_at(issuance_rao)
    if k > _LAST_PAYING_HALVING:
        return 0
    return INITIAL_REWARD_RAO >> k


def halving_threshold(n: int) -> int:
    """The smallest issuance (rao) at which the n-th halving has happened: 21M·(1 − 2⁻ⁿ), rounded up."""
    if isinstance(n, bool) or not isinstance(n, Integral) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    return MAX_SUPPLY_RAO - (MAX_SUPPLY_RAO >> n)


def block_count_reward(blocks_since_anchor: int, issuance_rao: int) -> int:
    """The article's rule: halving 1 at the anchor, then one every 10,512,000 blocks, capped at 21M."""
    if blocks_since_anchor < 0:
        raise ValueError(f"blocks_since_anchor must not be negative, got {blocks_since_anchor}")
    issuance = _require_issuance(issuance_rao)
    era = 1 + blocks_since_anchor // BLOCKS_PER_HALVING
    full = INITIAL_REWARD_RAO >> era if era <= _LAST_PAYING_HALVING else 0
    return max(0, min(full, MAX_SUPPLY_RAO - issuance))


@dataclass(frozen=True)
class Anchor:
    """A known point of the chain's history that a projection starts from.

    The default is the first halving: 10.5M TAO issued, mid-December 2025 (the exact
    day is approximate; the book says so).
    """

    date: datetime = datetime(2025, 12, 14, tzinfo=UTC)
    issuance_rao: int = 10_500_000 * RAO_PER_TAO

    def date_of(self, blocks: int) -> datetime:
        return self.date + timedelta(seconds=BLOCK_SECONDS * blocks)


DEFAULT_ANCHOR = Anchor()


def recycled_per_block(recycled_tao_per_day: float) -> int:
    """Recycling is modelled as a constant amount per block, rounded to whole rao."""
    if isinstance(recycled_tao_per_day, bool) or not isinstance(recycled_tao_per_day, Real):
        raise TypeError(f"recycled_tao_per_day must be a number, got {recycled_tao_per_day!r}")
    if not math.isfinite(recycled_tao_per_day) or recycled_tao_per_day < 0:
        raise ValueError(f"recycled_tao_per_day must be a finite number ≥ 0, got {recycled_tao_per_day}")
    per_block = round(recycled_tao_per_day * RAO_PER_TAO / BLOCKS_PER_DAY)
    if per_block > INITIAL_REWARD_RAO:
        raise ValueError(
            f"recycled_tao_per_day must be at most {INITIAL_REWARD_RAO * BLOCKS_PER_DAY // RAO_PER_TAO:,} "
            f"(one full block reward per block), got {recycled_tao_per_day}"
        )
    return per_block


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


class _Projection:
    """Collects event rows while a projection walks forward.

    Each row holds the state at its block and the per-block change of issuance from there on
    (``slope_rao``), so any block between two rows can be recovered exactly.
    """

    def __init__(self, rule: str, anchor: Anchor, horizon: int):
        self.rule, self.anchor, self.horizon = rule, anchor, horizon
        self.rows: list[tuple] = []

    def add(self, block: int, issuance: int, reward: int, slope: int, halvings: int, event: str) -> None:
        self.rows.append((block, issuance, reward, slope, halvings, event))

    def frame(self) -> pd.DataFrame:
        columns = ["block", "issuance_rao", "reward_rao", "slope_rao", "halvings", "event"]
        df = pd.DataFrame(self.rows, columns=columns)
        df.insert(1, "date", [self.anchor.date_of(int(b)) for b in df["block"]])
        df.insert(2, "years", df["block"] / (BLOCKS_PER_DAY * 365.25))
        df["issuance_tao"] = df["issuance_rao"] / RAO_PER_TAO
        df["reward_tao"] = df["reward_rao"] / RAO_PER_TAO
        df["rule"] = self.rule
        return df


def _project_issuance_rule(p: _Projection, issuance: int, q: int) -> None:
    """The chain's rule. Between thresholds issuance moves by (reward − q) per block.

    If the reward above a threshold is smaller than the recycling and the reward below it is larger,
    issuance can cross neither way for good: it flickers around the threshold and the reward averages
    out to exactly the recycling. That "stall" is recorded once and held to the horizon.
    """
    block, k = 0, halvings_at(issuance)
    reward = block_reward(issuance)
    p.add(block, issuance, reward, reward - q, k, "start")
    while (slope := reward - q) != 0:
        if slope > 0:
            steps = _ceil_div(halving_threshold(k + 1) - issuance, slope)
        else:
            steps = (issuance - (halving_threshold(k) if k > 0 else 0)) // -slope + 1
        if block + steps >= p.horizon:
            break
        block, issuance = block + steps, issuance + steps * slope
        new_k, old_reward = halvings_at(issuance), reward
        reward = block_reward(issuance)
        if reward == old_reward:  # past a threshold deep in the zero-reward tail: nothing changes
            k = new_k
            continue
        if (reward - q) * slope < 0:
            level = halving_threshold(max(k, new_k))
            p.add(block, level, q, 0, max(k, new_k), "stall")
            p.add(p.horizon, level, q, 0, max(k, new_k), "end")
            return
        k = new_k
        p.add(block, issuance, reward, reward - q, k, "halving" if slope > 0 else "reward restored")
    p.add(p.horizon, issuance + (p.horizon - block) * slope, reward, slope, k, "end")


def _project_block_rule(p: _Projection, issuance: int, q: int) -> None:
    """The article's rule: the era changes on the calendar; the reward tops issuance up to 21M at most.

    Once issuance would pass 21M, one block pays the remainder and from then on the reward refills
    exactly what is recycled. Recycling cannot take issuance below zero.
    """
    block, era = 0, 1

    def add(event: str) -> None:
        reward = block_count_reward(block, issuance)
        p.add(block, issuance, reward, reward - min(q, issuance + reward), era, event)

    add("start")
    while True:
        stop = min(era * BLOCKS_PER_HALVING, p.horizon)
        full = block_count_reward(block, 0)
        at_cap = MAX_SUPPLY_RAO - q
        event = None
        if full >= q and issuance != at_cap and (full > q or issuance > MAX_SUPPLY_RAO - full):
            # Full rewards until the next would pass 21M; that block pays the remainder.
            steps = max(0, (MAX_SUPPLY_RAO - full - issuance) // (full - q) + 1) if full > q else 0
            event, landing = "cap", at_cap
        elif full < q and issuance > 0:
            steps = _ceil_div(issuance, q - full) - 1
            event, landing = "exhausted", 0
        if event and block + steps + 1 <= stop:
            block, issuance = block + steps + 1, landing
            add(event)
            continue
        if event:
            issuance += (stop - block) * (full - q)
        block = stop
        if block >= p.horizon:
            break
        era += 1
        add("halving")
    add("end")


def project_supply(
    rule: str = "issuance",
    *,
    recycled_tao_per_day: float = 0.0,
    years: float = 40.0,
    anchor: Anchor = DEFAULT_ANCHOR,
) -> pd.DataFrame:
    """Project issuance and block reward from the anchor, one row per event.

    Rows: the start, every halving (or reward restored, stall, cap, exhaustion) and the end of
    the horizon. Between two rows issuance moves in a straight line and the reward is the
    earlier row's, so a chart can draw lines between them and steps for the reward. Amounts are
    exact integers in rao (``issuance_rao``, ``reward_rao``) with float TAO columns for charts.
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    if isinstance(years, bool) or not isinstance(years, Real) or not math.isfinite(years) or years <= 0:
        raise ValueError(f"years must be a positive number, got {years!r}")
    if not isinstance(anchor, Anchor):
        raise TypeError(f"anchor must be an Anchor, got {anchor!r}")
    issuance = _require_issuance(anchor.issuance_rao, "anchor.issuance_rao")
    if issuance > MAX_SUPPLY_RAO:
        raise ValueError(f"anchor.issuance_rao must be at most 21M TAO, got {issuance}")
    q = recycled_per_block(recycled_tao_per_day)
    horizon = int(round(years * 365.25 * BLOCKS_PER_DAY))
    projection = _Projection(rule, anchor, horizon)
    if rule == "issuance":
        _project_issuance_rule(projection, issuance, q)
    else:
        _project_block_rule(projection, issuance, q)
    return projection.frame()


def issuance_at(projection: pd.DataFrame, block: int) -> int:
    """Exact issuance (rao) at a block of a projection, from the row that precedes it."""
    blocks = projection["block"].to_numpy()
    if not blocks[0] <= block <= blocks[-1]:
        raise ValueError(f"block must lie in [{blocks[0]}, {blocks[-1]}], got {block}")
    row = projection.iloc[int((blocks <= block).nonzero()[0][-1])]
    return int(row["issuance_rao"]) + (block - int(row["block"])) * int(row["slope_rao"])


def halving_dates(projection: pd.DataFrame) -> pd.DataFrame:
    """The halvings of a projection: halving number, block and date (the anchor's own halving included)."""
    start = projection.iloc[[0]]
    halvings = projection[projection["event"].isin(["halving", "stall"])]
    rows = pd.concat([start, halvings])
    rows = rows[rows["halvings"] > 0].drop_duplicates("halvings", keep="first")
    return rows[["halvings", "block", "date", "issuance_rao", "event"]].rename(columns={"halvings": "halving"})
