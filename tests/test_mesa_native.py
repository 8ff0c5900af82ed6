"""Mesa users get what they expect: keyword construction, batch_run, a run that ends itself."""

import warnings

import pytest
from mesa.batchrunner import batch_run

from siyi_sim.api import simulate
from siyi_sim.model import SiyiModel
from siyi_sim.scenarios import CALIBRATED, scenario_config

SMALL = {"population.n_cadres": 120, "population.n_enterprises": 200, "run.days": 60}


def test_default_model_is_the_calibrated_campaign():
    model = SiyiModel(seed=3)
    assert model.scenario_name == "campaign_2020"
    assert model.cfg == scenario_config("campaign_2020")
    key, value = next(iter(CALIBRATED.items()))
    section, name = key.split(".")
    assert getattr(getattr(model.cfg, section), name) == value


def test_named_scenario_with_dotted_overrides_is_that_scenario():
    model = SiyiModel(scenario="baseline", seed=7, **{"trust.alpha": 0.1})
    assert model.cfg == scenario_config("baseline", {"trust.alpha": 0.1})
    assert not model.cfg.campaign.enabled and model.cfg.trust.alpha == 0.1


def test_rng_is_the_seed_and_the_same_run_follows():
    a = SiyiModel(scenario="campaign_2020", rng=5, **SMALL)
    b = SiyiModel(scenario="campaign_2020", seed=5, **SMALL)
    a.run_to_end()
    b.run_to_end()
    assert a.seed == b.seed == 5 and a.summary() == b.summary()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scenario": "nosuch"}, "nosuch"),
        ({"scenario": "baseline", "trust.nosuch": 1}, "nosuch"),
        ({"scenario": "baseline", "colour": 1}, "colour"),
        ({"scenario": "baseline", "trust.alpha": 7.0}, "trust.alpha"),
        ({"seed": -1}, "seed"),
        ({"seed": 1, "rng": 2}, "disagree"),
    ],
)
def test_bad_keywords_are_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SiyiModel(**kwargs)


def test_no_seed_draws_one_and_keeps_it():
    model = SiyiModel(scenario="baseline", **SMALL)
    again = SiyiModel(scenario="baseline", seed=model.seed, **SMALL)
    model.run_to_end()
    again.run_to_end()
    assert model.summary() == again.summary()


def test_batch_run_returns_the_summary_of_each_run():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = batch_run(
            SiyiModel,
            parameters={"scenario": ["baseline", "campaign_2020"], "trust.alpha": [0.05, 0.1], **SMALL},
            rng=[4],
            data_collection_period=-1,
            max_steps=SMALL["run.days"],
            number_processes=1,
            display_progress=False,
        )
    assert len(rows) == 4
    for row in rows:
        expected = simulate(row["scenario"], 4, overrides={**SMALL, "trust.alpha": row["trust.alpha"]}).summary
        assert row["run_complete"] is True
        for key, value in expected.items():
            if isinstance(value, float) and key.endswith("_yuan"):
                assert row[key] == pytest.approx(value, abs=0.01)  # the daily series keeps cents unrounded
            else:
                assert row[key] == value, key
    baseline = [r for r in rows if r["scenario"] == "baseline"]
    assert all(r["cadres_placed"] == 0 for r in baseline)


@pytest.mark.slow
def test_batch_run_of_a_five_year_scenario_is_not_cut_silently():
    params = {"scenario": ["normalized_promotion"], "population.n_cadres": 120, "population.n_enterprises": 200}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cut = batch_run(
            SiyiModel, params, rng=[1], data_collection_period=-1, number_processes=1, display_progress=False
        )  # Mesa's default max_steps=1000 < 1,825 days
        full = batch_run(
            SiyiModel,
            params,
            rng=[1],
            data_collection_period=-1,
            max_steps=1825,
            number_processes=1,
            display_progress=False,
        )
    assert cut[0]["run_complete"] is False and "median_days_to_resolve" not in cut[0]
    assert full[0]["run_complete"] is True and full[0]["days"] == 1825


def test_daily_frame_has_only_the_daily_series():
    model = SiyiModel(scenario="baseline", seed=1, **SMALL)
    model.run_to_end()
    frame = model.daily_frame()
    assert len(frame) == SMALL["run.days"]
    assert "run_complete" not in frame and "median_days_to_resolve" not in frame
