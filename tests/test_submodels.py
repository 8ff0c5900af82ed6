"""Submodels one by one: each lever or mechanism without a test of its own moves what it should.

Also the submodel machinery: the event log observes without changing a run, and a knock-out
swaps a submodel for a null one.
"""

import numpy as np
import pytest
from conftest import SMALL

import siyi_sim
from siyi_sim.events import (
    ImproperExchange,
    Inspection,
    IssueResolved,
    MeetingAttended,
    PlacementStarted,
    Promotion,
    WorkersHired,
)
from siyi_sim.model import SiyiModel, default_submodels
from siyi_sim.processes.base import NullSubmodel
from siyi_sim.processes.finance import Finance
from siyi_sim.processes.placement import Placements
from siyi_sim.processes.trust import Trust
from siyi_sim.scenarios import scenario_config


def _department_match_share(model) -> float:
    """Share of pairs with a cadre of the department of an open issue the firm had at the start."""
    iss = model.issues
    hits = []
    for a in model.placements:
        mine = (
            (iss.view("firm") == a.firm)
            & (iss.view("day_created") <= a.start_day)
            & ~((iss.view("day_resolved") < a.start_day) & (iss.view("day_resolved") > -(10**9)))
        )
        depts = set(iss.view("dept")[mine].tolist())
        hits.append(any(int(model.cadres.dept[c]) in depts for c in a.cadres))
    return float(np.mean(hits))


def test_random_matching_lowers_the_department_match_of_pairs():
    ordering = [
        _department_match_share(siyi_sim.simulate("campaign_2020", seed=s, overrides=SMALL).model) for s in (1, 2)
    ]
    random = [
        _department_match_share(siyi_sim.simulate("random_matching", seed=s, overrides=SMALL).model) for s in (1, 2)
    ]
    assert np.mean(ordering) > np.mean(random) + 0.15, (ordering, random)


def test_longer_placements_build_more_trust_and_solve_more():
    short = [siyi_sim.simulate("placement_7d", seed=s, overrides=SMALL).model for s in (1, 2)]
    long = [siyi_sim.simulate("placement_30d", seed=s, overrides=SMALL).model for s in (1, 2)]

    def per_placement(models):
        solved = np.mean([a.solved for m in models for a in m.placements])
        trust = np.mean([max(a.evaluation) for m in models for a in m.placements if a.evaluation])
        return solved, trust

    (solved7, eval7), (solved30, eval30) = per_placement(short), per_placement(long)
    assert all(a.length == 7 for m in short for a in m.placements)
    assert solved30 > 1.5 * solved7
    assert eval30 > eval7  # presence, solving and the owner's trust at the close
    strong7 = np.mean([m.summary()["strong_tie_share"] for m in short])
    strong30 = np.mean([m.summary()["strong_tie_share"] for m in long])
    assert strong30 > strong7


def test_the_job_fair_fills_a_hiring_gap_over_weeks_not_at_once():
    model = SiyiModel(scenario_config("baseline", {**SMALL, "run.days": 120}), seed=3, record_events=True)
    firm = int(np.flatnonzero(model.firms.hiring_gap == 0)[0])
    model.firms.hiring_gap[firm] = 200
    model.submodel(Finance).enter_jobfair(model, np.array([firm]), program=True)
    assert model.firms.hiring_gap[firm] == 0  # the gap is now the job fair's
    hired_by_day = np.zeros(120, dtype=np.int64)
    model.run_to_end()
    for e in model.events:
        if isinstance(e, WorkersHired) and e.firm == firm:
            hired_by_day[e.day] += e.workers
    filled = np.cumsum(hired_by_day) / 200
    fill = model.cfg.finance.jobfair_fill_per_day
    assert filled[0] < 3 * fill  # a few workers on day one
    assert filled[13] < 0.6  # not filled after two weeks
    assert filled[89] > 0.9  # mostly filled within three months
    assert np.all(np.diff(filled) >= 0)


def test_an_inspection_raises_the_firms_fear_and_nothing_else_does():
    cfg = scenario_config("baseline", {**SMALL, "run.days": 60, "background.inspection_rate_per_firm_year": 3.0})
    model = SiyiModel(cfg, seed=5, record_events=True)
    fear0 = model.firms.fear.copy()
    model.run_to_end()
    inspected = np.zeros(model.firms.n, dtype=bool)
    inspected[[e.firm for e in model.events if isinstance(e, Inspection)]] = True
    assert inspected.sum() > 50
    assert np.all(model.firms.fear[inspected] > fear0[inspected])
    np.testing.assert_array_equal(model.firms.fear[~inspected], fear0[~inspected])


def test_a_promotion_raises_rank_in_the_normalised_mechanism():
    model = SiyiModel(scenario_config("normalized_promotion", {**SMALL, "run.days": 200}), seed=2, record_events=True)
    rank0 = model.cadres.rank.copy()
    model.run_to_end()
    promotions = [e for e in model.events if isinstance(e, Promotion)]
    times = np.bincount([e.cadre for e in promotions], minlength=model.cadres.n)
    assert times.sum() > 5
    same = model.cadres.original  # slots whose holder did not leave (a hire starts at general rank)
    np.testing.assert_array_equal(model.cadres.rank[same], np.maximum(rank0 - times, 0)[same])
    assert (model.cadres.rank < rank0).sum() > 0


# --- the machinery -------------------------------------------------------------------------------


def test_the_event_log_observes_without_changing_the_run():
    plain = siyi_sim.simulate("campaign_2020", seed=4, overrides=SMALL)
    cfg = scenario_config("campaign_2020", SMALL)
    model = SiyiModel(cfg, seed=4, scenario_name="campaign_2020", record_events=True)
    model.run_to_end()
    assert plain.model.events is None
    assert model.summary() == plain.summary
    s, events = model.summary(), model.events
    assert sum(isinstance(e, IssueResolved) for e in events) == s["issues_resolved_total"]
    assert sum(isinstance(e, PlacementStarted) for e in events) == s["placements"]
    assert sum(isinstance(e, ImproperExchange) for e in events) == s["integrity_incidents"]
    assert sum(isinstance(e, ImproperExchange) and e.detected for e in events) == s["integrity_detected"]
    assert sum(isinstance(e, WorkersHired) and e.program for e in events) > 0
    assert sum(e.workers for e in events if isinstance(e, WorkersHired)) == s["hires_total"]


def test_a_null_submodel_knocks_out_its_mechanism():
    cfg = scenario_config("campaign_2020", {**SMALL, "run.days": 200})
    model = SiyiModel(cfg, seed=1, submodels={"meetings": NullSubmodel("meetings")}, record_events=True)
    model.run_to_end()
    assert model.counters.meeting_invitations == 0
    assert not any(isinstance(e, MeetingAttended) for e in model.events)
    assert len(model.placements) > 0  # the rest of the day still runs


def test_submodels_run_in_the_order_of_the_day_and_others_cannot_be_nulled():
    names = [s.name for s in default_submodels()]
    day = ["placement", "followup", "arrivals", "ordinary", "policies", "inspections", "finance", "integrity"]
    assert [n for n in names if n in day] == day
    assert len(set(names)) == len(names)
    model = SiyiModel(scenario_config("campaign_2020", SMALL), seed=1, submodels={"trust": NullSubmodel("trust")})
    with pytest.raises(TypeError, match="trust"):
        model.submodel(Trust)
    with pytest.raises(ValueError, match="unknown submodel"):
        SiyiModel(scenario_config("baseline", SMALL), seed=1, submodels={"nosuch": NullSubmodel()})


def test_place_pair_refuses_a_busy_firm_or_cadre_and_a_pair_of_one():
    model = SiyiModel(scenario_config("baseline", SMALL), seed=1)
    placements = model.submodel(Placements)
    placements.place_pair(model, 0, (0, 1))
    with pytest.raises(ValueError, match="hosts a pair"):
        placements.place_pair(model, 0, (2, 3))
    with pytest.raises(ValueError, match="in a placement now"):
        placements.place_pair(model, 1, (1, 2))
    with pytest.raises(ValueError, match="two distinct"):
        placements.place_pair(model, 1, (2, 2))
    assert len(model.placements) == 1  # nothing half started
