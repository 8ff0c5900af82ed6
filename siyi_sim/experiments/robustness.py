"""Does a policy's advantage survive what we do not know? Robustness of paired effects over an ensemble.

For each policy against the baseline and each outcome, over the draws of an ensemble
(``siyi explore``): the paired effect in each draw (mean over replications of policy - baseline
on the same seeds), its median and 5-95 % range across draws, the share of draws in which the
policy is better (the indicator registry's direction), the regret against the best policy of each
draw, and beside them the seed-only 95 % CI (``analysis.stats``; median over draws of the per-draw
t-interval half-width) — so a reader sees both kinds of uncertainty side by side.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

IDENTITY = ("run_key", "scenario", "base_scenario", "point", "replication", "seed", "days", "row_sha256")
COLUMNS = (
    "metric",
    "scenario",
    "draws",
    "median_effect",
    "q05_effect",
    "q95_effect",
    "share_better",
    "median_regret",
    "max_regret",
    "seed_ci_halfwidth",
    "seed_ci_low",
    "seed_ci_high",
    "range_over_seed_ci",
)


def _direction(metric: str) -> str:
    from ..metrics import INDICATORS

    return INDICATORS[metric].better if metric in INDICATORS else "neutral"


def outcome_columns(runs: pd.DataFrame) -> list[str]:
    """Numeric summary outcomes of a runs table (not identity, timing, hash or parameter columns)."""
    out = []
    for column in runs.columns:
        if column in IDENTITY or column.startswith(("timing_", "daily_")) or "." in column:
            continue
        if pd.api.types.is_numeric_dtype(runs[column]) and not pd.api.types.is_bool_dtype(runs[column]):
            out.append(column)
    return out


def robustness_table(
    runs: pd.DataFrame, baseline: str = "baseline", metrics: Sequence[str] | None = None
) -> pd.DataFrame:
    """One row per (metric, policy): ensemble spread of the paired effect next to its seed-only CI."""
    from ..analysis.stats import t_halfwidth

    if baseline not in set(runs["scenario"]):
        known = ", ".join(dict.fromkeys(runs["scenario"]))
        raise ValueError(f"baseline {baseline!r} is not a scenario of this ensemble (scenarios: {known})")
    available = outcome_columns(runs)
    chosen = list(metrics) if metrics else available
    for metric in chosen:
        if metric not in available:
            raise ValueError(f"unknown outcome {metric!r} (in this ensemble: {', '.join(available)})")
    policies = [s for s in dict.fromkeys(runs["scenario"]) if s != baseline]
    if not policies:
        raise ValueError(f"the ensemble holds only {baseline!r}; robustness needs at least one other policy")
    rows = []
    for metric in chosen:
        wide = runs.pivot_table(index=["point", "replication"], columns="scenario", values=metric, aggfunc="first")
        wide = wide.astype(float)
        means = wide.groupby(level="point").mean()  # per draw, per scenario
        direction = _direction(metric)
        sign = 1.0 if direction == "higher" else -1.0
        best = (means * sign).max(axis=1) * sign if direction != "neutral" else None
        for policy in policies:
            paired = (wide[policy] - wide[baseline]).dropna()
            per_draw = paired.groupby(level="point")
            effect = per_draw.mean()
            n = per_draw.count()
            half = pd.Series(t_halfwidth(per_draw.std(ddof=1).to_numpy(), n.to_numpy()), index=effect.index)
            median = float(effect.median()) if len(effect) else math.nan
            q05, q95 = (float(q) for q in effect.quantile([0.05, 0.95])) if len(effect) else (math.nan, math.nan)
            seed_half = float(half.median()) if half.notna().any() else math.nan
            if best is not None:
                better = float(((effect * sign) > 0).mean())
                regret = (best - means[policy]) * sign
                median_regret, max_regret = float(regret.median()), float(regret.max())
            else:
                better = median_regret = max_regret = math.nan
            rows.append(
                {
                    "metric": metric,
                    "scenario": policy,
                    "draws": len(effect),
                    "median_effect": median,
                    "q05_effect": q05,
                    "q95_effect": q95,
                    "share_better": better,
                    "median_regret": median_regret,
                    "max_regret": max_regret,
                    "seed_ci_halfwidth": seed_half,
                    "seed_ci_low": median - seed_half,
                    "seed_ci_high": median + seed_half,
                    "range_over_seed_ci": (q95 - q05) / (2 * seed_half) if seed_half > 0 else math.nan,
                }
            )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def verdict(row: pd.Series) -> str:
    """``robust`` (better or worse in >= 90 % of draws), or ``depends`` on what we do not know."""
    share = row["share_better"]
    if isinstance(share, float) and math.isnan(share):
        return "n/a"
    if share >= 0.9:
        return "robustly better"
    if share <= 0.1:
        return "robustly worse"
    return "depends on unknowns"


def format_robustness(table: pd.DataFrame, baseline: str, lang: str | None = None) -> str:
    """Plain-text tables, one per metric, registry labels and number formats in ``lang``."""
    from ..metrics import INDICATORS, default_lang, display_width, label, pad
    from .compare import _num

    lang = lang or default_lang()
    label(next(iter(INDICATORS)), lang)  # a ValueError naming lang if it is unknown
    zh = lang == "zh"
    if zh:
        head = f"与 {baseline!r} 的配对效应在参数集合上的稳健性（各抽样内为同种子配对）"
        cols = ("情景", "抽样", "中位效应", "5–95 % 范围", "更优比例", "中位遗憾", "仅种子 95 % 区间")
    else:
        head = f"robustness of paired effects vs {baseline!r} across the ensemble (paired on seeds within each draw)"
        cols = ("policy", "draws", "median effect", "5-95 % range", "better in", "median regret", "seed-only 95 % CI")
    lines = [head]
    for metric, block in table.groupby("metric", sort=False):
        title = f"{label(metric, lang)} ({metric})" if metric in INDICATORS else metric
        rows = [cols]
        for _, r in block.iterrows():

            def num(x, signed=True, m=metric):
                return _num(x, m, lang, signed=signed)

            share = "" if math.isnan(r["share_better"]) else f"{r['share_better']:.0%}"
            regret = "" if math.isnan(r["median_regret"]) else num(r["median_regret"], signed=False)
            seed = (
                "(n < 2)"
                if math.isnan(r["seed_ci_halfwidth"])
                else f"[{num(r['seed_ci_low'])}, {num(r['seed_ci_high'])}]"
            )
            rows.append(
                (
                    r["scenario"],
                    str(r["draws"]),
                    num(r["median_effect"]),
                    f"[{num(r['q05_effect'])}, {num(r['q95_effect'])}]",
                    share,
                    regret,
                    seed,
                )
            )
        widths = [max(display_width(row[i]) for row in rows) for i in range(len(cols))]
        lines += ["", title]
        for row in rows:
            cells = (pad(c, n, right=i > 0) for i, (c, n) in enumerate(zip(row, widths, strict=True)))
            lines.append("  " + "  ".join(cells).rstrip())
    return "\n".join(lines)


def robustness_sentences(table: pd.DataFrame, baseline: str) -> list[str]:
    """Which conclusions hold across the ensemble and which depend on what we do not know, in words."""
    from ..metrics import INDICATORS, label

    holds, depends = [], []
    for _, r in table.iterrows():
        kind = verdict(r)
        name = label(r["metric"], "en") if r["metric"] in INDICATORS else r["metric"]
        if kind.startswith("robustly"):
            word = "better" if kind == "robustly better" else "worse"
            share = r["share_better"] if word == "better" else 1 - r["share_better"]
            holds.append(f"{r['scenario']} is {word} than {baseline} on {name} in {share:.0%} of draws")
        elif kind == "depends on unknowns":
            ratio = r["range_over_seed_ci"]
            extra = f"; the ensemble range is {ratio:.2g}x the seed-only CI" if np.isfinite(ratio) else ""
            depends.append(
                f"{r['scenario']} vs {baseline} on {name}: better in only {r['share_better']:.0%} of draws{extra}"
            )
    out = []
    if holds:
        out.append("Holds across the ensemble: " + "; ".join(holds) + ".")
    if depends:
        out.append("Depends on what we do not know: " + "; ".join(depends) + ".")
    return out
