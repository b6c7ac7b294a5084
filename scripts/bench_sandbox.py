"""Benchmark the free sandbox on the Python side: Play's updates per second, and the memory of a chapter-sized run.

Run: .venv/bin/python scripts/bench_sandbox.py [--seconds 10] [--updates 200]

The network is the chapter's: the "sandbox" scenario, 8 subnets × 64 UIDs with every agent active. An update is
what Play does each time: step one tempo (361 blocks), rebuild both dashboards' data and serialise it as the
kernel would send it to the page (json.dumps of each chart's spec). The browser's redraw comes on top;
tests/e2e/test_sandbox_chapters.py plays the chapter in Voilà and counts the redraws.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import time


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def report(name: str, value: str) -> None:
    print(f"{name:<66} {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="how long Play runs")
    parser.add_argument("--updates", type=int, default=200, help="updates timed one by one")
    args = parser.parse_args()

    from widgets import Sandbox

    started = time.perf_counter()
    sandbox = Sandbox(seed=1)
    report("build the chapter's sandbox (incl. 3 warm-up epochs, charts)", f"{time.perf_counter() - started:.2f} s")

    def update() -> None:
        sandbox.step(361)
        json.dumps(sandbox.network.spec)
        json.dumps(sandbox.subnet_view.spec)

    times = []
    for _ in range(args.updates):
        t = time.perf_counter()
        update()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    report(f"one update (1 tempo + dashboards + serialisation), {args.updates} updates",
           f"median {statistics.median(times):.1f} ms, p90 {times[int(0.9 * len(times))]:.1f} ms "
           f"→ {1000 / statistics.median(times):.1f} updates/s of work")

    async def play() -> int:
        before = sandbox.updates
        sandbox.play_button.value = True
        await asyncio.sleep(args.seconds)
        sandbox.play_button.value = False
        await sandbox._task
        return sandbox.updates - before

    played = asyncio.run(play())
    report(f"Play, the real loop (with its yields), for {args.seconds:g} s",
           f"{played / args.seconds:.1f} updates/s, now at block {sandbox.sim.block:,}")

    t = time.perf_counter()
    text = sandbox.save_json()
    name = sandbox.save()
    saved = time.perf_counter() - t
    t = time.perf_counter()
    sandbox.load_json(text)
    report(f"Save ({len(text) / 1e6:.1f} MB of JSON, offered gzipped as {name}) / Load",
           f"{saved:.2f} s / {time.perf_counter() - t:.2f} s")
    report("peak memory of this chapter-sized run (ru_maxrss)", f"{peak_mb():.0f} MB (target < 1,024 MB)")


if __name__ == "__main__":
    main()
