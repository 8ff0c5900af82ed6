"""`siyi explore`: parameter draws x policies x replications on the sweep runner, paired in every draw."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from siyi_sim.cli import main
from siyi_sim.experiments import load_runs
from siyi_sim.experiments.explore import ensemble_plan, parameter_draws, posterior_draws
from siyi_sim.experiments.plan import parse_plan
from siyi_sim.uncertainty import UNCERTAINTIES

PLAN = """
[experiment]
name = "tiny_ensemble"
scenarios = ["baseline", "campaign_2020", "long_placement"]
replications = 2
base_seed = 5
days = 130
[set]
"population.n_cadres" = 150
"population.n_enterprises" = 300
[variants.long_placement]
scenario = "campaign_2020"
set = { "placement.placement_days" = 30 }
[keep]
summary = ["program_issues_resolved", "clear_index", "integrity_incidents"]
"""
KEYS = ["trust.alpha", "integrity.p0", "ordinary.approach_hazard_per_day"]


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ens")
    plan = folder / "plan.toml"
    plan.write_text(PLAN)
    out = folder / "out"
    args = ["explore", str(plan), "--out", str(out), "--draws", "3", "--draw-seed", "7", "--keys", *KEYS]
    assert main([*args, "--workers", "2"]) == 0
    return plan, out, args


def test_every_draw_runs_every_policy_on_the_same_seeds(ensemble):
    _, out, _ = ensemble
    runs = load_runs(out)
    assert len(runs) == 3 * 3 * 2
    assert set(KEYS) <= set(runs.columns)
    seeds = runs.groupby(["point", "scenario"])["seed"].apply(lambda s: tuple(sorted(s)))
    assert seeds.nunique() == 1, "replication r must use one seed in every draw and policy"
    params = runs.groupby("point")[KEYS].nunique()
    assert (params == 1).all().all(), "one parameter set per draw, whatever the policy"


def test_draws_in_the_folder_are_the_declared_latin_hypercube(ensemble):
    _, out, _ = ensemble
    runs = load_runs(out)
    expected = parameter_draws(3, 7, keys=KEYS)
    stored = runs.groupby("point")[KEYS].first().sort_index()
    np.testing.assert_allclose(stored.to_numpy(dtype=float), expected.to_numpy(dtype=float), rtol=1e-12)
    for key in KEYS:
        assert stored[key].between(UNCERTAINTIES[key].low, UNCERTAINTIES[key].high).all()


def test_rerun_resumes_and_the_folder_checks_clean(ensemble, capsys):
    _, out, args = ensemble
    capsys.readouterr()
    assert main([*args, "--workers", "1"]) == 0
    assert "18 already done, 0 run now" in capsys.readouterr().out
    assert main(["check", str(out)]) == 0


def test_dry_run_writes_nothing(ensemble, tmp_path, capsys):
    plan, _, _ = ensemble
    out = tmp_path / "dry"
    assert main(["explore", str(plan), "--out", str(out), "--draws", "4", "--dry-run"]) == 0
    assert "3 scenarios x 4 points x 2 replications = 24 runs" in capsys.readouterr().out
    assert not out.exists()


@pytest.mark.parametrize(
    ("extra_toml", "flags", "words"),
    [
        ('[grid]\n"trust.beta" = [0.1, 0.2]\n', [], "an ensemble's points are its parameter draws"),
        ('"trust.alpha" = 0.1\n', [], "[set] fixes 'trust.alpha', which the ensemble draws"),
        ("", ["--posterior", "/nonexistent/post.json"], "posterior file '/nonexistent/post.json' does not exist"),
        ("", ["--keys", "trust.nope"], "'trust.nope' is not a declared uncertainty"),
        ("", ["--draws", "0"], "--draws"),
    ],
)
def test_bad_input_is_refused_in_one_line_with_exit_2(tmp_path, capsys, extra_toml, flags, words):
    text = PLAN.replace('"population.n_enterprises" = 300\n', '"population.n_enterprises" = 300\n' + extra_toml)
    if extra_toml.startswith("[grid]"):
        text = PLAN + extra_toml
    plan = tmp_path / "plan.toml"
    plan.write_text(text)
    out = tmp_path / "out"
    assert main(["explore", str(plan), "--out", str(out), *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1
    assert not out.exists()


def _posterior_file(path, particles, weights):
    path.write_text(
        json.dumps({"format": "siyi-posterior/1", "particles": particles, "weights": weights}), encoding="utf-8"
    )
    return path


def test_posterior_draws_follow_the_weights_and_stay_in_the_prior(tmp_path):
    rng = np.random.default_rng(0)
    near = [{"trust.alpha": float(0.05 + 0.002 * rng.random()), "integrity.p0": 0.01} for _ in range(20)]
    far = [{"trust.alpha": float(0.15 + 0.002 * rng.random()), "integrity.p0": 0.06} for _ in range(20)]
    file = _posterior_file(tmp_path / "post.json", near + far, [1.0] * 20 + [0.01] * 20)
    draws = posterior_draws(file, 200, seed=1)
    assert draws["trust.alpha"].between(0.04, 0.16).all()
    assert (draws["trust.alpha"] < 0.1).mean() > 0.9, "draws follow the particle weights"
    assert draws.duplicated().sum() == 0, "smoothed draws never repeat a point (same point = same runs)"


def test_posterior_files_that_are_not_posteriors_are_refused(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(ValueError, match="is not a posterior file"):
        parameter_draws(2, 0, posterior=bad)
    file = _posterior_file(tmp_path / "p.json", [{"trust.nope": 1.0}], [1.0])
    with pytest.raises(ValueError, match=r"undeclared parameter 'trust\.nope'"):
        parameter_draws(2, 0, posterior=file)
    file = _posterior_file(tmp_path / "w.json", [{"trust.alpha": 0.1}], [-1.0])
    with pytest.raises(ValueError, match="weights must be"):
        parameter_draws(2, 0, posterior=file)


def test_a_variant_that_sets_a_drawn_parameter_is_refused():
    plan = parse_plan(PLAN.replace("placement.placement_days", "trust.alpha").replace("= 30", "= 0.1"), "p.toml")
    with pytest.raises(ValueError, match=r"variant 'long_placement' sets 'trust\.alpha'"):
        ensemble_plan(plan, pd.DataFrame({"trust.alpha": [0.05, 0.1]}))
