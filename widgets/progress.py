"""A progress bar for slow runs: pass it as ``taosandbox.sweep.sweep(..., progress=bar)``.

    bar = SweepProgress("Honest utility")
    display(bar)
    frame = sweep("honest-utility", grid, seeds=3, progress=bar)

The sweep calls ``bar(done, total)`` as runs finish. Widget updates are sent to the page while the kernel is
still busy, so the bar moves during the run.
"""

from __future__ import annotations

import time

import ipywidgets as ipw


class SweepProgress(ipw.HBox):
    """An ipywidgets progress bar with a "done / total runs · elapsed" label; call it with (done, total)."""

    def __init__(self, description: str = "Running"):
        self.bar = ipw.IntProgress(value=0, min=0, max=1, description=description, bar_style="info",
                                   style={"description_width": "initial"}, layout=ipw.Layout(width="420px"))
        self.label = ipw.HTML().add_class("ts-progress-label")
        self.done = self.total = 0
        self._started = time.monotonic()
        super().__init__([self.bar, self.label], layout=ipw.Layout(align_items="center"))
        self.add_class("ts-progress")

    def __call__(self, done: int, total: int) -> None:
        if done == 0:
            self._started = time.monotonic()
        self.done, self.total = done, total
        self.bar.max = max(total, 1)
        self.bar.value = min(done, self.bar.max)
        self.bar.bar_style = "success" if done >= total else "info"
        self.label.value = f"{done:,} / {total:,} runs · {time.monotonic() - self._started:.1f} s"

    def reset(self) -> None:
        """Back to empty, before a new run."""
        self.done = self.total = 0
        self.bar.value, self.bar.bar_style = 0, "info"
        self.label.value = ""
