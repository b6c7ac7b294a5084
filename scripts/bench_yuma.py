"""Time one Yuma epoch on a full-size subnet: 256 UIDs, 64 permitted validators, dense random weights.

Usage: python scripts/bench_yuma.py [--runs 500] [--n 256] [--validators 64]
Prints the median and 90th-percentile time per epoch for YC2 and for YC3 with liquid alpha. Bonds are those of
a previous epoch (chained), as in a running subnet.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from taosandbox.yuma import YumaParams, epoch, top_k_permits

VARIANTS = {
    "YC2": YumaParams(),
    "YC3 + liquid alpha": YumaParams(yuma_version=3, liquid_alpha_enabled=True),
}


def bench(params: YumaParams, n: int, validators: int, runs: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    stake = rng.pareto(1.5, n) + 0.01
    permits = top_k_permits(stake, validators)
    weights = rng.integers(0, 65536, size=(n, n)).astype(float)  # dense: every UID weights every UID
    bonds = epoch(weights, stake, params=params, permits=permits).bonds
    epoch(weights, stake, bonds, params=params, permits=permits)  # warm-up
    times = np.empty(runs)
    for i in range(runs):
        start = time.perf_counter()
        epoch(weights, stake, bonds, params=params, permits=permits)
        times[i] = time.perf_counter() - start
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--validators", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"n={args.n}, {args.validators} permitted validators, {args.runs} runs")
    for name, params in VARIANTS.items():
        t = bench(params, args.n, args.validators, args.runs, args.seed) * 1e3
        print(f"{name:>20}: median {np.median(t):.3f} ms, p90 {np.percentile(t, 90):.3f} ms")


if __name__ == "__main__":
    main()
