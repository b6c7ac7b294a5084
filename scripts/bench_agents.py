"""Benchmark agents and experiments, and print the collusion chapter's reproductions.

1. The "sandbox" scenario (8 subnets x 64 UIDs, every kind of agent active): updates per second, where an
   update is one tempo (361 blocks: every subnet runs one epoch and every validator sets weights once), and
   the peak memory of a chapter-sized run (--epochs tempos).
2. The collusion sweep: kappa x cabal stake x 20 seeds on Yuma directly (`cabal_experiment`).
3. The honest-utility study of subtensor docs/consensus.md against its published figures.
4. The weight copier's relative dividend against the commit-reveal period (full chains).

    .venv/bin/python scripts/bench_agents.py [--processes 2] [--epochs 100] [--seeds 20] [--quick]
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from taosandbox.simulations import PUBLISHED_HONEST_UTILITY, build, required_honest_utility
from taosandbox.sweep import sweep


def peak_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def bench_sandbox(epochs: int) -> None:
    t = time.perf_counter()
    sim = build("sandbox", seed=0)
    print(f"sandbox: built {sim} in {time.perf_counter() - t:.2f} s")
    sim.run(2)  # warm up
    t = time.perf_counter()
    sim.run(epochs)
    dt = (time.perf_counter() - t) / epochs
    print(f"  update = 1 tempo (361 blocks, 8 epochs, ~130 weight sets): {1e3 * dt:.1f} ms -> {1 / dt:.1f} "
          f"updates/s; = {361 / 36 / dt:.0f} updates/s of 36 blocks")
    sim.chain.check_invariants()
    t = time.perf_counter()
    text = sim.to_json()
    frame = sim.epochs(max_rows=5000)
    print(f"  after {epochs} tempos: save {len(text) / 1e6:.1f} MB in {time.perf_counter() - t:.2f} s (with a "
          f"{len(frame)}-row epochs frame); peak memory of this process {peak_mb():.0f} MB")


def bench_collusion(processes: int, seeds: int) -> None:
    grid = {"kappa": [0.3, 0.4, 0.5, 0.6, 0.7], "cabal_stake": np.round(np.arange(0.05, 0.96, 0.05), 2)}
    t = time.perf_counter()
    frame = sweep("cabal", grid, seeds=seeds, processes=processes)
    runs = len(frame)
    print(f"\ncollusion sweep: {runs} runs (5 kappa x 19 stakes x {seeds} seeds, 10 epochs of 64 UIDs each) on "
          f"{processes} processes: {time.perf_counter() - t:.1f} s")
    mean = frame.groupby(["kappa", "cabal_stake"])[["cabal_validator_trust", "cabal_incentive"]].mean()
    for kappa, g in mean.groupby(level="kappa"):
        stakes = g.index.get_level_values("cabal_stake")
        trust = stakes[g["cabal_validator_trust"].to_numpy() > 0.5].min()
        capture = stakes[g["cabal_incentive"].to_numpy() > 0.5].min()
        print(f"  kappa {kappa:.1f}: cabal trust > 0.5 from stake {trust:.2f}; cabal miners take > half the "
              f"incentive from {capture:.2f}")


def bench_honest_utility(processes: int, seeds: int, quick: bool) -> None:
    step = 0.04 if quick else 0.02
    grid = [{k: p[k] for k in ("weight_stddev", "bonds_penalty", "validator_share")}
            | {"major_weight": round(w, 2), "minor_weight": round(c, 2)}
            for p in PUBLISHED_HONEST_UTILITY
            for w in np.arange(0.5, 0.961, step) for c in np.arange(0.0, 1.001, 0.05)]
    t = time.perf_counter()
    frame = sweep("honest-utility", grid, seeds=seeds, processes=processes)
    print(f"\nhonest utility (512 UIDs, 64 validators, S_H = 0.6): {len(frame)} epochs on {processes} processes in "
          f"{time.perf_counter() - t:.1f} s")
    table = required_honest_utility(frame).merge(pd.DataFrame(PUBLISHED_HONEST_UTILITY),
                                                 on=["weight_stddev", "bonds_penalty", "validator_share"])
    table = table.rename(columns={"required_utility_x": "sandbox", "required_utility_y": "published"})
    table["difference"] = table["sandbox"] - table["published"]
    print(table[["figure", "weight_stddev", "bonds_penalty", "validator_share", "published", "sandbox",
                 "difference"]].round(3).to_string(index=False))


def bench_copier(processes: int, seeds: int) -> None:
    grid = {"variant": ["YC2", "YC3", "YC3 + liquid alpha"], "commit_reveal_period": [0, 1, 2, 3, 4]}
    t = time.perf_counter()
    frame = sweep("weight-copier", grid, seeds=seeds, processes=processes)
    print(f"\nweight copier (30 epochs per chain): {len(frame)} chains on {processes} processes in "
          f"{time.perf_counter() - t:.1f} s; copier's dividend per stake / honest validators' (mean over seeds)")
    print(frame.groupby(["variant", "commit_reveal_period"])["relative_dividend"].mean().unstack().round(3)
          .to_string())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--quick", action="store_true", help="coarser honest-utility grid, fewer seeds")
    args = ap.parse_args()
    bench_sandbox(args.epochs)
    bench_collusion(args.processes, args.seeds)
    bench_honest_utility(args.processes, 1 if args.quick else 3, args.quick)
    bench_copier(args.processes, 2 if args.quick else 5)
    print(f"\npeak memory: this process {peak_mb():.0f} MB, largest worker {peak_mb(resource.RUSAGE_CHILDREN):.0f} MB")


if __name__ == "__main__":
    main()
