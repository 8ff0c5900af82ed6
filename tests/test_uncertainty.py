"""Declared uncertainties and levers: one place (config.py), sane priors, reproducible Latin hypercubes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from siyi_sim import uncertainty as unc
from siyi_sim.config import Config, Flag, P, Section, apply_overrides
from siyi_sim.scenarios import CALIBRATED
from siyi_sim.uncertainty import LEVERS, UNCERTAINTIES, sample_uncertainties


def _quantile(u: unc.Uncertainty, values: np.ndarray) -> np.ndarray:
    """The prior's CDF, written independently of ``Uncertainty.ppf``."""
    if u.distribution == "loguniform":
        return (np.log(values) - math.log(u.low)) / (math.log(u.high) - math.log(u.low))
    return (values - u.low) / (u.high - u.low)


def test_registry_declares_six_to_ten_uncertainties_and_the_design_levers():
    assert 6 <= len(UNCERTAINTIES) <= 10
    for key in ("trust.alpha", "trust.beta", "trust.gamma", "disclosure.fear_weight", "integrity.p0"):
        assert key in UNCERTAINTIES
    for key in (
        "placement.placement_days",
        "campaign.firms_per_batch",
        "campaign.n_batches",
        "placement.matching",
        "placement.same_department_pairs",
        "placement.follow_up_effort",
        "placement.safeguards",
        "policies.desk_enabled",
    ):
        assert key in LEVERS
    assert not set(UNCERTAINTIES) & set(LEVERS), "a parameter is either unknown or chosen, not both"


def test_every_prior_has_a_reason_and_contains_the_value_the_model_runs_with():
    effective = {**Config().flat(), **CALIBRATED}
    for key, u in UNCERTAINTIES.items():
        assert len(u.reason) > 20, key
        assert u.low < effective[key] < u.high, f"{key}: prior [{u.low}, {u.high}] misses {effective[key]}"


def test_levers_are_valid_parameter_values():
    config = Config()
    for key, lever in LEVERS.items():
        settings = lever.values if lever.values is not None else (lever.low, lever.high)
        for value in settings:
            apply_overrides(config, {key: value})  # raises if the lever leaves the parameter's range


def test_latin_hypercube_puts_one_draw_in_each_stratum_of_every_prior():
    n = 16
    draws = sample_uncertainties(n, seed=3)
    assert list(draws.columns) == list(UNCERTAINTIES) and len(draws) == n and draws.index.name == "draw"
    for key, u in UNCERTAINTIES.items():
        strata = np.floor(_quantile(u, draws[key].to_numpy()) * n).astype(int)
        assert sorted(strata) == list(range(n)), key


def test_draws_are_reproducible_and_valid_model_parameters():
    a = sample_uncertainties(8, seed=5, keys=["trust.alpha", "integrity.p0"])
    b = sample_uncertainties(8, seed=5, keys=["trust.alpha", "integrity.p0"])
    c = sample_uncertainties(8, seed=6, keys=["trust.alpha", "integrity.p0"])
    assert a.equals(b) and not a.equals(c)
    for row in a.to_dict("records"):
        apply_overrides(Config(), row)
    for method in ("random", "sobol"):
        other = sample_uncertainties(8, seed=5, method=method)
        for key, u in UNCERTAINTIES.items():
            assert other[key].between(u.low, u.high).all()


def test_integer_priors_give_integers_covering_both_ends():
    u = unc.Uncertainty("x.y", 1, 3, "integer", "test")
    values = u.ppf(np.linspace(0, 0.999, 300))
    assert values.dtype == np.int64 and set(values) == {1, 2, 3}


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"n": 0, "seed": 1}, "invalid n 0"),
        ({"n": 2.5, "seed": 1}, "invalid n"),
        ({"n": 2, "seed": -1}, "invalid seed"),
        ({"n": 2, "seed": 1, "keys": ["trust.nope"]}, "'trust.nope' is not a declared uncertainty"),
        ({"n": 2, "seed": 1, "keys": ["trust.alpha", "trust.alpha"]}, "twice"),
        ({"n": 2, "seed": 1, "method": "grid"}, "unknown sampling method 'grid'"),
    ],
)
def test_bad_requests_are_refused_in_one_line(kwargs, words):
    with pytest.raises(ValueError, match=words):
        sample_uncertainties(**kwargs)


def test_declarations_come_from_the_config_and_bad_ones_are_refused(monkeypatch):
    class Toy(Section):
        known: float = P(0.5, 0.0, 1.0, "x", "a fixed one")
        rate: float = P(0.5, 0.0, 1.0, "x", "why", uncertain=(0.2, 0.8, "uniform", "not measured"))
        size: int = P(5, 1, 9, "x", "why", lever=(2, 8, "a design choice"))
        on: bool = Flag(True, "why", lever="switch it")

    monkeypatch.setattr(unc, "SECTIONS", {"toy": Toy})
    assert list(unc._uncertainties()) == ["toy.rate"]
    levers = unc._levers()
    assert levers["toy.size"].low == 2 and levers["toy.size"].integer and levers["toy.on"].values == (False, True)

    class Bad(Section):
        rate: float = P(0.5, 0.0, 1.0, "x", "why", uncertain=(0.2, 1.8, "uniform", "outside its own range"))

    monkeypatch.setattr(unc, "SECTIONS", {"bad": Bad})
    with pytest.raises(ValueError, match=r"'bad\.rate' range"):
        unc._uncertainties()
