"""Parameter sweeps: run an experiment over a grid of parameters × seeds, in parallel, into one tidy frame.

    frame = sweep("cabal", {"kappa": [0.4, 0.5], "cabal_stake": [0.3, 0.6]}, seeds=20, processes=2)
    frame = sweep(my_function, grid, seeds=range(5), client=distributed.Client(...))  # on a Dask cluster

An experiment is a function `f(seed, **params)` returning one row (a dict) or several (a list of dicts or a
DataFrame); a name picks one of `taosandbox.simulations.EXPERIMENTS`. Every (parameter set, seed) is one
run; the same seed is used at every grid point (common random numbers: differences between grid points are
not blurred by different draws). Runs are independent and results are put back in grid order, so the frame
is identical whatever the number of processes or workers.

Parallelism is the one exception to the model's no-threads, no-processes rule and lives only here, imported
lazily: `processes=1` runs in this process (it also works where processes cannot be started, e.g. Pyodide);
otherwise a `concurrent.futures.ProcessPoolExecutor` with the "spawn" start method (safe next to threads,
the same on every platform); with `client=` a `distributed.Client` runs the same batches on a Dask cluster.
"""

from __future__ import annotations

import itertools
import math
import os
import sys
from collections.abc import Callable, Iterable, Mapping

import pandas as pd

__all__ = ["grid_points", "sweep"]

Progress = Callable[[int, int], None]


def grid_points(grid: Mapping[str, Iterable] | Iterable[Mapping]) -> list[dict]:
    """A grid as a list of parameter dicts: a mapping of name -> values is the Cartesian product (in the
    order given); a list of dicts is used as is."""
    if isinstance(grid, Mapping):
        names = list(grid)
        return [dict(zip(names, values, strict=True)) for values in itertools.product(*(list(grid[n]) for n in names))]
    return [dict(point) for point in grid]


def _experiment(scenario) -> Callable:
    if callable(scenario):
        return scenario
    from taosandbox.simulations import EXPERIMENTS

    if scenario not in EXPERIMENTS:
        raise ValueError(f"Unknown experiment {scenario!r}; choose one of {', '.join(EXPERIMENTS)} or pass a "
                         "function f(seed, **params).")
    return EXPERIMENTS[scenario]


def _run_batch(function: Callable, batch: list[tuple[dict, int]]) -> list[list[dict]]:
    """Run some (params, seed) pairs; each gives a list of rows, tagged with its parameters and seed."""
    out = []
    for params, seed in batch:
        result = function(seed, **params)
        if isinstance(result, pd.DataFrame):
            rows = result.to_dict("records")
        elif isinstance(result, Mapping):
            rows = [dict(result)]
        else:
            rows = [dict(r) for r in result]
        out.append([{**params, "seed": seed, **row} for row in rows])
    return out


def _text_progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    end = "\n" if done >= total else ""
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}{end}")
    sys.stderr.flush()


def sweep(scenario, grid, seeds, *, client=None, processes: int | None = None,
          progress: Progress | str | None = None, batches_per_worker: int = 4) -> pd.DataFrame:
    """Run `scenario` at every grid point for every seed; returns a tidy frame (parameters, seed, results).

    scenario: a function f(seed, **params) or an experiment name. grid: {name: values} or [params, ...].
    seeds: an int n (seeds 0..n-1) or an iterable of ints. client: a `distributed.Client` (runs there).
    processes: worker processes on this machine (None: one per CPU; 1: in this process).
    progress: a callable progress(done, total) called as runs finish (done counts runs), or "text" for a
    console bar. batches_per_worker: runs are grouped into about this many batches per worker (fewer,
    larger messages; enough batches to balance the load and to report progress)."""
    function = _experiment(scenario)
    seeds = list(range(seeds)) if isinstance(seeds, int) else [int(s) for s in seeds]
    runs = [(params, seed) for params in grid_points(grid) for seed in seeds]
    report = _text_progress if progress == "text" else progress
    if report is not None and not callable(report):
        raise ValueError("progress is a callable progress(done, total) or 'text'.")
    total = len(runs)
    if total == 0:
        return pd.DataFrame()

    if client is not None:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
    else:
        workers = max(1, processes if processes is not None else (os.cpu_count() or 1))
    size = max(1, math.ceil(total / (workers * batches_per_worker))) if workers > 1 or client else max(1, total // 20)
    batches = [runs[i:i + size] for i in range(0, total, size)]
    results: list[list[list[dict]] | None] = [None] * len(batches)
    done = 0
    if report:
        report(0, total)

    def finished(index: int, value) -> None:
        nonlocal done
        results[index] = value
        done += len(batches[index])
        if report:
            report(done, total)

    if client is not None:
        from distributed import as_completed

        futures = [client.submit(_run_batch, function, batch, pure=False) for batch in batches]
        index_of = {f.key: i for i, f in enumerate(futures)}
        for future in as_completed(futures):
            finished(index_of[future.key], future.result())
    elif workers == 1:
        for i, batch in enumerate(batches):
            finished(i, _run_batch(function, batch))
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures import as_completed as futures_completed

        with ProcessPoolExecutor(max_workers=min(workers, len(batches)),
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(_run_batch, function, batch): i for i, batch in enumerate(batches)}
            for future in futures_completed(futures):
                finished(futures[future], future.result())

    rows = [row for batch in results for run in batch for row in run]
    return pd.DataFrame(rows)
