"""Each mechanism of MODEL.md §5 on its own: switch it off or change it, and its effect goes."""

import numpy as np
import pytest
from conftest import SMALL

import siyi_sim
from siyi_sim.catalog import DEPT, ISSUE
from siyi_sim.issues import CH_FOLLOW_UP, CH_TIE, RESOLVED
from siyi_sim.model import SiyiModel
from siyi_sim.networks import TieTable
from siyi_sim.processes import trust
from siyi_sim.processes.absence import Absence
from siyi_sim.processes.placement import Placements
from siyi_sim.scenarios import scenario_config


def _chain_firm_model(seed=4, **overrides):
    cfg = scenario_config("baseline", {**SMALL, "disclosure.fear_weight": 0.0, **overrides})
    model = SiyiModel(cfg, seed=seed)
    iss = model.issues
    permits = np.flatnonzero((iss.view("type") == ISSUE["discharge_permit"]) & iss.view("legacy"))
    assert len(permits), "population has legacy chains"
    return model, permits


def _cadre_of(model, dept, exclude=()):
    return int(next(c for c in np.flatnonzero(model.cadres.dept == dept) if c not in exclude))


def _place_and_run(model, firm, pair, days):
    placement = model.submodel(Placements).place_pair(model, firm, pair, "test", 1)
    for _ in range(days):
        model.step()
    return placement


def test_legacy_chain_needs_inside_push():
    """Permit <- EIA <- land use resolves in the placement only with ecology + planning (case 1)."""
    solved = {}
    for label, depts in {
        "inside": ("ecology_environment", "planning_natural_resources"),
        "outside": ("tax", "commerce"),
    }.items():
        model, permits = _chain_firm_model(**{"disclosure.sensitivity_scale": 0.3, "placement.follow_up": False})
        permit = int(permits[0])
        firm = int(model.issues.firm[permit])
        a = _cadre_of(model, DEPT[depts[0]])
        b = _cadre_of(model, DEPT[depts[1]])
        _place_and_run(model, firm, (a, b), 15)
        solved[label] = model.issues.status[permit] == RESOLVED
        if solved[label]:
            chain = [permit, int(model.issues.prereq[permit]), int(model.issues.prereq[model.issues.prereq[permit]])]
            days = model.issues.day_resolved[chain]
            assert days[0] > days[1] > days[2]  # land use, then EIA, then permit
    assert solved == {"inside": True, "outside": False}


def test_legacy_chains_stay_stuck_without_placement():
    result = siyi_sim.simulate("baseline", seed=2, days=730, overrides=SMALL)
    iss = result.model.issues
    permits = (iss.view("type") == ISSUE["discharge_permit"]) & iss.view("legacy")
    assert permits.sum() >= 10
    assert (iss.view("status")[permits] == RESOLVED).mean() < 0.1  # median wait > 2 years


def test_adversarial_edge_starts_lower():
    model = SiyiModel(scenario_config("baseline", SMALL), seed=1)
    firm = int(np.flatnonzero(model.firms.enforced_by_dept == DEPT["ecology_environment"])[0])
    enforcer = _cadre_of(model, DEPT["ecology_environment"])
    neutral = _cadre_of(model, DEPT["tax"])
    p = model.submodel(Placements).place_pair(model, firm, (enforcer, neutral), "test", 1)
    t = model.ties.trust[p.ties]
    g = model.firms.trust[firm]
    assert t[1] == pytest.approx(g)
    assert t[0] == pytest.approx(g * (1 - model.cfg.trust.adversarial_penalty))
    assert model.ties.adversarial[p.ties].tolist() == [True, False]


def test_trust_formulas_bounded_and_directional():
    t = np.array([0.0, 0.3, 0.9, 1.0])
    up = trust.daily_update(t, np.ones(4, bool), np.zeros(4, bool), 0.1, 1.0, 0.1)
    line = trust.daily_update(t, np.ones(4, bool), np.ones(4, bool), 0.1, 1.0, 0.1)
    down = trust.daily_update(t, np.zeros(4, bool), np.zeros(4, bool), 0.1, 1.0, 0.1)
    assert np.all(up >= t) and np.all(line >= up) and np.all(down <= t)
    assert np.all((line >= 0) & (line <= 1))
    assert trust.solved_bump(np.array([0.5]), 0.2, 2)[0] == pytest.approx(1 - 0.5 * 0.8**2)
    assert trust.owner_update(np.array([0.2]), np.array([0.8]), 0.5)[0] == pytest.approx(0.5)


def test_ties_decay_lazily_and_contact_refreshes():
    ties = TieTable(decay_per_day=0.01)
    row, created = ties.get_or_add(1, 2, 0.8, day=0, batch=1, adversarial=False)
    assert created and ties.get_or_add(1, 2, 0.1, 5, 1, False) == (row, False)
    assert ties.current(100)[0] == pytest.approx(0.8 * 0.99**100)
    ties.touch(np.array([row]), 100, refresh=0.5)
    t100 = 0.8 * 0.99**100
    assert ties.current(100)[0] == pytest.approx(t100 + 0.5 * (1 - t100))


def test_fear_delays_sensitive_disclosure(campaign_run):
    fearless = siyi_sim.run("campaign_2020", seed=11, **{"disclosure.fear_weight": 0.0})
    assert (
        fearless["median_first_sensitive_disclosure_day"]
        < campaign_run.summary["median_first_sensitive_disclosure_day"]
    )


def test_formality_raises_absence():
    campaign = siyi_sim.run("campaign_2020", seed=3, **SMALL)
    formality = siyi_sim.run("formality", seed=3, **SMALL)
    assert formality["absence_rate"] > 2 * campaign["absence_rate"]


def test_follow_up_backlog_and_first_call_ties(campaign_run):
    by_channel = campaign_run.model.counters.issues_resolved_by_channel
    assert by_channel[CH_FOLLOW_UP] > 0 and by_channel[CH_TIE] > 0
    no_follow = siyi_sim.simulate("no_follow_up", seed=11)
    assert no_follow.model.counters.issues_resolved_by_channel[CH_FOLLOW_UP] == 0
    assert no_follow.summary["five_ones_completion"] < campaign_run.summary["five_ones_completion"]


def test_owners_come_when_invited_through_their_cadre(campaign_run, baseline_run):
    c = campaign_run.summary
    assert c["owner_attendance_via_cadre"] > baseline_run.summary["owner_meeting_attendance"] + 0.3
    assert c["owner_meeting_attendance"] > baseline_run.summary["owner_meeting_attendance"]


def test_safeguards_cut_program_incidents(campaign_run):
    no_safe = siyi_sim.run("no_safeguards", seed=11)
    assert no_safe["integrity_incidents_program"] > 2 * campaign_run.summary["integrity_incidents_program"]


def test_mindset_spills_over_to_department_speed(campaign_run, baseline_run):
    c, b = campaign_run.summary, baseline_run.summary
    assert c["mean_department_speed"] > b["mean_department_speed"]
    cadres, base = campaign_run.model.cadres, baseline_run.model.cadres
    same = cadres.original & base.original  # slots held by the same person in both runs
    rise = cadres.attitude - base.attitude  # against the same seed's baseline (decay and turnover in both)
    assert rise[same & ~cadres.never_placed].mean() > 0.05
    assert rise[same & cadres.never_placed].mean() > 0  # through colleagues (model v2)


def test_policy_desk_matches_more_policies(campaign_run):
    no_desk = siyi_sim.run("no_policy_desk", seed=11)
    assert no_desk["program_policies_matched"] < 0.8 * campaign_run.summary["program_policies_matched"]


def test_ordering_serves_firms_with_more_difficulties():
    cfg = scenario_config("campaign_2020", SMALL)
    model = SiyiModel(cfg, seed=2)
    placements = model.submodel(Placements)
    counts = placements.open_issue_counts(model)
    rng = np.random.default_rng(0)
    eligible = np.ones(model.firms.n, bool)
    picked = np.concatenate([placements.select_firms(model, 50, eligible, rng) for _ in range(20)])
    assert counts[picked].mean() > counts.mean() + 0.3


def test_same_department_pairs_lever():
    # departments are read at the end of the run: careers (transfers after a placement) switched off
    result = siyi_sim.simulate("same_department_pairs", seed=2, overrides={**SMALL, "careers.enabled": False})
    dept = result.model.cadres.dept
    same = [dept[a.cadres[0]] == dept[a.cadres[1]] for a in result.model.placements]
    assert np.mean(same) > 0.9


def test_normalized_places_promoted_cadres_next_month():
    result = siyi_sim.simulate("normalized_promotion", seed=1, days=365, overrides=SMALL)
    model = result.model
    rates = model.cfg.careers  # career events (v2): promoted, re-graded, transferred, hired, Party school
    expected_per_year = (
        rates.promotion_rate + rates.regrade_rate + rates.transfer_rate + rates.party_school_rate + rates.exit_rate
    ) * model.cadres.n
    placed = 2 * len(model.placements)
    assert 0.5 * expected_per_year * 11 / 12 <= placed <= 1.5 * expected_per_year
    assert min(a.start_day for a in model.placements) >= model.cfg.normalized.month_days


def test_policy_eligibility_follows_size_sector_and_flags():
    from siyi_sim.population import POLICY_FLAGS

    model = SiyiModel(scenario_config("baseline", SMALL), seed=6)
    pol, firms = model.policies, model.firms
    f, q = pol.pair_firm, pol.pair_policy
    assert len(f) > 0
    assert np.all(~pol.small_only[q] | (firms.size_class[f] <= 1))
    assert np.all(pol.sectors[q, firms.sector[f]])
    needs = {
        "hiring_gap": firms.hiring_gap > 0,
        "credit_need": firms.credit_need_yuan > 0,
        "patentable": firms.patentable,
    }
    for k, name in enumerate(POLICY_FLAGS):
        if name in needs:
            assert np.all(needs[name][f[pol.requires[q] == k]])
    assert np.all(np.diff(f) >= 0) and pol.firm_ptr[-1] == len(f)


class AlwaysAbsent(Absence):
    """An absence submodel under which no placed cadre ever turns up."""

    def probability(self, model, attitude, invited):
        return np.ones_like(attitude)


def test_desk_needs_a_cadre_present():
    """The desk works through the placed cadres: no cadre present, no policy matched."""
    model = SiyiModel(scenario_config("baseline", SMALL), seed=2)
    firm = int(np.argmax(np.diff(model.policies.firm_ptr)))  # the firm with most eligible policies
    pair = (_cadre_of(model, DEPT["tax"]), _cadre_of(model, DEPT["commerce"]))
    usual = model.replace_submodel("absence", AlwaysAbsent())
    _place_and_run(model, firm, pair, 15)
    assert model.placements[0].present_days.sum() == 0
    assert model.placements[0].policies == 0 and model.counters.program_policies == 0
    model.replace_submodel("absence", usual)
    _place_and_run(model, firm, pair, 15)
    assert model.placements[1].policies > 0
