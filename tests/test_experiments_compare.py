"""Paired confidence intervals and adaptive replication, on cases with known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from synthetic import synthetic_run

from siyi_sim.experiments import load_runs, paired_ci, paired_comparison, parse_plan, run_sweep
from siyi_sim.experiments.adaptive import Target, parse_target


def test_paired_ci_of_a_hand_computed_case():
    # d = 1..5: mean 3, sd sqrt(2.5), t(0.975, 4) = 2.7764451, half = 2.7764451 * 1.5811388 / sqrt(5)
    ci = paired_ci([1, 2, 3, 4, 5])
    assert ci["n_pairs"] == 5 and ci["diff_mean"] == 3.0
    assert ci["diff_sd"] == pytest.approx(1.5811388, rel=1e-7)
    assert ci["ci_halfwidth"] == pytest.approx(1.9632432, rel=1e-6)
    assert (ci["ci_low"], ci["ci_high"]) == pytest.approx((1.0367568, 4.9632432), rel=1e-6)


def test_paired_ci_edge_cases():
    assert paired_ci([2.0, 2.0, 2.0])["ci_halfwidth"] == 0.0
    assert math.isnan(paired_ci([1.0])["ci_halfwidth"]) and paired_ci([1.0])["diff_mean"] == 1.0
    assert paired_ci([1.0, float("nan"), 3.0])["n_pairs"] == 2


def test_paired_ci_covers_the_true_difference_95_percent_of_the_time():
    rng = np.random.default_rng(0)
    trials, n, true = 4000, 8, 1.5
    d = true + rng.normal(0, 2, size=(trials, n))
    covered = sum(ci["ci_low"] <= true <= ci["ci_high"] for ci in map(paired_ci, d))
    assert abs(covered / trials - 0.95) < 0.015


def _runs(rows):
    return pd.DataFrame(
        rows, columns=["run_key", "scenario", "base_scenario", "point", "replication", "seed", "days", "y"]
    )


def test_paired_comparison_pairs_by_replication_and_reports_means():
    base = [10.0, 20.0, 30.0, 40.0]
    policy = [12.0, 21.0, 33.0, 42.0]  # differences 2, 1, 3, 2
    rows = [(f"b{r}", "baseline", "baseline", 0, r, r, 5, y) for r, y in enumerate(base)]
    rows += [(f"p{r}", "policy", "policy", 0, r, r, 5, y) for r, y in enumerate(policy)][::-1]  # order must not matter
    table = paired_comparison(_runs(rows), metrics=["y"]).set_index("scenario")
    assert table.loc["baseline", "mean"] == 25.0 and math.isnan(table.loc["baseline", "diff_mean"])
    row = table.loc["policy"]
    assert row["mean"] == 27.0 and row["baseline_mean"] == 25.0 and row["n_pairs"] == 4
    expected = paired_ci([2.0, 1.0, 3.0, 2.0])
    assert row["diff_mean"] == 2.0 and row["ci_halfwidth"] == pytest.approx(expected["ci_halfwidth"])


def test_runs_without_a_same_horizon_baseline_have_no_pairs():
    rows = [("b0", "baseline", "baseline", 0, 0, 0, 365, 1.0), ("p0", "policy", "policy", 0, 0, 0, 1825, 2.0)]
    table = paired_comparison(_runs(rows), metrics=["y"]).set_index("scenario")
    assert table.loc["policy", "n_pairs"] == 0


def test_synthetic_sweep_recovers_the_known_effects(tmp_path):
    plan = parse_plan(
        '[experiment]\nscenarios = ["baseline", "campaign_2020", "no_safeguards"]\nreplications = 40\ndays = 3\n',
        "s.toml",
    )
    run_sweep(plan, tmp_path / "out", validate=False, run_fn=synthetic_run, progress=False)
    table = paired_comparison(load_runs(tmp_path / "out"), metrics=["y"]).set_index("scenario")
    for scenario, effect in [("campaign_2020", 2.0), ("no_safeguards", 1.0)]:
        row = table.loc[scenario]
        assert row["ci_low"] <= effect <= row["ci_high"]
        assert row["diff_sd"] == pytest.approx(0.5 * math.sqrt(2), rel=0.3)  # the seed term (sd 3) cancels


@pytest.mark.parametrize("text", ["y", "=1", "y=abc", "y=0", "y=-2", "y=nan", "y=inf"])
def test_bad_target_is_refused_naming_the_parameter(text):
    with pytest.raises(ValueError, match="target") as caught:
        parse_target(text)
    assert caught.value.parameter == "target" and "--" not in str(caught.value)  # the CLI adds its flag


ADAPTIVE = '[experiment]\nscenarios = ["baseline", "campaign_2020", "no_safeguards"]\nreplications = 3\ndays = 3\n'


def test_adaptive_replication_stops_when_the_ci_is_narrow_enough(tmp_path):
    plan = parse_plan(ADAPTIVE, "a.toml")
    report = run_sweep(
        plan,
        tmp_path / "out",
        validate=False,
        run_fn=synthetic_run,
        progress=False,
        target=Target("y", 0.4),
        max_reps=200,
    )
    assert report.adaptive.startswith("target reached")
    runs = load_runs(tmp_path / "out")
    assert len(runs) == 3 * report.replications and report.replications > 3
    widest = paired_comparison(runs, metrics=["y"])["ci_halfwidth"].max()
    assert widest <= 0.4
    # pairs have sd 0.5*sqrt(2): about 14 replications suffice; rounds at most double
    assert report.replications <= 32


def test_adaptive_replication_says_when_it_hits_max_reps_and_resumes_to_the_same_end(tmp_path):
    plan = parse_plan(ADAPTIVE, "a.toml")
    kw = dict(validate=False, run_fn=synthetic_run, progress=False, target=Target("y", 0.01), max_reps=7)
    report = run_sweep(plan, tmp_path / "out", **kw)
    assert report.adaptive.startswith("target NOT reached: stopped at the cap of 7 replications")
    assert report.replications == 7 and len(load_runs(tmp_path / "out")) == 21
    again = run_sweep(plan, tmp_path / "out", **kw)
    assert again.ran == 0 and again.replications == 7


def test_adaptive_result_does_not_depend_on_worker_count(tmp_path):
    plan = parse_plan(ADAPTIVE, "a.toml")
    kw = dict(validate=False, run_fn=synthetic_run, progress=False, target=Target("y", 0.5), max_reps=100)
    one = run_sweep(plan, tmp_path / "one", workers=1, **kw)
    two = run_sweep(plan, tmp_path / "two", workers=2, **kw)
    assert one.replications == two.replications
    one_runs, two_runs = load_runs(tmp_path / "one"), load_runs(tmp_path / "two")
    drop = [c for c in one_runs.columns if c.startswith("timing_")]
    pd.testing.assert_frame_equal(one_runs.drop(columns=drop), two_runs.drop(columns=drop))
