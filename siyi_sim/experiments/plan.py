"""Experiment files: what to run, read from TOML and checked for shape.

The file is parsed into a pydantic model (``ExperimentFile``): unknown keys, wrong types
(``replications = 2.5`` or ``true``) and out-of-range values are refused with the field's name.
An experiment is scenarios (named, or variants defined in the file) x points (a grid or a list
of parameter settings) x replications. This module only parses and checks structure, so it needs
no model; ``specs.expand`` checks names and ranges against the model's config.

Example::

    [experiment]
    name = "smoke"
    scenarios = ["baseline", "campaign_2020", "alpha_high"]
    replications = 3
    base_seed = 1          # replication r runs with seed base_seed + r in every scenario
    days = 120             # optional; default: each scenario's horizon

    [set]                  # applied to every run
    population.n_cadres = 300

    [grid]                 # Cartesian product (or [[points]], one table per point)
    "trust.beta" = [0.08, 0.12]

    [variants.alpha_high]  # a named scenario: base scenario + overrides
    scenario = "campaign_2020"
    set = { "trust.alpha" = 0.1 }

    [keep]
    summary = ["program_issues_resolved", "clear_index"]   # default: every summary key
    daily = ["mean_owner_trust"]                            # default: none; "all" for every column
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import numbers
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import ParameterError
from ..io import brace_safe

#: Documented maxima (docs/experiments.md); each can be raised with a ``Limits`` argument (CLI flags
#: ``--max-runs``, ``--max-points``, ``--max-file-bytes``). They are checked before anything is built.
MAX_RUNS = 1_000_000
MAX_POINTS = 10_000  # scenarios x points
MAX_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Caps that keep a plan from exhausting memory or disk before anything is written."""

    max_runs: int = MAX_RUNS
    max_points: int = MAX_POINTS
    max_file_bytes: int = MAX_FILE_BYTES

    def __post_init__(self) -> None:
        for name in ("max_runs", "max_points", "max_file_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"invalid {name} {value!r}: must be a positive integer")


_DAILY_IDENTITY = {"day", "run_key", "scenario", "point", "replication", "seed"}
_MAX_KEY_DEPTH = 4  # parameters are section.key; a little room for mistakes that get a clear error


class _Strict(BaseModel):
    """TOML tables as typed sections: unknown keys refused, no coercion (``true`` is not 1)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class ExperimentSection(_Strict):
    name: str | None = None
    description: str = ""
    scenarios: list[str] = Field(min_length=1)
    replications: int = Field(ge=1)
    base_seed: int = Field(default=0, ge=0)
    days: int | None = Field(default=None, ge=1)


class VariantSection(_Strict):
    scenario: str = Field(min_length=1)
    set: dict[str, Any] = Field(default_factory=dict)
    description: str = ""


class KeepSection(_Strict):
    summary: list[str] | Literal["all"] | None = None
    daily: list[str] | Literal["all"] = Field(default_factory=list)


class ExperimentFile(_Strict):
    """The schema of an experiment file; ``[set]``, ``[grid]`` and ``[[points]]`` hold parameters,
    checked against the model's config later (``specs``)."""

    experiment: ExperimentSection
    set: dict[str, Any] = Field(default_factory=dict)
    grid: dict[str, Any] | None = None
    points: list[dict[str, Any]] | None = None
    variants: dict[str, VariantSection] = Field(default_factory=dict)
    keep: KeepSection = Field(default_factory=KeepSection)


def _validated(data: dict[str, Any], where: str) -> ExperimentFile:
    try:
        return ExperimentFile.model_validate(data)
    except ValidationError as err:
        raise ValueError(f"{where}: {_field_error(err.errors()[0])}") from None


def _field_error(error: Any) -> str:
    """One pydantic error as a sentence naming the field (``experiment.replications``)."""
    loc = [str(part) for part in error["loc"] if not _is_union_tag(part)]
    field = ".".join(loc) or "file"
    kind, value = error["type"], error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        if len(loc) == 1:
            return f"unknown top-level table {loc[0]!r} (allowed: {', '.join(sorted(ExperimentFile.model_fields))})"
        return f"unknown key in [{'.'.join(loc[:-1])}] {loc[-1]!r}"
    if kind == "missing":
        return f"missing [{field}] table" if len(loc) == 1 else f"{field} is missing"
    if kind == "greater_than_equal":
        return f"{field} must be >= {ctx.get('ge')}, not {value!r}"
    if kind == "too_short":
        return f"{field} must be a non-empty list"
    if kind == "int_type":
        return f"{field} must be an integer, not {value!r}"
    if kind in ("string_type", "string_too_short"):
        return f"{field} must be a non-empty string, not {value!r}"
    if kind in ("dict_type", "model_type"):
        return f"{field} must be a table, not {type(value).__name__}"
    if field.startswith("keep."):
        return f'{field} must be a list of names or "all", not {value!r}'
    return f"{field}: {error['msg']} (got {value!r})"


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and ("[" in part or part in ("str", "int", "none"))


@dataclass(frozen=True)
class Variant:
    """A scenario defined in the experiment file: a named scenario plus overrides."""

    name: str
    scenario: str
    overrides: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    name: str
    scenarios: tuple[str, ...]
    replications: int
    base_seed: int = 0
    days: int | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    points: tuple[dict[str, Any], ...] = ({},)
    variants: dict[str, Variant] = field(default_factory=dict)
    keep_summary: tuple[str, ...] | None = None
    keep_daily: tuple[str, ...] | str = ()
    description: str = ""
    source_text: str = ""
    source_path: str | None = None

    @property
    def point_keys(self) -> tuple[str, ...]:
        """Parameters that vary across points, in order of first appearance."""
        return tuple(dict.fromkeys(k for point in self.points for k in point))

    @property
    def n_runs(self) -> int:
        return len(self.scenarios) * len(self.points) * self.replications

    @property
    def file_sha256(self) -> str:
        return hashlib.sha256(self.source_text.encode()).hexdigest()

    def with_replications(self, replications: int) -> Plan:
        from dataclasses import replace

        replications = _positive_int(replications, "replications")
        from ..api import MAX_SEED

        if self.base_seed + replications - 1 > MAX_SEED:
            raise ValueError(
                f"replications {replications}: base_seed + replications - 1 exceeds the largest seed 2**63-1"
            )
        return replace(self, replications=replications)


def load_plan(path: str | Path, limits: Limits | None = None) -> Plan:
    """Read and check an experiment file; every problem is a one-line ``ValueError``.

    Only a regular file up to ``limits.max_file_bytes`` is read (``/dev/zero`` or a FIFO is refused
    unread).
    """
    from ..io import read_input_text

    limits = limits or Limits()
    text = read_input_text(path, "experiment file", limits.max_file_bytes)
    return parse_plan(text, source_path=str(path), limits=limits)


def parse_plan(text: str, source_path: str | None = None, limits: Limits | None = None) -> Plan:
    where = source_path or "experiment text"
    limits = limits or Limits()
    if len(text.encode()) > limits.max_file_bytes:
        raise ParameterError(
            "max_file_bytes",
            f"{brace_safe(where)}: {len(text.encode())} bytes, more than the limit of {limits.max_file_bytes} "
            "(raise it with {name})",
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"malformed TOML in {where}: {_one_line(err)}") from None
    except RecursionError:
        raise ValueError(f"malformed TOML in {where}: tables or arrays nested too deeply") from None
    spec = _validated(data, where)
    exp = spec.experiment
    name = exp.name if exp.name is not None else (Path(source_path).stem if source_path else "experiment")
    if not name.strip():
        raise ValueError(f"{where}: experiment.name must be a non-empty string")
    scenarios = exp.scenarios
    if not all(scenarios):
        raise ValueError(f"{where}: experiment.scenarios must be a non-empty list of scenario names")
    duplicates = sorted({s for s in scenarios if scenarios.count(s) > 1})
    if duplicates:
        raise ValueError(f"{where}: scenario {duplicates[0]!r} listed twice in experiment.scenarios")
    replications, base_seed, days = exp.replications, exp.base_seed, exp.days
    from ..api import MAX_SEED  # seeds are Python ints in 0 .. 2**63-1 (int64 in Parquet)

    if base_seed + replications - 1 > MAX_SEED:
        raise ValueError(
            f"{where}: experiment.base_seed + replications - 1 = {base_seed + replications - 1} exceeds the largest "
            f"seed 2**63-1"
        )

    overrides = _flat_scalars(spec.set, "[set]", where)
    points = _points(data, where, limits.max_points // len(scenarios) or 1)
    cells = len(scenarios) * len(points)
    if cells > limits.max_points:
        raise ParameterError(
            "max_points",
            f"{brace_safe(where)}: {len(scenarios)} scenarios x {len(points)} points = {cells} cells, "
            "more than the limit "
            f"of {limits.max_points} (raise it with {{name}})",
        )
    if cells * replications > limits.max_runs:
        raise ParameterError(
            "max_runs",
            f"{brace_safe(where)}: {cells} cells x {replications} replications = {cells * replications} runs, "
            "more than "
            f"the limit of {limits.max_runs} (raise it with {{name}})",
        )
    variants = _variants(spec.variants, where)
    keep_summary, keep_daily = _keep(spec.keep, where)
    return Plan(
        name=name.strip(),
        description=exp.description,
        scenarios=tuple(scenarios),
        replications=replications,
        base_seed=base_seed,
        days=days,
        overrides=overrides,
        points=points,
        variants=variants,
        keep_summary=keep_summary,
        keep_daily=keep_daily,
        source_text=text,
        source_path=source_path,
    )


def _points(data: dict, where: str, max_points: int) -> tuple[dict[str, Any], ...]:
    if "grid" in data and "points" in data:
        raise ValueError(f"{where}: use either [grid] or [[points]], not both")
    if "grid" in data:
        grid = _flat(data["grid"], "[grid]", where)
        for key, values in grid.items():
            if not isinstance(values, list) or not values:
                raise ValueError(f"{where}: grid value of {key!r} must be a non-empty list")
            for v in values:
                _check_scalar(v, f"grid value of {key!r}", where)
            if len(set(map(repr, values))) != len(values):
                raise ValueError(f"{where}: grid value of {key!r} lists a value twice")
        keys = list(grid)
        size = math.prod(len(v) for v in grid.values())
        if size > max_points:
            shape = " x ".join(str(len(v)) for v in grid.values())
            raise ParameterError(
                "max_points",
                f"{brace_safe(where)}: [grid] of {shape} = {size} points is more than the limit for these scenarios "
                f"({max_points}; raise it with {{name}})",
            )
        return tuple(dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(grid[k] for k in keys))) or (
            {},
        )
    if "points" in data:
        raw = data["points"]
        if not isinstance(raw, list) or not raw or not all(isinstance(p, dict) for p in raw):
            raise ValueError(f"{where}: [[points]] must be one or more tables of parameter = value")
        if len(raw) > max_points:
            raise ParameterError(
                "max_points",
                f"{brace_safe(where)}: {len(raw)} [[points]], more than the limit of {max_points} "
                "(raise it with {name})",
            )
        points = tuple(_flat_scalars(p, f"point {i + 1}", where) for i, p in enumerate(raw))
        seen = set()
        for i, p in enumerate(points):
            marker = repr(sorted(p.items()))
            if marker in seen:
                raise ValueError(f"{where}: point {i + 1} repeats an earlier point")
            seen.add(marker)
        return points
    return ({},)


def _variants(raw: dict[str, VariantSection], where: str) -> dict[str, Variant]:
    return {
        name: Variant(name, spec.scenario, _flat_scalars(spec.set, f"set of variant {name!r}", where))
        for name, spec in raw.items()
    }


def _keep(raw: KeepSection, where: str) -> tuple[tuple[str, ...] | None, tuple[str, ...] | str]:
    summary = None if raw.summary in (None, "all") else tuple(dict.fromkeys(raw.summary))
    if raw.daily == "all":
        return summary, "all"
    for name in raw.daily:
        if name in _DAILY_IDENTITY:
            raise ValueError(f"{where}: keep.daily lists {name!r}, which every daily file holds anyway; remove it")
    return summary, tuple(dict.fromkeys(raw.daily))


def _flat(raw: Any, what: str, where: str, prefix: str = "") -> dict[str, Any]:
    """TOML turns ``trust.alpha = 1`` into nested tables; flatten them back to dotted keys."""
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: {what} must be a table of parameter = value")
    if prefix.count(".") >= _MAX_KEY_DEPTH:
        raise ValueError(f"{where}: {what} key {prefix[:60]!r}... is nested too deeply to be a parameter")
    flat = {}
    for key, value in raw.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flat(value, what, where, prefix=f"{full}."))
        else:
            flat[full] = value
    return flat


def _flat_scalars(raw: Any, what: str, where: str) -> dict[str, Any]:
    flat = _flat(raw, what, where)
    for key, value in flat.items():
        _check_scalar(value, f"{what} value of {key!r}", where)
    return flat


def _check_scalar(value: Any, what: str, where: str) -> None:
    if not isinstance(value, (bool, int, float, str)):
        raise ValueError(f"{where}: {what} must be a number, boolean or string, not {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where}: {what} must be finite, not {value}")


def _int(value: Any, name: str, where: str = "", minimum: int | None = None) -> int:
    prefix = f"{where}: " if where else ""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{prefix}{name} must be an integer, not {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{prefix}{name} must be >= {minimum}, not {value}")
    return value


def _positive_int(value: Any, name: str, where: str = "") -> int:
    return _int(value, name, where, minimum=1)


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())


def toml_value(value: Any) -> str:
    """A scalar as TOML text, for plans that code writes (``siyi sensitivity``, ``siyi optimize``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):  # numpy integers too
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    return json.dumps(str(value))


def plan_header(
    tool: str,
    name: str,
    scenarios: Sequence[str],
    replications: int,
    base_seed: int,
    days: int | None,
    overrides: dict[str, Any],
    description: str | None = None,
) -> list[str]:
    """The ``[experiment]`` and ``[set]`` lines of a plan that ``siyi TOOL`` writes for the runner."""
    lines = [f"# Generated by `siyi {tool}`; the sweep runner executes it.", "[experiment]"]
    lines.append(f"name = {json.dumps(name)}")
    if description is not None:
        lines.append(f"description = {json.dumps(description)}")
    lines += [
        f"scenarios = [{', '.join(json.dumps(s) for s in scenarios)}]",
        f"replications = {replications}",
        f"base_seed = {base_seed}",
    ]
    if days is not None:
        lines.append(f"days = {days}")
    if overrides:
        lines.append("[set]")
        lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in overrides.items()]
    return lines
