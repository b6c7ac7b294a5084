"""Benchmark the chain views as a reader drives them: a stake-desk preview (typing an amount), a stake (the
button), a registrar registration, and an emission-board step (model + new chart data).

Run: .venv/bin/python scripts/bench_chain_views.py
Figures are kernel-side and include serialising the chart's new spec to JSON (what the widget then sends; with
no frontend attached ipywidgets sends nothing). The browser redraws a chart about 30-50 ms after its data arrives
(DESIGN.md).
"""

from __future__ import annotations

import json

import timing
from timing import report

from taosandbox.units import tao
from widgets import EmissionBoard, RandomTrades, Registrar, StakeDesk, demo_network

FAST_EMA = {"subnet_moving_alpha": 0.001, "ema_price_halving_blocks": 7_200}


def timed(fn, repeat: int, widget=None) -> list[float]:
    """As `timing.timed`, counting the chart's JSON too (what the kernel sends the browser)."""
    if widget is None:
        return timing.timed(fn, repeat)
    return timing.timed(lambda: (fn(), json.dumps(widget.chart.spec)), repeat)



def main() -> None:
    chain = demo_network("dtao", seed=1, **FAST_EMA)
    chain.faucet("you", tao(1_000_000))
    desk = StakeDesk(chain, netuid=1)
    amounts = iter([10.0, 25.5, 50.0, 100.0, 250.0] * 100)
    report("stake desk: preview after typing an amount", timed(lambda: setattr(desk.amount, "value", next(amounts)),
                                                                200, desk))
    desk.amount.value = 1.0
    report("stake desk: stake 1 τ (trade, readouts, chart)", timed(desk.go.click, 200, desk))

    registrar = Registrar(chain, coldkey="you")

    def register() -> None:
        registrar.register_neuron_button.click()
        chain.step(1)  # one registration per block

    report("registrar: register a neuron (+ one block)", timed(register, 50, registrar))

    board = EmissionBoard(chain, activity=RandomTrades())
    report("emission board: step 360 blocks with trades", timed(lambda: board.step(360), 30, board))
    report("emission board: step 7,200 blocks with trades", timed(lambda: board.step(7_200), 5, board))
    compare = EmissionBoard.compare(("dtao", "taoflow"), seed=4, activity=RandomTrades(), network=FAST_EMA)
    report("emission board, two eras: step 360 blocks each", timed(lambda: compare.step(360), 30, compare))
    print(f"chart rows after the runs: {len(board.frame):,} and {len(compare.frame):,} (at most 5,000)")


if __name__ == "__main__":
    main()
