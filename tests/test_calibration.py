"""The calibration file: complete provenance, parameter values only, loaded by campaign_2020."""

import json
import math
from pathlib import Path

import pytest

from siyi_sim import cli, scenarios
from siyi_sim.calibration import calibrate, validate
from siyi_sim.config import known_keys
from siyi_sim.scenarios import SCENARIOS, scenario_config

RECORD = calibrate.read_calibration()


def test_calibration_file_has_complete_provenance():
    for key in calibrate.REQUIRED_PROVENANCE:
        assert RECORD.get(key), key
    assert RECORD["targets"] == calibrate.TARGETS
    fit = RECORD["fit"]
    for key in ("seeds", "check_seeds", "loss", "means", "relative_error", "runs"):
        assert key in fit, key
    assert math.isfinite(fit["loss"])
    assert RECORD["date"].endswith("Z")


def test_calibrated_values_are_parameters_not_outputs():
    values = RECORD["values"]
    assert set(values) == {p.key for p in calibrate.FREE_PARAMETERS}
    assert set(values) <= known_keys()
    assert not set(values) & set(calibrate.TARGETS)
    for p in calibrate.FREE_PARAMETERS:
        assert p.lower <= values[p.key] <= p.upper, p.key


def test_fit_seeds_are_disjoint_from_validation_seeds():
    used = set(RECORD["fit"]["seeds"]) | set(RECORD["fit"]["check_seeds"])
    assert not used & set(range(1, 101))


def test_every_scenario_runs_in_the_calibrated_world():
    """campaign_2020, its variants and campaign_then_normalized (and baseline, for paired runs)."""
    values = RECORD["values"]
    assert values == scenarios.CALIBRATED
    assert {"campaign_2020", "campaign_then_normalized", "no_safeguards", "baseline"} <= set(SCENARIOS)
    for name in SCENARIOS:
        flat = scenario_config(name).flat()
        for key, value in values.items():
            assert flat[key] == pytest.approx(value), (name, key)


def test_user_overrides_win_over_calibrated_values():
    key = next(iter(RECORD["values"]))
    assert scenario_config("campaign_2020", {key: 0.5 * RECORD["values"][key]}).flat()[key] == pytest.approx(
        0.5 * RECORD["values"][key]
    )


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        '{"values": [1, 2]}',
        '{"values": {"nosuch.key": 1}}',
        '{"values": {"policies.eligibility_prob": "high"}}',
        "{}",
    ],
)
def test_malformed_calibration_file_is_a_clear_error(tmp_path, monkeypatch, text):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "calibration_2020.json").write_text(text)

    class Files:
        @staticmethod
        def files(package):
            return Path(tmp_path)

    monkeypatch.setattr(scenarios, "resources", Files)
    with pytest.raises(ValueError, match="malformed calibration file"):
        scenarios._calibrated_values()


def _fake_results(passed_p6=True):
    seeds = [1, 2]
    return [
        validate.PatternResult(
            f"P{i}", f"pattern {i}", passed_p6 or i != 6, {"value": float(i), "never": math.inf}, "target", seeds
        )
        for i in range(1, 7)
    ]


@pytest.mark.parametrize("all_pass", [True, False])
def test_validate_json_shape_and_exit_code(monkeypatch, capsys, all_pass):
    monkeypatch.setattr(validate, "measure_all", lambda seeds, *args, **kwargs: _fake_results(all_pass))
    code = cli.main(["validate", "--json", "--seeds", "2"])
    out = json.loads(capsys.readouterr().out)
    assert code == (0 if all_pass else 1)
    assert [p["pattern"] for p in out["patterns"]] == [f"P{i}" for i in range(1, 7)]
    for p in out["patterns"]:
        assert {"pattern", "passed", "measured", "target", "seeds"} <= set(p)
        assert isinstance(p["passed"], bool) and p["seeds"] == [1, 2]


def test_validate_rejects_bad_seed_count(capsys):
    assert cli.main(["validate", "--seeds", "zero"]) == 2
    assert "seeds" in capsys.readouterr().err
