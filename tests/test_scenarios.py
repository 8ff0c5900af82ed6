"""Every scenario runs; each one-lever variant switches its lever; config validation."""

import pytest
from conftest import SMALL

import siyi_sim
from siyi_sim.config import Config, apply_overrides, parameter_table
from siyi_sim.scenarios import SCENARIOS, scenario_config

REQUIRED = {
    "baseline",
    "campaign_2020",
    "normalized_promotion",
    "campaign_then_normalized",
    "random_matching",
    "placement_7d",
    "placement_30d",
    "no_follow_up",
    "no_policy_desk",
    "no_safeguards",
    "formality",
    "same_department_pairs",
}


def test_required_scenarios_exist():
    assert set(SCENARIOS) >= REQUIRED


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_each_scenario_runs(name):
    s = siyi_sim.run(name, seed=2, days=400, **SMALL)
    assert s["scenario"] == name and s["days"] == 400
    if name == "baseline":
        assert s["cadres_placed"] == 0
    else:
        assert s["cadres_placed"] > 0


def test_variants_differ_from_campaign_in_one_lever_only():
    base = scenario_config("campaign_2020").flat()
    for name in REQUIRED - {"baseline", "campaign_2020", "normalized_promotion", "campaign_then_normalized"}:
        changed = {k for k, v in scenario_config(name).flat().items() if base[k] != v}
        assert 1 <= len(changed) <= 3, (name, changed)
        assert all(k.startswith(("placement.", "policies.")) for k in changed)


def test_normalized_scenarios_span_five_years():
    assert scenario_config("normalized_promotion").run.days == 5 * 365
    assert not scenario_config("normalized_promotion").campaign.enabled


def test_every_parameter_is_documented():
    rows = parameter_table()
    assert len(rows) > 80
    for row in rows:
        assert row.unit and row.reason and row.range, row.key


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"trust.nope": 1}, "unknown parameter 'trust.nope'"),
        ({"trust.alpha": 1.5}, "invalid value 1.5 for 'trust.alpha'"),
        ({"trust.alpha": "high"}, "invalid value 'high' for 'trust.alpha'"),
        ({"population.n_cadres": 2.5}, "invalid value 2.5 for 'population.n_cadres'"),
        ({"run.days": float("inf")}, "must be finite"),
        ({"placement.matching": "lottery"}, "placement.matching"),
    ],
)
def test_bad_overrides_raise_value_error_naming_the_key(overrides, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        apply_overrides(Config(), overrides)


def test_unknown_scenario():
    with pytest.raises(ValueError, match="unknown scenario 'nope'"):
        scenario_config("nope")


def test_bare_unique_key_is_accepted():
    assert apply_overrides(Config(), {"alpha": 0.2}).trust.alpha == 0.2
