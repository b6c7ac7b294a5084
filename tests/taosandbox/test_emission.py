"""The block reward and supply projections (taosandbox.emission)."""

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taosandbox.emission import (
    BLOCKS_PER_HALVING,
    DEFAULT_ANCHOR,
    MAX_SUPPLY_RAO,
    RAO_PER_TAO,
    Anchor,
    block_count_reward,
    block_reward,
    halving_dates,
    halving_threshold,
    issuance_at,
    project_supply,
    recycled_per_block,
)

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "emission_halving.json").read_text())
TAO = RAO_PER_TAO


@pytest.mark.parametrize(
    "case", [c for c in VECTORS["cases"] if c["kind"] == "block_reward"], ids=lambda c: c["id"]
)
def test_block_reward_matches_the_chain(case):
    assert block_reward(case["inputs"]["issuance_rao"]) == case["expected_reward_rao"]


def test_supply_converges_like_the_chain():
    (case,) = [c for c in VECTORS["cases"] if c["kind"] == "supply_iteration"]
    issuance = case["inputs"]["start_issuance_rao"]
    for _ in range(case["inputs"]["iterations"]):
        issuance += block_reward(issuance) * case["inputs"]["blocks_per_iteration"]
    assert issuance == case["expected_issuance_rao"]


@pytest.mark.parametrize("n", range(1, 16))
def test_reward_halves_exactly_at_each_threshold(n):
    threshold = halving_threshold(n)
    assert block_reward(threshold - 1) == TAO >> (n - 1)
    assert block_reward(threshold) == TAO >> n


def test_a_float_log2_would_halve_one_rao_early():
    # The reason for integer arithmetic: one rao below 10.5M the chain still pays the full reward.
    issuance = 10_500_000 * TAO - 1
    assert math.floor(math.log2(21e15 / (21e15 - issuance))) == 1
    assert block_reward(issuance) == TAO


@pytest.mark.parametrize("bad", [-1, 1.5, float("nan"), "10", None, True])
def test_bad_issuance_is_refused_by_name(bad):
    with pytest.raises((TypeError, ValueError), match="issuance_rao"):
        block_reward(bad)


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf"), 7_201.0, "5"])
def test_bad_recycling_is_refused_by_name(bad):
    with pytest.raises((TypeError, ValueError), match="recycled_tao_per_day"):
        project_supply(recycled_tao_per_day=bad)


@pytest.mark.parametrize("kwargs,name", [({"rule": "weekly"}, "rule"), ({"years": 0}, "years"),
                                         ({"years": float("nan")}, "years"),
                                         ({"anchor": Anchor(issuance_rao=-5)}, "issuance_rao")])
def test_bad_projection_arguments_are_refused_by_name(kwargs, name):
    with pytest.raises((TypeError, ValueError), match=name):
        project_supply(**kwargs)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1))
def test_reward_never_increases_as_issuance_grows(a, b):
    low, high = sorted((a, b))
    assert block_reward(high) <= block_reward(low)


@settings(max_examples=100, deadline=None)
@given(st.integers(MAX_SUPPLY_RAO, 2**64 - 1))
def test_reward_is_zero_at_and_beyond_the_cap(issuance):
    assert block_reward(issuance) == 0


@settings(max_examples=60, deadline=None)
@given(rule=st.sampled_from(["issuance", "blocks"]),
       recycled=st.floats(0, 7_200),
       start=st.integers(0, MAX_SUPPLY_RAO),
       years=st.floats(0.5, 60))
def test_total_issuance_never_exceeds_the_cap(rule, recycled, start, years):
    frame = project_supply(rule, recycled_tao_per_day=recycled, years=years, anchor=Anchor(issuance_rao=start))
    assert frame["issuance_rao"].max() <= MAX_SUPPLY_RAO
    assert frame["issuance_rao"].min() >= 0
    # Rows are in time order and each row's slope leads exactly to the next row's issuance where no
    # event intervenes (the exact recovery property issuance_at relies on).
    assert frame["block"].is_monotonic_increasing


def simulate(rule: str, issuance: int, per_block: int, blocks: int) -> list[int]:
    """Reference: apply the rule block by block."""
    path = [issuance]
    for b in range(blocks):
        reward = block_reward(issuance) if rule == "issuance" else block_count_reward(b, issuance)
        issuance += reward - min(per_block, issuance + reward)
        path.append(issuance)
    return path


def years_for(blocks: int) -> float:
    return blocks / (365.25 * 7_200)


SHORT = 200_000
EXACT_CASES = [
    # (rule, anchor issuance, recycled TAO/day): starts near thresholds so events fall inside the span
    ("issuance", halving_threshold(2) - 50_000 * TAO, 0.0),
    ("issuance", halving_threshold(2) - 50_000 * TAO, 900.0),
    ("issuance", halving_threshold(3) - 3_000 * TAO, 450.0),
    ("issuance", halving_threshold(9) - 100 * TAO, 1.0),
    ("issuance", 0, 0.0),
    ("blocks", MAX_SUPPLY_RAO - 60_000 * TAO, 0.0),
    ("blocks", MAX_SUPPLY_RAO - 60_000 * TAO, 1_000.0),
    ("blocks", 30_000 * TAO, 7_000.0),
    ("blocks", MAX_SUPPLY_RAO, 3_000.0),
]


@pytest.mark.parametrize("rule,start,recycled", EXACT_CASES)
def test_projection_agrees_with_block_by_block_iteration(rule, start, recycled):
    years = years_for(SHORT)
    frame = project_supply(rule, recycled_tao_per_day=recycled, years=years, anchor=Anchor(issuance_rao=start))
    horizon = int(frame["block"].iloc[-1])
    path = simulate(rule, start, recycled_per_block(recycled), horizon)
    checked = sorted(set(frame["block"]) | set(range(0, horizon + 1, 997)))
    assert [issuance_at(frame, b) for b in checked] == [path[b] for b in checked]
    # Every halving the projection reports is the first block at which the iteration has that reward.
    for _, row in frame[frame["event"] == "halving"].iterrows():
        b = int(row["block"])
        assert path[b - 1] < halving_threshold(int(row["halvings"])) <= path[b]


def test_block_rule_changes_era_on_the_calendar():
    frame = project_supply("blocks", years=10)
    halvings = halving_dates(frame)
    assert list(halvings["block"])[:3] == [0, BLOCKS_PER_HALVING, 2 * BLOCKS_PER_HALVING]
    assert block_count_reward(BLOCKS_PER_HALVING - 1, 0) == TAO // 2
    assert block_count_reward(BLOCKS_PER_HALVING, 0) == TAO // 4


def test_recycling_that_outpaces_the_lower_reward_stalls_at_the_threshold():
    start = halving_threshold(2) - 2_000 * TAO
    recycled = 0.3 * 7_200  # 0.3 TAO a block: more than 0.25 above the threshold, less than 0.5 below
    frame = project_supply("issuance", recycled_tao_per_day=recycled, years=years_for(SHORT),
                           anchor=Anchor(issuance_rao=start))
    assert list(frame["event"]) == ["start", "stall", "end"]
    stall_block = int(frame["block"].iloc[1])
    path = simulate("issuance", start, recycled_per_block(recycled), SHORT)
    assert path[stall_block - 1] < halving_threshold(2) <= path[stall_block]
    # From then on the iteration flickers within one block's move of the threshold, forever.
    band = TAO // 2
    assert all(abs(x - halving_threshold(2)) <= band for x in path[stall_block:])


def test_default_projection_tells_the_two_rules_apart():
    onchain = halving_dates(project_supply("issuance", years=12))
    calendar = halving_dates(project_supply("blocks", years=12))
    assert onchain["halving"].tolist()[:3] == [1, 2, 3]
    # Both start at the anchor; with no recycling the chain halves every 10.5M blocks (5.25M TAO at
    # 0.5 TAO a block), 12,000 blocks (≈ 1.7 days) sooner than the calendar rule.
    assert onchain["date"].iloc[0] == calendar["date"].iloc[0] == DEFAULT_ANCHOR.date
    assert int(onchain["block"].iloc[1]) == 10_500_000
    assert int(calendar["block"].iloc[1]) - int(onchain["block"].iloc[1]) == 12_000


def test_recycling_delays_halvings_under_the_chain_rule_only():
    plain = halving_dates(project_supply("issuance", years=20))
    recycled = halving_dates(project_supply("issuance", recycled_tao_per_day=720, years=20))
    assert recycled["block"].iloc[1] > plain["block"].iloc[1]
    # 720 TAO a day is 0.1 TAO a block: 5.25M TAO at 0.4 TAO net a block takes 13,125,000 blocks.
    assert int(recycled["block"].iloc[1]) == 13_125_000
    calendar = halving_dates(project_supply("blocks", recycled_tao_per_day=720, years=20))
    assert calendar["block"].tolist() == halving_dates(project_supply("blocks", years=20))["block"].tolist()
