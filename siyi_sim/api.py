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


def check_seed(seed: Any) -> int:
    """Seeds are non-negative integers; anything else is a user error."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"invalid seed {seed!r}: must be a non-negative integer")
    return int(seed)


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
    config = scenario_config(scenario, overrides, days)
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
