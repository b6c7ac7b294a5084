"""Benchmark the halving explorer: model projection, and a full recompute after a slider release.

Run: .venv/bin/python scripts/bench_halving.py
The browser-side redraw is measured by the browser test (tests/e2e/screenshots/timings.json).
"""

from __future__ import annotations

import subprocess
import sys

from timing import report, timed


def main() -> None:
    imports = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", "import time; t = time.perf_counter(); import taosandbox, "
                              "taosandbox.emission; print(time.perf_counter() - t)"],
                             capture_output=True, text=True, check=True).stdout
        imports.append(float(out) * 1000)
    report("import taosandbox (+ emission)", imports)

    from taosandbox.emission import project_supply
    from widgets import HalvingExplorer

    report("project_supply, 40 years, no recycling", timed(lambda: project_supply(years=40), 200))
    report("project_supply, 60 years, 1,000 TAO/day", timed(
        lambda: project_supply(recycled_tao_per_day=1_000, years=60), 200))
    explorer = HalvingExplorer()
    values = iter([0, 500, 1_000, 1_500, 2_000, 2_500] * 50)
    report("explorer recompute + new chart after a release", timed(
        lambda: setattr(explorer.recycling, "value", next(values)), 200))


if __name__ == "__main__":
    main()
