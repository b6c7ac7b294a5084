"""The halving explorer and the prediction widget, driven from Python as a reader would."""

import json

import pytest

from taosandbox.emission import Anchor, halving_threshold
from widgets import HalvingExplorer, Prediction


@pytest.fixture(scope="module")
def explorer():
    return HalvingExplorer()


def chart_rows(explorer, scenario="with recycling"):
    spec = explorer.chart.spec
    rows = [row for dataset in spec["datasets"].values() for row in dataset if "scenario" in row]
    return [row for row in rows if row["scenario"] == scenario]


def test_the_explorer_starts_at_the_first_halving(explorer):
    explorer.rule.value, explorer.recycling.value = "issuance", 0
    assert explorer.frame["date"].iloc[0] == Anchor().date
    assert "Halving 2</b> happens on <b>11 December 2029" in explorer.readout.value
    assert explorer.message.value == ""


def test_recycling_moves_the_chart_and_the_readout(explorer):
    explorer.rule.value, explorer.recycling.value = "issuance", 0
    before = json.dumps(chart_rows(explorer))
    explorer.recycling.value = 720
    after = chart_rows(explorer)
    assert json.dumps(after) != before
    # 0.1 TAO recycled a block leaves 0.4 TAO of growth: halving 2 comes 2,625,000 blocks later.
    halvings = [row for row in after if row["event"] == "halving"]
    assert halvings[0]["date"].startswith("2030-12-10")
    assert "364 days later" in explorer.readout.value
    # The dashed baseline does not move.
    assert [r["date"] for r in chart_rows(explorer, "no recycling") if r["event"] == "halving"][0].startswith(
        "2029-12-11")


def test_the_calendar_rule_ignores_recycling(explorer):
    explorer.rule.value = "blocks"
    explorer.recycling.value = 1_000
    assert "13 December 2029" in explorer.readout.value
    assert "<b>0 days later</b>" in explorer.readout.value
    explorer.rule.value = "issuance"
    assert "560 days later" in explorer.readout.value


def test_horizon_and_halving_number_change_what_is_shown(explorer):
    explorer.rule.value, explorer.recycling.value = "issuance", 0
    explorer.years.value = 10
    last = max(row["date"] for row in chart_rows(explorer))
    assert last.startswith("2035-12")
    explorer.halving.value = 4
    assert "Halving 4</b> does not happen within 10 years" in explorer.readout.value
    explorer.years.value = 40
    assert "Halving 4</b> happens on <b>06 December 2037" in explorer.readout.value
    explorer.halving.value = 2


def test_a_stall_is_explained_in_plain_words():
    explorer = HalvingExplorer(recycled_tao_per_day=2_000)
    explorer.halving.value = 3
    assert "does not happen" in explorer.readout.value and "stalls" in explorer.readout.value


def test_the_anchor_is_a_parameter_of_the_model_not_the_widget():
    explorer = HalvingExplorer(Anchor(issuance_rao=halving_threshold(2)))
    assert explorer.frame["halvings"].iloc[0] == 2
    assert "Halving 2</b> happens on <b>14 December 2025" in explorer.readout.value


def test_a_refused_setting_is_a_message_not_a_traceback():
    explorer = HalvingExplorer()
    explorer.recycling.max = 10_000
    explorer.recycling.value = 9_000  # more than one full block reward per block: the model refuses
    assert "recycled_tao_per_day" in explorer.message.value
    explorer.recycling.value = 100
    assert explorer.message.value == ""


def test_controls_carry_stable_css_classes(explorer):
    classes = {c for w in (explorer.rule, explorer.recycling, explorer.years, explorer.halving,
                           explorer.readout, explorer.chart) for c in w._dom_classes}
    assert {"ts-rule", "ts-recycling", "ts-horizon", "ts-halving", "ts-readout", "ts-chart"} <= classes


def test_prediction_reveals_only_after_a_choice():
    question = Prediction("Which?", ["a", "b"], answer=1, explanation="Because b.")
    assert question.reveal.disabled and question.result.value == ""
    question.choice.value = "a"
    question.reveal.click()
    assert "Not quite" in question.result.value and "Because b." in question.result.value
    question.choice.value = "b"
    question.reveal.click()
    assert "Right." in question.result.value


def test_prediction_refuses_an_answer_that_is_not_an_option():
    with pytest.raises(ValueError, match="answer"):
        Prediction("Which?", ["a"], answer=3, explanation="")


def test_the_cap_line_survives_a_recompute(explorer):
    explorer.recycling.value = 300
    rows = [row for dataset in explorer.chart.spec["datasets"].values() for row in dataset]
    assert {"cap": 21_000_000.0} in rows
