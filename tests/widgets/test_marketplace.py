"""The marketplace and the oracle-problem widgets, driven from Python as a reader would."""

import pytest

from taosandbox.sweep import sweep
from widgets import Marketplace, OracleProblem, SweepProgress


@pytest.fixture(scope="module")
def market():
    return Marketplace(epochs=12)


def rows(widget, name):
    return widget.chart.spec["datasets"][name]


def share_now(market):
    return {row["miner"]: row["share"] for row in rows(market, "market_now")}


def test_step_reveals_one_epoch_and_the_better_miner_earns_more(market):
    market.reset.click()
    assert market.epoch.value == 0 and rows(market, "market_miners") == []
    assert "Press" in market.readout.value
    for expected in range(1, 6):
        market.step.click()
        assert market.epoch.value == expected
    assert {row["epoch"] for row in rows(market, "market_miners")} == set(range(1, 6))
    share = share_now(market)
    assert share["miner3"] > share["miner2"] > share["miner1"] > share["miner0"]  # qualities 0.9 > 0.6 > 0.4 > 0.2
    assert "Epoch 5" in market.counter.value and "miner3" in market.readout.value


def test_the_subnet_pays_owner_miners_and_validators_18_41_41(market):
    market.epoch.value = 8
    this_epoch = {row["group"]: row["alpha"] for row in rows(market, "market_groups") if row["epoch"] == 8}
    total = sum(this_epoch.values())
    assert this_epoch["owner"] / total == pytest.approx(0.18, abs=1e-6)
    assert this_epoch["miners"] / total == pytest.approx(0.41, abs=1e-6)
    assert this_epoch["validators"] / total == pytest.approx(0.41, abs=1e-6)
    assert "owner <b>18%</b>" in market.readout.value
    so_far = market.earnings()
    assert so_far["validators"] > so_far["miners"] > so_far["owner"] > 0  # miners earn nothing in the first epoch


def test_a_better_miner_takes_over_and_the_past_stays(market):
    market.reset.click()
    market.epoch.value = 3
    before = [row for row in rows(market, "market_miners")]
    market.quality_sliders[0].value = 1.0  # miner0 becomes the best from epoch 3 on
    assert rows(market, "market_miners") == before  # the history up to now is replayed exactly
    market.epoch.value = 12
    share = share_now(market)
    assert max(share, key=share.get) == "miner0"
    market.quality_sliders[0].value = 0.2  # back as it was, for the other tests
    market.reset.click()


def test_refused_actions_show_a_message(market):
    market.epoch.value = market.epoch.max
    market.step.click()
    assert "ends at epoch 12" in market.message.value and market.epoch.value == 12
    market.set_quality(7, 0.5)
    assert "no miner7" in market.message.value
    market.set_quality(1, 1.5)
    assert "between 0 and 1" in market.message.value
    market.reset.click()
    assert market.message.value == "" and market.epoch.value == 0


def test_the_gaming_miner_wins_on_the_subjective_task_only():
    oracle = OracleProblem(epochs=12)
    frame = oracle.frame.set_index(["task", "miner"])["share"]
    assert frame["subjective", "gamer"] == max(frame["subjective"])
    assert frame["objective", "gamer"] < frame["objective", "expert"]
    assert "rank 1 of 4" in oracle.readout.value
    oracle.gaming.value = 0.0  # an honest twin of the expert: no edge anywhere
    honest = oracle.frame.set_index(["task", "miner"])["share"]
    assert honest["subjective", "gamer"] < frame["subjective", "gamer"]
    assert honest["objective", "gamer"] > frame["objective", "gamer"]
    measured = {(r["task"], r["miner"]): r["measured"] for r in oracle.chart.spec["datasets"]["oracle"]}
    assert measured["subjective", "gamer"] == pytest.approx(0.7)
    oracle.set_gaming(2.0)
    assert "between 0 and 0.8" in oracle.message.value and oracle.gaming.value == 0.0


def test_the_progress_adapter_counts_to_the_total():
    bar = SweepProgress("Test")
    seen = []
    bar.bar.observe(lambda change: seen.append(change["new"]), names="value")
    frame = sweep(lambda seed, x: {"y": seed * x}, {"x": [1, 2, 3]}, seeds=4, processes=1, progress=bar)
    assert len(frame) == 12
    assert bar.done == bar.total == 12 and bar.bar.value == bar.bar.max == 12
    assert seen == sorted(seen) and bar.bar.bar_style == "success" and "12 / 12 runs" in bar.label.value
    bar.reset()
    assert bar.bar.value == 0 and bar.label.value == ""
