"""The conformance chapter's widget: every check it shows passes, computed from the model, and it degrades
plainly when the vectors are not there."""

from pathlib import Path

import pandas as pd
import pytest

from taosandbox.simulations import PUBLISHED_HONEST_UTILITY
from widgets import Conformance
from widgets.conformance import FILES, UTILITY, check_row, summarize

VECTORS = Path(__file__).parents[1] / "vectors"


@pytest.fixture(scope="module")
def checks():
    widget = Conformance(VECTORS)
    widget.run()
    return widget


def test_every_row_the_chapter_shows_passes(checks):
    failing = checks.rows[~checks.rows["passed"]]
    assert failing.empty, failing.to_string()
    assert checks.all_pass
    assert "all pass" in checks.summary_html.value and "FAIL" not in checks.summary_html.value


def test_every_vector_file_and_the_published_study_are_covered(checks):
    counts = checks.rows.groupby("group").size()
    assert set(counts.index) == {*FILES.values(), UTILITY}
    assert counts["Emission and halving"] == 44 and counts["AMM swaps"] == 27
    assert counts["YC2 bonds (test_bonds)"] > 100 and counts["YC3 + liquid alpha (case 1)"] > 30
    assert counts[UTILITY] == len(PUBLISHED_HONEST_UTILITY)
    # Every check carries where its number comes from.
    assert set(checks.rows["status"]) >= {"asserted_on_chain", "trace_comment", "published", "derived"}


def test_the_summary_and_the_charts_show_the_rows(checks):
    summary = checks.summary
    assert (summary["checked"] == summary["passed"]).all()
    assert summary.loc["Emission and halving", "largest error"] == "exact"
    sizes = [len(d) for d in checks.chart.spec["datasets"].values()]
    assert len(checks.rows) - len(PUBLISHED_HONEST_UTILITY) in sizes  # one dot per vector check
    study = [d for d in checks.utility_chart.spec["datasets"].values() if d and "expected" in d[0]]
    assert len(study[0]) == len(PUBLISHED_HONEST_UTILITY)


def test_a_value_outside_its_tolerance_fails_and_shows():
    row = check_row("g", "case", "x", expected=1.0, model=1.5, tolerance=0.1, status="derived")
    assert not row["passed"] and row["closeness"] == 2.0
    exact = check_row("g", "case", "x", expected=3, model=3, tolerance=0, status="derived")
    assert exact["passed"] and exact["closeness"] == 0
    assert summarize(pd.DataFrame([row, exact])).loc["g", "passed"] == 1


def test_without_the_vectors_the_chapter_says_so_plainly(tmp_path):
    widget = Conformance(tmp_path / "nowhere")
    assert widget.rows.empty and not widget.all_pass
    assert "not here" in widget.note.value and "Traceback" not in widget.note.value
