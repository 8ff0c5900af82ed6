"""Paired comparison of scenarios against a baseline, on common random numbers.

Replication r of every scenario ran with the same seed (same firms, same draws), so the
difference ``d_r = y[scenario, r] - y[baseline, r]`` removes the between-seed noise that an
unpaired comparison of means would carry. Its 95 % confidence interval is the
t-interval across replications::

    mean(d) +/- t_{0.975, n-1} * sd(d) / sqrt(n)

Pairs are matched on (point, replication, days); runs of a scenario whose horizon has no
baseline run with the same horizon have no pairs (n_pairs = 0).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..io import brace_safe
from .execute import ID_COLUMNS, TIMING_PREFIX

PAIR_ON = ["point", "replication", "days"]


def paired_ci(diffs: Sequence[float] | np.ndarray, level: float = 0.95) -> dict[str, float]:
    """Mean, sd and t-interval of paired differences (NaNs dropped); n < 2 gives a NaN interval."""
    from scipy import stats

    d = np.asarray(diffs, dtype=float)
    d = d[~np.isnan(d)]
    n = int(d.size)
    mean = float(d.mean()) if n else math.nan
    sd = float(d.std(ddof=1)) if n >= 2 else math.nan
    if n >= 2:
        half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    else:
        half = math.nan
    return {
        "n_pairs": n,
        "diff_mean": mean,
        "diff_sd": sd,
        "ci_low": mean - half,
        "ci_high": mean + half,
        "ci_halfwidth": half,
    }


def metric_columns(runs: pd.DataFrame) -> list[str]:
    """Numeric summary columns: not identity, not parameters (dotted), not timing."""
    skip = set(ID_COLUMNS) | {"days"}
    return [
        c
        for c in runs.columns
        if c not in skip
        and "." not in c
        and not c.startswith(TIMING_PREFIX)
        and pd.api.types.is_numeric_dtype(runs[c])
        and not pd.api.types.is_bool_dtype(runs[c])
    ]


def check_metrics(runs: pd.DataFrame, metrics: Sequence[str] | None) -> list[str]:
    available = metric_columns(runs)
    if not metrics:
        return available
    for m in metrics:
        if m not in available:
            raise ValueError(f"unknown or non-numeric metric {m!r} (available: {', '.join(available)})")
    return list(dict.fromkeys(metrics))


def paired_comparison(
    runs: pd.DataFrame, baseline: str = "baseline", metrics: Sequence[str] | None = None, level: float = 0.95
) -> pd.DataFrame:
    """One row per (point, scenario, metric): mean over runs and paired difference vs baseline."""
    if runs.empty:
        raise ValueError("no finished runs to compare")
    scenarios = list(dict.fromkeys(runs["scenario"]))
    if baseline not in scenarios:
        raise ParameterError(
            "baseline",
            f"baseline scenario {brace_safe(baseline)!r} is not in the results "
            f"(scenarios: {brace_safe(', '.join(scenarios))}); "
            "choose another {name}",
        )
    metrics = check_metrics(runs, metrics)
    params = [c for c in runs.columns if "." in c]
    rows = []
    for point, at_point in runs.groupby("point", sort=True):
        base = at_point[at_point["scenario"] == baseline].set_index(PAIR_ON)
        for scenario in scenarios:
            mine = at_point[at_point["scenario"] == scenario]
            if mine.empty:
                continue
            indexed = mine.set_index(PAIR_ON)
            shared = indexed.index.intersection(base.index)
            for metric in metrics:
                row = {
                    "point": int(point),
                    **{p: mine[p].iloc[0] for p in params},
                    "scenario": scenario,
                    "metric": metric,
                }
                values = pd.to_numeric(mine[metric], errors="coerce")
                row["n_runs"] = int(values.notna().sum())
                row["mean"] = float(values.mean()) if row["n_runs"] else math.nan
                row["baseline_mean"] = (
                    float(pd.to_numeric(base[metric], errors="coerce").mean()) if len(base) else math.nan
                )
                if scenario == baseline:
                    row.update(
                        {
                            "n_pairs": 0,
                            "diff_mean": math.nan,
                            "diff_sd": math.nan,
                            "ci_low": math.nan,
                            "ci_high": math.nan,
                            "ci_halfwidth": math.nan,
                        }
                    )
                else:
                    diffs = (
                        indexed.loc[shared, metric].astype(float).to_numpy()
                        - base.loc[shared, metric].astype(float).to_numpy()
                    )
                    row.update(paired_ci(diffs, level))
                rows.append(row)
    return pd.DataFrame(rows)


def format_comparison(table: pd.DataFrame, baseline: str, level: float = 0.95) -> str:
    """Plain-text tables, one per metric (and point), for the terminal."""
    params = [c for c in table.columns if "." in c]
    lines = [f"paired differences vs {baseline!r}: mean over replications, {level:.0%} CI (t-distribution)"]
    width = max(8, *(len(s) for s in table["scenario"]))
    for (point, metric), block in table.groupby(["point", "metric"], sort=False):
        where = ""
        if params and table["point"].nunique() > 1:
            where = "  [" + ", ".join(f"{p}={block[p].iloc[0]}" for p in params) + "]"
        lines.append("")
        lines.append(f"{metric}{where}")
        lines.append(f"  {'scenario':<{width}}  {'runs':>5}  {'mean':>12}  {'pairs':>5}  {'diff':>12}  {'95% CI':>27}")
        for _, r in block.iterrows():
            if r["scenario"] == baseline:
                diff = ci = ""
                pairs = ""
            else:
                diff = _num(r["diff_mean"], signed=True)
                ci = (
                    f"[{_num(r['ci_low'], signed=True)}, {_num(r['ci_high'], signed=True)}]"
                    if not math.isnan(r["ci_halfwidth"])
                    else "(n < 2)"
                )
                pairs = str(int(r["n_pairs"]))
            lines.append(
                f"  {r['scenario']:<{width}}  {int(r['n_runs']):>5}  {_num(r['mean']):>12}  {pairs:>5}  {diff:>12}  {ci:>27}"
            )
    return "\n".join(lines)


def _num(x: float, signed: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "nan"
    sign = "+" if signed else ""
    if abs(x) >= 1000:
        return f"{x:{sign},.0f}"
    if abs(x) >= 1:
        return f"{x:{sign}.2f}"
    return f"{x:{sign}.4f}"
