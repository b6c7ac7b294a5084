"""Sweeps: tidy frames, progress reports, and the same results in-process, in 2 processes and on Dask."""

import pandas as pd
import pytest

from taosandbox.simulations import cabal_experiment
from taosandbox.sweep import grid_points, sweep

GRID = {"kappa": [0.4, 0.6], "cabal_stake": [0.3, 0.5, 0.7]}


def several_rows(seed, n):
    """An experiment returning several rows (a frame)."""
    return pd.DataFrame({"i": range(n), "value": [seed * 10 + i for i in range(n)]})


def test_grid_points_are_the_cartesian_product_in_order():
    assert grid_points({"a": [1, 2], "b": "xy"}) == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"},
                                                     {"a": 2, "b": "x"}, {"a": 2, "b": "y"}]
    assert grid_points([{"a": 1}, {"a": 5}]) == [{"a": 1}, {"a": 5}]


def test_sweep_returns_a_tidy_frame_with_parameters_and_seed():
    frame = sweep("cabal", GRID, seeds=2, processes=1)
    assert len(frame) == 6 * 2
    assert list(frame.columns[:3]) == ["kappa", "cabal_stake", "seed"]
    assert frame.groupby(["kappa", "cabal_stake"]).size().eq(2).all()
    many = sweep(several_rows, {"n": [2, 3]}, seeds=[7], processes=1)
    assert len(many) == 5 and list(many["value"]) == [70, 71, 70, 71, 72]
    assert sweep("cabal", [], seeds=2, processes=1).empty


def test_progress_reports_every_run_up_to_the_total(capsys):
    calls = []
    sweep(cabal_experiment, GRID, seeds=2, processes=1, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 12) and calls[-1] == (12, 12)
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:], strict=False))
    sweep(cabal_experiment, GRID, seeds=1, processes=1, progress="text")
    assert "6/6" in capsys.readouterr().err
    with pytest.raises(ValueError):
        sweep(cabal_experiment, GRID, seeds=1, processes=1, progress=42)
    with pytest.raises(ValueError, match="cabal"):
        sweep("no-such-experiment", GRID, seeds=1)


def test_results_do_not_depend_on_the_number_of_processes():
    one = sweep("cabal", GRID, seeds=3, processes=1)
    two = sweep("cabal", GRID, seeds=3, processes=2, batches_per_worker=2)
    pd.testing.assert_frame_equal(one, two)


@pytest.mark.parametrize("workers, processes", [(2, False), (1, True)])
def test_the_same_sweep_runs_on_a_dask_cluster(workers, processes):
    distributed = pytest.importorskip("distributed")
    one = sweep("cabal", GRID, seeds=2, processes=1)
    calls = []
    with distributed.LocalCluster(n_workers=workers, processes=processes, threads_per_worker=1,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        on_dask = sweep("cabal", GRID, seeds=2, client=client, progress=lambda d, t: calls.append(d))
    pd.testing.assert_frame_equal(one, on_dask)
    assert calls[-1] == 12
