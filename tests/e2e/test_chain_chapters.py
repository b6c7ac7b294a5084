"""The four chain chapters in headless Chromium: the stake desk trades, the registrar registers, the emission board
steps, and nothing shows an error."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.browser

WIDGETS_TIMEOUT = 90_000  # ms


def open_chapter(page, voila_url: str, notebook: str, charts: int) -> None:
    """Open a chapter and wait until `charts` charts have drawn."""
    page.goto(f"{voila_url}/voila/render/{notebook}")
    page.locator(".ts-chart svg, .ts-metagraph svg, .ts-price-risk svg, .ts-concentration svg").nth(
        charts - 1).wait_for(timeout=WIDGETS_TIMEOUT)


def wait_until(condition, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_staking_through_the_desk_moves_the_price(page, voila_url, screenshot, assert_no_error_on):
    open_chapter(page, voila_url, "dynamic-tao.ipynb", charts=2)
    desk = page.locator(".ts-stake-desk")
    desk.locator(".ts-chart svg .mark-line path").first.wait_for(timeout=WIDGETS_TIMEOUT)
    price = desk.locator(".ts-price-value")
    chart = desk.locator(".ts-chart")
    before_price, before_chart = price.inner_text(), chart.inner_html()

    amount = desk.locator(".ts-amount input")
    amount.scroll_into_view_if_needed()
    amount.fill("200")
    preview = desk.locator(".ts-preview")
    wait_until(lambda: "200.0000 τ" in preview.inner_text(), "the preview did not follow the amount")
    desk.locator("button.ts-stake-button").click()
    wait_until(lambda: "Staked" in desk.locator(".ts-message").inner_text(), "the stake did not go through")
    wait_until(lambda: price.inner_text() != before_price, "the price readout did not move")
    wait_until(lambda: chart.inner_html() != before_chart, "the chart did not move")
    assert float(price.inner_text().split()[0]) > float(before_price.split()[0])

    amount.fill("300")
    wait_until(lambda: "300.0000 τ" in preview.inner_text(), "the preview did not follow the amount")
    screenshot(desk, "stake-desk")

    # A refused trade is a sentence next to the control, not a traceback.
    amount.fill("100000")
    wait_until(lambda: "NotEnoughBalanceToStake" in preview.inner_text(), "no refusal shown")
    assert_no_error_on(page)
    screenshot(desk, "stake-desk-refused")

    board = page.locator(".ts-emission-board")
    board.scroll_into_view_if_needed()
    readout = board.locator(".ts-readout")
    before = readout.inner_text()
    board.locator("button.ts-step").click()
    wait_until(lambda: readout.inner_text() != before, "the board did not step", seconds=60)
    board.locator(".ts-chart svg").first.wait_for()
    time.sleep(1)  # the chart redraws just after the readout
    assert_no_error_on(page)
    screenshot(board, "emission-board")


@pytest.mark.parametrize("notebook, charts", [
    ("keys-balances-and-metagraph.ipynb", 2),
    ("subnets-and-root.ipynb", 3),
    ("subnet-tokens-as-a-portfolio.ipynb", 2),
])
def test_chapter_renders_without_error(page, voila_url, screenshot, notebook, charts, assert_no_error_on):
    open_chapter(page, voila_url, notebook, charts)
    assert page.locator(".ts-predict").count() >= 2
    if notebook.startswith("keys"):
        registrar = page.locator(".ts-registrar")
        registrar.scroll_into_view_if_needed()
        registrar.locator("button.ts-register-subnet").click()
        wait_until(lambda: "Subnet 1 registered" in registrar.locator(".ts-message").inner_text(), "no subnet")
        registrar.locator("button.ts-register-neuron").click()
        wait_until(lambda: "UID 1" in registrar.locator(".ts-message").inner_text(), "no neuron")
        registrar.locator("button.ts-register-neuron").click()
        wait_until(lambda: "TooManyRegistrationsThisBlock" in registrar.locator(".ts-message").inner_text(),
                   "the second registration in a block was not refused")
        screenshot(registrar, "registrar")
    assert_no_error_on(page)
