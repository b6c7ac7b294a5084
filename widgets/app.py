"""Serve the book with Voilà: ``python -m widgets.app [--port 8866] [--no-browser]``.

This is the one entry point behind ``make book`` and the browser tests. Compared with a plain
``voila book/`` it opens on the landing page instead of a file listing, culls idle kernels
(Voilà does not shut a kernel down when its page closes, and each holds ≈ 260 MB), and serves
the book's static files.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tornado.web import RedirectHandler
from voila.app import Voila

BOOK = Path(__file__).resolve().parents[1] / "book"
LANDING = "voila/render/index.ipynb"

DEFAULTS = [
    "--Voila.ip=127.0.0.1",
    "--MappingKernelManager.cull_idle_timeout=900",
    "--MappingKernelManager.cull_interval=60",
    "--VoilaConfiguration.file_allowlist=['.*\\.(png|jpg|gif|svg|js|css)']",
]


class BookApp(Voila):
    """Voilà on the book directory, opening on the landing page."""

    def init_handlers(self) -> list:
        landing = self.server_url.rstrip("/") + "/" + LANDING
        return [(self.server_url, RedirectHandler, {"url": landing, "permanent": False})] + super().init_handlers()


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    BookApp.launch_instance(argv=[str(BOOK), *DEFAULTS, *args])


if __name__ == "__main__":
    main()
