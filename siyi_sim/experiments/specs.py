"""From a plan to concrete runs: validated cells (scenario x point) times replications.

Validation happens here, before anything is written: every scenario and variant name, every
parameter key and value (through the model's own ``scenario_config``), every kept summary key.
Values are canonicalised through the validated config (``1`` and ``1.0`` for a float parameter
are the same run), so run keys do not depend on how a number was typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .keys import design_hash, run_key, seed_for
from .plan import Plan

IDENTITY_SUMMARY_KEYS = ("scenario", "seed", "days")


@dataclass(frozen=True)
class Cell:
    """One scenario at one point: everything about a run except its replication."""

    scenario: str  # name in the experiment (a named scenario or a variant)
    base_scenario: str  # named scenario passed to the model
    point: int
    overrides: dict[str, Any]
    days: int | None
    params: dict[str, Any]  # value of each varying parameter, as the run used it
    memory_bytes: int = 0  # estimated peak of one run (0: not estimated, e.g. a synthetic model)


@dataclass(frozen=True)
class RunSpec:
    """Everything a worker needs for one run; small and picklable."""

    run_key: str
    scenario: str
    base_scenario: str
    point: int
    replication: int
    seed: int
    days: int | None
    overrides: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    keep_summary: tuple[str, ...] | None = None
    keep_daily: tuple[str, ...] | str = ()


def cells(plan: Plan, validate: bool = True) -> list[Cell]:
    """The plan's scenario x point cells, in scenario-major order; validated against the model."""
    where = plan.source_path or plan.name
    if validate:
        _check_names(plan, where)
    out = []
    for scenario in plan.scenarios:
        variant = plan.variants.get(scenario)
        base = variant.scenario if variant else scenario
        for index, point in enumerate(plan.points):
            merged = {**plan.overrides, **(variant.overrides if variant else {}), **point}
            if validate:
                out.append(_validated_cell(plan, scenario, base, index, merged, where))
            else:
                params = {k: point.get(k, merged.get(k)) for k in plan.point_keys}
                out.append(Cell(scenario, base, index, merged, plan.days, params))
    if validate:
        _check_distinct(plan, out, where)
    return out


def specs_for(plan: Plan, plan_cells: list[Cell], replications: range) -> list[RunSpec]:
    """Runs in execution order: replication-major, so an interrupted sweep leaves complete pairs."""
    keep_summary = _summary_keys(plan)
    specs = []
    for r in replications:
        seed = seed_for(plan.base_seed, r)
        for point in range(len(plan.points)):
            for cell in plan_cells:
                if cell.point != point:
                    continue
                key = run_key(cell.scenario, cell.base_scenario, cell.overrides, cell.days, r, seed)
                specs.append(
                    RunSpec(
                        key,
                        cell.scenario,
                        cell.base_scenario,
                        cell.point,
                        r,
                        seed,
                        cell.days,
                        cell.overrides,
                        cell.params,
                        keep_summary,
                        plan.keep_daily,
                    )
                )
    return specs


def expand(plan: Plan, replications: int | None = None, validate: bool = True) -> list[RunSpec]:
    """All runs of ``plan`` (with ``replications`` replications if given), in execution order."""
    return specs_for(plan, cells(plan, validate), range(plan.replications if replications is None else replications))


def plan_design_hash(plan: Plan, plan_cells: list[Cell]) -> str:
    first = [spec.run_key for spec in specs_for(plan, plan_cells, range(1))]
    keep = {
        "summary": list(plan.keep_summary) if plan.keep_summary is not None else "all",
        "daily": plan.keep_daily if isinstance(plan.keep_daily, str) else list(plan.keep_daily),
    }
    return design_hash(first, keep)


def _summary_keys(plan: Plan) -> tuple[str, ...] | None:
    if plan.keep_summary is None:
        return None
    return tuple(dict.fromkeys((*IDENTITY_SUMMARY_KEYS, *plan.keep_summary)))


def _check_names(plan: Plan, where: str) -> None:
    from ..metrics import SUMMARY_KEYS
    from ..scenarios import SCENARIOS

    for name, variant in plan.variants.items():
        if name in SCENARIOS:
            raise ValueError(f"{where}: variant {name!r} has the name of a built-in scenario; choose another name")
        if variant.scenario not in SCENARIOS:
            raise ValueError(
                f"{where}: variant {name!r} is based on unknown scenario {variant.scenario!r} "
                f"(known: {', '.join(SCENARIOS)})"
            )
        if name not in plan.scenarios:
            raise ValueError(f"{where}: variant {name!r} is defined but not listed in experiment.scenarios")
    for name in plan.scenarios:
        if name not in SCENARIOS and name not in plan.variants:
            raise ValueError(
                f"{where}: unknown scenario {name!r} (known: {', '.join(SCENARIOS)}; or define [variants.{name}])"
            )
    for key in plan.keep_summary or ():
        if key not in SUMMARY_KEYS:
            raise ValueError(f"{where}: unknown summary key {key!r} in keep.summary (known: {', '.join(SUMMARY_KEYS)})")


def _validated_cell(plan: Plan, scenario: str, base: str, point: int, merged: dict[str, Any], where: str) -> Cell:
    from ..config import known_keys
    from ..scenarios import scenario_config

    known = known_keys()
    for key in merged:
        if key not in known:
            raise ValueError(f"{where}: unknown parameter {key!r}; write it as section.key (see `siyi params`)")
    from ..api import check_value_types

    check_value_types(merged, where)
    context = f"scenario {scenario!r}" + (f", point {point + 1}" if len(plan.points) > 1 else "")
    try:
        config = scenario_config(base, merged, plan.days)
    except ValueError as err:
        raise ValueError(f"{where}: {context}: {err}") from None
    flat = config.flat()
    canonical = {key: flat[key] for key in merged}
    params = {key: flat[key] for key in plan.point_keys}
    from .memory import run_memory_bytes

    return Cell(scenario, base, point, canonical, int(config.run.days), params, run_memory_bytes(flat))


def _check_distinct(plan: Plan, plan_cells: list[Cell], where: str) -> None:
    seen: dict[tuple, int] = {}
    for cell in plan_cells:
        marker = (cell.scenario, tuple(sorted(cell.overrides.items())))
        if marker in seen and seen[marker] != cell.point:
            raise ValueError(
                f"{where}: points {seen[marker] + 1} and {cell.point + 1} give the same runs "
                f"for scenario {cell.scenario!r}"
            )
        seen[marker] = cell.point
