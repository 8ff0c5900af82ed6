"""Orchestrate a sweep: validate everything, connect, then run what is missing and store it.

Order matters for "nothing half written": the plan, its limits, the memory a run needs, the
output folder, the adaptive target and the kept columns are all checked before the first byte is
written. Then the folder is locked (created if needed) and checked again under the lock, so two
sweeps started together cannot both pass; then the backend starts (an unreachable scheduler
removes the folder again if this sweep created it). Then runs go out replication by replication
(so an interrupted sweep leaves complete pairs), each result is stored the moment it comes back,
and the manifest records every session."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from ..io import brace_safe, check_output_dir, refuse_store_path
from .adaptive import Target, assess, next_replications
from .execute import execute
from .manifest import new_manifest, set_replications, utc_now
from .memory import available_memory_bytes
from .plan import MAX_RUNS, Plan
from .progress import Progress
from .specs import Cell, RunSpec, cells, plan_design_hash, specs_for
from .store import Problem, ResultStore, check_same_experiment, rows_frame

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
    repaired: list[Problem] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [f"repaired {problem}" for problem in self.repaired]
        lines.append(
            f"{self.planned} runs planned ({self.replications} replications): {self.already_done} already done, "
            f"{self.ran} run now in {self.seconds:.1f} s; results in {self.out}"
        )
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


def prepare(plan: Plan, out: str | Path, validate: bool = True, max_runs: int = MAX_RUNS) -> Prepared:
    """Validate ``plan`` against the model and ``out`` (read-only; repeated under the lock)."""
    if str(out) == "":
        raise ParameterError("out", "{name} must name a folder, not be empty")
    if Path(out).resolve() == Path("/"):
        raise ParameterError("out", "{name} '/' is the root folder; choose a folder of its own")
    plan_cells = cells(plan, validate)
    design = plan_design_hash(plan, plan_cells)
    check_output_dir(out, name="out")
    refuse_store_path(out, "out")
    existing = check_same_experiment(out, design, plan.name)
    return Prepared(plan, plan_cells, design, existing, _replications(plan, plan_cells, existing, out, max_runs))


def _replications(plan: Plan, plan_cells: list[Cell], existing: dict[str, Any] | None, out, max_runs: int) -> int:
    held = existing.get("seeds", {}).get("replications", 0) if existing else 0
    if isinstance(held, bool) or not isinstance(held, int) or held < 0:
        raise ValueError(f"{str(Path(out) / 'manifest.json')!r} holds an invalid number of replications {held!r}")
    if held * len(plan_cells) > max_runs:
        raise ParameterError(
            "max_runs",
            f"{brace_safe(str(Path(out) / 'manifest.json'))!r} asks for {held} replications ({held * len(plan_cells)} "
            f"runs), more than the limit of {max_runs} (raise it with {{name}})",
        )
    return max(plan.replications, held)


def check_memory(prepared: Prepared, workers: int, limit: int | None = None) -> None:
    """Refuse a plan whose largest run, times the workers running at once, cannot fit in memory."""
    from .memory import check_memory as check

    biggest = max(prepared.cells, key=lambda c: c.memory_bytes)
    if biggest.memory_bytes == 0:
        return
    from ..scenarios import scenario_config

    flat = scenario_config(biggest.base_scenario, biggest.overrides, biggest.days).flat()
    check(flat, workers, f"scenario {biggest.scenario!r}", available_memory_bytes() if limit is None else limit)


def check_target(
    prepared: Prepared, target: Target | None, max_reps: int | None, baseline: str, validate: bool = True
) -> int | None:
    """Validate the adaptive request; return the replication cap (None when not adaptive)."""
    plan = prepared.plan
    if target is None:
        if max_reps is not None:
            raise ParameterError("max_reps", "{name} only makes sense with {target} KEY=HALFWIDTH", ("target",))
        return None
    if baseline not in plan.scenarios:
        raise ParameterError(
            "baseline",
            f"target compares against {{name}} {brace_safe(baseline)!r}, which is not in experiment.scenarios",
        )
    if len(plan.scenarios) < 2:
        raise ParameterError("target", "{name} needs at least one scenario besides the baseline")
    kept = plan.keep_summary
    if kept is not None and target.metric not in kept:
        raise ParameterError(
            "target",
            f"{{name}} metric {brace_safe(target.metric)!r} is not in keep.summary of {brace_safe(plan.name)!r}",
        )
    if kept is None and validate:
        from ..metrics import SUMMARY_KEYS

        if target.metric not in SUMMARY_KEYS:
            raise ParameterError(
                "target",
                f"{{name}} metric {brace_safe(target.metric)!r} is not a summary key "
                f"(known: {', '.join(SUMMARY_KEYS)})",
            )
    cap = DEFAULT_MAX_REPS if max_reps is None else max_reps
    if isinstance(cap, bool) or not isinstance(cap, int) or cap < 2:
        raise ParameterError("max_reps", f"invalid {{name}} {brace_safe(repr(max_reps))}: must be an integer >= 2")
    if cap < plan.replications:
        raise ParameterError(
            "max_reps",
            f"{{name}} {cap} is below the {plan.replications} replications in "
            f"{brace_safe(plan.source_path or plan.name)}",
        )
    from ..api import MAX_SEED

    if plan.base_seed + cap - 1 > MAX_SEED:
        raise ParameterError("max_reps", f"{{name}} {cap}: base_seed + {{name}} - 1 exceeds the largest seed 2**63-1")
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
            raise ParameterError("scheduler", "{name} needs {backend} dask", ("backend",))
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
    command: list[str] | None = None,
    repair: bool = False,
    max_runs: int = MAX_RUNS,
    memory_limit: int | None = None,
) -> SweepReport:
    """Run (or resume) ``plan`` into ``out``; see the module docstring for the guarantees.

    ``command`` is recorded in the manifest's session (the CLI passes its arguments). With
    ``repair``, damaged, foreign and duplicated rows, broken daily files and strays are removed
    and their runs recomputed instead of refusing the folder.
    """
    start = time.monotonic()
    if backend == "local" and isinstance(workers, int) and workers > 1:
        from .local import warm_up

        warm_up()  # the fork server imports the model while we validate
    prepared = prepare(plan, out, validate, max_runs)
    cap = check_target(prepared, target, max_reps, baseline, validate)
    if validate:
        check_daily_columns(prepared, run_fn)
        if scheduler is None:  # runs on this machine (a remote cluster's memory is its own)
            check_memory(prepared, workers if isinstance(workers, int) else 1, memory_limit)
    engine = make_backend(backend, workers, scheduler, connect_timeout, check_package=run_fn is None)
    store = ResultStore(out, plan.scenarios)
    store.lock()  # before the folder is checked again, and before any backend starts
    try:
        existing = check_same_experiment(out, prepared.design_hash, plan.name)
        prepared.existing_manifest = existing
        prepared.replications = _replications(plan, prepared.cells, existing, out, max_runs)
        with engine:
            report = _run_locked(prepared, store, engine, cap, target, baseline, progress, run_fn, command, repair)
    finally:
        store.release()
    report.seconds = time.monotonic() - start
    return report


def _run_locked(prepared, store, engine, cap, target, baseline, progress, run_fn, command, repair) -> SweepReport:
    plan = prepared.plan
    manifest = prepared.existing_manifest or new_manifest(
        plan, prepared.design_hash, prepared.replications, engine.describe(), prepared.cells
    )
    if prepared.existing_manifest is None and any(c.memory_bytes for c in prepared.cells):
        manifest["design"]["base_configs"] = _base_configs(prepared.cells)
    set_replications(manifest, plan, prepared.replications)
    store.open(manifest, repair=repair)
    session = {
        "started_utc": utc_now(),
        "finished_utc": None,
        **engine.describe(),
        "runs_run": 0,
        "command": list(command) if command is not None else None,
        "repaired": [str(p) for p in store.repaired],
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
    return SweepReport(store.path, len(specs), already, ran, 0.0, replications, message, repaired=list(store.repaired))


def _base_configs(plan_cells: list[Cell]) -> dict[str, dict[str, Any]]:
    """Effective configuration of each base scenario; a cell's is this plus its overrides."""
    from ..scenarios import scenario_config

    return {c.base_scenario: scenario_config(c.base_scenario).flat() for c in plan_cells}


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
        return (
            f"target reached: widest {what} is {verdict.widest:.4g} ({verdict.where}) <= {target.halfwidth:g} "
            f"with {replications} replications"
        )
    if replications >= cap:
        return (
            f"target NOT reached: stopped at the cap of {cap} replications; widest {what} is "
            f"{verdict.widest:.4g} ({verdict.where}) > {target.halfwidth:g}"
        )
    return f"{what}: widest {verdict.widest:.4g} ({verdict.where}) after {replications} replications; adding more"


def repair_store(path: str | Path, workers: int = 1, command: list[str] | None = None, **kwargs) -> SweepReport:
    """Remove what is damaged, foreign or stray in a results folder and recompute those runs.

    The plan comes from the manifest's copy of the experiment file, so the repaired folder holds
    exactly what an uninterrupted sweep of that file would have written.
    """
    from .plan import parse_plan
    from .store import _manifest_of

    manifest = _manifest_of(Path(path))
    experiment = manifest.get("experiment")
    text = experiment.get("file_text") if isinstance(experiment, dict) else None
    if not isinstance(text, str) or not text:
        raise ParameterError(
            "out",
            f"{{name}} {brace_safe(path)!r}: the manifest holds no copy of the experiment file; resume it instead",
        )
    source = (
        experiment.get("file") if isinstance(experiment, dict) and isinstance(experiment.get("file"), str) else None
    )
    plan = parse_plan(text, source)
    return run_sweep(plan, path, workers=workers, command=command, repair=True, **kwargs)
