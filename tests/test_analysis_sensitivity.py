"""`siyi sensitivity`: SALib Morris/Sobol on the sweep runner, noise-aware, resumable."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from siyi_sim.analysis.sensitivity import parse_params, run_sensitivity
from siyi_sim.cli import main
from siyi_sim.experiments import load_runs

SMALL = {
    "population.n_cadres": 300,
    "population.n_enterprises": 600,
    "campaign.first_batch_day": 2,
    "campaign.batch_interval_days": 5,
    "campaign.n_batches": 3,
}
PARAMS = "population.owner_trust_mean,trust.alpha,careers.party_school_rate"


def _run_morris(out):
    """The small Morris design of this file into ``out`` (a rerun resumes it)."""
    return run_sensitivity(
        "morris",
        PARAMS,
        "mean_owner_trust",
        out,
        samples=3,
        reps=2,
        days=20,
        overrides=SMALL,
        workers=1,
        progress=False,
    )


@pytest.fixture(scope="module")
def morris(tmp_path_factory):
    out = tmp_path_factory.mktemp("sa") / "morris"
    result = _run_morris(out)
    return result, out


def test_morris_ranks_a_parameter_the_model_ignores_last(morris):
    result, _ = morris
    table = result.table
    # normalised placements are off in campaign_2020, so the Party-school rate (it only feeds cohorts) cannot matter
    assert table["parameter"].iloc[-1] == "careers.party_school_rate"
    ignored = table.set_index("parameter").loc["careers.party_school_rate"]
    assert ignored["mu_star"] == 0.0 and ignored["rank"] == 3
    assert (table.set_index("parameter").loc[["population.owner_trust_mean", "trust.alpha"], "mu_star"] > 0).all()


def test_morris_reports_seed_noise_beside_the_indices(morris):
    result, out = morris
    table = result.table.set_index("parameter")
    assert {"mu_star_seed_sd", "sigma_seed_sd", "mu_star_noise_se", "below_noise"} <= set(table.columns)
    noise = result.noise
    assert noise["replications"] == 2 and noise["seed_variance"] > 0 and 0 <= noise["noise_share"] < 1
    assert 0 <= noise["seed_variance_unshared"] <= noise["seed_variance"] * 2
    assert (
        table.loc["careers.party_school_rate", "below_noise"]
        and table.loc["careers.party_school_rate", "mu_star_noise_se"] == 0
    )
    assert not table.loc["population.owner_trust_mean", "below_noise"]
    record = json.loads((out / "sensitivity.json").read_text())
    assert record["noise"]["seed_variance"] == pytest.approx(noise["seed_variance"])
    assert pd.read_csv(out / "sensitivity.csv")["parameter"].tolist() == result.table["parameter"].tolist()
    assert (out / "sensitivity.png").read_bytes()[:4] == b"\x89PNG"


def test_morris_runs_on_the_sweep_runner_and_resumes(morris):
    result, out = morris
    runs = load_runs(out / "sweep")
    assert len(runs) == result.n_runs == result.n_points * 2
    assert (out / "sweep" / "manifest.json").exists()
    again = _run_morris(out)
    assert len(load_runs(out / "sweep")) == len(runs)  # nothing re-run, nothing duplicated
    pd.testing.assert_frame_equal(again.table, result.table)


def test_sobol_indices_from_the_command_line(tmp_path, capsys):
    out = tmp_path / "sobol"
    argv = [
        "sensitivity",
        "--method",
        "sobol",
        "--params",
        "population.owner_trust_mean,careers.party_school_rate",
        "--metric",
        "mean_owner_trust",
        "--samples",
        "4",
        "--reps",
        "2",
        "--days",
        "5",
        "--workers",
        "1",
        "--out",
        str(out),
    ]
    argv += [x for k, v in SMALL.items() for x in ("--set", f"{k}={v}")]
    assert main(argv) == 0
    table = pd.read_csv(out / "sensitivity.csv")
    assert table["parameter"].tolist() == ["population.owner_trust_mean", "careers.party_school_rate"]
    assert table.loc[0, "ST"] > 0 and abs(table.loc[1, "ST"]) < 1e-12  # N=4 is far too few for accurate values
    assert "rank" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--params", "trust.alpha,trust.nope", "--metric", "mean_owner_trust"], "trust.nope"),
        (["--params", "trust.alpha,trust.beta", "--metric", "happiness"], "happiness"),
        (["--params", "trust.alpha", "--metric", "mean_owner_trust"], "at least two"),
        (["--params", "trust.alpha,campaign.enabled", "--metric", "mean_owner_trust"], "not numeric"),
        (["--params", "trust.alpha,trust.beta=0.5:0.1", "--metric", "mean_owner_trust"], "LOW < HIGH"),
        (["--params", "trust.alpha,trust.beta=0:2", "--metric", "mean_owner_trust"], "valid range"),
        (
            [
                "--params",
                "trust.alpha,trust.beta",
                "--metric",
                "mean_owner_trust",
                "--method",
                "sobol",
                "--samples",
                "6",
            ],
            "power of 2",
        ),
        (
            ["--params", "trust.alpha,trust.beta", "--metric", "mean_owner_trust", "--method", "annealing"],
            "invalid choice",
        ),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, capsys, argv, message):
    out = tmp_path / "sa"
    full = ["sensitivity", *(["--method", "morris"] if "--method" not in argv else []), *argv, "--out", str(out)]
    assert main(full) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and message in err, err
    assert not out.exists()


def test_default_bounds_are_half_to_one_and_a_half_times_the_default():
    spec = {p.key: p for p in parse_params("trust.alpha,population.n_cadres")}
    assert (spec["trust.alpha"].low, spec["trust.alpha"].high) == pytest.approx((0.04, 0.12))
    assert spec["population.n_cadres"].integer and (
        spec["population.n_cadres"].low,
        spec["population.n_cadres"].high,
    ) == (750, 2250)


def test_default_bounds_are_centred_on_the_calibrated_value_where_there_is_one():
    """Scenarios run with the calibrated value, so that is what the analysis perturbs."""
    from siyi_sim.config import Config
    from siyi_sim.scenarios import CALIBRATED

    key = "population.hiring_gap_mean"
    assert CALIBRATED[key] != Config().flat()[key]
    spec = {p.key: p for p in parse_params(f"{key},trust.alpha")}
    assert (spec[key].low, spec[key].high) == pytest.approx((0.5 * CALIBRATED[key], 1.5 * CALIBRATED[key]))
