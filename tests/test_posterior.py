"""`siyi calibrate --posterior`: ABC-SMC particles with provenance, a predictive check on fresh seeds."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest

from siyi_sim.calibration import posterior as post
from siyi_sim.calibration.calibrate import CALIBRATION_FILE
from siyi_sim.cli import main
from siyi_sim.uncertainty import UNCERTAINTIES

TINY = post.AbcSettings(
    population_size=4,
    generations=2,
    predictive_draws=2,
    days=140,
    overrides={"population.n_cadres": 150, "population.n_enterprises": 300},
    keys=("trust.alpha", "population.initial_issues_per_firm"),
)


@pytest.fixture(scope="module")
def fitted():
    return post.fit_posterior(TINY, workers=2)


def test_particles_are_weighted_inside_the_priors(fitted):
    assert list(fitted.particles.columns) == list(TINY.keys)
    assert len(fitted.particles) == TINY.population_size
    assert fitted.weights.sum() == pytest.approx(1.0) and (fitted.weights >= 0).all()
    for key in TINY.keys:
        assert fitted.particles[key].between(UNCERTAINTIES[key].low, UNCERTAINTIES[key].high).all()


def test_record_carries_provenance_and_shrinking_thresholds(fitted):
    record = fitted.record
    for field in ("targets", "priors", "seeds", "population_size", "generations", "date", "model_fingerprint"):
        assert field in record, field
    assert record["targets"]["program_issues_resolved"] == 914
    epsilons = [g["epsilon"] for g in record["generations"]]
    assert len(epsilons) >= 1 and all(b <= a for a, b in itertools.pairwise(epsilons))
    assert set(record["distance"]["scales"]) == set(record["targets"])


def test_predictive_check_uses_seeds_the_fit_never_saw(fitted):
    check = fitted.record["predictive"]
    assert not set(check["seeds"]) & set(post.FIT_SEEDS)
    assert check["draws"] == TINY.predictive_draws
    for total in check["totals"].values():
        assert total["q05"] <= total["mean"] <= total["q95"]


def test_file_round_trips_and_figure_is_written(fitted, tmp_path):
    path = post.write_posterior(fitted, tmp_path / "post.json")
    again = post.load_posterior(path)
    np.testing.assert_allclose(again.weights, fitted.weights)
    assert again.particles.equals(fitted.particles)
    png = post.marginal_figure(again, tmp_path / "m.png")
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_distance_scales_each_total_by_its_seed_noise():
    targets = {"a": 100.0, "b": 1000.0}
    pilot = [{"a": 90.0, "b": 1000.0}, {"a": 110.0, "b": 1000.0}]
    scales = post.noise_scales(pilot, targets, rel=0.01)
    assert scales["a"] == pytest.approx(math.sqrt(np.std([90, 110], ddof=1) ** 2 + 1.0))
    assert scales["b"] == pytest.approx(10.0), "no seed noise: the relative tolerance alone"
    # a miss of one noise-scale on one total of two gives RMS 1/sqrt(2)
    d = post.noise_distance({"a": 100 + scales["a"], "b": 1000.0}, targets, scales=scales)
    assert d == pytest.approx(1 / math.sqrt(2))


def test_settings_and_files_are_checked():
    with pytest.raises(ValueError, match="invalid population_size 0"):
        post.AbcSettings(population_size=0)
    with pytest.raises(ValueError, match=r"overrides fix 'trust\.alpha'"):
        post.AbcSettings(overrides={"trust.alpha": 0.1})
    with pytest.raises(ValueError, match="does not exist"):
        post.load_posterior("/nonexistent/posterior.json")


@pytest.mark.slow
def test_command_writes_its_own_file_and_never_the_shipped_calibration(tmp_path, capsys):
    before = CALIBRATION_FILE.read_bytes()
    out = tmp_path / "posterior.json"
    args = ["calibrate", "--posterior", "--population-size", "2", "--generations", "1", "--predictive-draws", "1"]
    assert main([*args, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "predictive program_issues_resolved: target 914" in printed
    assert CALIBRATION_FILE.read_bytes() == before
    record = json.loads(out.read_text())
    assert record["format"] == post.FORMAT and len(record["particles"]) == 2
    assert out.with_suffix(".png").exists()
    for bad, words in (
        (["--out", str(tmp_path)], "is a folder"),
        (["--out", str(out), "--install"], "give --out or --install, not both"),
        (["--min-epsilon", "-1"], "must be a non-negative number"),
    ):
        assert main([*args, *bad]) == 2
        err = capsys.readouterr().err.strip()
        assert words in err and len(err.splitlines()) == 1


def test_calibration_md_posterior_section_is_what_the_shipped_posterior_generates():
    from pathlib import Path

    from siyi_sim.calibration import docblocks

    doc = Path(__file__).resolve().parents[1] / "docs" / "calibration.md"
    shipped = post.load_posterior(post.POSTERIOR_FILE)
    assert docblocks.read_block(doc, post.REPORT_TAG) == post.posterior_markdown(shipped), (
        "docs/calibration.md is stale: run siyi calibrate --posterior --report"
    )
    assert (doc.parent / "img" / post.FIGURE_NAME).exists()
