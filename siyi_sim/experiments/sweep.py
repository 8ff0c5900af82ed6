"""Orchestrate a sweep: validate everything, connect, then run what is missing and store it.

Order matters for "nothing half written": the plan, the output folder, the adaptive target and
the backend (e.g. an unreachable scheduler) are all checked before the first byte is written.
Then runs go out replication by replication (so an interrupted sweep leaves complete pairs),
each result is stored the moment it comes back, and the manifest records every session.
"""

from __future__ import annotations

import functools
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .adaptive import Target, assess, next_replications
from .execute import execute
from .manifest import new_manifest, set_replications, utc_now
from .plan import Plan
from .progress import Progress
from .specs import Cell, RunSpec, cells, plan_design_hash, specs_for
from ..io import check_output_dir
from .store import ResultStore, check_same_experiment, rows_frame

DEFAULT_MAX_REPS = 100


@dataclass
class SweepReport:
    out: Path
    planned: int
    already_done: int
    ran: int
    seconds: float
    replications: int
    adaptive: str | None = None
    timing: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        lines = [
            f"{self.planned} runs planned ({self.replications} replications): {self.already_done} already done, {self.ran} run now in {self.seconds:.1f} s; results in {self.out}"
        ]
        if self.adaptive:
            lines.append(self.adaptive)
        return lines


@dataclass
class Prepared:
    """A validated plan against an output folder; read-only so far."""

    plan: Plan
    cells: list[Cell]
    design_hash: str
    existing_manifest: dict[str, Any] | None
    replications: int

    def specs(self, replications: int | None = None) -> list[RunSpec]:
        return specs_for(self.plan, self.cells, range(self.replications if replications is None else replications))


def prepare(plan: Plan, out: str | Path, validate: bool = True) -> Prepared:
    plan_cells = cells(plan, validate)
    design = plan_design_hash(plan, plan_cells)
    check_output_dir(out, name="--out")  # CLI wording until errors are mapped in the CLI
    existing = check_same_experiment(out, design, plan.name)
    held = int(existing.get("seeds", {}).get("replications", 0)) if existing else 0
    return Prepared(plan, plan_cells, design, existing, max(plan.replications, held))


def check_target(
    prepared: Prepared, target: Target | None, max_reps: int | None, baseline: str, validate: bool = True
) -> int | None:
    """Validate the adaptive request; return the replication cap (None when not adaptive)."""
    plan = prepared.plan
    if target is None:
        if max_reps is not None:
            raise ValueError("--max-reps only makes sense with --target-ci KEY=HALFWIDTH")
        return None
    if baseline not in plan.scenarios:
        raise ValueError(
            f"--target-ci compares against baseline {baseline!r}, which is not in experiment.scenarios; use --baseline"
        )
    if len(plan.scenarios) < 2:
        raise ValueError("--target-ci needs at least one scenario besides the baseline")
    kept = plan.keep_summary
    if kept is not None and target.metric not in kept:
        raise ValueError(f"--target-ci metric {target.metric!r} is not in keep.summary of {plan.name!r}")
    if kept is None and validate:
        from ..metrics import SUMMARY_KEYS

        if target.metric not in SUMMARY_KEYS:
            raise ValueError(
                f"--target-ci metric {target.metric!r} is not a summary key (known: {', '.join(SUMMARY_KEYS)})"
            )
    cap = DEFAULT_MAX_REPS if max_reps is None else max_reps
    if isinstance(cap, bool) or not isinstance(cap, int) or cap < 2:
        raise ValueError(f"invalid --max-reps {max_reps!r}: must be an integer >= 2")
    if cap < plan.replications:
        raise ValueError(
            f"--max-reps {cap} is below the {plan.replications} replications in {plan.source_path or plan.name}"
        )
    return cap


def check_daily_columns(prepared: Prepared, run_fn=None) -> None:
    """Unknown keep.daily columns fail now, not after the first run was written."""
    plan = prepared.plan
    if not plan.keep_daily or plan.keep_daily == "all":
        return
    from dataclasses import replace

    from .execute import simulate_spec

    if run_fn is None:
        from ..metrics import DAILY_REPORTERS  # the model's declared daily columns: free to check

        if all(column in DAILY_REPORTERS for column in plan.keep_daily):
            return
    _, daily = (run_fn or simulate_spec)(replace(prepared.specs(1)[0], days=1))  # ask the model: one day
    known = list(daily.columns)
    for column in plan.keep_daily:
        if column not in known:
            raise ValueError(f"unknown daily column {column!r} in keep.daily (known: {', '.join(map(str, known))})")


def make_backend(
    backend: str, workers: int, scheduler: str | None, connect_timeout: float = 5.0, check_package: bool = True
):
    if backend == "local":
        if scheduler:
            raise ValueError("--scheduler needs --backend dask")
        from .local import LocalBackend

        return LocalBackend(workers)
    if backend == "dask":
        from .dask_backend import DaskBackend

        # the first worker may be a queued batch job: wait for it at least 30 s, or --connect-timeout
        return DaskBackend(
            workers,
            scheduler,
            connect_timeout=connect_timeout,
            worker_wait=max(30.0, connect_timeout),
            check_package=check_package,
        )
    raise ValueError(f"unknown backend {backend!r} (use local or dask)")


def run_sweep(
    plan: Plan,
    out: str | Path,
    workers: int = 1,
    backend: str = "local",
    scheduler: str | None = None,
    target: Target | None = None,
    max_reps: int | None = None,
    baseline: str = "baseline",
    progress: bool | None = None,
    run_fn=None,
    validate: bool = True,
    connect_timeout: float = 5.0,
) -> SweepReport:
    """Run (or resume) ``plan`` into ``out``; see the module docstring for the guarantees."""
    start = time.monotonic()
    if backend == "local" and isinstance(workers, int) and workers > 1:
        from .local import warm_up

        warm_up()
    prepared = prepare(plan, out, validate)
    cap = check_target(prepared, target, max_reps, baseline, validate)
    if validate:
        check_daily_columns(prepared, run_fn)
    engine = make_backend(backend, workers, scheduler, connect_timeout, check_package=run_fn is None)
    with engine:
        store = ResultStore(out, plan.scenarios)
        store.open()
        manifest = prepared.existing_manifest or new_manifest(
            plan, prepared.design_hash, prepared.replications, engine.describe()
        )
        set_replications(manifest, plan, prepared.replications)
        session = {
            "started_utc": utc_now(),
            "finished_utc": None,
            **engine.describe(),
            "runs_run": 0,
            "command": sys.argv[1:],
        }
        manifest["sessions"].append(session)
        replications = prepared.replications
        specs = prepared.specs(replications)
        already = sum(1 for s in specs if s.run_key in store.rows)
        ran = 0
        message = None
        bar = Progress(len(specs), already, enabled=progress)
        job = functools.partial(execute, run_fn=run_fn)
        try:
            _save_manifest(store, manifest, specs)
            while True:
                todo = [s for s in specs if s.run_key not in store.rows]
                for outcome in engine.map_unordered(job, todo):
                    store.add(outcome.run_key, outcome.row, outcome.daily)
                    ran += 1
                    session["runs_run"] = ran
                    bar.advance()
                if cap is None:
                    break
                planned_keys = {s.run_key for s in specs}
                runs = rows_frame([r for k, r in store.rows.items() if k in planned_keys])
                verdict = assess(runs, target, baseline, replications)
                grown = next_replications(replications, verdict, cap)
                message = _adaptive_message(verdict, target, replications, cap)
                manifest["adaptive"] = {
                    "target": str(target),
                    "baseline": baseline,
                    "max_reps": cap,
                    "replications": replications,
                    "widest_halfwidth": verdict.widest,
                    "widest_at": verdict.where,
                    "reached": verdict.reached,
                    "message": message,
                }
                if grown == replications:
                    break
                replications = grown
                specs = prepared.specs(replications)
                set_replications(manifest, plan, replications)
                _save_manifest(store, manifest, specs)  # a crash from here on resumes the extension
                bar.grow(len(specs))
        finally:
            bar.close()
            try:
                store.flush()
                session["finished_utc"] = utc_now()
                _save_manifest(store, manifest, specs, finished=True)
            finally:
                store.close()
    return SweepReport(Path(out), len(specs), already, ran, time.monotonic() - start, replications, message)


def _save_manifest(store: ResultStore, manifest: dict[str, Any], specs: list[RunSpec], finished: bool = False) -> None:
    planned = {s.run_key for s in specs}
    done = sum(1 for k in store.rows if k in planned)
    manifest["runs_planned"] = len(planned)
    manifest["runs_done"] = done
    manifest["complete"] = done == len(planned)
    if finished:
        manifest["finished_utc"] = utc_now()
    store.write_manifest(manifest)


def _adaptive_message(verdict, target: Target, replications: int, cap: int) -> str:
    what = f"95% CI half-width of {target.metric} vs baseline"
    if verdict.reached:
        return f"target reached: widest {what} is {verdict.widest:.4g} ({verdict.where}) <= {target.halfwidth:g} with {replications} replications"
    if replications >= cap:
        return f"target NOT reached: stopped at --max-reps {cap}; widest {what} is {verdict.widest:.4g} ({verdict.where}) > {target.halfwidth:g}"
    return f"{what}: widest {verdict.widest:.4g} ({verdict.where}) after {replications} replications; adding more"
