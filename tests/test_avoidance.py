"""Avoidance (避嫌) and its cure, and the consequences of a detected improper exchange.

Small districts, one year or less: each test shows one link of the mechanism and fails when that
link is cut.
"""

import math

import numpy as np
import pytest

from siyi_sim.events import FirstCall, PlacementStarted, Sanctioned
from siyi_sim.model import SiyiModel
from siyi_sim.processes.avoidance import Avoidance
from siyi_sim.processes.integrity import Integrity
from siyi_sim.processes.trust import Trust

SMALL = {"population.n_cadres": 300, "population.n_enterprises": 600, "campaign.firms_per_batch": 12}


def _model(scenario="baseline", seed=3, events=False, **overrides):
    return SiyiModel(scenario=scenario, seed=seed, record_events=events, **{**SMALL, **overrides})


def _run(scenario="baseline", seed=3, events=False, **overrides):
    m = _model(scenario, seed, events, **overrides)
    m.run_to_end()
    return m


# --- perceived risk and what moves it ----------------------------------------------------------


def test_initial_risk_is_wary_on_average_and_spread():
    m = _model(**{"population.n_cadres": 2000})
    risk = m.submodel(Avoidance).risk(m)
    assert risk.mean() == pytest.approx(0.5, abs=0.02)
    assert risk.min() > 0.0 and risk.max() < 1.0 and risk.std() > 0.1


def test_rule_bound_placement_days_cure_avoidance_and_safeguards_are_part_of_the_cure():
    cured = {}
    for safeguards in (True, False):
        m = _model(**{"placement.safeguards": safeguards})
        av = m.submodel(Avoidance)
        before = av.habit[[4, 9]].copy()
        av.after_placement(m, (4, 9), np.array([15, 5]))
        cured[safeguards] = 1.0 - av.habit[[4, 9]] / before  # share of each cadre's habit cured
        a = m.cfg.avoidance
        cover = a.cure_checkin_share + a.cure_safeguards_share * safeguards
        assert av.habit[[4, 9]] == pytest.approx(before * (1 - a.cure_per_day * cover) ** np.array([15, 5]))
    assert np.all(cured[True] > cured[False]) and np.all(cured[False] > 0)
    assert cured[True][0] > cured[True][1]  # more days present, a larger share cured


#: The same cadres throughout: no leavers replaced by hires with a fresh, uncured habit.
NO_TURNOVER = {"careers.enabled": False}


def test_the_campaign_lowers_placed_cadres_risk_and_leaves_others_alone():
    m = _run("campaign_2020", **{"integrity.ordinary_detect_prob": 0.0, "placement.supervision": False, **NO_TURNOVER})
    start = _model("campaign_2020", **NO_TURNOVER).submodel(Avoidance).habit
    habit = m.submodel(Avoidance).habit
    placed = m.cadre_ever_placed
    assert placed.sum() > 50
    assert np.all(habit[placed] < start[placed])
    assert np.array_equal(habit[~placed], start[~placed])


def test_a_detection_chills_the_department_and_alerts_the_district_for_a_while():
    m = _model()
    av = m.submodel(Avoidance)
    dept = int(m.cadres.dept[0])
    other = (m.cadres.dept != dept) & (np.arange(m.cadres.n) > 0)
    r0 = av.risk(m).copy()
    av.detected(m, np.array([dept]))
    a = m.cfg.avoidance
    assert av.chill[dept] == pytest.approx(a.dept_rise_per_detection)
    assert av.alert == pytest.approx(a.district_rise_per_detection)
    jump = av.risk(m) - r0
    assert jump[m.cadres.dept == dept].min() > jump[other].max() > 0
    days = 90
    for _ in range(days):
        av.step(m)
    assert av.alert == pytest.approx(a.district_rise_per_detection * math.exp(-days / a.memory_days))
    assert av.chill[dept] == pytest.approx(a.dept_rise_per_detection * math.exp(-days / a.memory_days))


# --- risk lowers willingness to engage -----------------------------------------------------------


def test_avoidance_makes_ordinary_service_colder_and_owners_less_trusting():
    """The baseline's distance comes out of avoidance: switched off, more is solved and owners trust more."""
    on, off = _run(), _run(**{"avoidance.enabled": False})
    s_on, s_off = on.summary(), off.summary()
    assert s_off["issues_resolved_total"] > 1.1 * s_on["issues_resolved_total"]
    assert s_off["mean_owner_trust"] > s_on["mean_owner_trust"]
    av, a = on.submodel(Avoidance), on.cfg.avoidance
    depts = np.arange(len(av.chill))
    observed = 1 - a.service_weight * a.initial_risk_mean  # the ordinary speeds are service as observed
    expected = (1 - a.service_weight * av.department_risk(on)) / observed
    assert av.service_factor(on, depts) == pytest.approx(expected)
    assert off.submodel(Avoidance).service_factor(off, depts) == pytest.approx(1 / observed)


def test_owner_trust_rises_when_served_and_falls_when_turned_away():
    m = _model()
    g0 = m.firms.trust[[1, 2, 3]].copy()
    m.submodel(Trust).ordinary_service(m, np.array([1, 1, 2]), np.array([True, True, False]))
    t = m.cfg.trust
    assert m.firms.trust[1] == pytest.approx(1 - (1 - g0[0]) * (1 - t.ordinary_served_gain) ** 2)
    assert m.firms.trust[2] == pytest.approx(g0[1] * (1 - t.ordinary_refused_cut))
    assert m.firms.trust[3] == g0[2]


def _first_calls(**overrides):
    m = _run("campaign_2020", events=True, **overrides)
    return sum(isinstance(e, FirstCall) for e in m.events), m.summary()


WARY = {"avoidance.initial_risk_mean": 0.95, "avoidance.initial_risk_concentration": 200.0}


def test_wary_cadres_answer_fewer_first_calls():
    answered, _ = _first_calls(**WARY, **{"avoidance.first_call_weight": 0.0})
    wary, _ = _first_calls(**WARY, **{"avoidance.first_call_weight": 1.0})
    assert answered > 20
    assert wary < 0.5 * answered


def test_wary_cadres_invite_fewer_owners_through_their_tie():
    invites = {}
    for weight in (0.0, 1.0):
        m = _run("campaign_2020", **WARY, **{"avoidance.invite_weight": weight, "background.meeting_invitees": 300})
        invites[weight] = m.counters.invitations_via_cadre
    assert invites[0.0] > 20
    assert invites[1.0] < 0.5 * invites[0.0]


# --- consequences of a detected exchange ---------------------------------------------------------

#: Many ordinary-channel exchanges, all detected: every mechanism of a detection fires often.
SCANDAL = {"integrity.ordinary_p0": 0.5, "integrity.ordinary_detect_prob": 1.0, "run.days": 200}


def test_a_detection_sanctions_the_cadre_cuts_attitude_and_the_firms_trust():
    # owners' trust moves only by detections here (no response to ordinary service), and cadres'
    # attitude only by sanctions (no decay toward the norm, no peers, no hires into leavers' slots)
    still = {"mindset.decay_per_year": 0.0, "mindset.peer_influence": 0.0, **NO_TURNOVER}
    m = _model(
        events=True, **SCANDAL, **still, **{"trust.ordinary_served_gain": 0.0, "trust.ordinary_refused_cut": 0.0}
    )
    att0, g0 = m.cadres.attitude.copy(), m.firms.trust.copy()
    m.run_to_end()
    sanctions = [e for e in m.events if isinstance(e, Sanctioned)]
    assert len(sanctions) > 10
    cadres = {e.cadre for e in sanctions}
    assert m.summary()["cadres_sanctioned"] == len(cadres)
    assert m.summary()["integrity_detected"] == len(sanctions)
    once = [c for c in cadres if sum(e.cadre == c for e in sanctions) == 1]
    cut = m.cfg.integrity.sanction_attitude_cut
    assert m.cadres.attitude[once] == pytest.approx(att0[once] * (1 - cut))  # attitude moves only by sanctions here
    detections = np.bincount([e.firm for e in sanctions], minlength=m.firms.n)
    trust_cut = m.cfg.integrity.detected_trust_cut
    assert m.firms.trust == pytest.approx(g0 * (1 - trust_cut) ** detections)
    assert all(e.until == e.day + m.cfg.integrity.sanction_days for e in sanctions)


def test_sanctioned_cadres_are_not_placed_and_not_present():
    m = _run("campaign_2020", events=True, **{**SCANDAL, "run.days": 365, "integrity.ordinary_p0": 0.2})
    until: dict[int, list[tuple[int, int]]] = {}
    for e in m.events:
        if isinstance(e, Sanctioned):
            until.setdefault(e.cadre, []).append((e.day, e.until))
    assert len(until) > 20
    starts = [e for e in m.events if isinstance(e, PlacementStarted)]
    assert starts
    for e in starts:
        for c in e.cadres:
            assert not any(d < e.day <= u for d, u in until.get(c, [])), (c, e.day)
    integrity = m.submodel(Integrity)
    assert integrity.sanctioned(m).sum() == (integrity.sanctioned_until >= m.day).sum()


def test_detections_raise_perceived_risk_without_safeguards():
    """The scandal cycle in one pair of runs: more incidents, more detections, more avoidance."""
    loud = {"integrity.p0": 0.2}
    safe = _run("campaign_2020", **loud).summary()
    unsafe = _run("no_safeguards", **loud).summary()
    assert unsafe["integrity_incidents_program"] > safe["integrity_incidents_program"]
    assert unsafe["integrity_detected"] > safe["integrity_detected"]
    assert unsafe["mean_perceived_risk"] > safe["mean_perceived_risk"]


def test_daily_series_show_detections_and_perceived_risk():
    m = _run(**SCANDAL)
    daily = m.daily_frame()
    assert daily["integrity_detected"].is_monotonic_increasing and daily["integrity_detected"].iloc[-1] > 0
    assert daily["mean_perceived_risk"].iloc[-1] == pytest.approx(m.summary()["mean_perceived_risk"])
    assert daily["perceived_risk_from_detections"].max() > 0


def test_a_sanctioned_cadre_is_absent_from_his_placement_and_leaves_his_backlog():
    from siyi_sim.issues import CH_FOLLOW_UP, DISCLOSED
    from siyi_sim.processes.followup import FollowUp
    from siyi_sim.processes.placement import Placements

    m = _model("baseline", **{"shirking.base_absence": 0.0})
    m.submodel(Integrity).sanctioned_until[[1, 3]] = 100
    a = m.submodel(Placements).place_pair(m, 0, (1, 2))
    iss = m.issues
    backlog = np.flatnonzero((iss.firm == 5) & ~iss.legacy)[:1]
    assert len(backlog) == 1
    iss.status[backlog] = DISCLOSED
    iss.prereq[backlog] = -1
    m.submodel(FollowUp).hand_over(m, backlog, np.array([3]), CH_FOLLOW_UP)
    effort = iss.effort_left[backlog].copy()
    for _ in range(5):
        m.step()
    assert a.present_days.tolist() == [0, 5]
    assert iss.effort_left[backlog] == pytest.approx(effort)
