"""Same seed => identical summary and series; different seeds differ; CRN across scenarios."""

import numpy as np
import pandas as pd
from conftest import SMALL

import siyi_sim
from siyi_sim.model import SiyiModel
from siyi_sim.scenarios import scenario_config


def test_same_seed_identical_summary_and_series():
    a = siyi_sim.simulate("campaign_2020", seed=5, overrides=SMALL)
    b = siyi_sim.simulate("campaign_2020", seed=5, overrides=SMALL)
    assert a.summary == b.summary
    pd.testing.assert_frame_equal(a.daily, b.daily)


def test_different_seeds_give_different_worlds_and_outcomes():
    """The seed reaches the draws: populations, summaries (beyond the ``seed`` key) and series differ."""
    a = siyi_sim.simulate("campaign_2020", seed=1, overrides=SMALL)
    b = siyi_sim.simulate("campaign_2020", seed=2, overrides=SMALL)
    assert not np.array_equal(a.model.firms.trust, b.model.firms.trust)
    outcomes = ("program_issues_resolved", "program_subsidy_yuan", "issues_created", "mean_owner_trust")
    assert [a.summary[k] for k in outcomes] != [b.summary[k] for k in outcomes]
    assert not a.daily["issues_resolved_total"].equals(b.daily["issues_resolved_total"])


def test_population_is_the_same_in_every_scenario():
    """Common random numbers: the firms, cadres and issues depend on the seed only."""
    m1 = SiyiModel(scenario_config("baseline", SMALL), seed=9)
    m2 = SiyiModel(scenario_config("no_policy_desk", SMALL), seed=9)
    for name in ("trust", "fear", "liaison", "hiring_gap", "credit_need_yuan"):
        np.testing.assert_array_equal(getattr(m1.firms, name), getattr(m2.firms, name))
    np.testing.assert_array_equal(m1.cadres.attitude, m2.cadres.attitude)
    np.testing.assert_array_equal(m1.issues.view("type"), m2.issues.view("type"))


def test_unused_lever_changes_nothing():
    a = siyi_sim.run("campaign_2020", seed=3, **SMALL)
    b = siyi_sim.run("campaign_2020", seed=3, **{**SMALL, "careers.party_school_rate": 0.5})
    assert a == b


def test_summary_is_plain_json_scalars(campaign_run):
    import json

    assert tuple(campaign_run.summary) == siyi_sim.SUMMARY_KEYS
    json.loads(json.dumps(campaign_run.summary, allow_nan=False))
    assert campaign_run.daily.index.name == "day" and len(campaign_run.daily) == 365


def test_keyed_draws_do_not_depend_on_what_else_is_open():
    from siyi_sim.streams import keyed_uniforms

    key = np.uint64(12345)
    ids = np.arange(10_000)
    u = keyed_uniforms(key, 7, 0, ids)
    assert np.array_equal(keyed_uniforms(key, 7, 0, ids[[5, 77, 9000]]), u[[5, 77, 9000]])
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.01 and abs(u.std() - 12**-0.5) < 0.01
    other_day, other_purpose = keyed_uniforms(key, 8, 0, ids), keyed_uniforms(key, 7, 1, ids)
    assert abs(np.corrcoef(u, other_day)[0, 1]) < 0.05 and abs(np.corrcoef(u, other_purpose)[0, 1]) < 0.05


def test_ordinary_channel_is_paired_across_scenarios():
    """Never-placed firms: every ordinary resolution of the baseline also happens in the campaign,
    no later (the campaign only makes departments faster), because draws are keyed by issue."""
    base = siyi_sim.simulate("baseline", seed=4, overrides=SMALL).model
    camp = siyi_sim.simulate("campaign_2020", seed=4, overrides=SMALL).model
    from siyi_sim.issues import CH_SELF

    n = min(base.issues.n, camp.issues.n)
    assert np.array_equal(base.issues.view("firm")[:n], camp.issues.view("firm")[:n])
    never = ~camp.firm_ever_placed[base.issues.view("firm")[:n]]
    b_self = (base.issues.view("channel")[:n] == CH_SELF) & never
    c_day = camp.issues.view("day_resolved")[:n]
    c_self = camp.issues.view("channel")[:n] == CH_SELF
    assert b_self.sum() > 100
    share_paired = (c_self[b_self] & (c_day[b_self] <= base.issues.view("day_resolved")[:n][b_self])).mean()
    assert share_paired > 0.95
