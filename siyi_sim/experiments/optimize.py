"""Pareto program designs: optuna NSGA-II over the program's levers, paired on seeds (``siyi optimize``).

What is the best program for a given budget? A *design* is a setting of the program's levers
(placement length, firms per batch, batches per year, targeting rule, pair composition, follow-up
effort; their ranges come from ``siyi_sim.uncertainty.LEVERS``). Each trial runs the design on K
seeds and the baseline on the same K seeds (common random numbers), and scores the design by the
mean paired effect per objective: by default the additional issues resolved (maximise), the
program's cost (minimise) and the additional integrity incidents (minimise). NSGA-II keeps the
designs no other design beats on every objective: the Pareto front.

Resumable: the study lives in optuna storage (default ``OUT/study.db``, SQLite); rerunning the
same command continues up to ``trials`` completed trials. Runs go through the sweep runner (local
pool or Dask) into ``OUT/baseline`` (once) and ``OUT/trials/NNNN`` (one store per trial), so a trial
killed mid-way resumes its own runs; a trial left "running" by a kill is finished first.

Files in ``OUT``: ``trials.parquet`` (every completed trial: levers, objectives, their seed standard
errors, ``pareto`` flag), ``pareto.parquet`` (the front), ``pareto.png``/``.svg`` (pairwise scatter of
the objectives, front highlighted), ``optimize.json`` (settings and provenance).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .plan import plan_header, toml_value

#: The program's design levers (keys of ``uncertainty.LEVERS``), in the order of the issue.
DESIGN_LEVERS = (
    "placement.placement_days",
    "campaign.firms_per_batch",
    "campaign.n_batches",
    "placement.matching",
    "placement.same_department_pairs",
    "placement.follow_up_effort",
)
#: (summary key, direction) of the objectives; each is the paired effect design - baseline.
DEFAULT_OBJECTIVES = (
    ("issues_resolved_total", "maximize"),
    ("program_cost_yuan", "minimize"),
    ("integrity_incidents", "minimize"),
)
DIRECTIONS = {"max": "maximize", "maximize": "maximize", "min": "minimize", "minimize": "minimize"}
DESIGN_SCENARIO = "design"
SETTINGS_ATTR = "siyi_settings"
MAX_TRIALS = 100_000


@dataclass
class OptimizationResult:
    out: Path
    study_name: str
    objectives: tuple[tuple[str, str], ...]
    trials: pd.DataFrame  # every completed trial
    front: pd.DataFrame  # the Pareto-optimal ones
    ran: int  # trials completed in this call


def parse_objectives(text: str) -> tuple[tuple[str, str], ...]:
    """``"issues_resolved_total:max,integrity_incidents:min"`` -> ((key, "maximize"), ...)."""
    out: list[tuple[str, str]] = []
    for item in (part.strip() for part in str(text).split(",")):
        if not item:
            continue
        key, _, direction = item.partition(":")
        if direction.strip().lower() not in DIRECTIONS:
            raise ValueError(f"objectives: {item!r} must be KEY:max or KEY:min")
        out.append((key.strip(), DIRECTIONS[direction.strip().lower()]))
    if not out:
        raise ValueError("objectives: name at least one KEY:max or KEY:min")
    return tuple(out)


def _check_objectives(objectives: Sequence[tuple[str, str]], known: Sequence[str] | None) -> None:
    keys = [k for k, _ in objectives]
    if len(set(keys)) != len(keys):
        raise ValueError("objectives name a key twice")
    for key, direction in objectives:
        if direction not in ("maximize", "minimize"):
            raise ValueError(f"objectives: direction of {key!r} must be maximize or minimize, not {direction!r}")
        if known is not None and key not in known:
            if key == "program_cost_yuan":
                raise ValueError(
                    "objectives: 'program_cost_yuan' is not available: this model version does not report program "
                    "costs yet (model v2 adds them); choose other objectives"
                )
            raise ValueError(f"objectives: {key!r} is not a run indicator")


def _levers(keys: Sequence[str]) -> dict[str, Any]:
    from ..uncertainty import LEVERS

    for key in keys:
        if key not in LEVERS:
            raise ValueError(f"levers: {key!r} is not a declared lever (known: {', '.join(LEVERS)})")
    return {key: LEVERS[key] for key in keys}


def suggest(trial, levers: dict[str, Any]) -> dict[str, Any]:
    """One design: a value per lever from optuna's sampler, within the lever's declared range."""
    design: dict[str, Any] = {}
    for key, lever in levers.items():
        if lever.values is not None:
            design[key] = trial.suggest_categorical(key, list(lever.values))
        elif lever.integer:
            design[key] = trial.suggest_int(key, int(lever.low), int(lever.high))
        else:
            design[key] = trial.suggest_float(key, float(lever.low), float(lever.high))
    return design


def _plan_text(
    name: str,
    scenario: str,
    design: dict[str, Any] | None,
    seeds: int,
    seed: int,
    days: int | None,
    overrides: dict[str, Any],
    keep: Sequence[str],
) -> str:
    """The experiment text of one trial (``design``) or of the shared baseline (``design`` None)."""
    scenarios = [DESIGN_SCENARIO if design is not None else scenario]
    lines = plan_header("optimize", name, scenarios, seeds, seed, days, overrides)
    if design is not None:
        lines += [f"[variants.{DESIGN_SCENARIO}]", f"scenario = {json.dumps(scenario)}"]
        lines.append("set = { " + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in design.items()) + " }")
    lines += ["[keep]", f"summary = [{', '.join(json.dumps(k) for k in keep)}]"]
    return "\n".join(lines) + "\n"


def _values(path: Path, keys: Sequence[str]) -> pd.DataFrame:
    from .store import load_runs

    runs = load_runs(path).set_index("replication").sort_index()
    return runs[list(keys)].astype(float)


def paired_objectives(
    design: pd.DataFrame, baseline: pd.DataFrame, objectives: Sequence[tuple[str, str]]
) -> tuple[list[float], list[float]]:
    """Mean over seeds of design - baseline per objective, and its standard error across seeds."""
    keys = [k for k, _ in objectives]
    diff = design[keys] - baseline.loc[design.index, keys]
    if diff.isna().any().any():
        bad = diff.columns[diff.isna().any()][0]
        raise ValueError(f"objective {bad!r} is undefined in some runs; choose another objective")
    means = diff.mean().tolist()
    n = len(diff)
    ses = (diff.std(ddof=1) / math.sqrt(n)).tolist() if n > 1 else [math.nan] * len(keys)
    return [float(v) for v in means], [float(v) for v in ses]


def run_optimization(
    out: str | Path,
    trials: int,
    seeds: int = 3,
    storage: str | None = None,
    study_name: str = "siyi-design",
    scenario: str = "campaign_2020",
    baseline: str = "baseline",
    days: int | None = None,
    objectives: Sequence[tuple[str, str]] | None = None,
    levers: Sequence[str] = DESIGN_LEVERS,
    overrides: dict[str, Any] | None = None,
    seed: int = 0,
    workers: int = 1,
    backend: str = "local",
    scheduler: str | None = None,
    progress: bool | None = None,
    run_fn=None,
) -> OptimizationResult:
    """Run (or continue) the study until ``trials`` trials are complete; write the front. See the module doc.

    ``run_fn`` replaces the model (tests use a synthetic one with a known front); the runs are then
    not validated against the model's parameters and indicators.
    """
    import optuna

    from ..io import check_output_dir
    from ..scenarios import SCENARIOS
    from .progress import Progress

    if isinstance(trials, bool) or not isinstance(trials, int) or not 1 <= trials <= MAX_TRIALS:
        raise ValueError(f"trials must be an integer in 1..{MAX_TRIALS}, not {trials!r}")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"seeds must be a positive integer, not {seeds!r}")
    for name, what in ((scenario, "scenario"), (baseline, "baseline")):
        if name not in SCENARIOS:
            raise ValueError(f"{what} {name!r} is not a scenario (known: {', '.join(SCENARIOS)})")
    if scenario == baseline:
        raise ValueError(f"scenario {scenario!r} is the baseline; a design must differ from it")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}", study_name):
        raise ValueError(f"study name {study_name!r} must be letters, digits, '_', '.' or '-' (at most 100)")
    objectives = tuple(DEFAULT_OBJECTIVES if objectives is None else objectives)
    if run_fn is None:
        from ..metrics import SUMMARY_KEYS

        _check_objectives(objectives, SUMMARY_KEYS)
    else:
        _check_objectives(objectives, None)
    lever_specs = _levers(levers)
    overrides = dict(overrides or {})
    clash = sorted(set(overrides) & set(lever_specs))
    if clash:
        raise ValueError(f"overrides fix {clash[0]!r}, which the design varies; drop it from one of them")
    out = check_output_dir(out, "out")
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    storage = storage or f"sqlite:///{(out / 'study.db').resolve()}"
    settings = {
        "scenario": scenario,
        "baseline": baseline,
        "seeds": seeds,
        "seed": seed,
        "days": days,
        "objectives": [list(o) for o in objectives],
        "levers": list(lever_specs),
        "overrides": overrides,
    }
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.NSGAIISampler(seed=seed)
    try:
        study = optuna.create_study(
            study_name=study_name,
            storage=storage,
            directions=[optuna.study.StudyDirection[d.upper()] for _, d in objectives],
            sampler=sampler,
            load_if_exists=True,
        )
    except Exception as err:  # optuna, SQLAlchemy and drivers each have their own errors; all mean "bad storage"
        if created and not any(out.iterdir()):
            out.rmdir()  # nothing half written
        first = " ".join(str(err).split("\n")[0].split())[:160]
        raise ValueError(f"storage {storage!r} cannot hold the study ({first})") from None
    earlier = study.user_attrs.get(SETTINGS_ATTR)
    if earlier is None:
        study.set_user_attr(SETTINGS_ATTR, json.loads(json.dumps(settings, default=str)))
    elif earlier != json.loads(json.dumps(settings, default=str)):
        changed = next(k for k in settings if json.loads(json.dumps(settings[k], default=str)) != earlier.get(k))
        raise ValueError(
            f"study {study_name!r} in {storage} was run with another {changed} ({earlier.get(changed)!r}); "
            "use a new study name to change it"
        )

    keep = [k for k, _ in objectives]
    sweep_kwargs = {
        "workers": workers,
        "backend": backend,
        "scheduler": scheduler,
        "progress": False,
        "run_fn": run_fn,
        "validate": run_fn is None,
    }
    from .plan import parse_plan
    from .sweep import run_sweep

    base_text = _plan_text(f"optimize-{study_name}-baseline", baseline, None, seeds, seed, days, overrides, keep)
    run_sweep(parse_plan(base_text, source_path="optimize baseline"), out / "baseline", **sweep_kwargs)
    base_values = _values(out / "baseline", keep)

    def evaluate(number: int, design: dict[str, Any]) -> tuple[list[float], list[float]]:
        name = f"optimize-{study_name}-trial-{number}"
        text = _plan_text(name, scenario, design, seeds, seed, days, overrides, keep)
        folder = out / "trials" / f"{number:04d}"
        run_sweep(parse_plan(text, source_path=f"optimize trial {number}"), folder, **sweep_kwargs)
        return paired_objectives(_values(folder, keep), base_values, objectives)

    from optuna.trial import TrialState

    ran = 0
    stale = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    done = len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))
    bar = Progress(max(trials - done, 0), enabled=progress, desc="optimize (trials)")
    try:
        for frozen in stale:  # killed mid-trial: finish it with the design it had drawn
            if done >= trials:
                break
            values, ses = evaluate(frozen.number, {k: frozen.params[k] for k in lever_specs})
            live = optuna.trial.Trial(study, frozen._trial_id)  # optuna's handle on a stored running trial
            live.set_user_attr("seed_se", ses)
            study.tell(live, values)
            done, ran = done + 1, ran + 1
            bar.advance()
        while done < trials:
            trial = study.ask()
            values, ses = evaluate(trial.number, suggest(trial, lever_specs))
            trial.set_user_attr("seed_se", ses)
            study.tell(trial, values)
            done, ran = done + 1, ran + 1
            bar.advance()
    finally:
        bar.close()
    table, front = trial_tables(study, objectives, list(lever_specs))
    write_front(out, table, front, objectives, settings, study_name, storage)
    return OptimizationResult(out, study_name, objectives, table, front, ran)


def trial_tables(study, objectives: Sequence[tuple[str, str]], levers: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every completed trial (levers, objectives, seed s.e., ``pareto``) and the Pareto-optimal rows."""
    from optuna.trial import TrialState

    keys = [k for k, _ in objectives]
    best = {t.number for t in study.best_trials}
    rows = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        row: dict[str, Any] = {"trial": t.number, **{k: t.params.get(k) for k in levers}}
        ses = t.user_attrs.get("seed_se") or [math.nan] * len(keys)
        for key, value, se in zip(keys, t.values, ses, strict=True):
            row[key] = value
            row[f"{key}_se"] = se
        row["pareto"] = t.number in best
        rows.append(row)
    table = pd.DataFrame(rows)
    front = table[table["pareto"]].reset_index(drop=True) if len(table) else table
    return table, front


def front_figure(table: pd.DataFrame, objectives: Sequence[tuple[str, str]]):
    """Pairwise scatter of the objectives (paired effects vs baseline); Pareto designs highlighted."""
    from ..analysis.style import ACCENT, metric_label, new_figure, source_note, styled

    keys = [k for k, _ in objectives]
    pairs = [(a, b) for i, a in enumerate(keys) for b in keys[i + 1 :]] or [(keys[0], keys[0])]
    with styled():
        fig, axes = new_figure(4.6 * len(pairs), 4.4, ncols=len(pairs), squeeze=False)
        for ax, (a, b) in zip(axes[0], pairs, strict=True):
            rest, best = table[~table["pareto"]], table[table["pareto"]]
            ax.scatter(rest[a], rest[b], s=18, color="#9e9e9e", alpha=0.7, label="other designs")
            ax.scatter(best[a], best[b], s=42, color=ACCENT, edgecolor="black", lw=0.5, zorder=3, label="Pareto front")
            ax.set_xlabel(f"{metric_label(a)} ({dict(objectives)[a][:3]}), vs baseline")
            ax.set_ylabel(f"{metric_label(b)} ({dict(objectives)[b][:3]}), vs baseline")
        axes[0][0].legend(loc="best")
        fig.suptitle("Program designs: paired effects against the baseline (NSGA-II, optuna)")
        source_note(fig, f"{len(table)} designs, {int(table['pareto'].sum())} on the Pareto front (all objectives)")
    return fig


def write_front(
    out: Path,
    table: pd.DataFrame,
    front: pd.DataFrame,
    objectives: Sequence[tuple[str, str]],
    settings: dict[str, Any],
    study_name: str,
    storage: str,
) -> None:
    from ..analysis.style import png_bytes, svg_bytes
    from ..io import atomic_write_bytes, atomic_write_text

    atomic_write_bytes(out / "trials.parquet", table.to_parquet(index=False))
    atomic_write_bytes(out / "pareto.parquet", front.to_parquet(index=False))
    if len(table):
        fig = front_figure(table, objectives)
        atomic_write_bytes(out / "pareto.png", png_bytes(fig))
        atomic_write_bytes(out / "pareto.svg", svg_bytes(fig))
    record = {
        "study": study_name,
        "storage": storage,
        "sampler": "optuna NSGAIISampler",
        "settings": settings,
        "trials": len(table),
        "pareto": front.to_dict("records"),
    }
    atomic_write_text(out / "optimize.json", json.dumps(record, indent=2, default=_jsonable) + "\n")


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def format_front(result: OptimizationResult) -> str:
    keys = [k for k, _ in result.objectives]
    lines = [
        f"study {result.study_name}: {len(result.trials)} designs ({result.ran} new), "
        f"{len(result.front)} on the Pareto front; objectives are paired effects vs the baseline "
        f"({', '.join(f'{k} {d[:3]}' for k, d in result.objectives)})"
    ]
    if len(result.front):
        cols = [c for c in result.front.columns if c not in ("pareto",) and not c.endswith("_se")]
        lines.append(result.front.sort_values(keys[0])[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    lines.append(f"wrote {result.out}/pareto.parquet, trials.parquet, pareto.png, pareto.svg, optimize.json")
    return "\n".join(lines)
