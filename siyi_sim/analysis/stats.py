"""The statistics every layer shares: t-intervals, paired differences, Kaplan–Meier.

One home, on scipy, so that the comparison table, the adaptive sweep, the figures, calibration and
validation all compute an interval the same way. Intervals are the Student t-interval
``mean +/- t_{(1+level)/2, n-1} * sd / sqrt(n)``; below two values the half-width is NaN (there is
no spread to measure), never zero. Kaplan–Meier estimates go through ``scipy.stats.ecdf`` with
``scipy.stats.CensoredData``, so right-censored waits (issues still open at the horizon) count as
"at least this long", not as resolved.

scipy is imported on first use: ``siyi validate`` and the CLI should not pay for it at start-up.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    """Mean of ``n`` values with the t-interval ``[low, high]`` of the given level."""

    n: int
    mean: float
    sd: float
    halfwidth: float

    @property
    def low(self) -> float:
        return self.mean - self.halfwidth

    @property
    def high(self) -> float:
        return self.mean + self.halfwidth

    def as_dict(self) -> dict[str, float]:
        return {**asdict(self), "low": self.low, "high": self.high}


def _finite(values) -> np.ndarray:
    v = np.asarray(values, dtype=float).ravel()
    return v[~np.isnan(v)]


def t_halfwidth(sd, n, level: float = LEVEL):
    """Half-width ``t_{(1+level)/2, n-1} * sd / sqrt(n)``; NaN where ``n < 2``. Works on arrays too."""
    from scipy import stats

    sd_a, n_a = np.asarray(sd, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.5 + level / 2, np.where(n_a >= 2, n_a - 1, np.nan)) * sd_a / np.sqrt(n_a)
    return float(half) if np.ndim(half) == 0 else half


def standard_error(values) -> float:
    """``sd / sqrt(n)`` of the values (NaNs dropped); NaN below two values."""
    v = _finite(values)
    return float(v.std(ddof=1) / math.sqrt(v.size)) if v.size >= 2 else math.nan


def t_interval(values, level: float = LEVEL) -> Interval:
    """Mean and t-interval of the values (NaNs dropped)."""
    v = _finite(values)
    n = int(v.size)
    mean = float(v.mean()) if n else math.nan
    sd = float(v.std(ddof=1)) if n >= 2 else math.nan
    return Interval(n, mean, sd, t_halfwidth(sd, n, level) if n >= 2 else math.nan)


def paired_difference(values, reference, level: float = LEVEL) -> Interval:
    """t-interval of ``values[i] - reference[i]``: pairs share a seed, so seed noise cancels.

    A pair with a NaN on either side is dropped.
    """
    a, b = np.asarray(values, dtype=float), np.asarray(reference, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired values need equal lengths, got {a.size} and {b.size}")
    return t_interval(a - b, level)


def replications_for(sd: float, halfwidth: float, n_now: int = 2, level: float = LEVEL) -> int:
    """The smallest ``n >= max(2, n_now)`` whose t-interval half-width is at most ``halfwidth``."""
    n = max(2, n_now)
    while n < 1_000_000:
        if t_halfwidth(sd, n, level) <= halfwidth:
            return n
        n = n + 1 if n < 100 else int(n * 1.05) + 1
    return n


def _censored(durations, observed):
    from scipy import stats

    d = np.asarray(durations, dtype=float)
    e = np.asarray(observed, dtype=bool)
    if d.shape != e.shape:
        raise ValueError(f"durations and observed need equal lengths, got {d.size} and {e.size}")
    return stats.CensoredData(uncensored=d[e], right=d[~e])


def kaplan_meier(durations, observed) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan–Meier survival: step times (starting at 0) and S just after each time.

    ``observed`` False marks a right-censored duration (still waiting when observation stopped);
    the curve is carried flat to the last censored time.
    """
    d = np.asarray(durations, dtype=float)
    if d.size == 0:
        return np.array([0.0]), np.array([1.0])
    from scipy import stats

    sf = stats.ecdf(_censored(durations, observed)).sf
    times, surv = np.asarray(sf.quantiles, dtype=float), np.asarray(sf.probabilities, dtype=float)
    events = np.isin(times, d[np.asarray(observed, dtype=bool)])
    keep = events | (times == times.max())  # censoring-only times are not steps, but the last one ends the curve
    times, surv = times[keep], surv[keep]
    return np.concatenate([[0.0], times]), np.concatenate([[1.0], surv])


def km_median(durations, observed) -> float:
    """Median duration by Kaplan–Meier: the first time S(t) <= 1/2; ``inf`` if the curve never gets there."""
    d = np.asarray(durations, dtype=float)
    if d.size == 0:
        return math.nan
    from scipy import stats

    sf = stats.ecdf(_censored(durations, observed)).sf
    below = np.flatnonzero(np.asarray(sf.probabilities) <= 0.5)
    return float(sf.quantiles[below[0]]) if below.size else math.inf
