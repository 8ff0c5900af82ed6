"""Scenario discovery: under which conditions does a policy fail? (``siyi discover``)

An ensemble folder (a sweep store whose ``point`` is a parameter draw, run for the baseline and a
policy on the same seeds) gives, per draw, the *paired effect* of the policy: the mean over
replications of policy minus baseline, seed by seed. A user's failure expression over those
effects (``"clear_index < -0.01"``) marks each draw failed or not, and PRIM (ema_workbench's
implementation, not ours) finds boxes in the space of the varied parameters where failures
concentrate: coverage = share of all failures inside the box, density = share of the box's draws
that fail.

The failure expression is parsed with :mod:`ast` and evaluated by a whitelist of arithmetic,
comparison and boolean operators over known column names and numbers; nothing is ever passed to
Python's ``eval``.

>>> result = discover("results/ensemble", "clear_index < -0.01", policy="normalized_promotion")  # doctest: +SKIP
>>> print(format_boxes(result))  # doctest: +SKIP
"""

from __future__ import annotations

import ast
import contextlib
import json
import operator
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: Columns of a run row that are bookkeeping, never outcomes or parameters.
BOOKKEEPING = frozenset(
    {"run_key", "scenario", "base_scenario", "point", "replication", "seed", "days", "daily_sha256", "row_sha256"}
)
LIMIT_COLUMNS = ["parameter", "low", "high", "full_low", "full_high", "qp"]
DEFAULT_THRESHOLD = 0.8  # a box is "where the policy fails" when at least 80 % of its draws fail
MAX_BOXES = 3


# --- paired effects per draw -----------------------------------------------------------------
def parameter_columns(manifest: dict[str, Any], runs: pd.DataFrame) -> list[str]:
    """The parameters that vary across the store's points (the uncertainties of an ensemble)."""
    cells = (manifest.get("design") or {}).get("cells") or []
    keys = dict.fromkeys(k for cell in cells for k in (cell.get("overrides") or {}))
    varied = [k for k in keys if k in runs.columns and runs.groupby("point")[k].first().nunique(dropna=False) > 1]
    return varied


def outcome_columns(runs: pd.DataFrame, params: list[str]) -> list[str]:
    skip = BOOKKEEPING | set(params)
    return [
        c
        for c in runs.columns
        if c not in skip and not c.startswith("timing_") and pd.api.types.is_numeric_dtype(runs[c].dtype)
    ]


def paired_effects(runs: pd.DataFrame, params: list[str], baseline: str, policy: str) -> pd.DataFrame:
    """One row per draw: its parameter values and, per outcome, mean over seeds of policy - baseline.

    Only replications run for both scenarios at a draw count (the pairing is on the seed).
    """
    known = list(dict.fromkeys(runs["scenario"]))
    for name, what in ((baseline, "baseline"), (policy, "policy")):
        if name not in known:
            raise ValueError(f"{what} {name!r} is not in the results (scenarios: {', '.join(known)})")
    if baseline == policy:
        raise ValueError(f"policy {policy!r} is the baseline; choose another scenario")
    outcomes = outcome_columns(runs, params)
    index = ["point", "replication"]
    base = runs[runs["scenario"] == baseline].set_index(index)
    pol = runs[runs["scenario"] == policy].set_index(index)
    both = base.index.intersection(pol.index)
    if not len(both):
        raise ValueError(f"no replication ran for both {baseline!r} and {policy!r} at the same draw")
    diff = pol.loc[both, outcomes].astype(float) - base.loc[both, outcomes].astype(float)
    effects = diff.groupby(level="point").mean()
    effects["n_pairs"] = diff.groupby(level="point").size()
    draws = base.loc[both, params].groupby(level="point").first()
    return draws.join(effects).reset_index()


# --- failure expression ----------------------------------------------------------------------
_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.Mod: operator.mod,
}
_COMPARE = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


def failure_mask(table: pd.DataFrame, expression: str) -> np.ndarray:
    """Evaluate ``expression`` (names = columns of ``table``) to one bool per row; NaN counts as not failed.

    Allowed: numbers, column names, ``+ - * / ** %``, comparisons (chained too), ``and or not``,
    ``& | ~`` and parentheses. Anything else is refused by name.
    """
    text = str(expression).strip()
    if not text:
        raise ValueError("failure expression is empty")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise ValueError(f"failure expression {text!r} is not a valid expression") from None
    columns = set(table.columns)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = _evaluate(tree.body, table, columns, text)
    result = np.asarray(value)
    if result.dtype != bool:
        raise ValueError(f"failure expression {text!r} is not a condition (use a comparison such as `x < 0`)")
    return np.broadcast_to(result, (len(table),)).copy()


def _evaluate(node: ast.AST, table: pd.DataFrame, columns: set[str], text: str) -> Any:
    def ev(n: ast.AST) -> Any:
        return _evaluate(n, table, columns, text)

    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in columns:
            known = ", ".join(sorted(c for c in columns if c != "point"))
            raise ValueError(f"unknown name {node.id!r} in failure expression (known: {known})")
        return table[node.id].to_numpy(dtype=float)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](ev(node.left), ev(node.right))
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitAnd, ast.BitOr)):
        left, right = _condition(ev(node.left), text), _condition(ev(node.right), text)
        return left & right if isinstance(node.op, ast.BitAnd) else left | right
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = ev(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.Invert)):
        return ~_condition(ev(node.operand), text)
    if isinstance(node, ast.BoolOp):
        parts = [_condition(ev(v), text) for v in node.values]
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        out = parts[0]
        for part in parts[1:]:
            out = combine(out, part)
        return out
    if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        left = ev(node.left)
        result: np.ndarray | None = None
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = ev(right_node)
            part = np.asarray(_COMPARE[type(op)](left, right), dtype=bool)
            result = part if result is None else result & part
            left = right
        return result
    snippet = ast.get_source_segment(text, node) or type(node).__name__
    raise ValueError(f"failure expression may not contain {snippet!r} (only names, numbers and operators)")


def _condition(value: Any, text: str) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype != bool:
        raise ValueError(f"failure expression {text!r} combines a number where a condition is needed")
    return array


@contextlib.contextmanager
def quiet_ema():
    """ema_workbench warns on import (optional ipyparallel) and on pandas deprecations: not the user's business."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# --- PRIM ------------------------------------------------------------------------------------
@dataclass
class Box:
    """One PRIM box: its statistics and, per restricted parameter, the range inside the box."""

    number: int
    coverage: float
    density: float
    mass: float
    n_draws: int
    limits: pd.DataFrame  # parameter, low, high, full_low, full_high, qp (quasi-p value of the restriction)
    trajectory: pd.DataFrame  # coverage, density, mass, res_dim of every step of the peeling
    chosen_step: int


@dataclass
class DiscoveryResult:
    baseline: str
    policy: str
    failure: str
    parameters: list[str]
    effects: pd.DataFrame  # one row per draw: parameters, effects, failed
    boxes: list[Box] = field(default_factory=list)
    threshold: float = DEFAULT_THRESHOLD

    @property
    def n_failed(self) -> int:
        return int(self.effects["failed"].sum())


def find_boxes(
    x: pd.DataFrame,
    failed: np.ndarray,
    threshold: float = DEFAULT_THRESHOLD,
    max_boxes: int = MAX_BOXES,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> list[Box]:
    """PRIM boxes (ema_workbench) for ``failed`` over the parameters ``x``.

    On each box's peeling trajectory we pick the step of largest coverage among those with density
    >= ``threshold`` (the densest step when none reaches it). Boxes stop when a chosen box's density
    falls below the threshold or no failure is left outside the boxes found.
    """
    x = x.reset_index(drop=True).astype(float)
    failed = np.asarray(failed, dtype=bool)
    if not failed.any():
        return []
    with quiet_ema():
        from ema_workbench.analysis import prim

        algorithm = prim.Prim(x, failed, peel_alpha=peel_alpha, mass_min=mass_min)
    full = {c: (float(x[c].min()), float(x[c].max())) for c in x.columns}
    boxes: list[Box] = []
    while len(boxes) < max_boxes:
        with quiet_ema():
            box = algorithm.find_box()
        if box is None:
            break
        trajectory = box.peeling_trajectory
        good = trajectory[trajectory["density"] >= threshold]
        if len(good):  # most coverage; among equal coverage the densest (the tightest box)
            step = int(good.sort_values(["coverage", "density"], kind="stable").index[-1])
        else:
            step = int(trajectory["density"].idxmax())
        box.select(step)
        stats, lims = box.inspect(step, style="data")[0]
        rows = []
        for param in lims.index:
            low, high = (float(v) for v in box.box_lims[step][param])
            qp = pd.to_numeric(lims.loc[param].iloc[2:], errors="coerce").min()  # quasi-p of its restricted sides
            row = {
                "parameter": param,
                "low": low,
                "high": high,
                "full_low": full[param][0],
                "full_high": full[param][1],
            }
            rows.append({**row, "qp": float(qp)})
        limits = pd.DataFrame(rows, columns=LIMIT_COLUMNS)
        boxes.append(
            Box(
                number=len(boxes) + 1,
                coverage=float(stats["coverage"]),
                density=float(stats["density"]),
                mass=float(stats["mass"]),
                n_draws=int(stats["n"]),
                limits=limits,
                trajectory=trajectory[["coverage", "density", "mass", "res_dim"]].reset_index(drop=True),
                chosen_step=step,
            )
        )
        if float(stats["density"]) < threshold or float(stats["coverage"]) >= 1.0:
            break
    return boxes


def discover(
    results: str | Path,
    failure: str,
    baseline: str = "baseline",
    policy: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    max_boxes: int = MAX_BOXES,
) -> DiscoveryResult:
    """Paired effects per draw of ``results``, the failure mask, and PRIM boxes over the varied parameters."""
    from ..experiments import load_runs
    from ..experiments.store import read_manifest

    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], not {threshold!r}")
    if isinstance(max_boxes, bool) or not isinstance(max_boxes, int) or max_boxes < 1:
        raise ValueError(f"max_boxes must be an integer >= 1, not {max_boxes!r}")
    path = Path(results)
    manifest = read_manifest(path) if path.is_dir() else None
    if manifest is None:
        raise ValueError(f"results {str(path)!r} is not a results folder of `siyi sweep` or `siyi explore`")
    runs = load_runs(path)
    if not len(runs):
        raise ValueError(f"results {str(path)!r} holds no finished runs yet")
    scenarios = list(dict.fromkeys(runs["scenario"]))
    if policy is None:
        others = [s for s in scenarios if s != baseline]
        if len(others) != 1:
            raise ValueError(f"policy must be named: the results hold {', '.join(others) or 'no other scenario'}")
        policy = others[0]
    params = parameter_columns(manifest, runs)
    numeric = [p for p in params if pd.api.types.is_numeric_dtype(runs[p].dtype)]
    if not numeric:
        raise ValueError(f"results {str(path)!r} vary no numeric parameter across points; nothing to discover")
    effects = paired_effects(runs, numeric, baseline, policy)
    effects["failed"] = failure_mask(effects, failure)
    boxes = find_boxes(effects[numeric], effects["failed"].to_numpy(), threshold, max_boxes)
    return DiscoveryResult(baseline, policy, failure, numeric, effects, boxes, threshold)


# --- report ----------------------------------------------------------------------------------
def format_boxes(result: DiscoveryResult) -> str:
    n = len(result.effects)
    lines = [
        f"scenario discovery: {result.policy} vs {result.baseline}, failure `{result.failure}`: "
        f"{result.n_failed} of {n} draws fail ({result.n_failed / n:.0%}); parameters: {', '.join(result.parameters)}"
    ]
    if not result.boxes:
        lines.append("no draw fails: no box to find" if not result.n_failed else "PRIM found no box")
    for box in result.boxes:
        lines.append(
            f"box {box.number}: coverage {box.coverage:.2f} (share of failures inside), density {box.density:.2f} "
            f"(share of the box that fails), mass {box.mass:.2f} ({box.n_draws} draws)"
        )
        if not len(box.limits):
            lines.append("  no parameter restricted")
        for row in box.limits.itertuples():
            weak = "  not significant" if row.qp > 0.05 else ""
            lines.append(
                f"  {row.parameter}: {row.low:.4g} .. {row.high:.4g}"
                f"  (ensemble {row.full_low:.4g} .. {row.full_high:.4g}; qp {row.qp:.2g}{weak})"
            )
    if result.boxes and n < 10 * len(result.parameters):
        lines.append(
            f"note: {n} draws for {len(result.parameters)} parameters; PRIM boxes over few draws overfit — "
            "trust restrictions with qp <= 0.05, or add draws"
        )
    if result.boxes and result.boxes[0].density < result.threshold:
        lines.append(f"note: no box reaches density {result.threshold:.2f}; failures are spread, not concentrated")
    return "\n".join(lines)


def tradeoff_figure(result: DiscoveryResult):
    """Coverage against density along each box's peeling, coloured by restricted dimensions."""
    from .style import new_figure, source_note, styled

    with styled():
        fig, ax = new_figure(7.5, 5.5)
        for box in result.boxes:
            t = box.trajectory
            points = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=22, zorder=3)
            ax.plot(t["coverage"], t["density"], color="#999999", lw=0.8, zorder=2)
            chosen = t.iloc[box.chosen_step]
            ax.scatter(
                [chosen["coverage"]],
                [chosen["density"]],
                s=140,
                facecolors="none",
                edgecolors="#b2182b",
                lw=2,
                zorder=4,
            )
            ax.annotate(
                f"box {box.number}", (chosen["coverage"], chosen["density"]), xytext=(6, 6), textcoords="offset points"
            )
        if result.boxes:
            most = max(int(b.trajectory["res_dim"].max()) for b in result.boxes)
            fig.colorbar(points, ax=ax, label="restricted parameters", ticks=range(most + 1))
        ax.axhline(result.threshold, color="#b2182b", lw=0.8, ls="--")
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("coverage (share of failing draws inside the box)")
        ax.set_ylabel("density (share of the box's draws that fail)")
        ax.set_title(f"PRIM peeling trade-off: {result.policy} fails ({result.failure})")
        source_note(fig, f"{len(result.effects)} draws, {result.n_failed} failing; circled: the box reported")
    return fig


def box_figure(result: DiscoveryResult):
    """Each parameter's range inside the first box, as a share of its ensemble range, over the draws."""
    from .style import new_figure, source_note, styled

    params = result.parameters
    effects = result.effects
    with styled():
        fig, ax = new_figure(8.0, 0.55 * len(params) + 2.2)
        y = np.arange(len(params))
        for j, p in enumerate(params):
            lo, hi = float(effects[p].min()), float(effects[p].max())
            span = (hi - lo) or 1.0
            scaled = (effects[p] - lo) / span
            jitter = j + (np.random.default_rng(j).random(len(effects)) - 0.5) * 0.35
            ax.scatter(scaled[~effects["failed"]], jitter[~effects["failed"]], s=6, color="#9e9e9e", alpha=0.6)
            ax.scatter(scaled[effects["failed"]], jitter[effects["failed"]], s=8, color="#b2182b", alpha=0.8)
            if result.boxes:
                row = result.boxes[0].limits[result.boxes[0].limits["parameter"] == p]
                if len(row):
                    a, b = (float(row["low"].iloc[0]) - lo) / span, (float(row["high"].iloc[0]) - lo) / span
                    ax.barh(j, b - a, left=a, height=0.6, color="none", edgecolor="#2166ac", lw=2)
                    ax.annotate(
                        f"{row['low'].iloc[0]:.3g} .. {row['high'].iloc[0]:.3g}",
                        (b, j),
                        xytext=(4, 8),
                        textcoords="offset points",
                        fontsize=8,
                    )
        ax.set_yticks(y, params)
        ax.set_xlim(-0.03, 1.2)
        ax.set_xlabel("position in the ensemble's range (0 = lowest draw, 1 = highest)")
        title = (
            "no box"
            if not result.boxes
            else f"box 1: coverage {result.boxes[0].coverage:.2f}, density {result.boxes[0].density:.2f}"
        )
        ax.set_title(f"Where {result.policy} fails — {title}")
        source_note(fig, "red: failing draws; grey: others; blue frame: the box's restricted range")
    return fig


def write_discovery(result: DiscoveryResult, out: str | Path) -> list[Path]:
    """``boxes.csv``, ``effects.parquet``, ``discovery.json`` and the two figures (PNG and SVG) in ``out``."""
    from ..io import atomic_write_bytes, atomic_write_text, check_output_dir
    from .style import png_bytes, svg_bytes

    out = check_output_dir(out, "out")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    rows = [
        {"box": b.number, "coverage": b.coverage, "density": b.density, "mass": b.mass, **lim}
        for b in result.boxes
        for lim in (b.limits.to_dict("records") or [{}])
    ]
    boxes = pd.DataFrame(rows, columns=["box", "coverage", "density", "mass", *LIMIT_COLUMNS])
    atomic_write_text(out / "boxes.csv", boxes.to_csv(index=False))
    atomic_write_bytes(out / "effects.parquet", result.effects.to_parquet(index=False))
    record = {
        "baseline": result.baseline,
        "policy": result.policy,
        "failure": result.failure,
        "threshold": result.threshold,
        "parameters": result.parameters,
        "draws": len(result.effects),
        "failing": result.n_failed,
        "boxes": [{k: v for k, v in r.items()} for r in boxes.to_dict("records")],
    }
    atomic_write_text(out / "discovery.json", json.dumps(record, indent=2, default=float) + "\n")
    written += [out / "boxes.csv", out / "effects.parquet", out / "discovery.json"]
    for stem, make in (("tradeoff", tradeoff_figure), ("box", box_figure)):
        fig = make(result)
        png, svg = png_bytes(fig), svg_bytes(fig)
        atomic_write_bytes(out / f"{stem}.png", png)
        atomic_write_bytes(out / f"{stem}.svg", svg)
        written += [out / f"{stem}.png", out / f"{stem}.svg"]
    return written
