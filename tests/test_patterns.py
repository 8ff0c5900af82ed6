"""Patterns P1–P4 and P6 (MODEL.md §1; P5, P7, P8 in test_patterns_p5_p7_p8.py), each fast, and each
failing when its mechanism is switched off.

The full 10-seed validation is ``siyi validate``; here a pattern runs on few seeds and, where the
pattern allows, a small district. Every test measures through the same functions as
``siyi validate`` (``siyi_sim.calibration.validate``).
"""

import pytest

from siyi_sim.calibration import validate as v
from siyi_sim.calibration.calibrate import TARGETS

#: A mid-size district: enough placements per run for medians and rates, ~1 s a run.
MID = {"population.n_cadres": 600, "population.n_enterprises": 1200, "campaign.firms_per_batch": 25}
SEEDS = [1, 2]
SMALL_P2 = {"population.n_cadres": 300, "population.n_enterprises": 300}


def _runs(scenario, **overrides):
    return [v.run_measured(scenario, s, {**MID, **overrides}) for s in SEEDS]


@pytest.fixture(scope="module")
def campaign():
    return _runs("campaign_2020")


@pytest.fixture(scope="module")
def baseline():
    return _runs("baseline")


# --- P1 ---------------------------------------------------------------------------------------


def test_p1_campaign_reproduces_the_2020_totals_on_one_seed(campaign_run):
    """Smoke test: one full-size seed within +-25 % of every total (10 seeds, +-10 %: ``siyi validate``)."""
    result = v.p1_aggregates([{"summary": campaign_run.summary}], [11])
    for key, target in TARGETS.items():
        assert abs(campaign_run.summary[key] / target - 1) <= 0.25, (key, campaign_run.summary[key], target)
        assert result.measured["relative_error_pct"][key] == pytest.approx(
            100 * (campaign_run.summary[key] / target - 1), abs=0.05
        )
    assert result.passed == all(abs(e) <= 10 for e in result.measured["relative_error_pct"].values())


def test_p1_fails_when_totals_are_off():
    fake = {k: 2 * t for k, t in TARGETS.items()}
    assert not v.p1_aggregates([{"summary": fake}], [0]).passed
    assert v.p1_aggregates([{"summary": dict(TARGETS)}], [0]).passed


@pytest.mark.parametrize("off, passed", [(1.09, True), (0.91, True), (1.11, False), (0.89, False)])
def test_p1_tolerance_is_ten_percent_of_the_mean_over_seeds(off, passed):
    """One total off by `off` on the mean of two seeds (the seeds themselves straddle it)."""
    key = "program_hires"
    runs = [{"summary": {**TARGETS, key: TARGETS[key] * (off + d)}} for d in (-0.05, 0.05)]
    assert v.p1_aggregates(runs, [1, 2]).passed is passed


# P2 (stuck chains) and P4 (owners show up) are tested in tests/test_patterns_p2_p4.py (model v2).


# --- P3 ---------------------------------------------------------------------------------------


def test_p3_high_fear_owners_open_up_after_about_a_week(campaign):
    result = v.p3_week_to_trust(campaign, SEEDS)
    assert result.passed, result.measured


def test_p3_fails_without_fear_in_the_disclosure_threshold():
    result = v.p3_week_to_trust(_runs("campaign_2020", **{"disclosure.fear_weight": 0.0}), SEEDS)
    assert not result.passed, result.measured


# --- P5 (rewritten with paired intervals, v2): tests/test_patterns_p5_p7_p8.py --------------


# P6 (mindset spillover, rewritten in model v2): tests/test_patterns_p6.py


# --- languages ------------------------------------------------------------------------------


def test_validate_lines_speak_chinese_with_zh():
    result = v.PatternResult(
        "P1", "aggregates", True, {"program_hires": 5000.0, "relative_error_pct": {"program_hires": 5.5}}, "t", [1]
    )
    zh, en = result.line("zh"), result.line("en")
    assert zh.startswith("P1 通过") and "总量" in zh and "+5.5%" in zh
    assert en.startswith("P1 PASS") and "program_hires=5,000" in en
    failed = v.PatternResult("P7", "avoidance", False, {"x": 1.0}, "t", [1])
    assert "未通过" in failed.line("zh") and "避嫌" in failed.line("zh")
    assert v.summary_line([result, failed], 10, "zh") == "1/2 个模式通过（种子 1..10）"


def test_validate_refuses_an_unknown_language_in_one_line():
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "siyi_sim.cli", "validate", "--lang", "fr"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "--lang" in proc.stderr
