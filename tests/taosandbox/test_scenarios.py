"""The scenario catalogue (spec/yuma_cases.md): every case runs, frames are tidy, runs are deterministic, and
the chain's own numbers and a few of the catalogue's known results come out."""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from taosandbox.scenarios import CASES, VALIDATORS, VARIANTS, Case, get_case, run_all_variants, run_case
from taosandbox.yuma import YumaParams

VECTORS = Path(__file__).parents[1] / "vectors"
EPOCHS = 40


@pytest.fixture(scope="module")
def all_runs():
    return {case.number: run_all_variants(case, EPOCHS) for case in CASES}


def test_catalogue_has_cases_1_to_19():
    assert [c.number for c in CASES] == list(range(1, 20))
    assert len({c.name for c in CASES}) == 19
    assert all(c.shows for c in CASES)


@pytest.mark.parametrize("number", range(1, 20))
def test_every_case_runs_under_every_variant(all_runs, number):
    run = all_runs[number]
    nm = len(run.case.miners)
    nvar = len(VARIANTS)
    assert list(run.dividends.columns) == ["variant", "epoch", "validator", "stake", "dividends", "emission"]
    assert list(run.incentive.columns) == ["variant", "epoch", "miner", "consensus", "incentive", "emission"]
    assert list(run.bonds.columns) == ["variant", "epoch", "validator", "miner", "bond", "bond_share"]
    assert len(run.dividends) == nvar * EPOCHS * 3
    assert len(run.incentive) == nvar * EPOCHS * nm
    assert len(run.bonds) == len(run.weights) == nvar * EPOCHS * 3 * nm
    assert set(run.dividends.variant) == set(VARIANTS)
    assert not run.dividends.isna().any().any() and not run.bonds.isna().any().any()
    # Shares per variant and epoch: dividends and incentive sum to 1, emission to 1 in total.
    for frame, column in [(run.dividends, "dividends"), (run.incentive, "incentive")]:
        sums = frame.groupby(["variant", "epoch"])[column].sum()
        assert np.allclose(sums, 1.0), column
    emitted = (run.dividends.groupby(["variant", "epoch"]).emission.sum()
               + run.incentive.groupby(["variant", "epoch"]).emission.sum())
    assert np.allclose(emitted, 1.0)
    assert run.bonds.bond.between(0, 1).all()


def test_one_row_per_epoch_and_entity():
    run = run_case(15, "YC3", epochs=5)
    assert run.dividends.set_index(["epoch", "validator"]).index.is_unique
    assert run.bonds.set_index(["epoch", "validator", "miner"]).index.is_unique
    assert list(run.incentive.miner.unique()) == ["S1", "S2", "S3"]
    assert list(run.dividends.validator.unique()) == list(VALIDATORS)
    assert (run.dividends.variant == "YC3").all()


def test_case_1_reproduces_the_chain_test():
    """yuma_yc3_case1.json is the chain's own run of this case under YC3 + liquid alpha."""
    vector = json.loads((VECTORS / "yuma_yc3_case1.json").read_text())["cases"][0]
    run = run_case(1, "YC3 + liquid alpha", epochs=6)
    table = run.dividends.pivot(index="epoch", columns="validator", values="dividends")
    bonds = run.bonds.set_index(["epoch", "validator", "miner"]).bond
    for step in vector["steps"]:
        expected = {e["quantity"]: e for e in step["expected"]}
        dividends = expected["dividends"]
        np.testing.assert_allclose(table.loc[step["epoch"]], dividends["values"][:3], atol=dividends["tol"])
        for uid, miner_uid, value in expected["bonds"]["entries"]:
            key = (step["epoch"], VALIDATORS[uid], f"S{miner_uid - 2}")
            assert abs(bonds[key] - value) <= expected["bonds"]["tol"], key
    assert VARIANTS["YC3 + liquid alpha"] == YumaParams(**vector["params"])


def test_runs_are_deterministic_for_a_seed():
    a, b = run_all_variants(19, 20, seed=7), run_all_variants(19, 20, seed=7)
    for name in ("dividends", "incentive", "bonds", "weights"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    c = run_case(19, "YC3", 20, seed=8)
    assert not np.array_equal(c.weights.weight, a.weights[a.weights.variant == "YC3"].weight)


def test_noisy_case_puts_all_weight_on_one_miner_and_favours_the_better_one():
    w = get_case(19).weight_schedule(400, seed=1)
    assert np.all(w.sum(axis=2) == 1) and np.all((w == 0) | (w == 1))
    share_s1 = w[..., 0].mean()
    assert 0.6 < share_s1 < 0.9  # quality 0.60 against 0.55, noise 0.05: S1 usually but not always wins


def test_schedules_follow_the_catalogue():
    w = get_case(1).weight_schedule(5)
    np.testing.assert_array_equal(w[0], [[1, 0], [1, 0], [1, 0]])
    np.testing.assert_array_equal(w[1], [[0, 1], [1, 0], [1, 0]])
    np.testing.assert_array_equal(w[2], [[0, 1], [0, 1], [1, 0]])
    np.testing.assert_array_equal(w[4], [[0, 1], [0, 1], [0, 1]])
    w14 = get_case(14).weight_schedule(40)
    assert w14[20, 2].tolist() == [0, 1] and w14[19, 2].tolist() == w14[21, 2].tolist() == [1, 0]
    s9 = get_case(9).stake_schedule(40)
    assert s9[5].tolist() == [0.8, 0.1, 0.1] and s9[6].tolist() == [0.8, 0.2, 0.0]
    w17 = get_case(17).weight_schedule(40)
    np.testing.assert_allclose(w17[:, :, 2], 0.75)
    np.testing.assert_allclose(w17[39], [[0, 0.25, 0.75]] * 3)


def test_bond_reset_zeroes_the_miners_bonds():
    case = get_case(5)
    with_reset = run_case(case, "YC3").bonds
    without = run_case(dataclasses.replace(case, resets=()), "YC3").bonds

    def s2_bonds(frame, epoch):
        return frame[(frame.epoch == epoch) & (frame.miner == "S2")].bond.to_numpy()

    np.testing.assert_array_equal(s2_bonds(with_reset, 19), s2_bonds(without, 19))
    # Epoch 20 starts S2's bonds from zero: one EMA step of 0.025 towards weight 1.
    np.testing.assert_allclose(s2_bonds(with_reset, 20), 0.025, atol=1 / 65535)
    assert np.all(s2_bonds(without, 20) > 0.3)


def test_merged_validator_loses_its_permit_and_bonds():
    bonds = run_case(9, "YC3").bonds
    c = bonds[(bonds.validator == "C") & (bonds.miner == "S2")].set_index("epoch").bond
    assert c.loc[5] > 0 and c.loc[6] == 0 and c.loc[39] == 0


def test_case_2_early_discovery_pays_under_yc3(all_runs):
    """Known result: under YC2 the small validator B who moves to S2 first gets no bond there until
    consensus follows (zero consensus freezes the column); under YC3 its bond on S2 rises at once and it ends
    with a larger share of S2's bonds and more dividends over the run."""
    run = all_runs[2]
    bonds = run.bonds.set_index(["variant", "epoch", "validator", "miner"])
    assert bonds.loc[("YC2", 1, "B", "S2"), "bond"] == 0
    assert bonds.loc[("YC3", 1, "B", "S2"), "bond"] > 0
    total = run.dividends.groupby(["variant", "validator"]).dividends.sum()
    for variant in ("YC3", "YC3 + liquid alpha"):
        assert total[(variant, "B")] > total[("YC2", "B")]
        assert bonds.loc[(variant, EPOCHS - 1, "B", "S2"), "bond_share"] > bonds.loc[
            ("YC2", EPOCHS - 1, "B", "S2"), "bond_share"] + 0.1


def test_case_14_one_epoch_deviation_costs_little_under_yc3():
    """C's dividends over the run compared with the same run in which C never leaves S1."""
    case = get_case(14)
    loyal = dataclasses.replace(case, weights=tuple(e for e in case.weights if e[0] == 0))

    def c_total(c, variant):
        d = run_case(c, variant).dividends
        return d[d.validator == "C"].dividends.sum()

    cost = {v: c_total(loyal, v) - c_total(case, v) for v in ("YC2", "YC3")}
    assert 0 < cost["YC3"] < cost["YC2"]
    assert cost["YC3"] / c_total(loyal, "YC3") < 0.02


def test_get_case_by_number_name_or_case():
    assert get_case(4).name == "all validators switch"
    assert get_case("clipping demo").number == 11
    case = Case(99, "mine", "a custom case", weights=((0, "A", (1.0, 0.0)),))
    assert get_case(case) is case
    assert len(run_case(case, "YC2", epochs=3).dividends) == 9


@pytest.mark.parametrize("key", [0, 20, "no such case"])
def test_unknown_case_raises(key):
    with pytest.raises(ValueError, match="case"):
        get_case(key)


def test_bad_variant_or_epochs_raise():
    with pytest.raises(ValueError, match="variant"):
        run_case(1, "YC4")
    with pytest.raises(ValueError, match="epochs"):
        run_case(1, "YC2", epochs=0)


def test_custom_params_are_labelled_custom():
    run = run_case(4, YumaParams(yuma_version=1), epochs=3)
    assert (run.dividends.variant == "custom").all()
