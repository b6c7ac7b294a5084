"""The Yuma lab, its step-through and the case player, driven from Python as a reader would."""

import numpy as np
import pytest

from taosandbox.scenarios import VARIANTS
from taosandbox.yuma import STEP_DESCRIPTIONS, YumaParams
from widgets import CasePlayer, EpochSteps, YumaLab
from widgets.yuma_lab import run_epochs


@pytest.fixture
def lab():
    return YumaLab()


def rows(widget, name):
    return widget.chart.spec["datasets"][name]


def by(rows_, key, field):
    return {row[key]: row[field] for row in rows_}


def consensus(lab):
    return by(rows(lab, "lab_miners"), "miner", "consensus")


def test_the_chart_shows_what_the_model_computes(lab):
    expected = run_epochs(lab.weights(), lab.stakes(), lab.params(), lab.epochs.value)
    assert consensus(lab) == pytest.approx({"M1": 0.5, "M2": 0.3, "M3": 0.1})
    incentive = by(rows(lab, "lab_miners"), "miner", "incentive")
    assert list(incentive.values()) == pytest.approx(expected.incentive[3:])
    dividends = by(rows(lab, "lab_validators"), "validator", "dividends")
    assert list(dividends.values()) == pytest.approx(expected.dividends[:3])
    # C's weight on M3 (0.8) is clipped at the consensus 0.1: C keeps 0.1 + 0.1 + 0.1 of its weight.
    trust = by(rows(lab, "lab_validators"), "validator", "trust")
    assert trust["C"] == pytest.approx(0.3) and trust["A"] == pytest.approx(0.9)
    clipped = {(r["validator"], r["miner"]): r["clipped"] for r in rows(lab, "lab_pairs")}
    assert clipped[("C", "M3")] == pytest.approx(0.1)
    assert "Incentive" in lab.readout.value and lab.message.value == ""


def test_a_weight_change_moves_consensus_incentive_and_dividends(lab):
    before_incentive = by(rows(lab, "lab_miners"), "miner", "incentive")
    before_dividends = by(rows(lab, "lab_validators"), "validator", "dividends")
    lab.weight_cells[1][2].value = 0.8  # B joins C on M3: together 55 % of the stake, more than kappa
    expected = run_epochs(lab.weights(), lab.stakes(), lab.params(), lab.epochs.value)
    assert consensus(lab)["M3"] == pytest.approx(expected.consensus[5]) and expected.consensus[5] > 0.4
    incentive = by(rows(lab, "lab_miners"), "miner", "incentive")
    assert incentive["M3"] > before_incentive["M3"]
    assert by(rows(lab, "lab_validators"), "validator", "dividends") != pytest.approx(before_dividends)


def test_a_minority_cabal_cannot_lift_consensus(lab):
    trust_before = by(rows(lab, "lab_validators"), "validator", "trust")["C"]
    lab.set_weights([[0.6, 0.3, 0.1], [0.5, 0.4, 0.1], [0.0, 0.0, 1.0]])  # C (20 % of stake) goes all in on M3
    assert consensus(lab)["M3"] == pytest.approx(0.1)
    assert by(rows(lab, "lab_validators"), "validator", "trust")["C"] < trust_before
    lab.stake_sliders[2].value = 100  # ... but with most of the stake (100 of 180), C sets the consensus
    assert consensus(lab)["M3"] == pytest.approx(1.0)


def test_kappa_decides_how_much_stake_a_consensus_needs(lab):
    lab.kappa.value = 0.15  # C's 20 % is now enough to carry its 0.8 on M3
    assert consensus(lab)["M3"] == pytest.approx(0.8)
    lab.kappa.value = 0.5
    assert consensus(lab)["M3"] == pytest.approx(0.1)


def test_the_bonds_engine_changes_dividends_not_incentive(lab):
    incentive = by(rows(lab, "lab_miners"), "miner", "incentive")
    dividends = by(rows(lab, "lab_validators"), "validator", "dividends")
    lab.yuma_version.value = 2
    assert by(rows(lab, "lab_miners"), "miner", "incentive") == pytest.approx(incentive)
    assert by(rows(lab, "lab_validators"), "validator", "dividends") != pytest.approx(dividends)
    assert lab.liquid_alpha.disabled and lab.alpha_low.disabled
    lab.yuma_version.value = 1  # historic: no clipping, and no consensus line to draw
    assert set(consensus(lab).values()) == {None}


def test_the_grid_grows_and_shrinks_keeping_values(lab):
    lab.n_validators.value, lab.n_miners.value = 5, 4
    assert len(lab.stake_sliders) == 5 and len(lab.weight_cells[0]) == 4
    assert {r["validator"] for r in rows(lab, "lab_validators")} == set("ABCDE")
    assert len(rows(lab, "lab_pairs")) == 20
    lab.n_validators.value, lab.n_miners.value = 3, 3
    np.testing.assert_allclose(lab.weights(), [[0.6, 0.3, 0.1], [0.5, 0.4, 0.1], [0.1, 0.1, 0.8]])


def test_refused_settings_are_messages_not_tracebacks(lab):
    lab.liquid_alpha.value = True
    spec = lab.chart.spec
    lab.alpha_high.value = 0.5
    assert "Alpha low (0.70) is above alpha high (0.50)" in lab.message.value
    assert lab.chart.spec is spec  # the chart keeps the last valid result
    lab.alpha_low.value = 0.01
    assert "at least 0.025" in lab.message.value
    lab.alpha_low.value = 0.3
    assert lab.message.value == ""
    lab.set_stakes([0, 0, 0])
    assert "zero stake" in lab.message.value
    lab.set_stakes([45, 35, 20])
    assert lab.message.value == ""


def test_all_zero_weights_explain_the_fallback(lab):
    lab.set_weights(np.zeros((3, 3)))
    assert "fallback" in lab.readout.value and lab.message.value == ""


def test_the_constructor_takes_a_subnet_and_params():
    lab = YumaLab([[1, 0], [0, 1]], [70, 30], params=YumaParams(yuma_version=2, kappa=0.5), epochs=3)
    assert lab.yuma_version.value == 2 and lab.epochs.value == 3
    assert consensus(lab) == pytest.approx({"M1": 1.0, "M2": 0.0})
    with pytest.raises(ValueError, match="stake per validator"):
        YumaLab([[1, 0]], [1, 2])


def test_step_through_walks_the_epoch(lab):
    steps = EpochSteps(lab)
    assert steps.step.value == "stake" and "Step 1 of 18" in steps.description.value
    assert [r["who"] for r in steps.chart.spec["datasets"]["step"]] == ["A", "B", "C"]
    steps.next.click()
    steps.next.click()
    steps.next.click()
    assert steps.step.value == "consensus"
    assert STEP_DESCRIPTIONS["consensus"] in steps.description.value
    assert {r["who"]: r["value"] for r in steps.chart.spec["datasets"]["step"]} == pytest.approx(
        {"M1": 0.5, "M2": 0.3, "M3": 0.1})
    steps.next.click()  # clipped weights: a validators x miners heatmap
    cells = steps.chart.spec["datasets"]["step"]
    assert len(cells) == 9 and {"validator", "miner"} <= set(cells[0])
    steps.previous.click()
    assert steps.step.value == "consensus"
    lab.kappa.value = 0.15  # the step-through follows the lab
    assert {r["who"]: r["value"] for r in steps.chart.spec["datasets"]["step"]}["M3"] == pytest.approx(0.8)
    steps.previous.click()
    steps.previous.click()
    steps.previous.click()
    steps.previous.click()  # wraps round to the last step
    assert steps.step.value == "bonds_stored"


@pytest.fixture(scope="module")
def player():
    return CasePlayer(2)


def test_the_case_player_steps_and_resets(player):
    assert player.epoch.value == 0 and "Epoch 0" in player.counter.value
    player.step.click()
    player.step.click()
    assert player.epoch.value == 2 and "Epoch 2" in player.counter.value
    datasets = player.chart.spec["datasets"]
    assert {r["epoch"] for r in datasets["dividends"]} == {0, 1, 2} and datasets["now"] == [{"epoch": 2}]
    assert {r["epoch"] for r in datasets["bonds"]} == {2}
    player.epoch.value = player.epoch.max
    player.step.click()  # stays on the last epoch
    assert player.epoch.value == player.epoch.max
    player.reset.click()
    assert player.epoch.value == 0 and player.chart.spec["datasets"]["now"] == [{"epoch": 0}]
    assert not player.play.playing


def test_the_case_player_compares_the_three_variants(player):
    player.epoch.value = player.epoch.max
    datasets = player.chart.spec["datasets"]
    assert {r["variant"] for r in datasets["dividends"]} == set(VARIANTS) == {r["variant"] for r in datasets["bonds"]}
    assert len(VARIANTS) == 3
    assert {r["epoch"] for r in datasets["dividends"]} == set(range(40))
    # Case 2: B, who found S2 first, earns more under YC3 than under YC2, and more again with liquid alpha.
    b = {v: sum(r["dividends"] for r in datasets["dividends"] if r["variant"] == v and r["validator"] == "B")
         for v in VARIANTS}
    assert b["YC2"] < b["YC3"] < b["YC3 + liquid alpha"]
    player.reset.click()
    assert "kappa moves second" in player.story.value and "epoch 1: B → S2" in player.story.value


def test_picking_another_case_reloads_the_run(player):
    player.epoch.value = 5
    player.case.value = 14
    assert player.run.case.number == 14 and "one epoch" in player.story.value
    assert player.epoch.value == 5 and {r["epoch"] for r in player.chart.spec["datasets"]["dividends"]} == set(range(6))
    assert {r["validator"] for r in player.chart.spec["datasets"]["dividends"]} == {"A", "B", "C"}
    player.case.value = 2


def test_controls_carry_stable_css_classes(lab, player):
    steps = EpochSteps(lab)
    widgets = [lab.n_validators, lab.n_miners, lab.kappa, lab.bonds_penalty, lab.bonds_moving_avg, lab.epochs,
               lab.yuma_version, lab.liquid_alpha, lab.alpha_low, lab.alpha_high, lab.message, lab.readout, lab.chart,
               lab.stake_sliders[0], lab.weight_cells[0][0], steps.previous, steps.next, steps.step, steps.chart,
               steps.description, player.case, player.play, player.step, player.reset, player.epoch, player.counter,
               player.chart]
    classes = {c for w in widgets for c in w._dom_classes}
    assert {"ts-validators", "ts-miners", "ts-kappa", "ts-bonds-penalty", "ts-bonds-moving-avg", "ts-epochs",
            "ts-yuma-version", "ts-liquid-alpha", "ts-alpha-low", "ts-alpha-high", "ts-message", "ts-readout",
            "ts-lab-chart", "ts-stake", "ts-weight", "ts-step-prev", "ts-step-next", "ts-step-select",
            "ts-step-chart", "ts-step-description", "ts-case", "ts-case-play", "ts-case-step", "ts-case-reset",
            "ts-case-epoch", "ts-epoch-counter", "ts-case-chart"} <= classes
    assert {"ts-yuma-lab", "ts-epoch-steps", "ts-case-player"} <= {
        c for w in (lab, steps, player) for c in w._dom_classes}


def test_step_through_says_so_when_the_lab_refused_and_the_grid_changed(lab):
    steps = EpochSteps(lab)
    lab.set_stakes([0, 0, 0])  # refused: no epoch matches these controls
    lab.n_validators.value, lab.n_miners.value = 2, 5  # another grid, still all zero stake
    # Every step, vectors and matrices: a message, never an IndexError. Setting the value directly lets an
    # exception reach the test (a button's click handler would only log it).
    shown = []
    for name in [*list(STEP_DESCRIPTIONS)[1:], "stake"]:
        steps.step.value = name
        shown.append((steps.description.value, steps.chart.spec["datasets"]["step"]))
    for description, rows_ in shown:
        assert "No epoch to walk through" in description and "zero stake" in description
        assert rows_ == []
    steps.next.click()
    assert steps.step.value == "active_stake" and "No epoch to walk through" in steps.description.value
    lab.set_stakes([10, 5])  # valid again: the steps follow the new 2 x 5 grid
    steps.step.value = "stake"
    assert [r["who"] for r in steps.chart.spec["datasets"]["step"]] == ["A", "B"]
    steps.step.value = "consensus"
    assert [r["who"] for r in steps.chart.spec["datasets"]["step"]] == ["M1", "M2", "M3", "M4", "M5"]


def test_step_through_opens_on_a_lab_whose_settings_are_refused():
    lab = YumaLab([[1, 0], [0, 1]], [0, 0])
    assert lab.result is None and "zero stake" in lab.message.value
    steps = EpochSteps(lab)
    assert "No epoch to walk through" in steps.description.value
