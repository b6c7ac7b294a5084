"""Benchmark the Yuma lab and the case player on the Python side.

Run: .venv/bin/python scripts/bench_yuma_lab.py
Each figure is the kernel's work after a reader's action: the model re-run and the chart's new data assigned
(the browser's redraw comes on top; tests/e2e/test_yuma_chapters.py exercises it).
"""

from __future__ import annotations

from timing import report, timed


def main() -> None:
    import numpy as np

    from taosandbox.scenarios import run_all_variants, run_case
    from widgets import CasePlayer, EpochSteps, YumaLab

    lab = YumaLab()
    kappas = iter([0.5, 0.3, 0.15, 0.4] * 100)
    report("lab: κ moved (3 x 3, 10 epochs)", timed(lambda: setattr(lab.kappa, "value", next(kappas)), 200))
    cells = iter([0.8, 0.1] * 100)
    report("lab: one weight typed (3 x 3, 10 epochs)",
           timed(lambda: setattr(lab.weight_cells[1][2], "value", next(cells)), 200))
    lab.set_weights(np.random.default_rng(0).random((6, 6)))
    lab.epochs.value = 40
    stakes = iter([10, 60] * 100)
    report("lab: a stake moved (6 x 6, 40 epochs)",
           timed(lambda: setattr(lab.stake_sliders[0], "value", next(stakes)), 200))
    sizes = iter([(3, 3), (6, 6)] * 50)
    report("lab: grid resized (3 x 3 <-> 6 x 6, rebuilds controls)",
           timed(lambda: lab.set_weights(np.ones(next(sizes))), 100))

    steps = EpochSteps(lab)
    report("step-through: Next (6 x 6)", timed(steps.next.click, 200))
    report("lab + step-through following it: κ moved (6 x 6, 40 epochs)",
           timed(lambda: setattr(lab.kappa, "value", next(kappas)), 200))

    report("model: run_case(2, 'YC3 + liquid alpha'), 40 epochs", timed(lambda: run_case(2), 100))
    report("model: run_all_variants(2), 40 epochs x 3 variants", timed(lambda: run_all_variants(2), 100))
    player = CasePlayer(2)
    epochs = iter(list(range(1, 40)) * 6)
    report("player: one more epoch revealed (Step or Play)",
           timed(lambda: setattr(player.epoch, "value", next(epochs)), 200))
    cases = iter([14, 2] * 50)
    report("player: another case picked (3 variants run + data)",
           timed(lambda: setattr(player.case, "value", next(cases)), 100))


if __name__ == "__main__":
    main()
