"""The free sandbox: a whole network with agents, played live, changed by the reader, saved and loaded.

Play is a loop in the kernel, an asyncio task: it steps the simulation, redraws, then sleeps a little. The
sleep hands the kernel back its event loop, so a click on Pause (or on any other button) is handled between
two updates, and the page stays responsive while the network runs. Save offers the whole simulation as a
gzipped JSON file to download; Load takes such a file (or plain JSON) back, and the simulation continues
exactly as the saved one would have — which is what lets a class start from the same state.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import time

import ipywidgets as ipw

from taosandbox.chain import ROOT
from taosandbox.errors import ChainError
from taosandbox.simulations import Simulation, build
from taosandbox.units import format_tao, tao

from .chain_views import done
from .charts import live_chart
from .sandbox_actions import Actions, problem
from .sandbox_charts import (
    METAGRAPH,
    PARTICIPANTS,
    PRICES,
    kinds_of,
    metagraph_rows,
    network_chart,
    participant_rows,
    price_rows,
    subnet_chart,
)

PER_UPDATE = {"36 blocks (7 min)": 36, "120 blocks (24 min)": 120, "1 tempo (361 blocks)": 361,
              "1 day (7,200 blocks)": 7_200}
FRAME_S = 0.15  # Play aims at one update per FRAME_S seconds (≈ 6 a second) ...
MIN_SLEEP_S = 0.02  # ... and always yields this long, so clicks are handled and the page keeps up
CHUNK = 361  # a long Step runs in chunks of this many blocks, moving the progress bar
YOU = "you"
NO_SUBNETS = ("This network has no subnet yet (a save can hold none): register one in the Subnets tab, then add "
              "miners and validators to it.")


class Sandbox(ipw.VBox):
    """Play / Step / Reset a `Simulation` (default: the "sandbox" scenario, 8 subnets × 64 UIDs with
    agents, after `warm_up_epochs` epochs), with tabs of actions, two live dashboards and Save / Load.

    ``sim`` is the simulation now (Reset and Load replace it); ``playing`` says whether Play runs;
    ``updates`` counts the redraws. The reader acts as the coldkey ``coldkey``, funded with
    ``balance_tao`` at the start."""

    def __init__(self, sim: Simulation | None = None, *, seed: int = 1, warm_up_epochs: int = 3, coldkey: str = YOU,
                 balance_tao: float = 10_000, per_update: int = 361):
        self.coldkey = coldkey
        if sim is None:
            sim = build("sandbox", seed=seed)
            sim.run(warm_up_epochs)  # so that the dashboards open on a network with a history
        if coldkey not in sim.chain.balances:
            sim.chain.faucet(coldkey, tao(balance_tao))
        self.sim = sim
        self._start = sim.to_json()  # what Reset returns to
        self.kinds: dict[str, str] = {}
        self.updates = 0
        self._task: asyncio.Task | None = None

        self.play_button = ipw.ToggleButton(value=False, description="Play", icon="play", button_style="success",
                                            layout=ipw.Layout(width="130px")).add_class("ts-play")
        self.step_button = ipw.Button(description="Step", icon="step-forward", button_style="primary",
                                      layout=ipw.Layout(width="120px")).add_class("ts-step")
        self.reset_button = ipw.Button(description="Reset", icon="undo",
                                       layout=ipw.Layout(width="120px")).add_class("ts-reset")
        self.per_update = ipw.Dropdown(options=list(PER_UPDATE.items()), value=per_update, description="Each step",
                                       style={"description_width": "80px"}, layout=ipw.Layout(width="290px"))
        self.per_update.add_class("ts-per-update")
        self.progress = ipw.IntProgress(min=0, max=1, layout=ipw.Layout(width="200px", visibility="hidden"))
        self.progress.add_class("ts-progress")
        self.counter = ipw.HTML().add_class("ts-block-counter")
        self.subnet = ipw.Dropdown(description="Subnet", style={"description_width": "80px"},
                                   layout=ipw.Layout(width="260px")).add_class("ts-subnet")
        self.message = ipw.HTML().add_class("ts-message")
        self.save_button = ipw.Button(description="Save", icon="download",
                                      layout=ipw.Layout(width="120px")).add_class("ts-save")
        self.download = ipw.HTML().add_class("ts-download")
        self.upload = ipw.FileUpload(accept=".json,.gz", multiple=False, description="Load",
                                     layout=ipw.Layout(width="120px")).add_class("ts-load")
        self.file_message = ipw.HTML().add_class("ts-file-message")

        self.network = live_chart(network_chart())
        self.network.add_class("ts-chart").add_class("ts-network-chart")
        self._network_template = self.network.spec
        self.subnet_view = live_chart(subnet_chart())
        self.subnet_view.add_class("ts-chart").add_class("ts-subnet-chart")
        self._subnet_template = self.subnet_view.spec
        self.actions = Actions(self)

        self.play_button.observe(self._on_play, names="value")
        self.step_button.on_click(lambda _: self.step())
        self.reset_button.on_click(lambda _: self.reset())
        self.subnet.observe(lambda _: self.refresh(), names="value")
        self.save_button.on_click(lambda _: self.save())
        self.upload.observe(self._on_upload, names="value")
        row = lambda *children: ipw.HBox(list(children), layout=ipw.Layout(  # noqa: E731
            align_items="center", flex_flow="row wrap"))
        super().__init__([
            row(self.play_button, self.step_button, self.reset_button, self.per_update, self.progress),
            row(self.counter), self.message, self.network,
            row(self.subnet, ipw.HTML("&nbsp; the subnet that the chart below and the actions are about")),
            self.actions, self.subnet_view,
            row(self.save_button, self.upload, self.download), self.file_message,
        ])
        self.add_class("ts-sandbox")
        self._list_subnets(select=1)
        self.refresh()

    # --- the dashboards ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw everything from ``sim`` (after a step, an action, a Reset or a Load)."""
        sim, netuid = self.sim, self.subnet.value
        self.kinds = kinds_of(sim)
        self.network.spec = {**self._network_template, "datasets": {PRICES: price_rows(sim)}}
        if netuid is not None:
            self.subnet_view.spec = {**self._subnet_template, "datasets": {
                PARTICIPANTS: participant_rows(sim, netuid, self.kinds),
                METAGRAPH: metagraph_rows(sim, netuid, self.kinds)}}
        self.actions.refresh()
        self._show_counter()
        self.updates += 1

    def _show_counter(self) -> None:
        chain = self.sim.chain
        nets = [n for n in chain.netuids if n != ROOT]
        # No subnet, no epoch length to quote (a save may hold none).
        epochs = (f"an epoch every {chain.subnet(min(nets)).hyperparams['tempo'] + 1} blocks" if nets
                  else "no subnet, no epochs")
        self.counter.value = (
            f"<span style='font-size:20px'>Block <b class='ts-block'>{chain.block:,}</b> · day "
            f"{chain.block / 7_200:.2f} · {len(nets)} subnets · {len(self.sim.agents)} agents · "
            f"issuance {format_tao(chain.total_issuance, 0)}</span> &nbsp; ({epochs})")

    def _list_subnets(self, select: int | None = None) -> None:
        nets = [n for n in self.sim.chain.netuids if n != ROOT]
        if not nets:  # nothing to pick: the subnet chart and the actions wait for a subnet (value None)
            self.subnet.options = []
            self.message.value = problem(NO_SUBNETS)
            return
        if self.message.value == problem(NO_SUBNETS):
            self.message.value = ""
        keep = select if select in nets else (self.subnet.value if self.subnet.value in nets else nets[0])
        with self.hold_trait_notifications():
            self.subnet.options = [(f"subnet {n}", n) for n in nets]
            self.subnet.value = keep

    def select(self, netuid: int) -> None:
        """Show subnet `netuid` (e.g. one the reader just registered)."""
        self._list_subnets(select=netuid)

    def replace(self, sim: Simulation) -> None:
        """Carry on from another simulation (a Reset, a Load, or the snapshot of a refused action)."""
        self.sim = sim
        self._list_subnets()
        self.refresh()

    # --- Step, Play, Reset --------------------------------------------------------------------------------
    def step(self, blocks: int | None = None) -> None:
        """Run `blocks` blocks (default: the "Each step" choice), with a progress bar on long runs."""
        blocks = self.per_update.value if blocks is None else blocks
        long_run = blocks > CHUNK and not self.playing
        if long_run:
            self.progress.max, self.progress.value = blocks, 0
            self.progress.layout.visibility = "visible"
        done_blocks = 0
        while done_blocks < blocks:
            chunk = min(CHUNK, blocks - done_blocks)
            self.sim.step(chunk)
            done_blocks += chunk
            self.progress.value = done_blocks
        self.progress.layout.visibility = "hidden"
        self.refresh()

    @property
    def playing(self) -> bool:
        return self.play_button.value

    def play(self) -> None:
        self.play_button.value = True

    def pause(self) -> None:
        self.play_button.value = False

    def _on_play(self, change) -> None:
        self.play_button.description, self.play_button.icon = ("Pause", "pause") if change["new"] else ("Play", "play")
        self.play_button.button_style = "warning" if change["new"] else "success"
        if not change["new"] or (self._task is not None and not self._task.done()):
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop: not in a kernel (a plain script); Step still works
            self.message.value = problem("Play needs a running kernel; use Step here.")
            self.play_button.value = False
            return
        self.message.value = ""
        self._task = loop.create_task(self._play_loop())

    async def _play_loop(self) -> None:
        """Step and redraw until paused, yielding to the kernel's event loop between updates."""
        while self.playing:
            started = time.perf_counter()
            try:
                self.step()
            except Exception as err:  # noqa: BLE001 — the reader sees a sentence, not a traceback
                self.message.value = problem(f"The simulation stopped: {err}")
                self.play_button.value = False
                return
            await asyncio.sleep(max(MIN_SLEEP_S, FRAME_S - (time.perf_counter() - started)))

    def reset(self) -> None:
        """Back to the start (or to the last loaded file), paused."""
        self.pause()
        self.replace(Simulation.from_json(self._start))
        self.message.value = done("Back to the start.")

    # --- Save and Load --------------------------------------------------------------------------------------
    def save_json(self) -> str:
        return self.sim.to_json()

    def load_json(self, text: str) -> bool:
        """Carry on from a saved simulation (its JSON); False, with a plain message, if it is not one."""
        try:
            sim = Simulation.from_json(text)  # a damaged save raises InvalidInput (a ChainError)
        except (ChainError, KeyError, TypeError, ValueError):
            self.file_message.value = problem("This file is not a saved sandbox (a .json or .json.gz from Save).")
            return False
        self.pause()
        previous = self.sim
        try:
            self.replace(sim)
        except Exception:  # noqa: BLE001 — a save that loads but cannot be drawn: keep the network shown before
            self.replace(previous)
            self.file_message.value = problem("This file is not a saved sandbox (a .json or .json.gz from Save).")
            return False
        self._start = text
        self.file_message.value = done(f"Loaded: block {sim.block:,}, {len(sim.agents)} agents. Reset now returns "
                                       "here.")
        return True

    def save(self) -> str:
        """Offer the simulation as a download (gzipped JSON); returns the file name."""
        name = f"sandbox-block-{self.sim.block}.json.gz"
        self.file_message.value = "Saving… (a second or two for a long run)"
        payload = base64.b64encode(gzip.compress(self.save_json().encode(), compresslevel=6)).decode()
        self.download.value = (f"<a download='{name}' href='data:application/gzip;base64,{payload}' "
                               f"class='ts-download-link' style='font-size:16px'>⬇ Download {name}</a>")
        self.file_message.value = done("Saved. Hand the file to anyone: Load it to continue from this block.")
        return name

    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        content = bytes(files[0]["content"])
        self.upload.value = ()  # forget it, so that loading the same file again is noticed
        try:
            text = (gzip.decompress(content) if content[:2] == b"\x1f\x8b" else content).decode()
        except (OSError, UnicodeDecodeError, EOFError):
            self.file_message.value = problem("This file is not a saved sandbox (a .json or .json.gz from Save).")
            return
        self.load_json(text)
