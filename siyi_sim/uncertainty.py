"""What we do not know, and what a policy maker can choose: uncertainties and levers.

Both are declared once, on the parameter itself in ``config.py`` (``P(..., uncertain=(low, high,
distribution, reason))``, ``P(..., lever=(low, high, reason))``, ``Flag(..., lever=reason)``);
``UNCERTAINTIES`` and ``LEVERS`` are derived from those declarations, so a parameter cannot be
uncertain in one place and fixed in another. ``sample_uncertainties`` draws parameter sets from the
priors (Latin hypercube by default) for ensembles (``siyi explore``) and for calibration priors.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from .config import SECTIONS

Distribution = Literal["uniform", "loguniform", "integer"]
SampleMethod = Literal["lhs", "random", "sobol"]


@dataclass(frozen=True)
class Uncertainty:
    """A parameter we do not know: a prior over [low, high] and why it is uncertain."""

    key: str
    low: float
    high: float
    distribution: Distribution
    reason: str

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Map uniform [0, 1) quantiles to values of this prior."""
        u = np.asarray(u, dtype=float)
        if self.distribution == "loguniform":
            return np.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        if self.distribution == "integer":
            return np.minimum(np.floor(self.low + u * (self.high - self.low + 1)), self.high).astype(np.int64)
        return self.low + u * (self.high - self.low)

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True)
class Lever:
    """A policy choice: a set of ``values`` (categorical, boolean) or a range [low, high] (numeric)."""

    key: str
    values: tuple | None
    low: float | None
    high: float | None
    reason: str
    integer: bool = False


def _declared(kind: str) -> Iterable[tuple[str, Any, dict[str, Any]]]:
    for section, cls in SECTIONS.items():
        for name, field in cls.model_fields.items():
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            if kind in extra:
                yield f"{section}.{name}", field, dict(extra[kind])  # type: ignore[arg-type]


def _bounds(field: Any) -> tuple[float | None, float | None]:
    lo = hi = None
    for m in field.metadata:
        lo = getattr(m, "ge", lo)
        hi = getattr(m, "le", hi)
    return lo, hi


def _uncertainties() -> dict[str, Uncertainty]:
    out = {}
    for key, field, spec in _declared("uncertain"):
        unc = Uncertainty(key, float(spec["low"]), float(spec["high"]), spec["distribution"], spec["reason"])
        lo, hi = _bounds(field)
        if unc.distribution not in get_args(Distribution):
            raise ValueError(f"uncertainty '{key}' has unknown distribution {unc.distribution!r}")
        if not (unc.low < unc.high) or (lo is not None and unc.low < lo) or (hi is not None and unc.high > hi):
            raise ValueError(f"uncertainty '{key}' range [{unc.low}, {unc.high}] is empty or outside [{lo}, {hi}]")
        if unc.distribution == "loguniform" and unc.low <= 0:
            raise ValueError(f"uncertainty '{key}' is loguniform but its low {unc.low} is not positive")
        out[key] = unc
    return out


def _levers() -> dict[str, Lever]:
    out = {}
    for key, field, spec in _declared("lever"):
        values, reason = spec["spec"], spec["reason"]
        numeric = field.annotation in (int, float)
        if numeric:
            low, high = values
            out[key] = Lever(key, None, low, high, reason, integer=field.annotation is int)
        else:
            out[key] = Lever(key, tuple(values), None, None, reason)
    return out


#: Uncertain parameters by dotted key, in config order.
UNCERTAINTIES: dict[str, Uncertainty] = _uncertainties()
#: Policy levers by dotted key, in config order.
LEVERS: dict[str, Lever] = _levers()


def uncertainty_keys(keys: Sequence[str] | None = None) -> list[str]:
    """The given keys checked against ``UNCERTAINTIES`` (all of them when ``keys`` is None)."""
    if keys is None:
        return list(UNCERTAINTIES)
    keys = list(keys)
    if not keys:
        raise ValueError("keys must name at least one uncertain parameter")
    for key in keys:
        if key not in UNCERTAINTIES:
            raise ValueError(f"'{key}' is not a declared uncertainty (one of: {', '.join(UNCERTAINTIES)})")
    if len(set(keys)) != len(keys):
        raise ValueError("keys lists an uncertain parameter twice")
    return keys


def _unit_sample(n: int, d: int, seed: int, method: str) -> np.ndarray:
    from scipy.stats import qmc

    if method == "lhs":
        return qmc.LatinHypercube(d=d, rng=np.random.default_rng(seed)).random(n)
    if method == "sobol":
        return qmc.Sobol(d=d, scramble=True, rng=np.random.default_rng(seed)).random(n)
    if method == "random":
        return np.random.default_rng(seed).random((n, d))
    raise ValueError(f"unknown sampling method {method!r}: use one of {', '.join(get_args(SampleMethod))}")


def sample_uncertainties(
    n: int, seed: int, keys: Sequence[str] | None = None, method: SampleMethod = "lhs"
) -> pd.DataFrame:
    """``n`` parameter sets drawn from the priors: one row per draw (index ``draw``), one column per key.

    ``method`` is ``"lhs"`` (Latin hypercube, default: every prior's range is covered evenly even for
    small ``n``), ``"sobol"`` (scrambled Sobol) or ``"random"``. The same (n, seed, keys, method) gives
    the same table on every machine.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"invalid n {n!r}: must be a positive integer")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"invalid seed {seed!r}: must be a non-negative integer")
    chosen = uncertainty_keys(keys)
    u = _unit_sample(n, len(chosen), seed, method)
    frame = pd.DataFrame({key: UNCERTAINTIES[key].ppf(u[:, i]) for i, key in enumerate(chosen)})
    frame.index.name = "draw"
    return frame


def uncertainty_table() -> pd.DataFrame:
    """The declared uncertainties as a table (key, low, high, distribution, reason) for docs and briefs."""
    return pd.DataFrame([vars(u) for u in UNCERTAINTIES.values()])


def lever_table() -> pd.DataFrame:
    """The declared levers as a table (key, values, low, high, reason)."""
    return pd.DataFrame([vars(lever) for lever in LEVERS.values()])
