"""The free sandbox and the conformance chapter in headless Chromium: Play runs live for 20 s and Pause stops it;
every conformance row passes; nothing shows an error."""

from __future__ import annotations

import re
import time

import pytest

pytestmark = pytest.mark.browser

WIDGETS_TIMEOUT = 90_000  # ms


def block_number(page) -> int:
    return int(page.locator(".ts-block-counter .ts-block").inner_text().replace(",", ""))


def test_the_sandbox_plays_live_and_pauses(page, voila_url, screenshot, assert_no_error_on):
    page.set_viewport_size({"width": 1280, "height": 2000})  # element screenshots capture only the viewport
    page.goto(voila_url + "/voila/render/free-sandbox.ipynb")
    network = page.locator(".ts-network-chart")
    network.locator("svg .mark-line path").first.wait_for(state="attached", timeout=WIDGETS_TIMEOUT)
    page.locator(".ts-subnet-chart svg .mark-rect path").first.wait_for(state="attached", timeout=WIDGETS_TIMEOUT)
    assert_no_error_on(page)
    start = block_number(page)
    chart_before = network.inner_html()

    page.locator(".ts-play button, button.ts-play").first.click()
    redraws, seen, started = 0, chart_before, time.monotonic()
    while time.monotonic() < started + 20:
        now = network.inner_html()
        redraws += now != seen
        seen = now
        time.sleep(0.05)
    played = block_number(page)
    assert played > start + 20 * 361, "Play should run several tempos a second"
    assert redraws >= 20, f"the chart redrew only {redraws} times in 20 s"

    page.locator(".ts-play button, button.ts-play").first.click()  # Pause
    page.wait_for_timeout(1_000)
    paused_at = block_number(page)
    page.wait_for_timeout(1_500)
    assert block_number(page) == paused_at, "Pause should stop the network"
    assert "Play" in page.locator(".ts-play").first.inner_text()

    # A refusal is a sentence next to its button, not a traceback.
    page.get_by_role("tab", name="Subnets").click()
    page.locator(".ts-register-subnet").click()
    page.locator(".ts-message", has_text="Refused (NotEnoughBalance)").first.wait_for()
    assert_no_error_on(page)
    screenshot(page.locator(".ts-sandbox"), "sandbox")

    # Save offers a file; loading that file carries on from the same block.
    saved_at = block_number(page)
    page.locator(".ts-save").click()
    link = page.locator("a.ts-download-link")
    link.wait_for(timeout=30_000)
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    page.locator(".ts-step").click()
    page.wait_for_function(f"document.querySelector('.ts-block-counter .ts-block').innerText != '{saved_at:,}'")
    with page.expect_file_chooser() as chooser:
        page.locator(".ts-load").first.click()
    chooser.value.set_files(str(path))
    page.locator(".ts-file-message", has_text="Loaded").wait_for(timeout=30_000)
    assert block_number(page) == saved_at
    assert_no_error_on(page)


def test_the_conformance_chapter_passes_every_row(page, voila_url, screenshot, assert_no_error_on):
    page.set_viewport_size({"width": 1280, "height": 2400})
    page.goto(voila_url + "/voila/render/checking-against-the-chain.ipynb")
    summary = page.locator(".ts-conformance-summary")
    summary.wait_for(timeout=WIDGETS_TIMEOUT)
    page.locator(".ts-conformance-chart svg .mark-symbol path").first.wait_for(state="attached",
                                                                           timeout=WIDGETS_TIMEOUT)
    page.locator(".ts-utility-chart svg .mark-symbol path").first.wait_for(state="attached", timeout=WIDGETS_TIMEOUT)
    text = summary.inner_text()
    checked, passed = (int(x.replace(",", "")) for x in re.search(r"([\d,]+) of ([\d,]+)", text).groups()[::-1])
    assert checked > 100 and passed == checked, text
    assert "FAIL" not in page.inner_text("body")
    assert_no_error_on(page)
    screenshot(page.locator(".ts-conformance"), "conformance")
