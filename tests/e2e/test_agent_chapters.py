"""The three agent chapters in headless Chromium: the marketplace steps and plays, the gaming slider moves the oracle
chart, the cabal's stake crosses κ, the honest-utility study runs with its progress bar, and nothing shows an error."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.browser

WIDGETS_TIMEOUT = 90_000  # ms; the figures we aim for are measured and recorded, not asserted


def open_chapter(page, voila_url: str, notebook: str, chart_css: str) -> None:
    page.goto(f"{voila_url}/voila/render/{notebook}")
    page.locator(f"{chart_css} svg .mark-symbol path, {chart_css} svg .mark-rect path").first.wait_for(
        timeout=WIDGETS_TIMEOUT)


def test_the_marketplace_steps_and_plays(page, voila_url, screenshot, assert_no_error_on, record, wait_for_change):
    started = time.monotonic()
    open_chapter(page, voila_url, "marketplace.ipynb", ".ts-market-chart")
    record("marketplace_widgets_visible_s", time.monotonic() - started)
    market = page.locator(".ts-marketplace")
    counter, chart = market.locator(".ts-epoch-counter"), market.locator(".ts-market-chart")
    assert "Epoch 0" in counter.inner_text()
    assert_no_error_on(page)

    before = chart.inner_html()
    market.locator(".ts-market-step").click()
    redraw = wait_for_change(chart.inner_html, before, "the marketplace chart after Step")
    record("marketplace_redraw_after_step_s", redraw)
    market.locator(".ts-epoch-counter", has_text="Epoch 1 ").wait_for()

    market.locator(".ts-market-play button").first.click()  # Play: epochs advance in the browser
    market.locator(".ts-epoch-counter", has_text="Epoch 8 ").wait_for(timeout=30_000)
    market.locator(".ts-market-play button").first.click()  # pause
    page.locator(".ts-readout", has_text="miner3").first.wait_for()
    assert chart.locator("svg .mark-line path").count() >= 4  # one line per miner
    assert_no_error_on(page)
    screenshot(market, "marketplace")


def test_the_gaming_slider_moves_the_oracle_chart(
        page, voila_url, screenshot, assert_no_error_on, record, drag_slider, wait_for_change,
):
    open_chapter(page, voila_url, "proof-of-intelligence.ipynb", ".ts-oracle-chart")
    widget = page.locator(".ts-oracle-problem")
    readout, chart = widget.locator(".ts-readout"), widget.locator(".ts-oracle-chart")
    assert "rank 1 of 4" in readout.inner_text()  # the gamer wins the subjective task
    before_text, before_chart = readout.inner_text(), chart.inner_html()
    drag_slider(page, ".ts-gaming", 0.0)  # no gaming: the gamer is the expert's twin
    record("oracle_redraw_after_gaming_s", wait_for_change(chart.inner_html, before_chart, "the oracle chart"))
    wait_for_change(readout.inner_text, before_text, "the oracle readout")
    assert "real quality is 0.70" in readout.inner_text()
    assert_no_error_on(page)
    screenshot(widget, "oracle-problem")


def test_the_cabal_crosses_kappa_and_the_study_runs(
        page, voila_url, screenshot, assert_no_error_on, record, drag_slider, wait_for_change,
):
    open_chapter(page, voila_url, "collusion-and-weight-copying.ipynb", ".ts-cabal-chart")
    cabal = page.locator(".ts-cabal-threshold")
    readout, chart = cabal.locator(".ts-cabal-readout"), cabal.locator(".ts-cabal-chart")
    assert "clipped" in readout.inner_text()  # 40 % of the stake, κ = 0.5
    before = chart.inner_html()
    drag_slider(page, ".ts-cabal-stake", 0.75)
    record("cabal_redraw_after_stake_s", wait_for_change(chart.inner_html, before, "the cabal chart"))
    page.locator(".ts-cabal-readout", has_text="sets the consensus").wait_for(timeout=30_000)
    assert "100%" in readout.inner_text()  # its miners now take all the incentive
    assert_no_error_on(page)
    screenshot(cabal, "collusion")

    study = page.locator(".ts-honest-utility")
    study.scroll_into_view_if_needed()
    study.locator(".ts-hu-seeds select").select_option("1")
    started = time.monotonic()
    study.locator("button.ts-hu-run").click()
    study.locator(".ts-progress-label", has_text="770 / 770 runs").wait_for(timeout=60_000)
    record("honest_utility_run_1_seed_s", time.monotonic() - started)
    study.locator(".ts-readout", has_text="differs from the published figure").wait_for(timeout=30_000)
    assert_no_error_on(page)
    screenshot(study, "honest-utility")
