"""Tasks: the work a subnet asks of its miners, and the oracle its validators evaluate it with.

A miner has a hidden *true quality* in [0, 1] and may put effort into *gaming*: inflating whatever metric
validators can measure without being better. What a validator sees depends on the kind of task:

* objective tasks (storage retrieval, forecasts that resolve): the score is the true quality plus a little
  noise; gaming buys nothing, because the oracle checks the real thing;
* subjective tasks (text quality): validators only see a proxy metric, with large noise, which gaming
  raises by ``proxy_gain × gaming`` — the oracle problem of Proof of Intelligence.

    TASKS["text-quality"].observe(quality, gaming, rng)   # one validator's scores of every miner
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["TASKS", "Task", "get_task"]


@dataclass(frozen=True)
class Task:
    """One kind of work. ``noise_sd``: how much validators' scores scatter around what they measure;
    ``proxy_gain``: how much a unit of gaming raises the measured score (0 for objective tasks)."""

    name: str
    objective: bool
    noise_sd: float
    proxy_gain: float = 0.0
    description: str = ""

    def measured(self, quality, gaming=0.0) -> np.ndarray:
        """What the oracle measures before noise: the true quality, plus inflation on a subjective task."""
        quality = np.asarray(quality, dtype=float)
        return quality + self.proxy_gain * np.asarray(gaming, dtype=float)

    def observe(self, quality, gaming, rng: np.random.Generator) -> np.ndarray:
        """One evaluation round: a noisy score per miner, drawn from the scenario's generator."""
        measured = self.measured(quality, gaming)
        return measured + rng.normal(0.0, self.noise_sd, measured.shape)


TASKS: dict[str, Task] = {
    task.name: task
    for task in (
        Task("storage-retrieval", True, 0.02,
             description="Store files and serve them back; validators check every byte (objective)."),
        Task("forecast", True, 0.05,
             description="Forecast prices that later resolve; validators score against the outcome (objective)."),
        Task("text-quality", False, 0.15, proxy_gain=1.0,
             description="Write good text; validators see a proxy metric (length, style, a reward model) that "
                         "a miner can inflate without writing better (subjective)."),
    )
}


def get_task(name: str) -> Task:
    """The task called ``name`` (KeyError naming the known ones otherwise)."""
    try:
        return TASKS[name]
    except KeyError:
        raise KeyError(f"Unknown task {name!r}; known tasks: {', '.join(TASKS)}.") from None
