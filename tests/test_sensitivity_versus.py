"""`siyi sensitivity --versus baseline`: indices of the paired effect, not of one scenario's level.

A synthetic model with known answers: ``trust.alpha`` raises every scenario's outcome alike (it
moves the level, not the policy's gain), ``placement.follow_up_effort`` raises only the policy's.
The level's indices must rank ``trust.alpha`` first; the effect's must give it exactly zero.
"""

from __future__ import annotations

import json
import zlib

import numpy as np
import pandas as pd
import pytest

from siyi_sim.analysis.sensitivity import run_sensitivity
from siyi_sim.cli import main

PARAMS = "trust.alpha=0:1,placement.follow_up_effort=0:1"


def level_and_gain(spec) -> tuple[dict, pd.DataFrame]:
    alpha = float(spec.overrides["trust.alpha"])
    effort = float(spec.overrides["placement.follow_up_effort"])
    z = np.random.default_rng(spec.seed).normal()  # shared by both scenarios of a seed
    e = np.random.default_rng([spec.seed, zlib.crc32(spec.scenario.encode())]).normal()
    gain = 2.0 * effort if spec.base_scenario != "baseline" else 0.0
    y = 100.0 * alpha + gain + 5.0 * z + 0.01 * e
    summary = {"scenario": spec.base_scenario, "seed": spec.seed, "days": 3, "mean_owner_trust": y}
    return summary, pd.DataFrame({"n": np.zeros(3)}, index=pd.RangeIndex(1, 4, name="day"))


def _run(method, out, versus):
    return run_sensitivity(
        method, PARAMS, "mean_owner_trust", out, samples=4 if method == "morris" else 16, reps=2,
        versus=versus, run_fn=level_and_gain, progress=False,
    )  # fmt: skip


@pytest.mark.parametrize("method, index", [("morris", "mu_star"), ("sobol", "ST")])
def test_versus_explains_the_paired_effect_not_the_level(tmp_path, method, index):
    level = _run(method, tmp_path / "level", None).table.set_index("parameter")
    effect = _run(method, tmp_path / "effect", "baseline").table.set_index("parameter")
    assert level[index].idxmax() == "trust.alpha"  # the level is driven by what moves both scenarios
    assert effect[index].idxmax() == "placement.follow_up_effort"
    # paired on seeds and parameters, what moves both scenarios alike cancels (up to run noise)
    assert abs(effect.loc["trust.alpha", index]) < 0.05 * effect.loc["placement.follow_up_effort", index]


def test_versus_runs_both_scenarios_on_the_same_seeds_and_records_it(tmp_path):
    from siyi_sim.experiments import load_runs

    result = _run("morris", tmp_path / "sa", "baseline")
    runs = load_runs(tmp_path / "sa" / "sweep")
    assert set(runs["scenario"]) == {"baseline", "campaign_2020"}
    seeds = runs.pivot_table(index=["point", "replication"], columns="scenario", values="seed")
    assert (seeds["baseline"] == seeds["campaign_2020"]).all()
    record = json.loads((tmp_path / "sa" / "sensitivity.json").read_text())
    assert record["versus"] == "baseline" and result.versus == "baseline"
    assert record["noise"]["seed_variance"] < 0.01  # shared seed noise (sd 5) cancelled by pairing


def test_cli_versus_on_the_model_prints_the_effect_table(tmp_path, capsys):
    small = ["population.n_cadres=300", "population.n_enterprises=600", "campaign.first_batch_day=2",
             "campaign.batch_interval_days=5", "campaign.n_batches=2"]  # fmt: skip
    argv = ["sensitivity", "--method", "morris", "--params", "trust.alpha,placement.follow_up_effort",
            "--metric", "mean_owner_trust", "--samples", "2", "--reps", "1", "--days", "12", "--workers", "1",
            "--versus", "baseline", "--out", str(tmp_path / "sa")]  # fmt: skip
    for item in small:
        argv += ["--set", item]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "paired effect campaign_2020 - baseline on mean_owner_trust" in text


@pytest.mark.parametrize(
    "versus, message", [("nope", "unknown versus scenario 'nope'"), ("campaign_2020", "is the scenario itself")]
)
def test_cli_refuses_a_bad_versus_in_one_line(tmp_path, capsys, versus, message):
    argv = ["sensitivity", "--method", "morris", "--params", "trust.alpha,trust.beta", "--metric",
            "mean_owner_trust", "--versus", versus, "--out", str(tmp_path / "sa")]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "sa").exists()
