"""Checking the model against the chain: every conformance vector computed live, and the published honest-utility
study reproduced, with a pass mark per value.

The vectors (tests/vectors/*.json, taken from opentensor/subtensor's own tests) live in the repository, not in
the installed package, so they are read from a folder (by default ../tests/vectors, as seen from book/). Each
check becomes one row: what was expected, what the model computes, the tolerance the vector file gives, and
whether the model is within it. Nothing here decides a result but the model: the rows are the test.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

import altair as alt
import ipywidgets as ipw
import numpy as np
import pandas as pd

from taosandbox.amm import Pool
from taosandbox.chain import SIMPLIFICATIONS
from taosandbox.emission import block_reward
from taosandbox.simulations import PUBLISHED_HONEST_UTILITY, honest_utility_experiment, required_honest_utility
from taosandbox.yuma import YumaParams, col_clip, ema_alpha, epoch, weighted_median, weighted_median_col

from .charts import live_chart, styled

VECTORS = Path("..") / "tests" / "vectors"
FILES = {  # file -> the group its rows are shown under, in the chapter's order
    "emission_halving.json": "Emission and halving",
    "yuma_primitives.json": "Yuma primitives",
    "yuma_yc2_bonds.json": "YC2 bonds (test_bonds)",
    "yuma_yc3_case1.json": "YC3 + liquid alpha (case 1)",
    "amm_constant_product.json": "AMM swaps",
}
UTILITY = "Honest utility (published study)"
UTILITY_TOLERANCE = 0.03  # the published figures are read off plots to two decimals
COLUMNS = ["group", "case", "check", "expected", "model", "tolerance", "closeness", "passed", "status"]
OFF_SCALE = 2.0  # where a value outside its tolerance is drawn (in tolerances)


def check_row(group: str, case: str, check: str, expected: float, model: float, tolerance: float,
              status: str) -> dict:
    """One comparison. `closeness` is the error in units of the tolerance: 0 is exact, ≤ 1 passes."""
    error = abs(float(model) - float(expected))
    passed = error <= tolerance
    if error == 0:
        closeness = 0.0
    else:
        closeness = min(error / tolerance, OFF_SCALE) if tolerance > 0 else OFF_SCALE
    return {"group": group, "case": case, "check": check, "expected": float(expected), "model": float(model),
            "tolerance": float(tolerance), "closeness": closeness, "passed": bool(passed), "status": status}


# ----------------------------------------------------------------------------------------------------
# The vectors, file by file


def emission_rows(cases: list[dict]) -> list[dict]:
    group, rows = FILES["emission_halving.json"], []
    for case in cases:
        if case["kind"] == "block_reward":
            issuance = case["inputs"]["issuance_rao"]
            rows.append(check_row(group, case["id"], f"reward at {issuance / 1e9:,.3f} τ issued (rao)",
                                  case["expected_reward_rao"], block_reward(issuance), case["tol"], case["status"]))
        else:  # supply_iteration: whole halving eras of blocks, each at the reward of its start
            inputs, issuance = case["inputs"], case["inputs"]["start_issuance_rao"]
            for _ in range(inputs["iterations"]):
                issuance += block_reward(issuance) * inputs["blocks_per_iteration"]
            rows.append(check_row(group, case["id"], f"issuance after {inputs['iterations']} eras (rao)",
                                  case["expected_issuance_rao"], issuance, case["tol"], case["status"]))
    return rows


PRIMITIVES = {
    "weighted_median": lambda i: weighted_median(i["stake"], i["score"], i["majority"]),
    "weighted_median_col": lambda i: weighted_median_col(i["stake"], i["weights"], i["kappa"]),
    "col_clip": lambda i: col_clip(i["weights"], i["consensus"]),
    "ema_alpha": lambda i: ema_alpha(i["old"], i["new"], i["alpha"]),
}


def primitive_rows(cases: list[dict]) -> list[dict]:
    """One row per value of each primitive's output."""
    group, rows = FILES["yuma_primitives.json"], []
    for case in cases:
        expected = np.asarray(case["expected"], dtype=float)
        model = np.asarray(PRIMITIVES[case["kind"]](case["inputs"]), dtype=float)
        if model.shape != expected.shape:  # a wrong shape fails every value
            model = np.full(expected.shape, np.inf)
        for index in np.ndindex(expected.shape) if expected.shape else [()]:
            where = f"[{', '.join(map(str, index))}]" if index else ""
            rows.append(check_row(group, case["id"], f"{case['kind']}{where}", expected[index], model[index],
                                  case["tol"], case["status"]))
    return rows


def _weights(spec, n: int) -> np.ndarray:
    """A vector file's weights: a full matrix, or blocks of one value plus single entries over zeros."""
    if not isinstance(spec, dict):
        return np.asarray(spec, dtype=float)
    weights = np.zeros((n, n))
    for block in spec.get("blocks", []):
        weights[np.ix_(block["rows"], block["cols"])] = block["value"]
    for i, j, value in spec.get("entries", []):
        weights[i, j] = value
    return weights


def _mask(name: str, step: dict, case: dict, shape: tuple[int, ...]):
    for source in (step["inputs"], step, case):  # the step overrides the case
        if source.get(name) is not None:
            return np.asarray(source[name], dtype=bool).reshape(shape)
    return None


def _bonds(step: dict, previous, chained: bool):
    given = step["inputs"]["bonds_in_u16"]
    if given is None:
        return None
    if given == "previous" or chained:
        return None if previous is None else previous.bonds.copy()
    return np.asarray(given, dtype=float) / 65535  # replay: the chain's own stored bonds


def epoch_rows(case: dict, group: str, chained: bool) -> list[dict]:
    """Run the epochs of an `epoch_sequence` case and compare every expected value."""
    n, params, previous, rows = case["n"], YumaParams(**case["params"]), None, []
    for step in case["steps"]:
        inputs = step["inputs"]
        bonds = _bonds(step, previous, chained)
        resets = inputs.get("reset_bond_columns", step.get("reset_bond_columns"))
        if resets and bonds is not None:
            bonds[:, resets] = 0.0
        previous = result = epoch(
            _weights(inputs["weights_u16"], n), np.asarray(inputs.get("stake", case["stake"]), dtype=float), bonds,
            params=params, active=_mask("active", step, case, (n,)), permits=_mask("permits", step, case, (n,)),
            outdated=_mask("outdated", step, case, (n, n)),
            new_registrations=_mask("new_registrations", step, case, (n,)),
            owner_uid=inputs.get("owner_uid", case.get("owner_uid")))
        label = f"epoch {step['epoch']}" if "epoch" in step else f"step {step['step']}"
        for expected in step["expected"]:
            rows += _expected_rows(result, expected, group, f"{case['id']} {label}")
    return rows


def _expected_rows(result, expected: dict, group: str, case: str) -> list[dict]:
    quantity, unit, tol, status = expected["quantity"], expected["unit"], expected["tol"], expected["status"]
    rows = []
    if quantity == "bonds":
        for i, j, value in expected["entries"]:
            model = round(65535 * result.bonds[i][j]) if unit == "u16" else result.bonds[i][j]
            rows.append(check_row(group, case, f"bonds[{i}][{j}] ({unit})", value, model, tol, status))
        return rows
    values = getattr(result, quantity)
    targets = expected.get("values") or [expected["value"]] * len(expected["uids"])
    for uid, value in zip(expected["uids"], targets, strict=True):
        if unit == "fraction":
            model = values[uid]
        elif unit == "u16":
            model = math.floor(65535 * values[uid])
        else:  # rao of one epoch's emission
            model = math.floor(values[uid] * expected["rao_emission"])
        rows.append(check_row(group, case, f"{quantity}[{uid}] ({unit})", value, model, tol, status))
    return rows


def amm_rows(cases: list[dict]) -> list[dict]:
    group, rows = FILES["amm_constant_product.json"], []
    for case in cases:
        pool = Pool(*case["pool"])
        rows.append(check_row(group, case["id"], "initial price", case["expected_initial_price"], pool.price,
                              1e-12 * case["expected_initial_price"], case["status"]))
        for k, op in enumerate(case["ops"], start=1):
            out = getattr(pool, op["op"])(op["amount_rao"])
            rows.append(check_row(group, case["id"], f"swap {k}: output (rao)", op["expected_out_rao"], out,
                                  op["tol_rao"], case["status"]))
            rows.append(check_row(group, case["id"], f"swap {k}: price after", op["expected_price_after"], pool.price,
                                  op["price_rel_tol"] * op["expected_price_after"], case["status"]))
    return rows


def vector_rows(directory: Path = VECTORS) -> pd.DataFrame:
    """Every check of every vector file found in `directory` (an empty frame if there is none)."""
    rows = []
    for name in FILES:
        path = Path(directory) / name
        if not path.exists():
            continue
        cases = json.loads(path.read_text())["cases"]
        if name == "emission_halving.json":
            rows += emission_rows(cases)
        elif name == "yuma_primitives.json":
            rows += primitive_rows(cases)
        elif name == "yuma_yc2_bonds.json":
            rows += [r for c in cases for r in epoch_rows(c, FILES[name], chained=False)]  # the file's normative mode
        elif name == "yuma_yc3_case1.json":
            rows += [r for c in cases for r in epoch_rows(c, FILES[name], chained=True)]  # bonds carried over
        else:
            rows += amm_rows(cases)
    return pd.DataFrame(rows, columns=COLUMNS)


# ----------------------------------------------------------------------------------------------------
# The published result: honest utility needed to keep 60 % honest stake (subtensor docs/consensus.md)

UTILITY_GRID = np.round(np.arange(0.5, 0.951, 0.025), 3)  # honest utility W_H, scanned upwards
CABAL_GRID = np.round(np.linspace(0.0, 1.0, 11), 2)  # cabal self-weight W_C: the worst one counts


def required_utility(setting: dict, seed: int = 0) -> float:
    """The smallest honest utility that keeps honest emission ≥ honest stake against every cabal weight.

    Scans W_H upwards and stops at the first value that holds (honest emission grows with W_H), so a setting
    costs about ten grid points instead of twenty."""
    rows = []
    for major in UTILITY_GRID:
        point = [{**setting, "major_weight": float(major), "minor_weight": float(minor),
                  **honest_utility_experiment(seed, float(major), float(minor), **setting)} for minor in CABAL_GRID]
        rows += point
        if min(r["honest_emission"] for r in point) >= 0.6:
            break
    return float(required_honest_utility(pd.DataFrame(rows))["required_utility"].iloc[0])


def utility_rows(progress=None) -> pd.DataFrame:
    """Published vs model for every figure of the study; `progress(done, total)` is told after each one."""
    rows = []
    for k, published in enumerate(PUBLISHED_HONEST_UTILITY):
        setting = {key: published[key] for key in ("weight_stddev", "bonds_penalty", "validator_share")}
        rows.append(check_row(UTILITY, published["figure"], f"required utility, {published['figure']}",
                              published["required_utility"], required_utility(setting), UTILITY_TOLERANCE,
                              "published"))
        if progress is not None:
            progress(k + 1, len(PUBLISHED_HONEST_UTILITY))
    return pd.DataFrame(rows, columns=COLUMNS)


def summarize(rows: pd.DataFrame) -> pd.DataFrame:
    """Per group: how many values were checked, how many pass, and the worst error in tolerances."""
    order = [*FILES.values(), UTILITY]
    frame = rows.groupby("group", sort=False).agg(
        checked=("passed", "size"), passed=("passed", "sum"), exact=("closeness", lambda c: int((c == 0).sum())),
        worst=("closeness", "max"))
    frame = frame.reindex(sorted(frame.index, key=lambda g: order.index(g) if g in order else len(order)))
    frame["worst"] = frame["worst"].map(
        lambda c: "exact" if c == 0 else "< 1 % of the tolerance" if c < 0.01 else f"{c:.0%} of the tolerance")
    return frame.rename(columns={"worst": "largest error"}).rename_axis(None)


# ----------------------------------------------------------------------------------------------------
# The widget


class Conformance(ipw.VBox):
    """The vectors' checks at once; `run()` then reproduces the published study (a few seconds, with a
    progress bar). ``rows`` holds every check; ``summary`` one line per group; ``all_pass`` says it all."""

    def __init__(self, vectors: Path | str = VECTORS):
        self.vectors = Path(vectors)
        self.rows = vector_rows(self.vectors)
        self.note = ipw.HTML().add_class("ts-conformance-note")
        if self.rows.empty:
            where = html.escape(str(self.vectors))
            self.note.value = (f"<p style='color:#b00'>The conformance vectors are not here ({where} is missing). "
                               "They live in the project's repository under <code>tests/vectors</code>, "
                               "which an installed package does not ship: open this chapter from a clone of the "
                               "repository to see them. The published study below needs no files.</p>")
        self.summary_html = ipw.HTML().add_class("ts-conformance-summary")
        self.progress = ipw.IntProgress(min=0, max=len(PUBLISHED_HONEST_UTILITY), description="Study",
                                        layout=ipw.Layout(width="420px", visibility="hidden"))
        self.progress.add_class("ts-progress")
        self.chart = live_chart(alt.vconcat(closeness_chart(self.rows), dividends_chart(self.rows))
                                .resolve_scale(color="independent"))
        self.chart.add_class("ts-chart").add_class("ts-conformance-chart")
        self.utility_chart = live_chart(utility_chart(pd.DataFrame(columns=COLUMNS)))
        self.utility_chart.add_class("ts-chart").add_class("ts-utility-chart")
        super().__init__([self.note, self.summary_html, self.chart, self.progress, self.utility_chart])
        self.add_class("ts-conformance")
        self._show_summary()

    @property
    def summary(self) -> pd.DataFrame:
        return summarize(self.rows)

    @property
    def all_pass(self) -> bool:
        return bool(len(self.rows)) and bool(self.rows["passed"].all())

    def run(self) -> None:
        """Reproduce the published honest-utility figures with the model, and add them to the checks."""
        self.progress.value, self.progress.layout.visibility = 0, "visible"
        found = utility_rows(progress=lambda done, _total: setattr(self.progress, "value", done))
        self.progress.layout.visibility = "hidden"
        self.rows = pd.concat([self.rows[self.rows["group"] != UTILITY], found], ignore_index=True)
        self.utility_chart.chart = styled(utility_chart(found))  # the book's type sizes, as live_chart gives
        self._show_summary()

    def _show_summary(self) -> None:
        if self.rows.empty:
            self.summary_html.value = "<p>No checks yet.</p>"
            return
        passed, checked = int(self.rows["passed"].sum()), len(self.rows)
        verdict = ("<span style='color:#2f6f3e'>✔ all pass</span>" if passed == checked else
                   f"<span style='color:#b00'>✘ FAIL: {checked - passed} outside tolerance</span>")
        table = self.summary.to_html(classes="ts-summary-table", border=0)
        style = ("<style>.ts-summary-table th, .ts-summary-table td {text-align: left; padding: 3px 16px 3px 0}"
                 "</style>")
        self.summary_html.value = (f"<p style='font-size:20px'><b>{passed:,} of {checked:,}</b> checked values match "
                                   f"the chain within tolerance — {verdict}</p>"
                                   f"{style}<div style='font-size:15px'>{table}</div>")


def simplifications() -> ipw.HTML:
    """The model's own list of where it departs from the chain (`taosandbox.chain.SIMPLIFICATIONS`)."""
    items = "".join(f"<li>{html.escape(text)}</li>" for text in SIMPLIFICATIONS)
    return ipw.HTML(f"<ol style='font-size:15px; line-height:1.5'>{items}</ol>").add_class("ts-simplifications")


def closeness_chart(rows: pd.DataFrame) -> alt.LayerChart:
    """Every check as a dot: its error in units of its tolerance. The green band is the pass zone."""
    groups = [g for g in FILES.values() if g in set(rows["group"])] or list(FILES.values())
    band = alt.Chart(pd.DataFrame({"x": [0.0], "x2": [1.0]})).mark_rect(color="#d3f9d8").encode(x="x:Q", x2="x2:Q")
    limit = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(color="#2f9e44", strokeDash=[4, 3]).encode(x="x:Q")
    dots = alt.Chart(rows).mark_circle(size=70, opacity=0.6).encode(
        x=alt.X("closeness:Q", title="error ÷ tolerance (0 = exact, right of the dashed line = fail)",
                scale=alt.Scale(domain=[0, OFF_SCALE])),
        y=alt.Y("group:N", title=None, sort=groups),
        yOffset=alt.YOffset("jitter:Q"),
        color=alt.Color("passed:N", title=None, scale=alt.Scale(domain=[True, False], range=["#2f9e44", "#b00"]),
                        legend=alt.Legend(labelExpr="datum.value ? 'within tolerance' : 'outside'")),
        tooltip=["group:N", "case:N", "check:N", alt.Tooltip("expected:Q", format=",.10g"),
                 alt.Tooltip("model:Q", format=",.10g"), alt.Tooltip("tolerance:Q", format=".3g"), "status:N"],
    ).transform_calculate(jitter="random()")
    return alt.layer(band, limit, dots).properties(
        title="How close the model is to the chain, value by value", width=760, height=46 * len(groups))


def dividends_chart(rows: pd.DataFrame) -> alt.HConcatChart:
    """The two epoch sequences' dividends, epoch by epoch: the chain's numbers (lines) and the model's (dots)."""
    panels = []
    for group in (FILES["yuma_yc2_bonds.json"], FILES["yuma_yc3_case1.json"]):
        mine = rows[(rows["group"] == group) & rows["check"].str.startswith("dividends[")]
        mine = mine[mine.groupby("check")["expected"].transform("max") > 0]  # validators, not miners at 0
        frame = mine.assign(epoch=mine["case"].str.extract(r"(\d+)$", expand=False).astype(float),
                            validator="UID " + mine["check"].str.extract(r"\[(\d+)\]", expand=False))
        base = alt.Chart(frame).encode(
            x=alt.X("epoch:Q", title="epoch (step of the chain's test)", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("validator:N", title="validator"))
        chain = base.mark_line(strokeWidth=6, opacity=0.35).encode(y=alt.Y("expected:Q", title="dividend share"))
        model = base.mark_circle(size=60, opacity=1).encode(
            y="model:Q", tooltip=["case:N", "check:N", alt.Tooltip("expected:Q", format=".6f"),
                                  alt.Tooltip("model:Q", format=".6f")])
        panels.append((chain + model).properties(title=f"{group}: dividends, chain (wide line) vs model (dots)",
                                                 width=360, height=200))
    return alt.hconcat(*panels)


def utility_chart(rows: pd.DataFrame) -> alt.LayerChart:
    """The honest utility each figure of the study needs: published (with its ± band) and the model's."""
    frame = rows.assign(low=rows["expected"] - rows["tolerance"], high=rows["expected"] + rows["tolerance"])
    y = alt.Y("case:N", title=None, sort=[p["figure"] for p in PUBLISHED_HONEST_UTILITY])
    x_scale = alt.Scale(domain=[0.5, 0.9])
    ticks = alt.Axis(values=[round(0.5 + 0.05 * k, 2) for k in range(9)], format=".2f")
    band = alt.Chart(frame).mark_bar(color="#d3f9d8", height=18).encode(
        y=y, x=alt.X("low:Q", scale=x_scale, axis=ticks, title="honest utility needed to keep 60 % honest stake"),
        x2="high:Q")
    published = alt.Chart(frame).mark_tick(color="#495057", thickness=3, size=22).encode(
        y=y, x=alt.X("expected:Q", scale=x_scale),
        tooltip=["case:N", alt.Tooltip("expected:Q", title="published", format=".3f")])
    model = alt.Chart(frame).mark_point(filled=True, size=140, shape="diamond").encode(
        y=y, x=alt.X("model:Q", scale=x_scale),
        color=alt.Color("passed:N", legend=None, scale=alt.Scale(domain=[True, False], range=["#1f6feb", "#b00"])),
        tooltip=["case:N", alt.Tooltip("model:Q", title="model", format=".3f"),
                 alt.Tooltip("expected:Q", title="published", format=".3f")])
    return alt.layer(band, published, model).properties(
        title="Published (grey tick, ± 0.03 in green) and reproduced by the model (diamond)", width=760,
        height=32 * len(PUBLISHED_HONEST_UTILITY))
