"""The constant-product pool: the conformance vectors, limits, refusals and invariants."""

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taosandbox.amm import MIN_RESERVE_RAO, Pool
from taosandbox.errors import ChainError, InsufficientLiquidity, InvalidInput, SlippageTooHigh

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "amm_constant_product.json").read_text())


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["id"] for c in VECTORS["cases"]])
def test_vectors(case):
    p = Pool(*case["pool"])
    assert p.price == pytest.approx(case["expected_initial_price"], rel=1e-12)
    for op in case["ops"]:
        out = getattr(p, op["op"])(op["amount_rao"])
        assert abs(out - op["expected_out_rao"]) <= op["tol_rao"]
        assert p.price == pytest.approx(op["expected_price_after"], rel=op["price_rel_tol"])
        if "reserves_after_rao" in op:
            assert list(p.reserves) == op["reserves_after_rao"]


def test_quotes_do_not_mutate():
    p = Pool(150 * 10**9, 100 * 10**9)
    assert p.quote_tao_for_alpha(450 * 10**9) == 75 * 10**9
    assert p.quote_alpha_for_tao(10**9) == 1485148514
    assert p.reserves == (150 * 10**9, 100 * 10**9)


def test_limit_price_partial_and_refusal():
    p = Pool(100 * 10**9, 100 * 10**9)
    # Average price (τ + Δτ)/α_in ≤ 2 allows at most 2·100 − 100 = 100 TAO.
    assert p.max_tao_in(2.0) == 100 * 10**9
    with pytest.raises(SlippageTooHigh):
        p.swap_tao_for_alpha(150 * 10**9, limit_price=2.0)
    assert p.reserves == (100 * 10**9, 100 * 10**9)
    out = p.swap_tao_for_alpha(150 * 10**9, limit_price=2.0, allow_partial=True)
    assert out == 50 * 10**9 and p.reserves == (200 * 10**9, 50 * 10**9)
    # Selling: average τ/(α_in + Δα) ≥ 2 allows 200/2 − 50 = 50 alpha.
    assert p.max_alpha_in(2.0) == 50 * 10**9
    assert p.max_alpha_in(10.0) == 0
    with pytest.raises(SlippageTooHigh):
        p.swap_alpha_for_tao(10**9, limit_price=10.0, allow_partial=True)  # nothing fits: refused


def test_refusals_change_nothing():
    p = Pool(10**9, 10**9)
    for bad in (-1, 1.5, float("nan"), "3", None, True):
        with pytest.raises(InvalidInput):
            p.swap_tao_for_alpha(bad)
    with pytest.raises(InsufficientLiquidity):
        p.swap_tao_for_alpha(10**15)  # would drain alpha under 0.01
    with pytest.raises(InsufficientLiquidity):
        p.swap_tao_for_alpha(0)  # pays nothing
    with pytest.raises(InvalidInput):
        p.max_tao_in(float("nan"))
    assert p.reserves == (10**9, 10**9)
    assert issubclass(InvalidInput, ValueError) and issubclass(InvalidInput, ChainError)


reserve = st.integers(min_value=MIN_RESERVE_RAO * 10, max_value=10**17)
amount = st.integers(min_value=1, max_value=10**16)


@settings(max_examples=60, deadline=None)
@given(reserve, reserve, st.lists(st.tuples(st.booleans(), amount), min_size=1, max_size=8))
def test_k_never_decreases_and_outputs_floored(t, a, ops):
    p = Pool(t, a)
    for buy, dx in ops:
        k0, (r_t, r_a) = p.k, p.reserves
        try:
            out = p.swap_tao_for_alpha(dx) if buy else p.swap_alpha_for_tao(dx)
        except InsufficientLiquidity:
            assert p.reserves == (r_t, r_a)
            continue
        r_in, r_out = (r_t, r_a) if buy else (r_a, r_t)
        assert out == r_out * dx // (r_in + dx)  # floored
        assert p.k >= k0
        assert min(p.reserves) >= MIN_RESERVE_RAO


@settings(max_examples=60, deadline=None)
@given(reserve, reserve, amount, st.booleans())
def test_round_trip_never_profits(t, a, dx, tao_first):
    p = Pool(t, a)
    try:
        if tao_first:
            back = p.swap_alpha_for_tao(p.swap_tao_for_alpha(dx))
        else:
            back = p.swap_tao_for_alpha(p.swap_alpha_for_tao(dx))
    except InsufficientLiquidity:
        return
    assert back <= dx


@settings(max_examples=60, deadline=None)
@given(reserve, reserve, st.floats(min_value=1e-4, max_value=1e4), amount)
def test_partial_fill_respects_limit(t, a, limit, dx):
    p = Pool(t, a)
    try:
        spent, out = p.plan_tao_for_alpha(dx, limit_price=limit, allow_partial=True)
    except (SlippageTooHigh, InsufficientLiquidity):
        return
    assert spent <= dx
    # the average price before flooring, (τ + Δτ)/α_in, is within the limit
    assert (t + spent) <= math.floor(limit * a) + 1e-9
