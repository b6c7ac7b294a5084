"""The collusion chapter's widgets: a cabal against kappa, the honest-utility study and the weight copier."""

import pytest

from taosandbox.scenarios import VARIANTS
from widgets import CabalThreshold, CopierStudy, HonestUtilityStudy


@pytest.fixture(scope="module")
def cabal():
    return CabalThreshold(seeds=2)


def captured(widget):
    now = {row["measure"]: row["value"] for row in widget.chart.spec["datasets"]["cabal_now"]}
    return now["cabal miners' share of incentive"], now["cabal validators' trust"]


def test_the_cabal_captures_its_miners_emission_above_kappa(cabal):
    cabal.kappa.value = 0.5
    cabal.cabal_stake.value = 0.45
    incentive, trust = captured(cabal)
    assert incentive < 0.1 and trust < 0.1
    assert "clipped" in cabal.readout.value
    cabal.cabal_stake.value = 0.55
    incentive, trust = captured(cabal)
    assert incentive > 0.95 and trust > 0.95
    assert "sets the consensus" in cabal.readout.value
    split = {row["who"]: row["share"] for row in cabal.chart.spec["datasets"]["cabal_split"]}
    assert split["cabal miners"] == pytest.approx(incentive)


def test_kappa_moves_the_threshold_and_above_half_the_cabal_vetoes(cabal):
    cabal.cabal_stake.value = 0.5
    cabal.kappa.value = 0.6
    marks = {row["label"]: row["x"] for row in cabal.chart.spec["datasets"]["cabal_marks"]}
    assert marks == pytest.approx({"κ": 0.6, "1 − κ": 0.4})
    incentive, trust = captured(cabal)
    assert incentive > 0.95 and trust < 0.1  # below kappa, yet its miners take everything
    assert "vetoes" in cabal.readout.value
    curve = cabal.curve.set_index("cabal_stake")["cabal_validator_trust"]
    assert curve[0.58] < 0.1 < 0.9 < curve[0.62]  # trust jumps at kappa
    cabal.kappa.value = 0.5


def test_a_refused_stake_shows_a_message(cabal):
    before = cabal.cabal_stake.value
    cabal.set_stake(1.0)
    assert "between 2% and 98%" in cabal.message.value and cabal.cabal_stake.value == before
    cabal.set_stake(0.3)
    assert cabal.message.value == "" and cabal.cabal_stake.value == 0.3


def test_the_honest_utility_study_matches_the_published_figures():
    study = HonestUtilityStudy(utility_step=0.1, self_weight_step=0.25)
    published = study.chart.spec["datasets"]["honest_utility"]
    assert {row["source"] for row in published} == {"published"} and len(published) == 7
    study.run(seeds=1)
    assert study.progress.done == study.progress.total == len(study.grid) > 0
    assert len(study.table) == 7
    assert (study.table["sandbox"] - study.table["published"]).abs().max() < 0.03
    sources = [row["source"] for row in study.chart.spec["datasets"]["honest_utility"]]
    assert sources.count("sandbox") == 7 and not study.run_button.disabled
    study.run(seeds=0)
    assert "from 1 to 20" in study.message.value


def test_commit_reveal_cuts_what_copying_pays():
    study = CopierStudy(periods=[0, 2])
    assert study.chart.spec["datasets"]["copier"] == []
    study.run(seeds=1)
    assert study.progress.done == study.progress.total == 2 * len(VARIANTS)
    table = study.table.set_index(["variant", "commit_reveal_period"])["relative_dividend"]
    for variant in VARIANTS:
        assert table[variant, 0] > 0.95 and table[variant, 2] < table[variant, 0] - 0.1
    assert len(study.chart.spec["datasets"]["copier"]) == 2 * len(VARIANTS)
    assert "reveal period of 2 epochs" in study.readout.value
