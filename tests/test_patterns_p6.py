"""P6 (mindset spillover), measured as ``siyi validate`` does, passing and failing.

Against the same seed's baseline, placed cadres' attitude, never-placed cadres' attitude and
never-placed firms' ordinary-channel solutions all rise. Each part fails when its mechanism is
broken: without peers nothing reaches never-placed cadres; when attitude gains fade at once the
capacity lost while cadres are away leaves never-placed firms worse off.
"""

import pytest

from siyi_sim.calibration import validate as v

#: A mid-size district: ~1 s a run, enough never-placed cadres and firms for paired intervals.
MID = {"population.n_cadres": 600, "population.n_enterprises": 1200, "campaign.firms_per_batch": 25}
SEEDS = [1, 2, 3]


def _p6(**overrides):
    runs = {arm: [v.run_measured(arm, s, {**MID, **overrides}) for s in SEEDS] for arm in ("campaign_2020", "baseline")}
    return v.p6_mindset_spillover(runs["campaign_2020"], runs["baseline"], SEEDS)


@pytest.fixture(scope="module")
def p6():
    return _p6()


def test_p6_passes_with_peers_and_lasting_gains(p6):
    m = p6.measured
    assert p6.passed, p6.line()
    assert m["placed_cadre_attitude_ci_low"] > 0
    assert m["never_placed_cadre_attitude_ci_low"] > 0
    assert m["never_placed_firm_ordinary_solved_ci_low"] > 0


def test_p6_fails_without_peer_influence():
    """Nothing reaches never-placed cadres: their attitude equals the baseline's exactly.

    Sanctions cut attitude too, and who is sanctioned on the ordinary channel differs between the
    arms; they are switched off (``sanction_attitude_cut=0``) so only the peer channel is tested."""
    broken = _p6(**{"mindset.peer_influence": 0.0, "integrity.sanction_attitude_cut": 0.0})
    assert not broken.passed
    assert broken.measured["never_placed_cadre_attitude_vs_baseline"] == 0.0
    assert broken.measured["placed_cadre_attitude_ci_low"] > 0  # only the spillover part broke


def test_p6_fails_when_attitude_gains_fade_at_once():
    """Gains gone at once: never-placed firms only feel the cadres who are away.

    A placement also cures the cadres' avoidance habit (a lasting gain of another mechanism);
    ``avoidance.cure_per_day=0`` switches it off so only the attitude gains are tested."""
    broken = _p6(**{"mindset.decay_per_year": 10_000.0, "avoidance.cure_per_day": 0.0})
    assert not broken.passed
    assert broken.measured["never_placed_firm_ordinary_solved_ci_low"] <= 0
    assert broken.measured["never_placed_firm_ordinary_solved_vs_baseline"] < 0


def test_p6_fails_on_a_single_seed():
    """One seed gives no interval: the pattern cannot pass on it."""
    runs = {arm: [v.run_measured(arm, 1, MID)] for arm in ("campaign_2020", "baseline")}
    assert not v.p6_mindset_spillover(runs["campaign_2020"], runs["baseline"], [1]).passed
