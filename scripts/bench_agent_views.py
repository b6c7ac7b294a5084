"""Benchmark the agent chapters' widgets: how long each update takes in the kernel (median and 90th percentile).

An update is what one reader action costs before the chart's new data leaves the kernel: revealing an epoch of the
marketplace (Play, Step), changing a miner's quality (re-runs the 40 epochs), moving the gaming slider (two 20-epoch
chains), moving the cabal's stake (one point) or κ (the whole curve), and the two Run buttons (sweeps). Measured in
the kernel with no page attached: sending the chart's data to a browser and redrawing come on top (see the browser
tests' timings).

    .venv/bin/python scripts/bench_agent_views.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import time

import timing
from timing import report

from widgets import CabalThreshold, CopierStudy, HonestUtilityStudy, Marketplace, OracleProblem


def timed(action, values) -> list[float]:
    """Milliseconds for `action(value)`, one value after another."""
    values = list(values)
    feed = iter(values)
    return timing.timed(lambda: action(next(feed)), len(values))



def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    n = ap.parse_args().repeat

    started = time.perf_counter()
    market = Marketplace()
    report("Marketplace: build (first chart loads the bundle)", [time.perf_counter() - started])
    report("Marketplace: reveal an epoch (Play / Step)",
           timed(lambda e: setattr(market.epoch, "value", e), [1 + k % 40 for k in range(3 * n)]))
    market.epoch.value = 10
    report("Marketplace: change a miner's quality (40 epochs)",
           timed(lambda q: setattr(market.quality_sliders[0], "value", q), [0.3 + 0.05 * (k % 12) for k in range(n)]))
    report("Marketplace: Reset", timed(lambda _: market.reset.click(), range(n)))

    oracle = OracleProblem()
    report("OracleProblem: move the gaming slider (2 × 20 epochs)",
           timed(lambda g: setattr(oracle.gaming, "value", g), [0.05 * (k % 16) + 0.05 for k in range(n)]))

    cabal = CabalThreshold()
    report("CabalThreshold: move the cabal's stake (3 seeds)",
           timed(lambda x: setattr(cabal.cabal_stake, "value", x), [0.3 + 0.02 * (k % 20) for k in range(3 * n)]))
    report("CabalThreshold: move κ (49 stakes × 3 seeds)",
           timed(lambda k: setattr(cabal.kappa, "value", k), [0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65] * 2))

    study = HonestUtilityStudy()
    report(f"HonestUtilityStudy: Run, 1 seed ({len(study.grid)} epochs of 512 UIDs)",
           timed(lambda _: study.run(seeds=1), range(3)))
    copier = CopierStudy()
    report("CopierStudy: Run, 1 seed (15 chains × 30 epochs)", timed(lambda _: copier.run(seeds=1), range(3)))


if __name__ == "__main__":
    main()
