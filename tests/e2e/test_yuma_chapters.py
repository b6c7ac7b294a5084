"""The two Yuma Consensus chapters in headless Chromium: the lab answers κ, the step-through and the case player
move, and nothing shows an error."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.browser

WIDGETS_TIMEOUT = 90_000  # ms; the figures we aim for are measured and recorded, not asserted


def test_chapter_1_lab_answers_kappa_and_steps_through(
        page, voila_url, screenshot, assert_no_error_on, record, drag_slider, wait_for_change,
):
    started = time.monotonic()
    page.goto(voila_url + "/voila/render/yuma-consensus-1.ipynb")
    lab_chart = page.locator(".ts-lab-chart")
    lab_chart.locator("svg .mark-rect path").first.wait_for(timeout=WIDGETS_TIMEOUT)
    page.locator(".ts-step-chart svg .mark-rect path").first.wait_for(timeout=WIDGETS_TIMEOUT)
    record("yuma_1_widgets_visible_s", time.monotonic() - started)
    assert page.locator(".ts-weight").count() == 9 and page.locator(".ts-stake").count() == 3
    assert "M1 54%" in page.locator(".ts-readout").inner_text()
    assert_no_error_on(page)
    page.set_viewport_size({"width": 1280, "height": 1400})  # element screenshots capture only the viewport
    screenshot(page.locator(".ts-yuma-lab"), "yuma-lab")

    before = lab_chart.inner_html()
    drag_slider(page, ".ts-kappa", 0.15)  # C's 20 % of the stake now carries its 0.8 on M3
    record("yuma_lab_redraw_after_kappa_s", wait_for_change(lab_chart.inner_html, before, "the lab's chart"))
    page.locator(".ts-readout", has_text="M3 ").wait_for()
    assert "M3 13%" not in page.locator(".ts-readout").inner_text()

    description = page.locator(".ts-step-description")
    before = description.inner_text()
    assert "consensus" in before
    step_chart = page.locator(".ts-step-chart")
    chart_before = step_chart.inner_html()
    page.locator(".ts-step-next").click()
    wait_for_change(description.inner_text, before, "the step's description")
    assert "clipped weights" in description.inner_text()
    wait_for_change(step_chart.inner_html, chart_before, "the step's chart")
    assert_no_error_on(page)
    screenshot(page.locator(".ts-epoch-steps"), "yuma-steps")


def test_chapter_2_case_player_steps_and_plays(
        page, voila_url, screenshot, assert_no_error_on, record, wait_for_change,
):
    page.goto(voila_url + "/voila/render/yuma-consensus-2.ipynb")
    chart = page.locator(".ts-case-chart")
    chart.locator("svg .mark-rect path").first.wait_for(timeout=WIDGETS_TIMEOUT)
    counter = page.locator(".ts-epoch-counter")
    assert "Epoch 0" in counter.inner_text()
    assert_no_error_on(page)

    before = chart.inner_html()
    page.locator(".ts-case-step").click()
    record("yuma_case_redraw_after_step_s", wait_for_change(chart.inner_html, before, "the case chart after Step"))
    page.locator(".ts-epoch-counter", has_text="Epoch 1 ").wait_for()

    page.locator(".ts-case-play button").first.click()  # Play: the epochs advance on their own
    page.locator(".ts-epoch-counter", has_text="Epoch 4 ").wait_for(timeout=20_000)
    page.locator(".ts-case-reset").click()
    page.locator(".ts-epoch-counter", has_text="Epoch 0 ").wait_for()

    # Another scenario replaces the data; stepping still redraws.
    page.locator(".ts-case select").select_option(label="Case 14: one validator switches for one epoch")
    page.locator(".ts-case-story", has_text="one epoch").wait_for()
    before = chart.inner_html()
    for _ in range(3):
        page.locator(".ts-case-step").click()
    page.locator(".ts-epoch-counter", has_text="Epoch 3 ").wait_for()
    wait_for_change(chart.inner_html, before, "the case chart after a new case")
    assert_no_error_on(page)
    screenshot(page.locator(".ts-case-player"), "yuma-case-player")
