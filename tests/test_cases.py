"""The seed's cases replayed through the real mechanisms end as the seed says (FACTS.md)."""

import numpy as np
import pytest

from siyi_sim.calibration.cases import CASES, format_case, run_case


@pytest.fixture(scope="module")
def replays():
    return {name: run_case(name, seed=1) for name in CASES}


def test_every_case_returns_story_numbers_and_checks(replays):
    for name, out in replays.items():
        assert out["case"] == name
        assert out["story"] and out["numbers"] and out["checks"]
        assert name in format_case(out)


def test_zhongchuan_permit_chain_stuck_for_years_then_solved_in_days(replays):
    out = replays["zhongchuan"]
    n = out["numbers"]
    assert n["permit_open_after_3y_without_placement"]
    assert n["owner_approaches_without_placement"] > 0  # he went many times, without result
    assert n["land_use_day"] <= n["eia_day"] <= n["permit_day_of_placement"] <= 15  # prerequisites first
    assert out["checks"]["owner_calls_pair_first"]
    assert out["passed"]


def test_quanzheng_high_fear_owner_opens_up_after_about_a_week(replays):
    assert replays["quanzheng"]["passed"], replays["quanzheng"]["numbers"]
    days = [run_case("quanzheng", seed=s)["numbers"]["first_sensitive_disclosure_day"] for s in range(2, 7)]
    days = [d for d in days if d is not None]
    assert days and all(d > 1 for d in days)
    assert 5 <= np.median(days) <= 11


def test_yuanxiu_policy_list_item_by_item(replays):
    out = replays["yuanxiu"]
    assert out["checks"]["every_item_reviewed"]
    assert out["checks"]["subsidy_found"] and out["checks"]["rent_waiver_found"]
    assert out["checks"]["patent_filing_helped"]
    assert out["numbers"]["subsidy_yuan"] >= 25_000 + 105_000


def test_unknown_case_is_a_user_error():
    with pytest.raises(ValueError, match="unknown case"):
        run_case("nosuch")
