"""One run inside a worker: call the model, keep the asked-for columns, time it.

Workers only compute and return; the main process alone writes (so workers on other machines
need no shared disk). ``run_fn`` lets tests inject a cheap synthetic model; it must be a
module-level function (picklable) taking a ``RunSpec`` and returning ``(summary, daily)``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .specs import RunSpec
from .store import TIMING_PREFIX  # the only columns holding wall-clock values

ID_COLUMNS = ("run_key", "scenario", "base_scenario", "point", "replication", "seed")
DAILY_ID_COLUMNS = ("run_key", "scenario", "point", "replication", "seed")


@dataclass
class RunOutcome:
    run_key: str
    row: dict[str, Any]
    daily: pd.DataFrame | None


def simulate_spec(spec: RunSpec) -> tuple[dict[str, Any], pd.DataFrame]:
    """The real model."""
    from ..api import simulate

    result = simulate(spec.base_scenario, spec.seed, spec.days, dict(spec.overrides))
    return result.summary, result.daily


def execute(spec: RunSpec, run_fn: Callable[[RunSpec], tuple[dict, pd.DataFrame]] | None = None) -> RunOutcome:
    start, cpu = time.perf_counter(), time.process_time()
    try:
        summary, daily = (run_fn or simulate_spec)(spec)
    except ValueError as err:
        raise ValueError(f"run {spec.run_key} (scenario {spec.scenario!r}, seed {spec.seed}) failed: {err}") from None
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    return RunOutcome(spec.run_key, make_row(spec, summary, seconds, cpu_seconds), make_daily(spec, daily))


def make_row(spec: RunSpec, summary: dict[str, Any], seconds: float, cpu_seconds: float = 0.0) -> dict[str, Any]:
    row: dict[str, Any] = {
        "run_key": spec.run_key,
        "scenario": spec.scenario,
        "base_scenario": spec.base_scenario,
        "point": spec.point,
        "replication": spec.replication,
        "seed": spec.seed,
    }
    row["days"] = summary.get("days", spec.days)
    row.update(spec.params)
    keys = spec.keep_summary if spec.keep_summary is not None else tuple(summary)
    for key in keys:
        if key in ("scenario", "seed", "days"):
            continue
        if key not in summary:
            raise ValueError(f"run {spec.run_key}: summary has no key {key!r}")
        row[key] = summary[key]
    row[f"{TIMING_PREFIX}run_seconds"] = seconds  # wall clock inside the model
    row[f"{TIMING_PREFIX}cpu_seconds"] = cpu_seconds  # CPU of the worker: wall >> cpu means it waited for a core
    return row


def make_daily(spec: RunSpec, daily: pd.DataFrame | None) -> pd.DataFrame | None:
    """Long-format daily rows of one run; data columns as float64 so every file has one schema."""
    if daily is None or spec.keep_daily == ():
        return None
    if spec.keep_daily == "all":
        columns = list(daily.columns)
    else:
        missing = [c for c in spec.keep_daily if c not in daily.columns]
        if missing:
            raise ValueError(
                f"unknown daily column {missing[0]!r} in keep.daily (known: {', '.join(map(str, daily.columns))})"
            )
        columns = list(spec.keep_daily)
    frame = daily[columns].reset_index()
    frame = frame.rename(columns={frame.columns[0]: "day"})
    frame["day"] = frame["day"].astype("int64")
    for column in columns:
        frame[column] = pd.to_numeric(frame[column], errors="raise").astype("float64")
    ids = {
        "run_key": spec.run_key,
        "scenario": spec.scenario,
        "point": spec.point,
        "replication": spec.replication,
        "seed": spec.seed,
    }
    for position, (name, value) in enumerate(ids.items()):
        frame.insert(position, name, value)
    return frame
