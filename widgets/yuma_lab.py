"""The Yuma lab: set the weights and stakes of a small subnet and watch one epoch of Yuma Consensus answer.

``YumaLab`` holds the controls (a validators x miners weights grid, a stake slider per validator, the
hyperparameters) and one chart: each validator's weights against the consensus line (what is clipped),
incentive per miner, validator trust, stake against dividends, and the bonds. ``EpochSteps`` follows a lab and
walks the same epoch one named step at a time, drawing each step's array.
"""

from __future__ import annotations

import html

import altair as alt
import ipywidgets as ipw
import numpy as np
import traitlets

from taosandbox.yuma import STEP_DESCRIPTIONS, EpochResult, YumaParams, epoch, top_k_permits

from .charts import live_chart, styled

MAX_SIDE = 6  # up to 6 validators x 6 miners: a grid that still reads on a projector
VALIDATOR_NAMES = tuple("ABCDEF")
MINER_NAMES = tuple(f"M{j}" for j in range(1, MAX_SIDE + 1))
VALIDATOR_COLORS = ("#1f6feb", "#e8590c", "#2f9e44", "#c2255c", "#7048e8", "#8a6d3b")

# The default subnet: C, a minority, puts most of its weight on M3; A and B do not.
DEFAULT_WEIGHTS = ((0.6, 0.3, 0.1), (0.5, 0.4, 0.1), (0.1, 0.1, 0.8))
DEFAULT_STAKES = (45.0, 35.0, 20.0)
NEW_WEIGHT, NEW_STAKE = 0.2, 20.0  # what a validator or miner added with the count buttons starts with

RED = "<span style='color:#b00'>{}</span>"
WIDE = {"description_width": "150px"}


def validator_color() -> alt.Scale:
    # The domain comes from the data (always A, B, ... in order), so the legend lists only the validators shown
    # and each keeps its colour.
    return alt.Scale(range=list(VALIDATOR_COLORS))


def run_epochs(weights: np.ndarray, stakes: np.ndarray, params: YumaParams, epochs: int) -> EpochResult:
    """Repeat one epoch ``epochs`` times with the same weights and stakes, bonds and permits chained, and
    return the last. Validators are UIDs 0..v-1, miners v..v+m-1."""
    v, m = weights.shape
    n = v + m
    w = np.zeros((n, n))
    w[:v, v:] = weights
    s = np.zeros(n)
    s[:v] = stakes
    bonds, permits = None, top_k_permits(s, params.max_validators)
    for _ in range(epochs):
        result = epoch(w, s, bonds, params=params, permits=permits)
        bonds, permits = result.bonds, result.next_permits
    return result


class YumaLab(ipw.VBox):
    """Weights, stakes and hyperparameters of a small subnet, and a chart of what one epoch makes of them.

    ``result`` is the last epoch's ``EpochResult`` (a trait: other widgets can observe it), computed on a
    ``result_shape`` = (validators, miners) grid; it is None while the settings are refused, and ``refusal``
    then says why in plain words. ``weights()`` and ``stakes()`` read the grid. ``set_weights`` /
    ``set_stakes`` fill it from code.
    """

    result = traitlets.Any(allow_none=True)
    result_shape: tuple[int, int] = (0, 0)
    refusal: str = ""

    def __init__(self, weights=DEFAULT_WEIGHTS, stakes=DEFAULT_STAKES, *, params: YumaParams | None = None,
                 epochs: int = 10):
        weights = np.asarray(weights, dtype=float)
        if weights.ndim != 2 or not (1 <= min(weights.shape) and max(weights.shape) <= MAX_SIDE):
            raise ValueError(f"weights must be a validators x miners grid of at most {MAX_SIDE} x {MAX_SIDE}")
        if len(stakes) != weights.shape[0]:
            raise ValueError("stakes must give one stake per validator (row of weights)")
        p = params or YumaParams(yuma_version=3)
        # Values live in a full 6 x 6 store, so shrinking and growing the grid keeps what the reader typed.
        self._weights = np.full((MAX_SIDE, MAX_SIDE), NEW_WEIGHT)
        self._weights[: weights.shape[0], : weights.shape[1]] = weights
        self._stakes = np.full(MAX_SIDE, NEW_STAKE)
        self._stakes[: len(stakes)] = stakes
        self._quiet = True  # no recompute while controls are being built

        counts = dict(options=list(range(1, MAX_SIDE + 1)), style={"button_width": "36px", **WIDE})
        self.n_validators = ipw.ToggleButtons(value=weights.shape[0], description="Validators", **counts)
        self.n_validators.add_class("ts-validators")
        self.n_miners = ipw.ToggleButtons(value=weights.shape[1], description="Miners", **counts)
        self.n_miners.add_class("ts-miners")
        self.grid = ipw.GridBox().add_class("ts-weights-grid")
        self.stake_sliders: list[ipw.FloatSlider] = []
        self.weight_cells: list[list[ipw.BoundedFloatText]] = []

        slider = dict(continuous_update=False, style=WIDE, layout=ipw.Layout(width="420px"))
        self.kappa = ipw.FloatSlider(value=p.kappa, min=0, max=1, step=0.01, readout_format=".2f",
                                     description="κ (kappa)", **slider).add_class("ts-kappa")
        self.bonds_penalty = ipw.FloatSlider(value=p.bonds_penalty, min=0, max=1, step=0.05, readout_format=".2f",
                                             description="Bonds penalty", **slider).add_class("ts-bonds-penalty")
        self.bonds_moving_avg = ipw.FloatSlider(
            value=p.bonds_moving_avg, min=0, max=0.99, step=0.005, readout_format=".3f",
            description="Bonds moving avg", **slider).add_class("ts-bonds-moving-avg")
        self.epochs = ipw.IntSlider(value=epochs, min=1, max=40, description="Epochs run",
                                    **slider).add_class("ts-epochs")
        self.yuma_version = ipw.ToggleButtons(
            options=[("Yuma 1 (historic)", 1), ("Yuma 2", 2), ("Yuma 3", 3)], value=p.yuma_version,
            description="Yuma version", style={"button_width": "130px", **WIDE}).add_class("ts-yuma-version")
        self.liquid_alpha = ipw.Checkbox(value=p.liquid_alpha_enabled, description="Liquid alpha (Yuma 3 only)",
                                         indent=False).add_class("ts-liquid-alpha")
        self.alpha_low = ipw.FloatSlider(value=round(p.alpha_low, 3), min=0, max=1, step=0.01, readout_format=".2f",
                                         description="Alpha low", **slider).add_class("ts-alpha-low")
        self.alpha_high = ipw.FloatSlider(value=round(p.alpha_high, 3), min=0, max=1, step=0.01,
                                          readout_format=".2f", description="Alpha high", **slider)
        self.alpha_high.add_class("ts-alpha-high")
        self.message = ipw.HTML().add_class("ts-message")
        self.readout = ipw.HTML().add_class("ts-readout")

        # The chart is built and validated once; a recompute only swaps its named datasets.
        self.chart = live_chart(_lab_chart())
        self.chart.add_class("ts-chart").add_class("ts-lab-chart")
        self._template = self.chart.spec

        self.n_validators.observe(self._on_resize, names="value")
        self.n_miners.observe(self._on_resize, names="value")
        for control in (self.kappa, self.bonds_penalty, self.bonds_moving_avg, self.epochs, self.yuma_version,
                        self.liquid_alpha, self.alpha_low, self.alpha_high):
            control.observe(self._recompute, names="value")
        self.yuma_version.observe(self._enable_alpha_controls, names="value")
        self.liquid_alpha.observe(self._enable_alpha_controls, names="value")

        hyper = ipw.VBox([self.kappa, self.bonds_penalty, self.bonds_moving_avg, self.epochs])
        alpha = ipw.VBox([self.liquid_alpha, self.alpha_low, self.alpha_high])
        super().__init__([
            ipw.HBox([self.n_validators, self.n_miners], layout=ipw.Layout(flex_flow="row wrap")),
            ipw.HTML("<b>Weights</b> each validator sets on each miner (only each row's proportions count: "
                     "1, 1, 2 means 25 %, 25 %, 50 %), and each validator's <b>stake</b>."),
            self.grid,
            self.yuma_version,
            ipw.HBox([hyper, alpha], layout=ipw.Layout(flex_flow="row wrap")),
            self.message, self.readout, self.chart,
        ])
        self.add_class("ts-yuma-lab")
        self._build_grid()
        self._enable_alpha_controls()
        self._quiet = False
        self._recompute()

    # -- reading and filling the grid

    def weights(self) -> np.ndarray:
        """The weights grid as shown (validators x miners, as typed: not yet normalised)."""
        return self._weights[: self.n_validators.value, : self.n_miners.value].copy()

    def stakes(self) -> np.ndarray:
        return self._stakes[: self.n_validators.value].copy()

    def set_weights(self, weights) -> None:
        """Fill the grid (resizing it to the matrix's shape) and recompute once."""
        weights = np.asarray(weights, dtype=float)
        self._quiet = True
        self.n_validators.value, self.n_miners.value = weights.shape
        self._weights[: weights.shape[0], : weights.shape[1]] = weights
        self._build_grid()
        self._quiet = False
        self._recompute()

    def set_stakes(self, stakes) -> None:
        self._quiet = True
        for slider, stake in zip(self.stake_sliders, stakes, strict=True):
            slider.value = stake
        self._quiet = False
        self._recompute()

    # -- building the grid

    def _build_grid(self) -> None:
        v, m = self.n_validators.value, self.n_miners.value
        self.stake_sliders = [
            ipw.FloatSlider(value=self._stakes[i], min=0, max=100, step=1, readout_format=".0f",
                            continuous_update=False, layout=ipw.Layout(width="220px")).add_class("ts-stake")
            for i in range(v)
        ]
        self.weight_cells = [
            [ipw.BoundedFloatText(value=self._weights[i, j], min=0, max=1, step=0.05,
                                  layout=ipw.Layout(width="76px")).add_class("ts-weight") for j in range(m)]
            for i in range(v)
        ]
        for i, slider in enumerate(self.stake_sliders):
            slider.observe(lambda change, i=i: self._store(self._stakes, (i,), change["new"]), names="value")
        for i, row in enumerate(self.weight_cells):
            for j, cell in enumerate(row):
                cell.observe(lambda change, i=i, j=j: self._store(self._weights, (i, j), change["new"]),
                             names="value")
        header = [_label(""), _label("stake")] + [_label(MINER_NAMES[j]) for j in range(m)]
        rows = [[_label(VALIDATOR_NAMES[i], VALIDATOR_COLORS[i]), self.stake_sliders[i], *self.weight_cells[i]]
                for i in range(v)]
        self.grid.children = header + [cell for row in rows for cell in row]
        self.grid.layout = ipw.Layout(grid_template_columns=f"40px 230px repeat({m}, 84px)", grid_gap="4px 6px",
                                      align_items="center")

    def _store(self, store: np.ndarray, index: tuple[int, ...], value: float) -> None:
        store[index] = value
        self._recompute()

    def _on_resize(self, _change=None) -> None:
        if self._quiet:
            return
        self._build_grid()
        self._recompute()

    def _enable_alpha_controls(self, _change=None) -> None:
        yc3 = self.yuma_version.value == 3
        self.liquid_alpha.disabled = not yc3
        self.alpha_low.disabled = self.alpha_high.disabled = not (yc3 and self.liquid_alpha.value)

    # -- the model, and what the chart shows

    def params(self) -> YumaParams:
        """The hyperparameters as set; raises ValueError, in the reader's words, for a setting the chain refuses."""
        low, high = self.alpha_low.value, self.alpha_high.value
        if low > high:
            raise ValueError(f"Alpha low ({low:.2f}) is above alpha high ({high:.2f}): the chain refuses that. "
                             "Lower alpha low or raise alpha high.")
        if low < 0.025:
            raise ValueError(f"The chain requires alpha low to be at least 0.025 (it is {low:.2f}).")
        return YumaParams(kappa=self.kappa.value, bonds_penalty=self.bonds_penalty.value,
                          bonds_moving_avg=self.bonds_moving_avg.value, yuma_version=self.yuma_version.value,
                          liquid_alpha_enabled=self.liquid_alpha.value, alpha_low=low, alpha_high=high)

    def _recompute(self, _change=None) -> None:
        if self._quiet:
            return
        try:
            params = self.params()
        except ValueError as refused:  # shown next to the controls, never as a traceback
            self._refuse(str(refused))
            return
        stakes = self.stakes()
        if not stakes.any():
            self._refuse("Every validator has zero stake, so nobody's vote counts. "
                         "Give at least one validator some stake.")
            return
        self.message.value = ""
        self.refusal = ""
        weights = self.weights()
        result = run_epochs(weights, stakes, params, self.epochs.value)
        self.chart.spec = {**self._template, "datasets": _lab_datasets(result, *weights.shape)}
        self.readout.value = _readout(result, *weights.shape)
        self.result_shape = weights.shape  # before `result`: its observers read both
        self.result = result

    def _refuse(self, text: str) -> None:
        # The chart keeps the last valid epoch, but `result` no longer matches the controls (the grid may be
        # resized next): observers get None and show `refusal` instead of reading a stale result.
        self.message.value = RED.format(text)
        self.refusal = text
        self.result = None


def _label(text: str, color: str = "#333") -> ipw.HTML:
    return ipw.HTML(f"<b style='color:{color}; font-size:15px'>{text}</b>")


def _lab_datasets(r: EpochResult, v: int, m: int) -> dict[str, list[dict]]:
    """The chart's rows, built straight from the arrays (a DataFrame round trip costs more than the epoch)."""
    w, clipped, bonds = r.steps["weights"], r.steps["clipped_weights"], r.bonds
    yuma1 = r.params.yuma_version == 1  # Yuma 1's consensus is a score, not a weight level: no line to draw
    pairs = [
        {"validator": VALIDATOR_NAMES[i], "miner": MINER_NAMES[j], "weight": float(w[i, v + j]),
         "clipped": float(clipped[i, v + j]), "bond": float(bonds[i, v + j])}
        for i in range(v) for j in range(m)
    ]
    miners = [
        {"miner": MINER_NAMES[j], "consensus": None if yuma1 else float(r.consensus[v + j]),
         "incentive": float(r.incentive[v + j])}
        for j in range(m)
    ]
    stake = r.steps["stake"]
    validators = [
        {"validator": VALIDATOR_NAMES[i], "stake": float(stake[i]), "trust": float(r.validator_trust[i]),
         "dividends": float(r.dividends[i])}
        for i in range(v)
    ]
    return {"lab_pairs": pairs, "lab_miners": miners, "lab_validators": validators}


def _readout(r: EpochResult, v: int, m: int) -> str:
    def shares(names, values):
        return " · ".join(f"{name} {value:.0%}" for name, value in zip(names, values, strict=False))

    miners, validators = r.miner_emission[v:].sum(), r.validator_emission[:v].sum()
    text = (f"<b>Incentive</b> (the miners' half): {shares(MINER_NAMES[:m], r.incentive[v:])}"
            f"<br><b>Dividends</b> (the validators' half): {shares(VALIDATOR_NAMES[:v], r.dividends[:v])}")
    if miners == 0:
        text += ("<br>No miner earned anything, so the validators get the whole emission in proportion to stake "
                 "(the chain's fallback).")
    elif abs(miners - validators) > 1e-9:
        text += f"<br>Miners get {miners:.0%} of the emission, validators {validators:.0%}."
    return text


def _lab_chart() -> alt.VConcatChart:
    pairs, miners, validators = (alt.Data(name=name) for name in ("lab_pairs", "lab_miners", "lab_validators"))
    miner_x = alt.X("miner:N", title="miner", axis=alt.Axis(labelAngle=0))
    # The legend takes its symbols from the faded layer unless told to draw them solid.
    color = alt.Color("validator:N", title="validator", scale=validator_color(), legend=alt.Legend(symbolOpacity=1))
    share = alt.Scale(domain=[0, 1])
    bars = alt.Chart(pairs).encode(x=miner_x, xOffset=alt.XOffset("validator:N", sort=list(VALIDATOR_NAMES)),
                                   color=color)
    weights = alt.layer(
        bars.mark_bar(opacity=0.25).encode(y=alt.Y("weight:Q", title="weight", scale=share)),
        bars.mark_bar().encode(y="clipped:Q", tooltip=[
            "validator:N", "miner:N", alt.Tooltip("weight:Q", format=".3f"),
            alt.Tooltip("clipped:Q", format=".3f", title="kept after clipping")]),
        alt.Chart(miners).mark_tick(color="black", thickness=3).encode(
            x=miner_x, y="consensus:Q", tooltip=[alt.Tooltip("consensus:Q", format=".3f")]),
    ).properties(title="Weights per miner: black line = consensus, faded = clipped away", width=380, height=220)
    incentive = alt.Chart(miners).mark_bar(color="#6741d9").encode(
        x=miner_x, y=alt.Y("incentive:Q", title="share", scale=share),
        tooltip=["miner:N", alt.Tooltip("incentive:Q", format=".1%")],
    ).properties(title="Incentive: each miner's share", width=200, height=220)
    validator_x = alt.X("validator:N", title="validator", axis=alt.Axis(labelAngle=0))
    trust = alt.Chart(validators).mark_bar().encode(
        x=validator_x, y=alt.Y("trust:Q", title="share kept", scale=share),
        color=alt.Color("validator:N", title="validator", scale=validator_color()),
        tooltip=["validator:N", alt.Tooltip("trust:Q", format=".1%")],
    ).properties(title="Validator trust", width=170, height=200)
    measures = ["stake", "dividends"]
    earned = alt.Chart(validators).transform_fold(measures, as_=["measure", "value"]).mark_bar().encode(
        x=validator_x, xOffset=alt.XOffset("measure:N", sort=measures),
        y=alt.Y("value:Q", title="share", scale=share),
        fill=alt.Fill("measure:N", title=None, sort=measures,
                      scale=alt.Scale(domain=measures, range=["#9aa4ad", "#d29922"])),
        tooltip=["validator:N", "measure:N", alt.Tooltip("value:Q", format=".1%")],
    ).properties(title="Stake and dividends", width=200, height=200)
    bonds = heatmap(pairs, "bond", "Bonds each validator holds", x="miner", y="validator")
    # Each panel groups its bars by its own field (validators in one, stake/dividends in another).
    rows = alt.vconcat(alt.hconcat(weights, incentive), alt.hconcat(trust, earned, bonds))
    return rows.resolve_scale(xOffset="independent")


def heatmap(data, field: str, title: str, *, x: str, y: str, fmt: str = ".2f", domain=(0, 1),
            width: int = 190, height: int = 170) -> alt.LayerChart:
    """A small labelled heatmap: colour and the number in each cell."""
    base = alt.Chart(data).encode(x=alt.X(f"{x}:N", title=x, axis=alt.Axis(labelAngle=0)),
                                  y=alt.Y(f"{y}:N", title=y))
    # Cells are coloured through `fill`, which leaves the `color` scale to the validators in composed charts.
    cells = base.mark_rect().encode(
        fill=alt.Fill(f"{field}:Q", scale=alt.Scale(scheme="blues", domain=list(domain)), legend=None),
        tooltip=[f"{y}:N", f"{x}:N", alt.Tooltip(f"{field}:Q", format=fmt)])
    middle = (domain[0] + domain[1]) / 2
    labels = base.mark_text(fontSize=13).encode(
        text=alt.Text(f"{field}:Q", format=fmt),
        color=alt.condition(alt.datum[field] > middle, alt.value("white"), alt.value("black")))
    return (cells + labels).properties(title=title, width=width, height=height)


# ------------------------------------------------------------------------------------------------------------
# Step-through

# Vectors are drawn per miner for these steps and per validator for the others (miners hold no stake, and
# validators earn no incentive); matrices are read on the validators x miners block.
MINER_STEPS = {"consensus", "rank", "incentive", "miner_emission"}


class EpochSteps(ipw.VBox):
    """Walk a lab's epoch one named step at a time: Previous / Next, the step's description, its array drawn
    as bars (a vector) or a heatmap (a validators x miners matrix)."""

    def __init__(self, lab: YumaLab, start: str = "stake"):
        self.lab = lab
        names = list(STEP_DESCRIPTIONS)  # the order of `EpochResult.steps`; known even if the lab has no result
        self.step = ipw.Dropdown(options=[(f"{k + 1}. {name.replace('_', ' ')}", name)
                                          for k, name in enumerate(names)],
                                 value=start, description="Step", layout=ipw.Layout(width="360px"))
        self.step.add_class("ts-step-select")
        self.previous = ipw.Button(description="◀ Previous", layout=ipw.Layout(width="120px"))
        self.previous.add_class("ts-step-prev")
        self.next = ipw.Button(description="Next ▶", button_style="info", layout=ipw.Layout(width="120px"))
        self.next.add_class("ts-step-next")
        self.description = ipw.HTML().add_class("ts-step-description")
        self.chart = live_chart(_step_chart("bars"))
        self.chart.add_class("ts-chart").add_class("ts-step-chart")
        # Both layouts are validated once; a vector step draws bars, a matrix step a heatmap.
        self._templates = {"bars": self.chart.spec, "heatmap": styled(_step_chart("heatmap")).to_dict()}
        self.previous.on_click(lambda _: self._move(-1))
        self.next.on_click(lambda _: self._move(+1))
        self.step.observe(self._show, names="value")
        lab.observe(self._show, names="result")
        super().__init__([ipw.HBox([self.previous, self.step, self.next]), self.description, self.chart])
        self.add_class("ts-epoch-steps")
        self._show()

    def _move(self, by: int) -> None:
        names = [value for _, value in self.step.options]
        self.step.value = names[(names.index(self.step.value) + by) % len(names)]

    def _show(self, _change=None) -> None:
        result, name = self.lab.result, self.step.value
        names = [n for _, n in self.step.options]
        position = names.index(name)
        if result is None:  # the lab refused its settings: say so rather than draw a stale epoch
            self.description.value = (f"<p style='font-size:15px'><b>Step {position + 1} of {len(names)}: "
                                      f"{name.replace('_', ' ')}</b><br>" + RED.format(
                                          "No epoch to walk through: " + html.escape(self.lab.refusal)) + "</p>")
            self.chart.spec = {**self._templates["bars"], "datasets": {"step": []}}
            return
        v, m = self.lab.result_shape  # the grid the result was computed on, not the controls now
        value = np.asarray(result.steps[name], dtype=float)
        if value.ndim == 2:
            kind, shape = "heatmap", "a validators × miners matrix"
            rows = [{"validator": VALIDATOR_NAMES[i], "miner": MINER_NAMES[j], "value": float(value[i, v + j])}
                    for i in range(v) for j in range(m)]
        else:
            kind = "bars"
            if name in MINER_STEPS:
                shape, labels, values = "one number per miner", MINER_NAMES[:m], value[v:]
            else:
                shape, labels, values = "one number per validator", VALIDATOR_NAMES[:v], value[:v]
            rows = [{"who": who, "value": float(x)} for who, x in zip(labels, values, strict=True)]
        self.description.value = (f"<p style='font-size:15px'><b>Step {position + 1} of {len(names)}: "
                                  f"{name.replace('_', ' ')}</b> ({shape})<br>{STEP_DESCRIPTIONS[name]}</p>")
        self.chart.spec = {**self._templates[kind], "datasets": {"step": rows}}


def _step_chart(kind: str) -> alt.TopLevelMixin:
    data = alt.Data(name="step")
    if kind == "heatmap":
        return heatmap(data, "value", "", x="miner", y="validator", fmt=".3f", width=320, height=200)
    return alt.Chart(data).mark_bar(color="#1f6feb").encode(
        x=alt.X("who:N", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title="value", scale=alt.Scale(domainMin=0)),
        tooltip=["who:N", alt.Tooltip("value:Q", format=".3f")],
    ).properties(width=320, height=200) + alt.Chart(data).mark_text(dy=-8, fontSize=13).encode(
        x=alt.X("who:N", sort=None), y="value:Q", text=alt.Text("value:Q", format=".3f"))
