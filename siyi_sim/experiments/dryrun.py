"""``--dry-run``: how many runs, how long, how much disk, without writing anything.

Time comes from a short timing session with the real model (at most ~10 s): a 1-day run of the
first cell (after a warm-up call) gives the set-up cost (building the population); one full run
per scenario (while the budget lasts; the others use the mean) gives its cost per simulated day,
so a run of D days is estimated at ``setup + per_day * D``. Costs are CPU seconds, so the
estimate is for an otherwise idle machine; other load makes the sweep slower. Full runs, because
the campaign's batches start in late April: a truncated run would miss the expensive days. Sizes
come from the same runs' rows and daily series written to memory as Parquet."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from .execute import make_daily, make_row, simulate_spec
from .plan import Plan
from .store import read_rows
from .sweep import prepare

TIMING_BUDGET_SECONDS = 10.0


@dataclass
class DryRunReport:
    plan: Plan
    planned: int
    done: int
    estimated_seconds: float
    runs_bytes: int
    daily_bytes: int
    workers: int
    timing: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        plan = self.plan
        reps = self.planned // max(1, len(plan.scenarios) * len(plan.points))
        shape = f"{len(plan.scenarios)} scenarios x {len(plan.points)} points x {reps} replications"
        todo = self.planned - self.done
        timing = ", ".join(f"{k} {v:.2f} s" for k, v in self.timing.items())
        return [
            f"experiment {plan.name!r}: {shape} = {self.planned} runs ({self.done} already done, {todo} to run)",
            f"estimated time: {_duration(self.estimated_seconds)} on {self.workers} idle "
            f"core{'s' if self.workers != 1 else ''} (CPU of timing runs: {timing})",
            f"expected output: runs.parquet ~{_size(self.runs_bytes)}, daily series ~{_size(self.daily_bytes)}, "
            f"total ~{_size(self.runs_bytes + self.daily_bytes)}",
            "dry run: nothing written",
        ]


def dry_run(plan: Plan, out: str, workers: int = 1, run_fn=None, validate: bool = True) -> DryRunReport:
    prepared = prepare(plan, out, validate)
    specs = prepared.specs()
    done_keys = set(read_rows(Path(out))) if prepared.existing_manifest else set()
    todo = [s for s in specs if s.run_key not in done_keys]
    simulate = run_fn or simulate_spec

    def timed(spec):
        start = time.process_time()
        summary, daily = simulate(spec)
        return time.process_time() - start, summary, daily

    first = specs[0]
    timed(replace(first, days=1))  # warm-up: lazy imports and caches of the first call
    setup, _, daily_one = timed(replace(first, days=1))
    timing = {"set-up (1 day)": setup}
    per_day: dict[str, float] = {}
    samples = {}
    budget_end = time.monotonic() + TIMING_BUDGET_SECONDS
    for spec in specs:  # one full run per scenario (point and replication of the first run)
        if spec.scenario in per_day or spec.point != first.point or spec.replication != first.replication:
            continue
        if per_day and time.monotonic() > budget_end:
            break
        seconds, summary, daily = timed(spec)
        horizon = spec.days or int(summary.get("days", 1))
        per_day[spec.scenario] = max(0.0, seconds - setup) / horizon
        timing[f"{spec.scenario} ({horizon} d)"] = seconds
        samples[spec.scenario] = (summary, daily, horizon)
    fallback = sum(per_day.values()) / len(per_day)
    total = sum(setup + per_day.get(s.scenario, fallback) * (s.days or 1) for s in todo)
    efficiency = 1.0 if workers == 1 else 0.95
    estimated = total / (workers * efficiency)

    # sizes: ~9 bytes per value in runs.parquet; daily = per-file overhead + bytes per day
    summary, daily, horizon = next(iter(samples.values()))
    row = make_row(first, summary, 0.0)
    runs_bytes = 4096 + len(specs) * len(row) * 9
    daily_bytes = 0
    if first.keep_daily:
        one = _parquet_size(make_daily(first, daily_one))
        full = _parquet_size(make_daily(first, daily))
        per_day_bytes = max(0.0, (full - one) / max(1, horizon - 1))
        daily_bytes = int(sum(one + per_day_bytes * ((s.days or horizon) - 1) for s in specs))
    return DryRunReport(plan, len(specs), len(specs) - len(todo), estimated, runs_bytes, daily_bytes, workers, timing)


def _parquet_size(frame: pd.DataFrame | None) -> int:
    if frame is None:
        return 0
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.tell()


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"~{seconds:.0f} s"
    if seconds < 5400:
        return f"~{seconds / 60:.0f} min"
    return f"~{seconds / 3600:.1f} h"


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"
