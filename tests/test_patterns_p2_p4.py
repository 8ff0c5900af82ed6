"""Patterns P2 (stuck chains) and P4 (owners show up), model v2: each compares mechanisms on common
random numbers, passes on a small district, and fails when its mechanism is switched off (with that
arm's own runs). Measured through the same functions as ``siyi validate``."""

import numpy as np
import pytest

from siyi_sim.calibration import validate as v

SMALL_P2 = {"population.n_cadres": 300, "population.n_enterprises": 300}
MID = {"population.n_cadres": 600, "population.n_enterprises": 1200, "campaign.firms_per_batch": 25}
SEEDS = [1, 2]


def _chains(**overrides):
    return v.legacy_chain_counterfactual(3, n_pairs=6, overrides={**SMALL_P2, **overrides})


def _runs(scenario, **overrides):
    return [v.run_measured(scenario, s, {**MID, **overrides}) for s in SEEDS]


# --- P2 ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chains():
    return _chains()


def test_p2_the_responsible_pair_unblocks_chains_that_stay_stuck_otherwise(chains):
    result = v.p2_stuck_chains([chains], [3])
    assert result.passed, result.measured
    m = result.measured
    assert m["share_solved_2y_responsible_pair"] > m["share_solved_2y_no_placement"]
    assert m["share_solved_2y_responsible_pair"] > m["share_solved_2y_control_pair"]


def test_p2_fails_without_the_legacy_procedure():
    result = v.p2_stuck_chains([_chains(**{"resolution.legacy_procedure": False})], [3])
    assert not result.passed, result.measured


def test_p2_fails_when_legacy_issues_take_no_more_work_than_others():
    """Without the extra legacy effort a pair of any department gets through: nothing is stuck for want
    of an inside push, so the responsible pair no longer beats the control pair."""
    result = v.p2_stuck_chains([_chains(**{"resolution.legacy_effort_multiplier": 1.0})], [3])
    assert not result.passed, result.measured
    assert result.measured["share_solved_2y_control_pair"] > 0


def test_p2_pairs_chains_by_firm():
    horizon = 730
    p2 = [
        {
            "none": {"firms": [1, 2, 3], "days_to_permit": [None, None, 900]},
            "responsible_pair": {"firms": [1, 2, 3], "days_to_permit": [4, 6, 5]},
            "control_pair": {"firms": [2, 1, 3], "days_to_permit": [None, 700, None]},
        }
    ]
    diffs = v._paired_by_firm(p2, "responsible_pair", "control_pair", horizon)
    np.testing.assert_array_equal(diffs, [0.0, 1.0, 1.0])  # firm 1 was solved by the control pair too


# --- P4 ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def baseline():
    return _runs("baseline")


def test_p4_owners_of_placed_firms_come_in_person_more_often(baseline):
    result = v.p4_owners_show_up(_runs("campaign_2020"), baseline, SEEDS)
    assert result.passed, result.measured
    assert result.measured["attendance_via_cadre"] > result.measured["attendance_never_placed"]


def test_p4_fails_when_placements_build_no_trust(baseline):
    off = _runs("campaign_2020", **{"trust.alpha": 0.0, "trust.beta": 0.0})
    result = v.p4_owners_show_up(off, baseline, SEEDS)
    assert not result.passed, result.measured


def test_p4_needs_the_same_invitations_in_both_arms(baseline):
    other_district = [v.run_measured("campaign_2020", s, {**MID, "background.meeting_invitees": 50}) for s in SEEDS]
    with pytest.raises(ValueError, match="same invitations"):
        v.p4_owners_show_up(other_district, baseline, SEEDS)
