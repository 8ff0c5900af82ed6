"""Paired comparison of scenarios against a baseline, on common random numbers.

Replication r of every scenario ran with the same seed (same firms, same draws), so the
difference ``d_r = y[scenario, r] - y[baseline, r]`` removes the between-seed noise that an
unpaired comparison of means would carry. Its 95 % confidence interval is the
t-interval across replications::

    mean(d) +/- t_{0.975, n-1} * sd(d) / sqrt(n)

Pairs are matched on (point, replication, days); runs of a scenario whose horizon has no
baseline run with the same horizon have no pairs (n_pairs = 0).

Cost-effectiveness (:func:`cost_effectiveness`) is the ratio of paired means, additional cost over
additional *net* outcome (all channels, so work the ordinary channel would have done anyway is not
counted), ``R = mean(dC) / mean(dY)``, with a delta-method t-interval:
``se(R)^2 = (var(dC) - 2 R cov(dC, dY) + R^2 var(dY)) / (n mean(dY)^2)``. Where the additional
outcome's own interval includes zero the ratio is reported but flagged ``estimable = False``.
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
#: Net outcomes a program cost is set against: (summary key or derived column, how to derive it).
COST_KEY = "program_cost_yuan"
NET_OUTCOMES = ("issues_resolved_total", "strong_tie_firms")


def paired_ci(diffs: Sequence[float] | np.ndarray, level: float = 0.95) -> dict[str, float]:
    """Mean, sd and t-interval of paired differences (NaNs dropped); n < 2 gives a NaN interval."""
    from ..analysis.stats import t_interval

    ci = t_interval(diffs, level)
    return {
        "n_pairs": ci.n,
        "diff_mean": ci.mean,
        "diff_sd": ci.sd,
        "ci_low": ci.low,
        "ci_high": ci.high,
        "ci_halfwidth": ci.halfwidth,
    }


def metric_columns(runs: pd.DataFrame) -> list[str]:
    """Numeric summary columns (or n/a in every run, e.g. a median never reached): not identity, not
    parameters (dotted), not timing."""
    skip = set(ID_COLUMNS) | {"days"}
    return [
        c
        for c in runs.columns
        if c not in skip
        and "." not in c
        and not c.startswith(TIMING_PREFIX)
        and (pd.api.types.is_numeric_dtype(runs[c]) or bool(runs[c].isna().all()))  # all n/a: NaN, not text
        and not pd.api.types.is_bool_dtype(runs[c])
    ]


#: Net outcomes first (totals over all channels, then states of the district), gross program counts last.
_NET_FIRST = {"total": 0, "state": 1, "program": 2, "meta": 3}


def net_first(metrics: Sequence[str]) -> list[str]:
    """Metrics ordered so net effects lead: registry totals, states, then program counts, then others."""
    from ..metrics import INDICATORS

    def rank(key: str) -> int:
        return _NET_FIRST[INDICATORS[key].kind] if key in INDICATORS else len(_NET_FIRST)

    return sorted(metrics, key=rank)


def check_metrics(runs: pd.DataFrame, metrics: Sequence[str] | None) -> list[str]:
    available = metric_columns(runs)
    if not metrics:
        return net_first(available)
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


def _outcome(frame: pd.DataFrame, key: str) -> pd.Series:
    """A net outcome per run; ``strong_tie_firms`` = strong_tie_share x n_enterprises."""
    if key == "strong_tie_firms":
        return pd.to_numeric(frame["strong_tie_share"], errors="coerce") * pd.to_numeric(
            frame["n_enterprises"], errors="coerce"
        )
    return pd.to_numeric(frame[key], errors="coerce")


def ratio_of_paired_means(cost_diffs, outcome_diffs, level: float = 0.95) -> dict[str, float]:
    """Additional cost per additional outcome, ``mean(dC)/mean(dY)``, with a delta-method t-interval.

    NaN ratio when the mean additional outcome is not positive (no additional outcome to price).
    """
    from scipy import stats

    c = np.asarray(cost_diffs, dtype=float)
    y = np.asarray(outcome_diffs, dtype=float)
    ok = np.isfinite(c) & np.isfinite(y)
    c, y = c[ok], y[ok]
    n = len(c)
    out = {"n_pairs": n, "cost_diff_mean": math.nan, "outcome_diff_mean": math.nan, "ratio": math.nan}
    out.update({"ratio_ci_low": math.nan, "ratio_ci_high": math.nan, "estimable": False})
    if n == 0:
        return out
    mc, my = float(c.mean()), float(y.mean())
    out.update(cost_diff_mean=mc, outcome_diff_mean=my)
    if my <= 0:
        return out
    r = mc / my
    out["ratio"] = r
    if n < 2:
        return out
    cov = np.cov(c, y, ddof=1)
    var = (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]) / (n * my * my)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * math.sqrt(max(var, 0.0)))
    y_half = float(stats.t.ppf(0.5 + level / 2, n - 1) * y.std(ddof=1) / math.sqrt(n))
    out.update(ratio_ci_low=r - half, ratio_ci_high=r + half, estimable=bool(my - y_half > 0))
    return out


def cost_effectiveness(
    runs: pd.DataFrame, baseline: str = "baseline", outcomes: Sequence[str] = NET_OUTCOMES, level: float = 0.95
) -> pd.DataFrame:
    """Per (point, scenario, outcome): program cost per additional net outcome vs ``baseline``, paired.

    Empty when the results hold no ``program_cost_yuan`` (runs of an older model).
    """
    columns = ["point", "scenario", "outcome", "n_pairs", "cost_diff_mean", "outcome_diff_mean", "ratio"]
    columns += ["ratio_ci_low", "ratio_ci_high", "estimable"]
    if COST_KEY not in runs.columns or runs.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for point, at_point in runs.groupby("point", sort=True):
        base = at_point[at_point["scenario"] == baseline].set_index(PAIR_ON)
        for scenario in dict.fromkeys(at_point["scenario"]):
            if scenario == baseline:
                continue
            mine = at_point[at_point["scenario"] == scenario].set_index(PAIR_ON)
            shared = mine.index.intersection(base.index)
            dc = (_outcome(mine.loc[shared], COST_KEY) - _outcome(base.loc[shared], COST_KEY).fillna(0.0)).to_numpy()
            for key in outcomes:
                if key != "strong_tie_firms" and key not in runs.columns:
                    continue
                dy = (_outcome(mine.loc[shared], key) - _outcome(base.loc[shared], key)).to_numpy()
                rows.append(
                    {"point": int(point), "scenario": scenario, "outcome": key, **ratio_of_paired_means(dc, dy, level)}
                )
    return pd.DataFrame(rows, columns=columns)


def format_cost_effectiveness(table: pd.DataFrame, baseline: str, level: float = 0.95, lang: str = "en") -> str:
    """The cost-effectiveness block that ``siyi compare`` prints first (net effects lead)."""
    if table.empty:
        return ""
    zh = lang == "zh"
    names = {
        "issues_resolved_total": ("per additional issue solved (all channels)", "每多解决一个问题（全部渠道）"),
        "strong_tie_firms": ("per additional firm with a strong cadre tie", "每多一户与干部紧密联系的企业"),
    }
    head = (
        f"与 {baseline!r} 相比的净效果成本：配对均值之比（项目成本增量 / 结果增量），{level:.0%} 置信区间（delta法）"
        if zh
        else f"net cost-effectiveness vs {baseline!r}: ratio of paired means (additional program cost / additional "
        f"net outcome), {level:.0%} CI (delta method)"
    )
    lines = [head]
    for _, r in table.iterrows():
        what = names.get(r["outcome"], (r["outcome"], r["outcome"]))[1 if zh else 0]
        if math.isnan(r["ratio"]):
            value = "无增量" if zh else "no additional outcome"
        else:
            ci = (
                f"[{r['ratio_ci_low']:,.0f}, {r['ratio_ci_high']:,.0f}]"
                if not math.isnan(r["ratio_ci_low"])
                else "(n < 2)"
            )
            flag = "" if r["estimable"] else ("（结果增量区间含零）" if zh else "  (additional outcome's CI holds 0)")
            value = f"{r['ratio']:,.0f} {'元' if zh else 'yuan'} {ci}{flag}"
        lines.append(f"  {r['scenario']}  point {int(r['point'])}  {what}: {value}")
    return "\n".join(lines)
