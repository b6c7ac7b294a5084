"""Unit tests of taosandbox.yuma: parameters, input errors, fallbacks, masks, permits and the step trace."""

import math

import numpy as np
import pytest

from taosandbox.yuma import STEP_DESCRIPTIONS, YumaParams, epoch, top_k_permits

YC3_LA = YumaParams(yuma_version=3, liquid_alpha_enabled=True)


def small_subnet():
    """Validators 0-2 (stake 6:3:1) weight miners 3-5; the miners have no stake."""
    w = np.zeros((6, 6))
    w[0, 3:] = [1, 1, 0]
    w[1, 3:] = [1, 0, 1]
    w[2, 3:] = [0, 1, 1]
    return w, np.array([6.0, 3.0, 1.0, 0, 0, 0])


# --- parameters ---------------------------------------------------------------------------------------------


def test_params_defaults_are_the_chain_defaults():
    p = YumaParams()
    assert p.kappa == 32767 / 65535
    assert (p.bonds_penalty, p.bonds_moving_avg, p.yuma_version) == (1.0, 0.9, 2)
    assert p.liquid_alpha_enabled is False
    assert (p.alpha_low, p.alpha_high) == (45875 / 65535, 58982 / 65535)
    assert p.alpha_sigmoid_steepness == 1000.0
    assert p.max_validators == 64


def test_params_default_to_the_defaults_in_epoch():
    w, s = small_subnet()
    assert epoch(w, s).params == YumaParams()


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"kappa": 1.5}, "kappa"),
        ({"kappa": -0.1}, "kappa"),
        ({"kappa": float("nan")}, "kappa"),
        ({"kappa": "half"}, "kappa"),
        ({"bonds_penalty": 1.01}, "bonds_penalty"),
        ({"bonds_moving_avg": -0.5}, "bonds_moving_avg"),
        ({"bonds_moving_avg": 2}, "bonds_moving_avg"),
        ({"alpha_low": 0.01, "alpha_high": 0.5}, "alpha_low"),
        ({"alpha_low": 0.8, "alpha_high": 0.7}, "alpha_low"),
        ({"alpha_high": 1.2}, "alpha_high"),
        ({"alpha_sigmoid_steepness": -1.0}, "alpha_sigmoid_steepness"),
        ({"alpha_sigmoid_steepness": float("inf")}, "alpha_sigmoid_steepness"),
        ({"yuma_version": 4}, "yuma_version"),
        ({"yuma_version": 2.0}, "yuma_version"),
        ({"yuma_version": True}, "yuma_version"),
        ({"liquid_alpha_enabled": "yes"}, "liquid_alpha_enabled"),
        ({"max_validators": -1}, "max_validators"),
        ({"rho": -2.0}, "rho"),
    ],
)
def test_params_out_of_range_name_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        YumaParams(**kwargs)


def test_params_edges_are_accepted():
    YumaParams(kappa=0, bonds_penalty=0, bonds_moving_avg=1, alpha_low=0.025, alpha_high=0.025)
    YumaParams(kappa=1, bonds_penalty=1, bonds_moving_avg=0, alpha_low=1, alpha_high=1, yuma_version=1)


# --- bad inputs ---------------------------------------------------------------------------------------------


def _bad_inputs():
    w, s = small_subnet()
    ok = {"weights": w, "stake": s}
    neg = w.copy()
    neg[0, 3] = -1
    nan, inf = w.copy(), w.copy()
    nan[1, 4], inf[2, 5] = np.nan, np.inf
    return [
        ({**ok, "weights": w[:, :5]}, "weights"),
        ({**ok, "weights": np.zeros((0, 0))}, "weights"),
        ({**ok, "weights": neg}, "weights"),
        ({**ok, "weights": nan}, "weights"),
        ({**ok, "weights": inf}, "weights"),
        ({**ok, "weights": w.astype(str)}, "weights"),
        ({**ok, "stake": s[:5]}, "stake"),
        ({**ok, "stake": -s}, "stake"),
        ({**ok, "stake": np.array([1, 2, 3, 0, 0, np.nan])}, "stake"),
        ({**ok, "bonds": np.zeros((6, 5))}, "bonds"),
        ({**ok, "bonds": np.full((6, 6), np.nan)}, "bonds"),
        ({**ok, "bonds": -np.ones((6, 6))}, "bonds"),
        ({**ok, "active": np.ones(5, bool)}, "active"),
        ({**ok, "permits": np.full(6, 0.5)}, "permits"),
        ({**ok, "permits": np.full(6, 2)}, "permits"),
        ({**ok, "outdated": np.zeros(6, bool)}, "outdated"),
        ({**ok, "new_registrations": np.zeros((6, 6), bool)}, "new_registrations"),
        ({**ok, "owner_uid": 6}, "owner_uid"),
        ({**ok, "owner_uid": -1}, "owner_uid"),
        ({**ok, "owner_uid": 1.5}, "owner_uid"),
        ({**ok, "params": {"kappa": 0.5}}, "params"),
    ]


@pytest.mark.parametrize("kwargs, name", _bad_inputs(), ids=lambda x: x if isinstance(x, str) else "")
def test_bad_input_raises_value_error_naming_the_argument(kwargs, name):
    kwargs = dict(kwargs)
    with pytest.raises(ValueError, match=name):
        epoch(kwargs.pop("weights"), kwargs.pop("stake"), kwargs.pop("bonds", None), **kwargs)


def test_masks_accept_zero_one_integers_and_lists():
    w, s = small_subnet()
    a = epoch(w, s, permits=[1, 1, 1, 0, 0, 0])
    b = epoch(w, s, permits=np.array([True] * 3 + [False] * 3))
    np.testing.assert_array_equal(a.dividends, b.dividends)


def test_integer_u16_weights_equal_float_weights():
    w, s = small_subnet()
    a = epoch((w * 65535).astype(np.uint16), s, params=YC3_LA)
    b = epoch(w, s, params=YC3_LA)
    np.testing.assert_allclose(a.incentive, b.incentive, atol=1e-15)
    np.testing.assert_allclose(a.dividends, b.dividends, atol=1e-15)


# --- fallbacks ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [1, 2, 3])
def test_all_zero_weights_fall_back_to_active_stake(version):
    _, s = small_subnet()
    active = np.array([True, True, False, True, True, True])
    r = epoch(np.zeros((6, 6)), s, params=YumaParams(yuma_version=version), active=active)
    # (Yuma 1's sigmoid consensus is never exactly 0, but with no rank there is no incentive either.)
    assert version == 1 or not r.consensus.any()
    assert not r.incentive.any() and not r.dividends.any()
    assert not r.miner_emission.any()
    np.testing.assert_allclose(r.validator_emission, [6 / 9, 3 / 9, 0, 0, 0, 0])
    assert not r.bonds.any()


def test_no_active_stake_falls_back_to_stake():
    w, s = small_subnet()
    r = epoch(w, s, active=np.zeros(6, bool))
    np.testing.assert_allclose(r.validator_emission, s / s.sum())
    assert not r.miner_emission.any()


def test_all_zero_input_is_not_an_error():
    r = epoch(np.zeros((4, 4)), np.zeros(4), np.zeros((4, 4)), params=YC3_LA)
    for name in ("consensus", "incentive", "dividends", "miner_emission", "validator_emission", "bonds"):
        assert np.all(getattr(r, name) == 0), name
    assert not r.next_permits.any()


def test_self_weights_only_fall_back():
    _, s = small_subnet()
    r = epoch(np.eye(6), s)
    assert not r.incentive.any()
    np.testing.assert_allclose(r.validator_emission, s / s.sum())


def test_emission_is_split_half_and_half_when_both_sides_earn():
    w, s = small_subnet()
    r = epoch(w, s, params=YC3_LA)
    assert r.miner_emission.sum() == pytest.approx(0.5)
    assert r.validator_emission.sum() == pytest.approx(0.5)
    np.testing.assert_allclose(r.emission, r.miner_emission + r.validator_emission)


# --- masks --------------------------------------------------------------------------------------------------


def test_rows_without_permit_are_ignored():
    w, s = small_subnet()
    w2 = w.copy()
    w2[3:, :] = 1.0  # the miners also set weights, but hold no permit
    permits = np.array([True] * 3 + [False] * 3)
    a, b = epoch(w, s, permits=permits), epoch(w2, s, permits=permits)
    np.testing.assert_array_equal(a.consensus, b.consensus)
    np.testing.assert_array_equal(a.dividends, b.dividends)


def test_self_weight_dropped_except_the_owners():
    w, s = small_subnet()
    w[0, 0] = 5.0
    plain = epoch(w, s)
    assert plain.steps["weights"][0, 0] == 0
    np.testing.assert_array_equal(plain.incentive, epoch(small_subnet()[0], s).incentive)
    owned = epoch(w, s, owner_uid=0)
    assert owned.steps["weights"][0, 0] == pytest.approx(5 / 7)


def test_owner_always_gets_a_next_permit():
    w, s = small_subnet()
    r = epoch(w, s, params=YumaParams(max_validators=1), owner_uid=5)
    np.testing.assert_array_equal(r.next_permits, [True, False, False, False, False, True])


def test_outdated_weights_are_dropped():
    w, s = small_subnet()
    outdated = np.zeros((6, 6), bool)
    outdated[0, 3] = True
    r = epoch(w, s, outdated=outdated)
    np.testing.assert_allclose(r.steps["weights"][0, 3:], [0, 1, 0])


def test_new_registration_zeroes_the_bond_column_on_load():
    w, s = small_subnet()
    first = epoch(w, s, params=YC3_LA)
    assert first.bonds[[0, 2], 4].all()
    new_reg = np.zeros(6, bool)
    new_reg[4] = True
    second = epoch(w, s, first.bonds, params=YC3_LA, new_registrations=new_reg)
    assert not second.steps["bonds_loaded"][:, 4].any()
    assert second.steps["bonds_loaded"][:, 3].any()


def test_bond_rows_of_validators_losing_their_permit_are_cleared():
    w, s = small_subnet()
    r = epoch(w, s, params=YumaParams(yuma_version=3, max_validators=2))
    np.testing.assert_array_equal(r.next_permits, [True, True, False, False, False, False])
    assert r.steps["ema_bonds"][2].any()
    assert not r.bonds[2].any() and r.bonds[:2].any()


# --- engines ------------------------------------------------------------------------------------------------


def test_consensus_is_the_kappa_median():
    w, s = small_subnet()
    r = epoch(w, s)
    # Miner 3: validators 0 and 1 (90 % of the stake) give it 1/2 -> 1/2. Miner 5: only 40 % vote for it.
    np.testing.assert_allclose(r.consensus, [0, 0, 0, 0.5, 0.5, 0])
    np.testing.assert_allclose(r.validator_trust, [1, 0.5, 0.5, 0, 0, 0])


def test_yc2_bond_freeze_keeps_a_column_nobody_supports():
    w, s = small_subnet()
    first = epoch(w, s)
    w2 = w.copy()
    w2[:3, 3] = 0.0  # nobody supports miner 3 any more
    second = epoch(w2, s, first.bonds)
    np.testing.assert_allclose(second.bonds[:, 3], first.bonds[:, 3], atol=1.01 / 65535)
    assert second.bonds[:3, 3].any()


def test_yc3_bonds_move_towards_each_validators_own_weight():
    w, s = small_subnet()
    p = YumaParams(yuma_version=3, bonds_penalty=0.0, bonds_moving_avg=0.5)
    r = epoch(w, s, params=p)
    for _ in range(30):
        r = epoch(w, s, r.bonds, params=p)
    np.testing.assert_allclose(r.bonds[:3, 3:], r.steps["weights"][:3, 3:], atol=1e-3)


def test_yc3_liquid_alpha_is_within_its_range():
    w, s = small_subnet()
    p = YumaParams(yuma_version=3, liquid_alpha_enabled=True, alpha_low=0.2, alpha_high=0.6)
    r = epoch(w, s, params=p)
    alpha = r.steps["alpha"]
    assert alpha.shape == (6, 6) and alpha.min() >= 0.2 and alpha.max() <= 0.6
    # A pair with no weight and no bond is a "buy" at distance 0: sigmoid(-steepness/200).
    assert alpha[5, 0] == pytest.approx(0.2 + 0.4 / (1 + math.exp(5)))


def test_rows_outside_the_permits_get_the_same_alpha_as_computed_rows():
    w, s = small_subnet()
    permits = np.array([True] * 3 + [False] * 3)
    r = epoch(w, s, params=YC3_LA, permits=permits)
    full = epoch(w, s, params=YC3_LA)
    np.testing.assert_allclose(r.steps["alpha"], full.steps["alpha"])


def test_liquid_alpha_is_off_without_consensus():
    p = YumaParams(yuma_version=3, liquid_alpha_enabled=True, bonds_moving_avg=0.8)
    r = epoch(np.eye(4), np.ones(4), params=p)
    np.testing.assert_allclose(r.steps["alpha"], 0.2)


def test_yuma1_sigmoid_consensus_and_unclipped_weights():
    w, s = small_subnet()
    r = epoch(w, s, params=YumaParams(yuma_version=1, kappa=0.5))
    support = np.array([0.9, 0.7, 0.4])  # active stake that put weight on miners 3, 4, 5
    np.testing.assert_allclose(r.consensus[3:], 1 / (1 + np.exp(-10 * (support - 0.5))))
    np.testing.assert_array_equal(r.steps["clipped_weights"], r.steps["weights"])
    assert r.incentive.sum() == pytest.approx(1.0)


# --- permits ------------------------------------------------------------------------------------------------


def test_top_k_permits_ties_go_to_the_higher_uid():
    np.testing.assert_array_equal(top_k_permits([5, 3, 3, 3, 1], 3), [True, False, True, True, False])
    np.testing.assert_array_equal(top_k_permits([2, 2, 2, 2], 1), [False, False, False, True])


def test_top_k_permits_only_positive_stake():
    np.testing.assert_array_equal(top_k_permits([0, 1, 0, 2], 3), [False, True, False, True])
    np.testing.assert_array_equal(top_k_permits([0, 0], 5), [False, False])
    np.testing.assert_array_equal(top_k_permits([1, 2], 0), [False, False])


@pytest.mark.parametrize("k", [-1, 1.5, None])
def test_top_k_permits_rejects_bad_k(k):
    with pytest.raises(ValueError, match="k"):
        top_k_permits([1, 2], k)


# --- the step trace -----------------------------------------------------------------------------------------


def test_steps_are_in_pipeline_order_with_descriptions():
    w, s = small_subnet()
    r = epoch(w, s, params=YC3_LA, permits=np.array([True] * 3 + [False] * 3))
    assert list(r.steps) == list(STEP_DESCRIPTIONS)
    names = list(r.steps)
    pairs = [("stake", "active_stake"), ("weights", "consensus"), ("consensus", "clipped_weights"),
             ("rank", "incentive"), ("weights_for_bonds", "alpha"), ("bonds_delta", "ema_bonds"),
             ("ema_bonds", "dividends")]
    for earlier, later in pairs:
        assert names.index(earlier) < names.index(later)
    trace = list(r.trace())
    assert [t.name for t in trace] == names and all(t.description for t in trace)
    for t in trace:
        assert np.shape(t.value) in [(6,), (6, 6)], t.name


def test_steps_agree_with_the_result():
    w, s = small_subnet()
    r = epoch(w, s, params=YC3_LA, permits=np.array([True] * 3 + [False] * 3))
    st = r.steps
    np.testing.assert_allclose(st["clipped_weights"], np.minimum(st["weights"], st["consensus"]))
    np.testing.assert_allclose(st["validator_trust"], st["clipped_weights"].sum(axis=1))
    np.testing.assert_allclose(st["incentive"], st["rank"] / st["rank"].sum())
    np.testing.assert_allclose(st["weights"].sum(axis=1), [1, 1, 1, 0, 0, 0])
    np.testing.assert_allclose(st["active_stake"], [0.6, 0.3, 0.1, 0, 0, 0])
    np.testing.assert_array_equal(st["bonds_stored"], r.bonds)
    np.testing.assert_allclose(st["ema_bonds"], np.minimum(1, st["alpha"] * st["weights_for_bonds"]))
