"""Adaptive replication: add replications until a paired-difference CI is narrow enough.

After each round, for every scenario (and point) against the baseline, the replications
needed for ``t_{0.975,n-1} * sd / sqrt(n) <= target`` are estimated from the current sd; the
next round goes there, at most doubling (sd from few pairs is noisy) and at most to
``max_reps``. Rounds depend only on results, which depend only on seeds, so the final count is
the same with any number of workers or backend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..errors import ParameterError
from ..io import brace_safe
from .compare import paired_comparison


@dataclass(frozen=True)
class Target:
    metric: str
    halfwidth: float

    def __str__(self) -> str:
        return f"{self.metric}={self.halfwidth:g}"


def parse_target(text: str) -> Target:
    """``KEY=HALFWIDTH`` as given to ``--target-ci``."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ParameterError("target", f"malformed {{name}} {brace_safe(text)!r}: expected KEY=HALFWIDTH")
    try:
        width = float(value)
    except ValueError:
        raise ParameterError("target", f"malformed {{name}} {brace_safe(text)!r}: HALFWIDTH must be a number") from None
    if not math.isfinite(width) or width <= 0:
        raise ParameterError(
            "target", f"invalid {{name}} {brace_safe(text)!r}: HALFWIDTH must be a positive finite number"
        )
    return Target(key.strip(), width)


@dataclass(frozen=True)
class Assessment:
    reached: bool
    widest: float  # widest CI half-width over all comparisons (nan if some has < 2 pairs)
    where: str  # which scenario/point is widest
    needed: int  # estimated replications to reach the target everywhere


def assess(runs: pd.DataFrame, target: Target, baseline: str, replications: int) -> Assessment:
    table = paired_comparison(runs, baseline, [target.metric])
    table = table[table["scenario"] != baseline]
    if table.empty:
        raise ParameterError(
            "target", f"{{name}} needs at least one scenario besides the baseline {brace_safe(baseline)!r}"
        )
    needed, widest, where = replications, -1.0, ""
    for _, row in table.iterrows():
        label = row["scenario"] + (f" (point {row['point'] + 1})" if table["point"].nunique() > 1 else "")
        half, n, sd = row["ci_halfwidth"], int(row["n_pairs"]), row["diff_sd"]
        if n < 2 or math.isnan(half):
            needed, widest, where = max(needed, replications + 1), math.inf, label
            continue
        if half > widest:
            widest, where = half, label
        if half > target.halfwidth:
            needed = max(needed, _replications_for(sd, target.halfwidth, n))
    reached = math.isfinite(widest) and widest <= target.halfwidth
    return Assessment(reached, widest, where, needed)


def next_replications(current: int, assessment: Assessment, max_reps: int) -> int:
    if assessment.reached or current >= max_reps:
        return current
    return min(max_reps, max(current + 1, min(2 * current, assessment.needed)))


def _replications_for(sd: float, halfwidth: float, n_now: int) -> int:
    from ..analysis.stats import replications_for

    return replications_for(sd, halfwidth, n_now)
