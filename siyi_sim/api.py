"""The library's entry points: run a scenario, get a summary (and series)."""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .model import SiyiModel
from .scenarios import scenario_config


@dataclass
class RunResult:
    summary: dict[str, Any]
    daily: pd.DataFrame
    model: SiyiModel


#: Largest seed: seeds are Python ints end to end and int64 in a sweep's Parquet table.
MAX_SEED = 2**63 - 1


def check_seed(seed: Any) -> int:
    """Seeds are integers in 0 .. 2**63-1, never floats (a float would silently change a seed
    above 2**53); anything else is a user error."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or int(seed) < 0:
        raise ValueError(f"invalid seed {seed!r}: must be a non-negative integer")
    if int(seed) > MAX_SEED:
        raise ValueError(f"invalid seed {seed!r}: must be at most 2**63-1 = {MAX_SEED}")
    return int(seed)


def check_days(days: Any) -> int | None:
    """A horizon is None (the scenario's) or an integer; ``True`` and ``'3'`` are not numbers."""
    if days is None:
        return None
    if isinstance(days, bool) or not isinstance(days, numbers.Integral):
        raise ValueError(f"invalid days {days!r}: must be an integer")
    return int(days)


def check_value_types(overrides: dict[str, Any], where: str = "overrides") -> None:
    """Booleans are not numbers: ``trust.alpha = true`` is refused, not run as 1."""
    from .config import Config

    defaults = Config().flat()
    for key, value in overrides.items():
        if key in defaults and isinstance(value, bool) != isinstance(defaults[key], bool):
            wanted = "true or false" if isinstance(defaults[key], bool) else "a number"
            raise ValueError(f"{where}: {key} must be {wanted}, not {value!r}")


def simulate(
    scenario: str = "campaign_2020",
    seed: int = 0,
    days: int | None = None,
    overrides: dict[str, Any] | None = None,
    record_events: bool = False,
) -> RunResult:
    """Run one scenario to its horizon; return summary, daily series and the model.

    With ``record_events=True`` the model's typed event log is in ``result.model.events``.
    """
    if overrides:
        check_value_types(overrides)
    config = scenario_config(scenario, overrides, check_days(days))
    model = SiyiModel(config, seed=check_seed(seed), scenario_name=scenario, record_events=record_events)
    model.run_to_end()
    return RunResult(model.summary(), model.daily_frame(), model)


def run(scenario: str = "campaign_2020", seed: int = 0, days: int | None = None, **overrides: Any) -> dict[str, Any]:
    """Run one scenario and return its summary dict.

    Overrides are dotted keys, e.g. ``run("campaign_2020", 3, **{"trust.alpha": 0.1})``.

    >>> s = run("baseline", seed=1, days=30)
    >>> s["cadres_placed"]
    0
    """
    return simulate(scenario, seed, days, overrides).summary
