"""EMA Workbench interop: this model as an EMA ``Model`` whose inputs and outputs come from our registries.

An EMA Workbench user gets every analysis of that tool (its samplers, PRIM/CART, feature scoring,
its MOEA optimisers) on siyi_sim without writing glue::

    from ema_workbench import perform_experiments
    from siyi_sim.interop import ema_model
    model = ema_model("campaign_2020", outcomes=["issues_resolved_total", "clear_index"], days=120)
    experiments, outcomes = perform_experiments(model, scenarios=50, policies=4)

Mapping:
- uncertainties: ``siyi_sim.uncertainty.UNCERTAINTIES`` (uniform -> ``RealParameter``, integer ->
  ``IntegerParameter``; loguniform -> a ``RealParameter`` over the *natural log* of the range,
  named ``<name>__ln``, exponentiated before the run, so EMA's samplers keep the declared prior);
- levers: ``LEVERS`` (a range -> Real/IntegerParameter, (False, True) -> ``BooleanParameter``,
  other values -> ``CategoricalParameter``);
- outcomes: ``ScalarOutcome`` per indicator of ``metrics.INDICATORS`` (kind ``MAXIMIZE``/``MINIMIZE``
  from its policy direction, ``INFO`` when neutral).

Names: EMA 3 wants Python identifiers and reserves ``scenario``, ``policy`` and ``model`` as columns
of its experiments table. Dotted keys become ``section__key`` (``trust.alpha`` -> ``trust__alpha``),
and a name that would still clash gets a trailing ``_``; :func:`ema_names` gives the mapping.
Missing values: an indicator that is undefined in a run (``None``, e.g. a median of no events)
is returned as NaN, never as ``None`` (EMA stores outcomes in float arrays).

With ``versus="baseline"`` every outcome is the paired effect ``policy_scenario - baseline`` on the
same seed and parameters (the difference a policy makes), not the level.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: Column names EMA Workbench uses for itself in its experiments table.
EMA_RESERVED = frozenset({"scenario", "policy", "model", "scenario_id", "policy_id"})
#: Summary keys that describe a run rather than measure it.
NOT_OUTCOMES = ("scenario", "seed", "days")
LOG_SUFFIX = "__ln"


def ema_name(key: str) -> str:
    """An EMA-legal identifier for a dotted key: ``trust.alpha`` -> ``trust__alpha``; reserved names get ``_``."""
    name = key.replace(".", "__")
    if not name.isidentifier():
        raise ValueError(f"key {key!r} cannot be made an EMA name (a Python identifier)")
    return name + "_" if name in EMA_RESERVED else name


def ema_names(keys: Iterable[str]) -> dict[str, str]:
    """Our key -> EMA name, refusing two keys that would get one name."""
    out: dict[str, str] = {}
    for key in keys:
        name = ema_name(key)
        if name in out.values():
            raise ValueError(f"keys {key!r} and {next(k for k, v in out.items() if v == name)!r} clash as {name!r}")
        out[key] = name
    return out


@dataclass
class SiyiFunction:
    """The callable EMA runs: EMA names -> overrides -> one run per seed -> outcome values.

    A plain class (not a closure) so EMA's multiprocessing evaluator can pickle it.
    """

    scenario: str
    versus: str | None
    overrides: dict[str, Any]
    days: int | None
    inputs: dict[str, tuple[str, bool]]  # EMA name -> (our key, on a log scale)
    outcomes: dict[str, str]  # EMA name -> indicator key

    def __call__(self, **kwargs: Any) -> dict[str, float]:
        from .api import run

        overrides = dict(self.overrides)
        seed = int(kwargs.pop("seed", 0))
        for name, value in kwargs.items():
            if name not in self.inputs:
                continue
            key, log = self.inputs[name]
            overrides[key] = _plain(math.exp(value) if log else value)
        summary = run(self.scenario, seed, self.days, **overrides)
        base = run(self.versus, seed, self.days, **overrides) if self.versus else None
        out = {}
        for name, key in self.outcomes.items():
            value = _number(summary.get(key))
            out[name] = value - _number(base.get(key)) if base is not None else value
        return out


def _mean(values: Sequence[float]) -> float:
    """Mean over replications (seeds); NaN when an indicator is undefined in every one."""
    finite = [v for v in values if not math.isnan(v)]
    return sum(finite) / len(finite) if finite else math.nan


def _plain(value: Any) -> Any:
    """numpy scalars -> Python ones (the config validates types: ``numpy.bool_`` is not ``bool``)."""
    return value.item() if hasattr(value, "item") else value


def _number(value: Any) -> float:
    """None (an undefined indicator) -> NaN; numbers -> float."""
    if value is None:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def ema_model(
    policy_scenario: str = "campaign_2020",
    outcomes: Sequence[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    uncertainties: Sequence[str] | None = None,
    levers: Sequence[str] | None = None,
    seeds: Sequence[int] = (0,),
    days: int | None = None,
    versus: str | None = None,
    name: str = "siyi",
):
    """An EMA Workbench model of ``policy_scenario``: uncertainties, levers and outcomes from the registries.

    ``uncertainties``/``levers``/``outcomes`` choose keys of the registries (default: all declared
    uncertainties and levers; every indicator with a policy direction). ``overrides`` fix other
    parameters for every run (a key may not be both fixed and varied). One seed gives a ``Model``
    (the seed is an EMA ``Constant``); several give a ``ReplicatorModel`` with one replication per
    seed, each outcome being the mean over the seeds where it is defined.
    """
    from ema_workbench import (
        BooleanParameter,
        CategoricalParameter,
        Constant,
        IntegerParameter,
        Model,
        RealParameter,
        ReplicatorModel,
        ScalarOutcome,
    )

    from .metrics import INDICATORS, SUMMARY_KEYS
    from .scenarios import SCENARIOS
    from .uncertainty import LEVERS, UNCERTAINTIES

    for scenario, what in ((policy_scenario, "policy_scenario"), (versus, "versus")):
        if scenario is not None and scenario not in SCENARIOS:
            raise ValueError(f"{what} {scenario!r} is not a scenario (known: {', '.join(SCENARIOS)})")
    if versus is not None and versus == policy_scenario:
        raise ValueError(f"versus {versus!r} is policy_scenario itself; its paired effect is 0")
    unc_keys = list(UNCERTAINTIES) if uncertainties is None else list(uncertainties)
    lever_keys = list(LEVERS) if levers is None else list(levers)
    for key in unc_keys:
        if key not in UNCERTAINTIES:
            raise ValueError(f"uncertainties: {key!r} is not a declared uncertainty (see siyi_sim.uncertainty)")
    for key in lever_keys:
        if key not in LEVERS:
            raise ValueError(f"levers: {key!r} is not a declared lever (see siyi_sim.uncertainty)")
    both = set(unc_keys) & set(lever_keys)
    if both:
        raise ValueError(f"{sorted(both)[0]!r} is both an uncertainty and a lever")
    overrides = dict(overrides or {})
    fixed = (set(unc_keys) | set(lever_keys)) & set(overrides)
    if fixed:
        raise ValueError(f"overrides fix {sorted(fixed)[0]!r}, which the model varies; drop it from one of them")
    measured = [k for k in SUMMARY_KEYS if k not in NOT_OUTCOMES]
    if outcomes is None:
        outcomes = [k for k in measured if INDICATORS[k].better != "neutral"]
    for key in outcomes:
        if key not in measured:
            raise ValueError(f"outcomes: {key!r} is not a run indicator (known: {', '.join(measured)})")
    seeds = [int(s) for s in seeds]
    if not seeds or any(s < 0 for s in seeds) or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct non-negative integers, not {seeds!r}")

    names = ema_names([*unc_keys, *lever_keys, *outcomes])
    inputs: dict[str, tuple[str, bool]] = {}
    unc_params = []
    for key in unc_keys:
        u = UNCERTAINTIES[key]
        if u.distribution == "loguniform":
            ema = names[key] + LOG_SUFFIX
            unc_params.append(RealParameter(ema, math.log(u.low), math.log(u.high)))
            inputs[ema] = (key, True)
        elif u.distribution == "integer":
            unc_params.append(IntegerParameter(names[key], int(u.low), int(u.high)))
            inputs[names[key]] = (key, False)
        else:
            unc_params.append(RealParameter(names[key], u.low, u.high))
            inputs[names[key]] = (key, False)
    lever_params = []
    for key in lever_keys:
        lever = LEVERS[key]
        ema = names[key]
        if lever.values is not None:
            if set(lever.values) == {False, True}:
                lever_params.append(BooleanParameter(ema))
            else:
                lever_params.append(CategoricalParameter(ema, list(lever.values)))
        elif lever.integer:
            lever_params.append(IntegerParameter(ema, int(lever.low), int(lever.high)))  # type: ignore[arg-type]
        else:
            lever_params.append(RealParameter(ema, float(lever.low), float(lever.high)))  # type: ignore[arg-type]
        inputs[ema] = (key, False)
    kinds = {"higher": ScalarOutcome.MAXIMIZE, "lower": ScalarOutcome.MINIMIZE, "neutral": ScalarOutcome.INFO}
    outcome_names = {names[k]: k for k in outcomes}
    function = SiyiFunction(policy_scenario, versus, overrides, days, inputs, outcome_names)
    if len(seeds) == 1:
        model = Model(name, function=function)
        model.constants = [Constant("seed", seeds[0])]
    else:
        model = ReplicatorModel(name, function=function)
        model.replications = [{"seed": s} for s in seeds]
    model.uncertainties = unc_params
    model.levers = lever_params
    average = None if len(seeds) == 1 else _mean  # EMA outcomes are scalars: the mean over the seeds
    model.outcomes = [ScalarOutcome(names[k], kind=kinds[INDICATORS[k].better], function=average) for k in outcomes]
    return model
