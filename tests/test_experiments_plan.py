"""Experiment files, run keys and common random numbers (no model runs needed)."""

from __future__ import annotations

import pytest

from siyi_sim.experiments.keys import run_key, seed_for
from siyi_sim.experiments.plan import load_plan, parse_plan
from siyi_sim.experiments.specs import expand

GOOD = """
[experiment]
name = "t"
scenarios = ["baseline", "campaign_2020", "alpha_high"]
replications = 3
base_seed = 7
days = 50

[set]
population.n_cadres = 200
"population.n_enterprises" = 400

[grid]
"trust.beta" = [0.08, 0.12]

[variants.alpha_high]
scenario = "campaign_2020"
set = { "trust.alpha" = 0.1 }

[keep]
summary = ["program_issues_resolved"]
daily = ["mean_owner_trust"]
"""


def test_plan_expands_scenarios_times_points_times_replications():
    plan = parse_plan(GOOD)
    specs = expand(plan)
    assert plan.n_runs == len(specs) == 3 * 2 * 3
    assert len({s.run_key for s in specs}) == len(specs)
    assert plan.overrides == {"population.n_cadres": 200, "population.n_enterprises": 400}  # nested TOML keys flattened
    variant = next(s for s in specs if s.scenario == "alpha_high")
    assert variant.base_scenario == "campaign_2020" and variant.overrides["trust.alpha"] == 0.1


def test_replication_r_uses_the_same_seed_in_every_scenario_and_point():
    specs = expand(parse_plan(GOOD))
    for r in range(3):
        assert {s.seed for s in specs if s.replication == r} == {seed_for(7, r)} == {7 + r}


def test_runs_go_out_replication_by_replication():
    specs = expand(parse_plan(GOOD))
    assert [s.replication for s in specs] == sorted(s.replication for s in specs)


def test_run_key_is_stable_and_ignores_how_a_number_was_typed():
    assert (
        run_key("baseline", "baseline", {"trust.alpha": 0.1}, 50, 0, 7) == "9f470a24b0582b69"
    )  # pinned: keys must never change
    typed_int = parse_plan(GOOD.replace("population.n_cadres = 200", "population.n_cadres = 200.0"))
    assert [s.run_key for s in expand(typed_int)] == [s.run_key for s in expand(parse_plan(GOOD))]


def test_more_replications_keep_the_keys_of_the_first_ones():
    plan = parse_plan(GOOD)
    small, big = expand(plan), expand(plan, replications=5)
    assert {s.run_key for s in small} <= {s.run_key for s in big}


def test_points_list_and_default_horizon(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(
        '[experiment]\nscenarios = ["baseline", "normalized_promotion"]\nreplications = 1\n'
        '[[points]]\n"trust.alpha" = 0.05\n[[points]]\n"trust.alpha" = 0.09\n"trust.beta" = 0.2\n'
    )
    plan = load_plan(path)
    assert plan.name == "p" and plan.point_keys == ("trust.alpha", "trust.beta")
    specs = expand(plan)
    assert {s.scenario: s.days for s in specs} == {"baseline": 365, "normalized_promotion": 1825}
    assert specs[0].params == {"trust.alpha": 0.05, "trust.beta": 0.12}  # the value the run used


@pytest.mark.parametrize(
    "text, message",
    [
        ("[experiment\n", "malformed TOML"),
        ("[experiment]\nscenarios = ['baseline']\n", "replications is missing"),
        ("[experiment]\nscenarios = ['baseline']\nreplications = 0\n", "replications must be >= 1"),
        ("[experiment]\nscenarios = ['baseline']\nreplications = -3\n", "replications must be >= 1"),
        ("[experiment]\nscenarios = ['baseline']\nreplications = 2.5\n", "replications must be an integer"),
        ("[experiment]\nscenarios = []\nreplications = 1\n", "non-empty list"),
        ("[experiment]\nscenarios = ['baseline', 'baseline']\nreplications = 1\n", "listed twice"),
        ("[experiment]\nscenarios = ['baseline']\nreplications = 1\nbase_seed = -1\n", "base_seed must be >= 0"),
        ("[experiment]\nscenarios = ['baseline']\nreplications = 1\ndays = 0\n", "days must be >= 1"),
        ("[experiment]\nscenarios = ['baseline']\nreplications = 1\nreps = 1\n", "unknown key in [experiment] 'reps'"),
        ("[experiment]\nscenarios = ['baseline']\nreplications = 1\n[grid]\n'trust.alpha' = []\n", "non-empty list"),
        (
            "[experiment]\nscenarios = ['baseline']\nreplications = 1\n[grid]\n'trust.alpha' = [0.1]\n"
            "[[points]]\n'trust.alpha' = 0.1\n",
            "either [grid] or [[points]]",
        ),
        ("[experiment]\nscenarios = ['baseline']\nreplications = 1\n[keep]\ndaily = 3\n", "keep.daily"),
        ("[experiment]\nscenarios = ['baseline']\nreplications = 1\n[extra]\n", "unknown top-level table 'extra'"),
    ],
)
def test_malformed_experiment_files_are_one_line_value_errors(text, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")) as err:
        expand(parse_plan(text, "bad.toml"))
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "body, message",
    [
        ("scenarios = ['baseline', 'no_such']\nreplications = 1\n", "unknown scenario 'no_such'"),
        ("scenarios = ['baseline']\nreplications = 1\n[set]\n'trust.nope' = 1\n", "unknown parameter 'trust.nope'"),
        ("scenarios = ['baseline']\nreplications = 1\n[set]\n'alpha' = 0.1\n", "write it as section.key"),
        (
            "scenarios = ['baseline']\nreplications = 1\n[set]\n'trust.alpha' = 1.5\n",
            "invalid value 1.5 for 'trust.alpha'",
        ),
        ("scenarios = ['baseline']\nreplications = 1\n[grid]\n'population.n_cadres' = [300, 5]\n", "point 2"),
        ("scenarios = ['baseline']\nreplications = 1\n[keep]\nsummary = ['nope']\n", "unknown summary key 'nope'"),
        (
            "scenarios = ['baseline']\nreplications = 1\n[variants.v]\nscenario = 'campaign_2020'\n",
            "not listed in experiment.scenarios",
        ),
        ("scenarios = ['v']\nreplications = 1\n[variants.v]\nscenario = 'nope'\n", "based on unknown scenario 'nope'"),
        (
            "scenarios = ['baseline']\nreplications = 1\n[variants.baseline]\nscenario = 'campaign_2020'\n",
            "name of a built-in scenario",
        ),
    ],
)
def test_unknown_names_and_out_of_range_values_are_refused_before_running(body, message):
    with pytest.raises(ValueError, match=message) as err:
        expand(parse_plan("[experiment]\n" + body, "bad.toml"))
    assert "\n" not in str(err.value)


def test_missing_file_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        load_plan(tmp_path / "nope.toml")


@pytest.mark.parametrize("name", ["smoke", "policy_comparison", "promotion_vs_baseline"])
def test_shipped_experiment_files_are_valid(name):
    from pathlib import Path

    plan = load_plan(Path(__file__).parents[1] / "experiments" / f"{name}.toml")
    specs = expand(plan)
    assert len(specs) == plan.n_runs and "baseline" in plan.scenarios


def test_policy_comparison_covers_every_scenario_with_at_least_30_replications():
    from pathlib import Path

    from siyi_sim import SCENARIOS

    plan = load_plan(Path(__file__).parents[1] / "experiments" / "policy_comparison.toml")
    assert set(plan.scenarios) == set(SCENARIOS) and plan.replications >= 30
    promotion = load_plan(Path(__file__).parents[1] / "experiments" / "promotion_vs_baseline.toml")
    assert promotion.scenarios == ("baseline", "normalized_promotion") and promotion.days == 5 * 365
