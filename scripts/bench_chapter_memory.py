"""Peak memory and run time of every chapter, executed headless as Voilà would run it (normal mode).

Run: .venv/bin/python scripts/bench_chapter_memory.py   (target: every chapter under 1 GB)
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

BOOK = Path(__file__).resolve().parents[1] / "book"
PEAK = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"


def main() -> None:
    for path in sorted(BOOK.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(PEAK))
        started = time.perf_counter()
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(BOOK)}}).execute()
        seconds = time.perf_counter() - started
        peak_kb = int(nb.cells[-1].outputs[0]["text"])
        print(f"{path.name:<40} peak {peak_kb / 1024:7.0f} MB   executed in {seconds:5.1f} s")


if __name__ == "__main__":
    main()
