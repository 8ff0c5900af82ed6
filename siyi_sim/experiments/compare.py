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
        raise ValueError(
            f"baseline scenario {baseline!r} is not in the results (scenarios: {', '.join(scenarios)}); use --baseline"
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


def format_comparison(table: pd.DataFrame, baseline: str, level: float = 0.95, lang: str | None = None) -> str:
    """Plain-text tables, one per metric (and point), for the terminal; labels and numbers from the
    indicator registry in ``lang`` (default: ``$SIYI_LANG`` or English)."""
    from ..metrics import INDICATORS, default_lang, display_width, label, pad

    lang = lang or default_lang()
    zh = lang == "zh"
    label(next(iter(INDICATORS)), lang)  # a ValueError naming lang if it is unknown
    params = [c for c in table.columns if "." in c]
    if zh:
        head = f"与 {baseline!r} 的配对差：各次重复的均值，{level:.0%} 置信区间（t分布）"
        cols = ("情景", "模拟", "均值", "配对", "差值", f"{level:.0%} 置信区间")
    else:
        head = f"paired differences vs {baseline!r}: mean over replications, {level:.0%} CI (t-distribution)"
        cols = ("scenario", "runs", "mean", "pairs", "diff", f"{level:.0%} CI")
    lines = [head]
    width = max(8, *(display_width(s) for s in table["scenario"]))
    for (_point, metric), block in table.groupby(["point", "metric"], sort=False):
        where = ""
        if params and table["point"].nunique() > 1:
            where = "  [" + ", ".join(f"{p}={block[p].iloc[0]}" for p in params) + "]"
        title = f"{label(metric, lang)} ({metric})" if metric in INDICATORS else metric
        rows = [cols]
        for _, r in block.iterrows():
            if r["scenario"] == baseline:
                diff = ci = pairs = ""
            else:
                diff = _num(r["diff_mean"], metric, lang, signed=True)
                low, high = (_num(r[c], metric, lang, signed=True) for c in ("ci_low", "ci_high"))
                ci = f"[{low}, {high}]" if not math.isnan(r["ci_halfwidth"]) else "(n < 2)"
                pairs = str(int(r["n_pairs"]))
            rows.append((r["scenario"], str(int(r["n_runs"])), _num(r["mean"], metric, lang), pairs, diff, ci))
        widths = [max(display_width(row[i]) for row in rows) for i in range(len(cols))]
        widths[0] = max(widths[0], width)
        lines += ["", f"{title}{where}"]
        for row in rows:
            cells = (pad(c, n, right=i > 0) for i, (c, n) in enumerate(zip(row, widths, strict=True)))
            lines.append("  " + "  ".join(cells).rstrip())
    return "\n".join(lines)


def _num(x: float, metric: str, lang: str = "en", signed: bool = False) -> str:
    """A value of ``metric`` as the registry prints it (signed: a difference); other keys plainly."""
    from ..metrics import INDICATORS, format_value

    if metric in INDICATORS:
        return format_value(metric, x, lang, difference=signed)
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "nan"
    sign = "+" if signed else ""
    if abs(x) >= 1000:
        return f"{x:{sign},.0f}"
    if abs(x) >= 1:
        return f"{x:{sign}.2f}"
    return f"{x:{sign}.4f}"
