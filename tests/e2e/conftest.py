"""Serve the book with the same entry point as `make book`, and drive it with headless Chromium."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
# Chromium's background services reach for the internet, which a classroom or CI may not have.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required under CI=true: `apt-get install chromium` (make test does it as root)")
        pytest.skip("Browser tests need Debian's Chromium: `sudo apt-get install chromium` (or `make test` as root)")
    return CHROMIUM


def _serve(command: list[str], probe: str, log: Path):
    """Start a server, wait until `probe` answers, yield its base URL, stop it afterwards."""
    port = _free_port()
    with open(log, "w") as out:
        server = subprocess.Popen([part.format(port=port) for part in command], stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(url + probe, timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{command[2]} did not start:\n{log.read_text()}") from None
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="session")
def voila_url(tmp_path_factory, chromium_path):
    """The book as `make book` serves it (`python -m widgets.app`), on a free port."""
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    yield from _serve([sys.executable, "-m", "widgets.app", "--port={port}", "--no-browser"], "/voila/tree", log)


@pytest.fixture(scope="session")
def jupyterlab_url(tmp_path_factory, chromium_path):
    """JupyterLab on the book folder, as a reader who edits the chapters opens it."""
    log = tmp_path_factory.mktemp("lab") / "lab.log"
    book = Path(__file__).parents[2] / "book"
    yield from _serve([sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--port={port}",
                       "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={book}",
                       "--LabApp.news_url=None"], "/api", log)


# Module scope: Playwright's sync API keeps an event loop running in this thread while it is open, which
# would confuse later tests that start or look for an asyncio loop of their own.
@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


# Console messages that say nothing about the book: fonts from a CDN, JupyterLab's version chatter.
HARMLESS = ("fonts.googleapis", "Failed to load resource", "Unsatisfied version", "was preloaded using link preload",
            "net::ERR_", "[Violation]")


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and not any(h in m.text for h in HARMLESS)
            and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    yield page
    page.close()


@pytest.fixture(scope="session")
def assert_no_error_on():
    """Check a page as a reader sees it: no error output, no traceback, no console error."""

    def check(page) -> None:
        errors = page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr'], "
                              ".jp-OutputArea-error")
        assert errors.count() == 0, errors.first.inner_text()
        body = page.inner_text("body")
        assert "Traceback" not in body and "JavaScript Error" not in body
        assert page.console_errors == []

    return check


@pytest.fixture(scope="session")
def record():
    """Record a measured duration in tests/e2e/screenshots/timings.json (figures are reported, not asserted)."""
    timings = SCREENSHOTS / "timings.json"

    def save(name: str, seconds: float) -> None:
        SCREENSHOTS.mkdir(exist_ok=True)
        saved = json.loads(timings.read_text()) if timings.exists() else {}
        saved[name] = round(seconds, 3)
        timings.write_text(json.dumps(saved, indent=1))

    return save


@pytest.fixture(scope="session")
def screenshot():
    """Save a screenshot of a page or an element under tests/e2e/screenshots/ (ignored by git).

    An element screenshot captures only what is in the viewport (Voilà scrolls an inner box), so the
    viewport is first made tall enough for the whole element."""

    def take(target, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        if hasattr(target, "bounding_box"):
            height = int(target.bounding_box()["height"])
            target.page.set_viewport_size({"width": 1280, "height": max(1000, height + 80)})
            target.scroll_into_view_if_needed()
        target.screenshot(path=str(path))
        return path

    return take


@pytest.fixture(scope="session")
def drag_slider():
    """Drag an ipywidgets slider's handle to `fraction` of its track with the mouse, as a reader would."""

    def drag(page, css: str, fraction: float) -> None:
        handle = page.locator(f"{css} .noUi-handle").first
        handle.scroll_into_view_if_needed()
        track, box = page.locator(f"{css} .noUi-target").first.bounding_box(), handle.bounding_box()
        middle = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + box["width"] / 2, middle)
        page.mouse.down()
        page.mouse.move(track["x"] + track["width"] * fraction, middle, steps=8)
        page.mouse.up()

    return drag


@pytest.fixture(scope="session")
def wait_for_change():
    """Wait until `read()` differs from `before`; return how long that took (seconds)."""

    def wait(read, before, what: str, seconds: float = 30) -> float:
        started = time.monotonic()
        while read() == before:
            assert time.monotonic() < started + seconds, f"{what} did not change"
            time.sleep(0.01)
        return time.monotonic() - started

    return wait
