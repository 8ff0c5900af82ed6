"""Costs and net effects (model v2, issue 11 points 5, 6 and the new-issue median of point 9)."""

import math

import numpy as np
import pandas as pd
import pytest

from siyi_sim.analysis.stats import km_median
from siyi_sim.experiments.compare import (
    check_metrics,
    cost_effectiveness,
    format_cost_effectiveness,
    net_first,
    ratio_of_paired_means,
)
from siyi_sim.issues import RESOLVED
from siyi_sim.model import SiyiModel
from siyi_sim.processes.costs import Costs
from siyi_sim.scenarios import scenario_config

SMALL = {"population.n_cadres": 400, "population.n_enterprises": 800, "campaign.firms_per_batch": 20}


def _run(scenario="campaign_2020", seed=1, **overrides):
    m = SiyiModel(scenario_config(scenario, {**SMALL, **overrides}), seed=seed)
    m.run_to_end()
    return m


@pytest.fixture(scope="module")
def campaign():
    return _run()


# --- point 5: what the program costs ----------------------------------------------------------


def test_the_baseline_costs_nothing_and_loses_no_capacity():
    s = _run("baseline", **{"run.days": 120}).summary()
    assert s["program_cost_yuan"] == 0 and s["ordinary_capacity_lost_cadre_days"] == 0 and s["cadre_days_placed"] == 0


def test_every_placement_day_takes_two_cadres_from_their_departments(campaign):
    s = campaign.summary()
    assert s["cadre_days_placed"] == sum(2 * a.days_done for a in campaign.placements)
    assert s["cadre_days_placed"] > 0


def test_follow_up_desk_and_training_cost_cadre_time_beyond_the_placement_days(campaign):
    s = campaign.summary()
    costs = campaign.submodel(Costs)
    assert costs.followup_days > 0 and costs.contact_days > 0 and costs.desk_days > 0
    assert s["ordinary_capacity_lost_cadre_days"] > s["cadre_days_placed"]
    no_follow_up = _run(**{"placement.follow_up": False}).submodel(Costs)
    assert no_follow_up.followup_days < costs.followup_days


def test_program_cost_is_cadre_time_at_pay_plus_the_meal_subsidy(campaign):
    s = campaign.summary()
    unpaid = _run(**{"costs.cadre_day_yuan": 0.0}).summary()
    meals = 500.0 * unpaid["placements"]
    assert unpaid["program_cost_yuan"] == pytest.approx(meals)
    pay = campaign.cfg.costs.cadre_day_yuan
    assert s["program_cost_yuan"] == pytest.approx(s["ordinary_capacity_lost_cadre_days"] * pay + meals)


def test_longer_placements_cost_more():
    short = _run(**{"placement.placement_days": 10}).summary()
    long = _run(**{"placement.placement_days": 20}).summary()
    assert long["cadre_days_placed"] > 1.5 * short["cadre_days_placed"]
    assert long["program_cost_yuan"] > short["program_cost_yuan"]


def test_departments_know_who_is_away_today():
    m = SiyiModel(scenario_config("campaign_2020", {**SMALL, "run.days": 130}), seed=1)
    m.run_to_end()  # day 116 opens batch 1: pairs are inside firms on day 129
    away = m.submodel(Costs).away_by_department(m)
    assert away.sum() == 2 * len(m.active) > 0


# --- point 6: net, not gross ------------------------------------------------------------------


def test_policies_the_firm_already_knew_are_counted_as_deadweight(campaign):
    s = campaign.summary()
    assert 0 < s["program_policies_known_before"] < s["program_policies_matched"]


def test_nothing_is_known_before_when_firms_know_no_policy():
    s = _run(**{"population.policy_awareness_mean": 0.0, "policies.self_uptake_per_year": 0.0}).summary()
    assert s["program_policies_matched"] > 0 and s["program_policies_known_before"] == 0


def test_nearly_every_program_claim_is_deadweight_when_firms_know_nearly_every_policy():
    s = _run(**{"population.policy_awareness_mean": 1.0}).summary()  # awareness is Beta with mean 0.999
    assert s["program_policies_matched"] > 0
    assert s["program_policies_known_before"] >= 0.95 * s["program_policies_matched"]


def test_ratio_of_paired_means_recovers_a_known_cost_per_outcome():
    rng = np.random.default_rng(0)
    dy = rng.normal(50.0, 5.0, 30)
    dc = 2_000.0 * dy + rng.normal(0.0, 3_000.0, 30)
    r = ratio_of_paired_means(dc, dy)
    assert r["ratio"] == pytest.approx(dc.mean() / dy.mean())
    assert r["ratio_ci_low"] < 2_000.0 < r["ratio_ci_high"]
    assert r["ratio_ci_high"] - r["ratio_ci_low"] < 200.0
    assert r["estimable"]


def test_no_price_for_an_outcome_that_did_not_rise():
    r = ratio_of_paired_means([1e6, 2e6, 1.5e6], [-1.0, 0.0, -2.0])
    assert math.isnan(r["ratio"]) and not r["estimable"]
    noisy = ratio_of_paired_means([1e6, 1e6, 1e6], [30.0, -20.0, 1.0])
    assert noisy["ratio"] > 0 and not noisy["estimable"]


def _runs_frame():
    rows = []
    for rep in range(4):
        base = {"point": 0, "replication": rep, "days": 365, "n_enterprises": 1000}
        rows.append({**base, "scenario": "baseline", "program_cost_yuan": 0.0, "issues_resolved_total": 100 + rep,
                     "strong_tie_share": 0.0})  # fmt: skip
        rows.append({**base, "scenario": "campaign_2020", "program_cost_yuan": 1e6 * (1 + 0.1 * rep),
                     "issues_resolved_total": 150 + 2 * rep, "strong_tie_share": 0.1})  # fmt: skip
    return pd.DataFrame(rows)


def test_cost_effectiveness_pairs_replications_and_prices_net_outcomes():
    table = cost_effectiveness(_runs_frame(), "baseline").set_index("outcome")
    issues = table.loc["issues_resolved_total"]
    assert issues["outcome_diff_mean"] == pytest.approx(np.mean([50 + r for r in range(4)]))
    assert issues["ratio"] == pytest.approx(1.15e6 / 51.5)
    assert table.loc["strong_tie_firms", "ratio"] == pytest.approx(1.15e6 / 100)
    text = format_cost_effectiveness(table.reset_index(), "baseline")
    assert "per additional issue solved" in text and "per additional firm with a strong cadre tie" in text


def test_compare_leads_with_net_outcomes_before_gross_program_counts():
    ordered = net_first(["program_issues_resolved", "mean_owner_trust", "issues_resolved_total", "program_cost_yuan"])
    assert ordered.index("issues_resolved_total") < ordered.index("program_issues_resolved")
    assert ordered.index("mean_owner_trust") < ordered.index("program_cost_yuan")
    runs = pd.DataFrame({"scenario": ["a"], "program_issues_resolved": [1.0], "issues_resolved_total": [2.0]})
    assert check_metrics(runs, None)[0] == "issues_resolved_total"  # what `siyi compare` uses by default


# --- point 9: median days to resolve, new issues only -----------------------------------------


def test_median_days_to_resolve_new_is_the_kaplan_meier_median_of_issues_arising_in_the_run(campaign):
    iss = campaign.issues
    new = iss.view("day_created") >= 0
    solved = (iss.view("status") == RESOLVED)[new]
    duration = np.where(solved, iss.view("day_resolved")[new], campaign.day) - iss.view("day_created")[new]
    expected = km_median(duration, solved)
    assert campaign.summary()["median_days_to_resolve_new"] == pytest.approx(expected)
    # censoring matters: the median of solved issues alone is shorter
    assert expected > np.median(duration[solved])


def test_clearing_old_legacy_issues_does_not_lengthen_the_new_issue_median(campaign):
    """The old key rises when a placement clears years-old issues; the new key ignores them."""
    s = campaign.summary()
    iss = campaign.issues
    old_solved = (iss.view("day_created") < 0) & (iss.view("status") == RESOLVED) & (iss.view("day_resolved") >= 0)
    assert old_solved.any()
    iss.day_created[np.flatnonzero(old_solved)] = -5000  # make the old ones much older
    again = campaign.summary()
    assert again["median_days_to_resolve_new"] == s["median_days_to_resolve_new"]
    assert again["median_days_to_resolve"] >= s["median_days_to_resolve"]


def test_an_indicator_that_is_na_in_every_run_compares_as_nan_not_as_an_error():
    """A short run reaches no median of new issues (None): comparisons still run, with NaN there."""
    from siyi_sim.experiments.compare import paired_comparison

    runs = _runs_frame().assign(median_days_to_resolve_new=None)
    table = paired_comparison(runs, "baseline", ["median_days_to_resolve_new", "issues_resolved_total"])
    row = table[(table.scenario == "campaign_2020") & (table.metric == "median_days_to_resolve_new")].iloc[0]
    assert math.isnan(row["diff_mean"])


def test_the_brief_prices_each_additional_net_outcome_and_skips_old_results():
    from siyi_sim.analysis.brief import cost_html

    html = cost_html(_runs_frame(), "baseline", "en")
    assert "per additional issue solved" in html and "22,330 yuan" in html  # 1.15e6 / 51.5
    assert cost_html(_runs_frame().drop(columns="program_cost_yuan"), "baseline", "en") == ""
    assert "每多解决一个问题" in cost_html(_runs_frame(), "baseline", "zh")
