"""`siyi discover`: PRIM finds where a policy fails, from paired effects per ensemble draw.

The planted setting: a synthetic model in which the policy helps (+2 per run) unless the
uncertain parameter ``risk.x`` is above 0.6, where it hurts (-3); ``risk.y`` and ``risk.z`` do
nothing. Discovery must restrict ``risk.x`` to start near 0.6 and leave the others alone.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd
import pytest

from siyi_sim.analysis.discovery import discover, failure_mask, paired_effects
from siyi_sim.cli import main
from siyi_sim.experiments import parse_plan, run_sweep

THRESHOLD = 0.6


def planted_run(spec) -> tuple[dict, pd.DataFrame]:
    """Outcome y: seed noise shared by both scenarios plus a policy effect that flips above the threshold."""
    z = np.random.default_rng(spec.seed).normal()
    e = np.random.default_rng([spec.seed, zlib.crc32(spec.scenario.encode())]).normal()
    x = float(spec.overrides["risk.x"])
    effect = 0.0 if spec.base_scenario == "baseline" else (2.0 if x <= THRESHOLD else -3.0)
    summary = {"scenario": spec.base_scenario, "seed": spec.seed, "days": 5, "y": 10 + 3 * z + effect + 0.3 * e}
    daily = pd.DataFrame({"y": np.zeros(5)}, index=pd.RangeIndex(1, 6, name="day"))
    return summary, daily


def _ensemble(out, draws: int = 200, seed: int = 3) -> None:
    rng = np.random.default_rng(seed)
    lines = ['[experiment]\nname = "planted"\nscenarios = ["baseline", "campaign_2020"]\nreplications = 2']
    for x, y, z in rng.random((draws, 3)):
        lines.append(f'[[points]]\n"risk.x" = {float(x)!r}\n"risk.y" = {float(y)!r}\n"risk.z" = {float(z)!r}')
    plan = parse_plan("\n".join(lines) + "\n")
    run_sweep(plan, out, run_fn=planted_run, validate=False, progress=False)


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory):
    out = tmp_path_factory.mktemp("disc") / "ens"
    _ensemble(out)
    return out


def test_planted_failure_region_is_recovered(ensemble):
    result = discover(ensemble, "y < 0", policy="campaign_2020")
    assert result.n_failed == int((result.effects["risk.x"] > THRESHOLD).sum())
    box = result.boxes[0]
    limits = box.limits.set_index("parameter")
    assert list(limits.index) == ["risk.x"], "only the parameter that breaks the policy is restricted"
    assert limits.loc["risk.x", "low"] == pytest.approx(THRESHOLD, rel=0.10)
    assert limits.loc["risk.x", "high"] == pytest.approx(result.effects["risk.x"].max())
    assert box.density >= 0.95 and box.coverage >= 0.9
    assert limits.loc["risk.x", "qp"] < 0.05  # EMA's quasi-p value: the restriction is no accident


def test_effects_are_paired_per_draw_and_seed(ensemble):
    from siyi_sim.experiments import load_runs

    runs = load_runs(ensemble)
    effects = paired_effects(runs, ["risk.x", "risk.y", "risk.z"], "baseline", "campaign_2020")
    # Seed noise shared by both scenarios cancels: what is left is the planted effect +- the run noise.
    expected = np.where(effects["risk.x"] > THRESHOLD, -3.0, 2.0)
    assert np.abs(effects["y"] - expected).max() < 1.5
    assert (effects["n_pairs"] == 2).all()


def test_failure_expression_arithmetic_and_logic():
    table = pd.DataFrame({"cost": [100.0, 100.0, 10.0], "gain": [1.0, 0.0, 1.0], "point": [0, 1, 2]})
    assert failure_mask(table, "cost / gain > 50").tolist() == [True, True, False]  # 1/0 -> inf fails
    assert failure_mask(table, "(cost > 50) & ~(gain < 0.5)").tolist() == [True, False, False]
    assert failure_mask(table, "0 < gain <= 1 and cost < 50").tolist() == [False, False, True]


@pytest.mark.parametrize(
    "expression, message",
    [
        ("__import__('os').system('true')", "may not contain"),
        ("cost.real > 1", "may not contain"),
        ("nope < 1", "unknown name 'nope'"),
        ("cost + 1", "not a condition"),
        ("cost <", "not a valid expression"),
    ],
)
def test_failure_expression_refuses_what_is_not_arithmetic(expression, message):
    table = pd.DataFrame({"cost": [1.0, 2.0]})
    with pytest.raises(ValueError, match=message):
        failure_mask(table, expression)


def test_cli_prints_boxes_and_writes_figures(ensemble, tmp_path, capsys):
    out = tmp_path / "found"
    code = main(["discover", str(ensemble), "--failure", "y < 0", "--policy", "campaign_2020", "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0
    assert "box 1: coverage" in text and "risk.x:" in text and "risk.y:" not in text
    for name in ("boxes.csv", "effects.parquet", "tradeoff.png", "tradeoff.svg", "box.png", "box.svg"):
        assert (out / name).stat().st_size > 0
    assert pd.read_csv(out / "boxes.csv")["parameter"].tolist() == ["risk.x"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--failure", "y < 0", "--policy", "nope"], "policy 'nope' is not in the results"),
        (["--failure", "y <"], "not a valid expression"),
        (["--failure", "open('x')"], "may not contain"),
        (["--failure", "y < 0", "--threshold", "1.5"], "--threshold must be in (0, 1]"),
        (["--failure", "y < 0", "--baseline", "campaign_2020", "--policy", "campaign_2020"], "is the baseline"),
    ],
)
def test_cli_refuses_bad_input_in_one_line(ensemble, args, message, capsys):
    assert main(["discover", str(ensemble), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("siyi: error: ") and message in err and err.count("\n") == 1


def test_cli_refuses_a_folder_that_is_not_a_store(tmp_path, capsys):
    assert main(["discover", str(tmp_path), "--failure", "y < 0"]) == 2
    assert "not a results folder" in capsys.readouterr().err
