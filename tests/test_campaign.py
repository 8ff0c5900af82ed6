"""campaign_2020 structure: 992 cadres in pairs, one firm per pair, totals of the right order."""

from collections import Counter

import pytest

from siyi_sim.metrics import FACTS_2020

TOTALS = {k: v for k, v in FACTS_2020.items() if k != "cadres_placed"}


def test_campaign_places_992_cadres_in_pairs(campaign_run):
    s, model = campaign_run.summary, campaign_run.model
    assert abs(s["cadres_placed"] - 992) <= 10
    assert s["cadres_placed"] == 2 * s["placements"]  # each cadre placed once, in a pair
    assert Counter(a.batch for a in model.placements).keys() == set(range(1, 11))
    assert max(Counter(a.batch for a in model.placements).values()) <= 50
    assert all(a.length == 15 for a in model.placements)
    firms_per_placement = Counter(a.firm for a in model.placements)
    assert max(firms_per_placement.values()) == 1  # the campaign serves each firm once


def test_pairs_are_cross_department(campaign_run):
    dept = campaign_run.model.cadres.dept
    cross = [dept[a.cadres[0]] != dept[a.cadres[1]] for a in campaign_run.model.placements]
    assert sum(cross) / len(cross) > 0.95


@pytest.mark.parametrize("key,target", TOTALS.items())
def test_totals_within_factor_two_of_2020(campaign_run, key, target):
    assert target / 2 <= campaign_run.summary[key] <= target * 2


def test_campaign_beats_baseline_on_closeness(campaign_run, baseline_run):
    c, b = campaign_run.summary, baseline_run.summary
    assert c["strong_tie_share"] > b["strong_tie_share"]
    assert c["mean_owner_trust"] > b["mean_owner_trust"]
    assert c["issues_resolved_total"] > b["issues_resolved_total"]
    assert c["mean_cadre_attitude"] > b["mean_cadre_attitude"]
