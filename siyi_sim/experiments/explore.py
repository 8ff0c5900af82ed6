"""Ensembles over what we do not know: parameter draws x policies x replications, on the sweep runner.

An ensemble is an ordinary experiment whose ``points`` are parameter draws: from a posterior file
(``siyi calibrate --posterior``) or a Latin hypercube over the declared priors
(``siyi_sim.uncertainty``). The plan's scenarios (named, or lever settings as ``[variants]``) are
the policies. Because every point runs every scenario with the same replication seeds, each draw
compares policies on common random numbers, and the store, resume, ``--workers``, ``--backend dask``,
``--dry-run`` and ``siyi check`` are the sweep's own. In ``runs.parquet`` ``point`` is the draw and
each uncertain parameter has a column (its dotted key).
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..uncertainty import UNCERTAINTIES, sample_uncertainties, uncertainty_keys
from .plan import Plan

#: Significant digits kept of a drawn value: run keys and tables stay readable; far below prior widths.
DIGITS = 6


def _round(value: float) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, DIGITS - 1 - math.floor(math.log10(abs(value))))


def posterior_draws(path: str | Path, n: int, seed: int, keys: list[str] | None = None) -> pd.DataFrame:
    """``n`` draws from a posterior file: a particle picked by weight, moved by the posterior's kernel.

    Picking particles alone would repeat them (identical points are the same runs); as in ABC-SMC's
    own transition, each pick is perturbed by a Gaussian with the weighted particle covariance
    (Scott's factor) and redrawn when it leaves the prior's range, so draws are distinct and stay
    inside the declared support.
    """
    from ..calibration.posterior import load_posterior

    posterior = load_posterior(path)
    particles, weights = posterior.particles, posterior.weights
    chosen = list(particles.columns) if keys is None else uncertainty_keys(keys)
    missing = [k for k in chosen if k not in particles.columns]
    if missing:
        raise ValueError(f"posterior file {str(path)!r} has no particles for {', '.join(missing)}")
    values = particles[chosen].to_numpy(dtype=float)
    logs = np.array([UNCERTAINTIES[k].distribution == "loguniform" for k in chosen])
    values = np.where(logs, np.log(values), values)
    w = weights / weights.sum()
    mean = w @ values
    cov = np.atleast_2d(((values - mean).T * w) @ (values - mean))
    scale = len(values) ** (-1.0 / (len(chosen) + 4))
    rng = np.random.default_rng(seed)
    lows = np.array([UNCERTAINTIES[k].low for k in chosen])
    highs = np.array([UNCERTAINTIES[k].high for k in chosen])
    lows, highs = np.where(logs, np.log(lows), lows), np.where(logs, np.log(highs), highs)
    out = np.empty((n, len(chosen)))
    for i in range(n):
        for _ in range(1000):
            pick = values[rng.choice(len(values), p=w)]
            candidate = rng.multivariate_normal(pick, cov * scale**2, method="svd")
            if np.all(candidate >= lows) and np.all(candidate <= highs):
                break
        else:
            candidate = pick
        out[i] = candidate
    out = np.where(logs, np.exp(out), out)
    frame = pd.DataFrame(out, columns=chosen)
    for key in chosen:
        if UNCERTAINTIES[key].distribution == "integer":
            frame[key] = frame[key].round().astype(np.int64)
    frame.index.name = "draw"
    return frame


def parameter_draws(
    n: int,
    seed: int,
    posterior: str | Path | None = None,
    keys: list[str] | None = None,
    method: str = "lhs",
) -> pd.DataFrame:
    """The ensemble's draws: from ``posterior`` if given, else ``method`` (LHS) over the declared priors."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"invalid draws {n!r}: must be a positive integer")
    if posterior is not None:
        frame = posterior_draws(posterior, n, seed, keys)
    else:
        frame = sample_uncertainties(n, seed, keys, method)  # type: ignore[arg-type]
    for key in frame.columns:
        if frame[key].dtype.kind == "f":
            frame[key] = [_round(float(v)) for v in frame[key]]
    return frame


def ensemble_plan(plan: Plan, draws: pd.DataFrame) -> Plan:
    """``plan`` with one point per draw; refused when the plan already varies or fixes a drawn parameter.

    A plan's own ``[grid]``/``[[points]]`` would be silently replaced, and a ``[set]`` or variant value
    of a drawn parameter would be silently overridden by the draw: both are one-line errors.
    """
    where = plan.source_path or plan.name
    if plan.points != ({},):
        raise ValueError(f"{where}: an ensemble's points are its parameter draws; remove [grid]/[[points]]")
    drawn = set(draws.columns)
    for key in plan.overrides:
        if key in drawn:
            raise ValueError(f"{where}: [set] fixes {key!r}, which the ensemble draws; remove it or choose keys")
    for name, variant in plan.variants.items():
        for key in variant.overrides:
            if key in drawn:
                raise ValueError(f"{where}: variant {name!r} sets {key!r}, which the ensemble draws")
    points = tuple({k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()} for _, row in draws.iterrows())
    return replace(plan, points=points)


def draws_record(draws: pd.DataFrame, source: dict[str, Any]) -> str:
    """JSON text saved beside an ensemble (``draws.json``): where the draws came from, and the draws."""
    return json.dumps({"source": source, "draws": draws.reset_index().to_dict("records")}, indent=1, default=float)
