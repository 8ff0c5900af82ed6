"""EMA Workbench interop: `ema_model()` is an EMA model built from our registries, runnable by EMA."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from siyi_sim.api import run
from siyi_sim.interop import ema_model, ema_name, ema_names

SMALL = {
    "population.n_cadres": 300,
    "population.n_enterprises": 600,
    "campaign.first_batch_day": 2,
    "campaign.batch_interval_days": 5,
}
OUTCOMES = [
    "issues_resolved_total",
    "policies_matched_total",
    "median_first_sensitive_disclosure_day",
    "integrity_incidents",
]
DAYS = 12


def _perform(model, scenarios, policies):
    from ema_workbench import perform_experiments

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA's own deprecation and optional-dependency noise
        return perform_experiments(model, scenarios=scenarios, policies=policies)


def _overrides_of(row) -> dict:
    """Undo the EMA naming: what one experiment row means as our overrides."""
    return {
        "trust.alpha": float(row["trust__alpha"]),
        "policies.eligibility_prob": math.exp(row["policies__eligibility_prob__ln"]),
        "placement.matching": row["placement__matching"],
        "placement.same_department_pairs": bool(row["placement__same_department_pairs"]),
        "campaign.n_batches": int(row["campaign__n_batches"]),
    }


@pytest.fixture(scope="module")
def performed():
    model = ema_model(
        "campaign_2020",
        outcomes=OUTCOMES,
        overrides=SMALL,
        days=DAYS,
        uncertainties=["trust.alpha", "policies.eligibility_prob"],
        levers=["placement.matching", "placement.same_department_pairs", "campaign.n_batches"],
        seeds=[4],
    )
    return model, *_perform(model, scenarios=3, policies=2)


def test_perform_experiments_runs_the_model_with_registry_inputs(performed):
    _, experiments, outcomes = performed
    assert len(experiments) == 6 and set(outcomes) == set(OUTCOMES)
    # dotted keys mangled; EMA's own columns (scenario, policy, model) untouched
    assert {"trust__alpha", "policies__eligibility_prob__ln", "campaign__n_batches"} <= set(experiments.columns)
    assert {"scenario", "policy", "model"} <= set(experiments.columns)
    # the declared ranges (log range for a loguniform prior) are what EMA sampled from
    assert experiments["trust__alpha"].between(0.04, 0.16).all()
    assert np.exp(experiments["policies__eligibility_prob__ln"]).between(0.02, 0.12).all()
    assert experiments["campaign__n_batches"].between(1, 24).all()
    # one experiment reproduced by a direct run with the unmangled overrides
    row = experiments.iloc[4]
    direct = run("campaign_2020", 4, DAYS, **SMALL, **_overrides_of(row))
    assert outcomes["issues_resolved_total"][4] == direct["issues_resolved_total"]
    for key in ("integrity_incidents", "policies_matched_total"):  # the latter moves with the log-scale prior
        assert outcomes[key][4] == direct[key]


def test_an_undefined_indicator_is_nan_not_none(performed):
    _, _, outcomes = performed
    values = outcomes["median_first_sensitive_disclosure_day"]
    assert values.dtype == float and np.isnan(values).all()  # no sensitive disclosure within 12 days


def test_outcome_kinds_follow_the_registry_direction(performed):
    from ema_workbench import ScalarOutcome

    model = performed[0]
    kinds = {o.name: o.kind for o in model.outcomes}
    assert kinds["issues_resolved_total"] == ScalarOutcome.MAXIMIZE
    assert kinds["integrity_incidents"] == ScalarOutcome.MINIMIZE


def test_replications_over_seeds_and_paired_effects(tmp_path):
    model = ema_model(
        "campaign_2020",
        outcomes=["issues_resolved_total"],
        overrides=SMALL,
        days=DAYS,
        uncertainties=["trust.alpha"],
        levers=[],
        seeds=[1, 2],
        versus="baseline",
    )
    experiments, outcomes = _perform(model, scenarios=1, policies=1)
    values = outcomes["issues_resolved_total"]
    assert values.shape == (1,)  # one experiment: the mean over its replications (one per seed)
    alpha = float(experiments["trust__alpha"].iloc[0])
    effects = []
    for seed in (1, 2):
        campaign = run("campaign_2020", seed, DAYS, **SMALL, **{"trust.alpha": alpha})
        baseline = run("baseline", seed, DAYS, **SMALL, **{"trust.alpha": alpha})
        effects.append(campaign["issues_resolved_total"] - baseline["issues_resolved_total"])
    assert values[0] == pytest.approx(sum(effects) / 2)  # the mean over seeds of the paired effects


def test_the_two_seeds_of_the_replication_test_give_different_effects():
    """So the mean checked above is a real average, not one value twice (at a fixed alpha: EMA's
    draw above is random, and at some alphas the two seeds happen to agree)."""
    effects = [
        run("campaign_2020", seed, DAYS, **SMALL, **{"trust.alpha": 0.08})["issues_resolved_total"]
        - run("baseline", seed, DAYS, **SMALL, **{"trust.alpha": 0.08})["issues_resolved_total"]
        for seed in (1, 2)
    ]
    assert effects[0] != effects[1]


def test_names_are_identifiers_and_never_ema_reserved():
    assert ema_name("trust.alpha") == "trust__alpha"
    assert ema_name("scenario") == "scenario_" and ema_name("policy") == "policy_"
    with pytest.raises(ValueError, match="clash"):
        ema_names(["a.b", "a__b"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"policy_scenario": "nope"}, "policy_scenario 'nope' is not a scenario"),
        ({"uncertainties": ["placement.matching"]}, "not a declared uncertainty"),
        ({"levers": ["trust.alpha"]}, "not a declared lever"),
        ({"outcomes": ["scenario"]}, "not a run indicator"),
        ({"overrides": {"trust.alpha": 0.1}}, "overrides fix 'trust.alpha'"),
        ({"seeds": [1, 1]}, "seeds must be distinct"),
        ({"versus": "campaign_2020"}, "its paired effect is 0"),
    ],
)
def test_bad_arguments_are_refused_by_name(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ema_model(**kwargs)
