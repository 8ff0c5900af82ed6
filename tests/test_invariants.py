"""MODEL.md §7 invariants, property-based over seeds and a few levers."""

from conftest import SMALL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from invariants import check_invariants, placed_persons

import siyi_sim


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    scenario=st.sampled_from(["campaign_2020", "random_matching", "placement_30d", "formality", "no_follow_up"]),
    alpha=st.floats(0.0, 0.5),
    fear_weight=st.floats(0.0, 1.0),
    decay=st.floats(0.0, 0.05),
)
def test_invariants_hold_across_seeds_and_levers(seed, scenario, alpha, fear_weight, decay):
    overrides = {**SMALL, "trust.alpha": alpha, "disclosure.fear_weight": fear_weight, "trust.tie_decay_per_day": decay}
    result = siyi_sim.simulate(scenario, seed=seed, overrides=overrides)
    check_invariants(result.model)


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_normalized_invariants(seed):
    result = siyi_sim.simulate("campaign_then_normalized", seed=seed, days=500, overrides=SMALL, record_events=True)
    model, s = result.model, result.summary
    check_invariants(model)
    # The summary counts what the placements were: distinct firms and persons, every placement
    # (a slot's holder is a new person after each leaver: the event log tells them apart).
    assert s["placements"] == len(model.placements)
    assert s["enterprises_served"] == len({a.firm for a in model.placements})
    persons, _ = placed_persons(model.events)
    assert s["cadres_placed"] == len(persons) >= len({c for a in model.placements for c in a.cadres})
    # The campaign places in 2020 only; cohorts are placed a month after they are counted from day 365.
    n = model.cfg.normalized
    kinds = {a.kind for a in model.placements}
    assert kinds == {"campaign", "normalized"}
    assert all(a.start_day < 365 for a in model.placements if a.kind == "campaign")
    assert all(a.start_day >= n.start_day + n.month_days for a in model.placements if a.kind == "normalized")


def test_default_campaign_invariants(campaign_run):
    check_invariants(campaign_run.model)


def test_baseline_places_nobody_and_has_zero_program(baseline_run):
    s = baseline_run.summary
    assert s["cadres_placed"] == 0 and s["enterprises_served"] == 0 and s["placements"] == 0
    for key, value in s.items():
        if key.startswith("program_"):
            assert value == 0, key
    check_invariants(baseline_run.model)
