"""Named scenarios: each is a set of dotted-key overrides on the one ``Config``.

``baseline`` is "clear but not close" (清有余而亲不足): no placements at all. ``campaign_2020`` is
the 2020 campaign; the one-lever variants each switch exactly one lever of it, so a paired
comparison against ``campaign_2020`` isolates that lever.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from .config import Config, apply_overrides, known_keys


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    overrides: dict[str, Any] = field(default_factory=dict)


def _calibrated_values() -> dict[str, Any]:
    """The fitted parameter values of ``data/calibration_2020.json`` (see ``siyi calibrate``)."""
    name = "data/calibration_2020.json"
    try:
        values = json.loads(resources.files("siyi_sim").joinpath(name).read_text(encoding="utf-8"))["values"]
        if not isinstance(values, dict):
            raise TypeError("'values' is not an object")
        for key, value in values.items():
            if key not in known_keys() or isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"entry {key!r}: {value!r} is not a numeric value of a known parameter")
    except (OSError, KeyError, TypeError, ValueError) as err:  # JSONDecodeError is a ValueError
        raise ValueError(f"malformed calibration file siyi_sim/{name}: {err} (rerun `siyi calibrate`)") from None
    return values


#: Calibrated world parameters, loaded once. They are fitted to campaign_2020 but describe the
#: district (firms, policies), so every scenario starts from them: a seed then gives the same
#: world in every scenario and paired comparisons stay on common random numbers.
CALIBRATED: dict[str, Any] = _calibrated_values()
_NO_PLACEMENT = {"campaign.enabled": False, "normalized.enabled": False}
_CAMPAIGN = {"campaign.enabled": True, "normalized.enabled": False}
_FIVE_YEARS = 5 * 365


def _variant(name: str, description: str, **levers: Any) -> Scenario:
    return Scenario(name, description, {**_CAMPAIGN, **{k.replace("__", "."): v for k, v in levers.items()}})


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in [
        Scenario("baseline", "Clear but not close: no placements; firms use ordinary channels only.", _NO_PLACEMENT),
        Scenario(
            "campaign_2020",
            "2020 campaign: 10 batches x 50 firms x 2 cadres x 15 days, ordering, five-ones, follow-up, desk, "
            "safeguards.",
            _CAMPAIGN,
        ),
        Scenario(
            "normalized_promotion",
            "5 years: cadres promoted, re-graded, transferred, newly hired or in Party school in month m are "
            "placed in month m+1, unless placed within the last year.",
            {"campaign.enabled": False, "normalized.enabled": True, "run.days": _FIVE_YEARS},
        ),
        Scenario(
            "campaign_then_normalized",
            "The 2020 campaign, then the normalised mechanism from 2021 on, over 5 years.",
            {**_CAMPAIGN, "normalized.enabled": True, "normalized.start_day": 365, "run.days": _FIVE_YEARS},
        ),
        _variant(
            "random_matching",
            "Campaign with random firm and cadre matching instead of enterprise ordering.",
            placement__matching="random",
        ),
        _variant("placement_7d", "Campaign with 7-day placements.", placement__placement_days=7),
        _variant("placement_30d", "Campaign with 30-day placements.", placement__placement_days=30),
        _variant("no_follow_up", "Campaign without the follow-up obligation after return.", placement__follow_up=False),
        _variant("no_policy_desk", "Campaign without the 18-chief policy-matching desk.", policies__desk_enabled=False),
        _variant(
            "no_safeguards",
            "Campaign without meal subsidy and no-special-arrangement rules.",
            placement__safeguards=False,
        ),
        _variant(
            "formality",
            "Campaign without check-in, supervision or back-to-back evaluation: placement as a formality.",
            placement__checkin=False,
            placement__supervision=False,
            placement__evaluation=False,
        ),
        _variant(
            "same_department_pairs",
            "Campaign with both cadres of a pair from the same department.",
            placement__same_department_pairs=True,
        ),
    ]
}


def scenario_config(name: str, overrides: dict[str, Any] | None = None, days: int | None = None) -> Config:
    """Build the validated Config of a named scenario plus user overrides (user wins)."""
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario '{name}' (known: {', '.join(SCENARIOS)})")
    config = apply_overrides(apply_overrides(Config(), CALIBRATED), SCENARIOS[name].overrides)
    if overrides:
        config = apply_overrides(config, overrides)
    if days is not None:
        config = apply_overrides(config, {"run.days": days})
    return config
