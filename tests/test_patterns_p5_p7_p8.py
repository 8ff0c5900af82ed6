"""Patterns P5 (clear and close), P7 (avoidance explains the baseline) and P8 (the scandal cycle).

Each is judged on paired runs (common seeds) with 95 % intervals, through the same functions as
``siyi validate``; each passes with its mechanism and fails with that mechanism broken (the broken
arm gets its own runs). A mid-size district and four seeds keep a run near half a second; to
resolve the differences on four seeds, exchanges on ordinary approaches are twice as frequent and
supervision sharper (0.9) than at the defaults, so incidents and detections are not counted in ones.
P8 gets eight seeds: its service gap is a daily series over a short window, and with turnover, attitude
decay and peers in the model its seed-to-seed spread needs more than four seeds to be resolved.
"""

import numpy as np
import pytest

from siyi_sim.calibration import validate as v

MID = {
    "population.n_cadres": 600,
    "population.n_enterprises": 1200,
    "campaign.firms_per_batch": 25,
    "integrity.ordinary_p0": 0.06,
    "integrity.supervision_detect_prob": 0.9,
}
SEEDS = [1, 2, 3, 4]
#: P8 judges a noisier quantity (see the module docstring): four more seeds.
P8_SEEDS = [*SEEDS, 5, 6, 7, 8]
#: Detections do not raise perceived risk (P8's mechanism cut).
NO_CHILL = {"avoidance.dept_rise_per_detection": 0.0, "avoidance.district_rise_per_detection": 0.0}


def _runs(scenario, seeds=SEEDS, **overrides):
    return [v.run_measured(scenario, s, {**MID, **overrides}) for s in seeds]


@pytest.fixture(scope="module")
def campaign():
    return _runs("campaign_2020")


@pytest.fixture(scope="module")
def baseline():
    return _runs("baseline")


@pytest.fixture(scope="module")
def no_safeguards():
    return _runs("no_safeguards")


# --- P5 ---------------------------------------------------------------------------------------


def test_p5_closer_with_safeguards_while_incidents_stay_at_baseline_level(campaign, baseline, no_safeguards):
    result = v.p5_clear_and_close(campaign, baseline, no_safeguards, SEEDS)
    assert result.passed, result.measured


def test_p5_fails_when_the_safeguards_do_nothing(baseline, no_safeguards):
    """Meal subsidy and no-special-arrangement rules without effect: no fewer incidents than without them."""
    toothless = _runs(
        "campaign_2020", **{"integrity.meal_subsidy_effect": 0.0, "integrity.no_special_arrangement_effect": 0.0}
    )
    result = v.p5_clear_and_close(toothless, baseline, no_safeguards, SEEDS)
    assert not result.passed, result.measured


def test_p5_fails_when_contact_carries_far_more_risk(baseline):
    """Incidents far above baseline even with safeguards: not 'clear' any more."""
    risky = {"integrity.p0": 0.5}
    result = v.p5_clear_and_close(_runs("campaign_2020", **risky), baseline, _runs("no_safeguards", **risky), SEEDS)
    assert not result.passed, result.measured


# --- P7 ---------------------------------------------------------------------------------------


def test_p7_without_avoidance_the_baseline_is_closer(baseline):
    off = _runs("baseline", **{"avoidance.enabled": False})
    result = v.p7_avoidance_explains_baseline(baseline, off, SEEDS)
    assert result.passed, result.measured


def test_p7_fails_when_avoidance_does_not_touch_service():
    """Perceived risk with no effect on how departments serve an approach (weight 0): nothing to explain."""
    inert = {"avoidance.service_weight": 0.0}
    on = _runs("baseline", **inert)
    off = _runs("baseline", **inert, **{"avoidance.enabled": False})
    result = v.p7_avoidance_explains_baseline(on, off, SEEDS)
    assert not result.passed, result.measured


# --- P8 ---------------------------------------------------------------------------------------


def _more_seeds(runs, scenario):
    """The four-seed runs of ``scenario`` extended to :data:`P8_SEEDS`."""
    return runs + _runs(scenario, P8_SEEDS[len(SEEDS) :])


def test_p8_without_safeguards_detections_bring_avoidance_and_colder_service(campaign, no_safeguards):
    result = v.p8_scandal_cycle(
        _more_seeds(campaign, "campaign_2020"), _more_seeds(no_safeguards, "no_safeguards"), P8_SEEDS
    )
    assert result.passed, result.measured


def test_p8_fails_when_detections_do_not_raise_perceived_risk():
    broken = [_runs(scenario, P8_SEEDS, **NO_CHILL) for scenario in ("campaign_2020", "no_safeguards")]
    result = v.p8_scandal_cycle(*broken, P8_SEEDS)
    assert not result.passed, result.measured


def test_p8_window_starts_when_detections_first_exceed_the_campaigns():
    safe = {"daily": {"integrity_detected": np.array([0, 1, 1, 1, 2, 2])}}
    unsafe = {"daily": {"integrity_detected": np.array([0, 1, 1, 2, 2, 4])}}
    assert v.scandal_window(unsafe, safe).tolist() == [3, 4, 5]
    assert v.scandal_window(safe, safe).tolist() == []
