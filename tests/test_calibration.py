"""The calibration file: complete provenance, parameter values only, loaded by campaign_2020."""

import json
import math
from pathlib import Path

import pytest

from siyi_sim import cli, scenarios
from siyi_sim.calibration import calibrate, validate
from siyi_sim.config import Config, known_keys
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


def test_check_blocks_are_p1_on_disjoint_ten_seed_blocks_of_the_check_seeds():
    """The record's block verdicts agree with their own errors, and the blocks tile the check seeds."""
    blocks = RECORD["fit"]["check_blocks"]
    seeds = RECORD["fit"]["check_seeds"]
    assert len(blocks) == len(seeds) // 10 >= 2
    assert [b["seeds"] for b in blocks] == [[seeds[i], seeds[i + 9]] for i in range(0, len(seeds), 10)]
    for b in blocks:
        within = all(abs(e) <= calibrate.TOLERANCE for e in b["relative_error"].values())
        assert b["within_tolerance"] == within


def test_check_blocks_flag_a_block_outside_the_tolerance():
    on_target = {k: v for k, v in calibrate.TARGETS.items()}
    off = dict(on_target, program_loans_yuan=on_target["program_loans_yuan"] * 1.5)
    blocks = calibrate.check_blocks([on_target] * 10 + [off] * 10, list(range(1, 21)))
    assert [b["within_tolerance"] for b in blocks] == [True, False]
    assert blocks[1]["relative_error"]["program_loans_yuan"] == pytest.approx(0.5)


def test_fit_seeds_are_disjoint_from_validation_seeds():
    used = set(RECORD["fit"]["seeds"]) | set(RECORD["fit"]["check_seeds"])
    assert not used & set(range(1, 101))


def test_scenarios_load_the_values_of_the_calibration_file(tmp_path, monkeypatch):
    """A file with other values gives other CALIBRATED values: they come from the file, not the code."""
    other = {key: value * 1.5 for key, value in RECORD["values"].items()}
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "calibration_2020.json").write_text(json.dumps({**RECORD, "values": other}))

    class Files:
        @staticmethod
        def files(package):
            return Path(tmp_path)

    monkeypatch.setattr(scenarios, "resources", Files)
    assert scenarios._calibrated_values() == pytest.approx(other)


def test_every_scenario_runs_in_the_calibrated_world(monkeypatch):
    """campaign_2020, its variants and campaign_then_normalized (and baseline, for paired runs)."""
    assert {"campaign_2020", "campaign_then_normalized", "no_safeguards", "baseline"} <= set(SCENARIOS)
    defaults = Config().flat()
    assert all(defaults[key] != value for key, value in RECORD["values"].items())  # so applying them shows
    shifted = {key: value * 1.25 for key, value in RECORD["values"].items()}
    monkeypatch.setattr(scenarios, "CALIBRATED", shifted)
    for name in SCENARIOS:
        flat = scenario_config(name).flat()
        for key, value in shifted.items():
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


# --- the behaviour fingerprint -------------------------------------------------------------------


def test_shipped_calibration_was_fitted_on_a_model_that_behaves_as_this_one():
    """Refactors keep this fingerprint; a behaviour change needs `siyi calibrate --install`."""
    assert RECORD["model_fingerprint"] == calibrate.model_fingerprint()


def test_fingerprint_follows_behaviour_not_the_calibration_it_is_stored_in(monkeypatch):
    before = calibrate.model_fingerprint()
    monkeypatch.setattr(scenarios, "CALIBRATED", {k: v * 2 for k, v in RECORD["values"].items()})
    assert calibrate.model_fingerprint() == before
    monkeypatch.setattr(calibrate, "REFERENCE_OVERRIDES", {**calibrate.REFERENCE_OVERRIDES, "trust.alpha": 0.2})
    assert calibrate.model_fingerprint() != before  # the same as a changed default: other behaviour


@pytest.mark.parametrize("same", [True, False])
def test_validate_warns_only_when_the_behaviour_fingerprint_differs(monkeypatch, capsys, same):
    monkeypatch.setattr(validate, "measure_all", lambda seeds, *args, **kwargs: _fake_results())
    fitted = RECORD["model_fingerprint"]
    monkeypatch.setattr(calibrate, "model_fingerprint", lambda: fitted if same else "0" * 16)
    assert cli.main(["validate", "--json", "--seeds", "2"]) == 0
    assert ("behaves differently" in capsys.readouterr().err) is not same


# --- provenance: where `siyi calibrate` writes ---------------------------------------------------


@pytest.fixture
def fake_fit(monkeypatch, tmp_path):
    """`fit` and the hold-out replaced by a record with other values; the shipped file redirected."""
    shipped = tmp_path / "shipped.json"
    shipped.write_text(json.dumps(RECORD))
    monkeypatch.setattr(calibrate, "CALIBRATION_FILE", shipped)
    record = {**RECORD, "values": {k: v * 1.1 for k, v in RECORD["values"].items()}}
    monkeypatch.setattr(calibrate, "fit", lambda **kwargs: dict(record))
    monkeypatch.setattr(calibrate, "holdout_check", lambda values, **kwargs: {"passed": True})
    monkeypatch.chdir(tmp_path)
    return shipped, record


def test_calibrate_writes_under_results_and_leaves_the_shipped_file(fake_fit, tmp_path, capsys):
    shipped, record = fake_fit
    before = shipped.read_text()
    assert cli.main(["calibrate"]) == 0
    written = json.loads((tmp_path / "results" / "calibration_2020.json").read_text())
    assert written["values"] == record["values"] and written["holdout"] == {"passed": True}
    assert shipped.read_text() == before
    assert "--install" in capsys.readouterr().out
    assert cli.main(["calibrate", "--out", str(tmp_path / "elsewhere.json")]) == 0
    assert json.loads((tmp_path / "elsewhere.json").read_text())["values"] == record["values"]
    assert shipped.read_text() == before


def test_calibrate_install_replaces_the_shipped_file(fake_fit):
    shipped, record = fake_fit
    assert cli.main(["calibrate", "--install", "--no-holdout"]) == 0
    assert json.loads(shipped.read_text())["values"] == record["values"]
    assert not list(shipped.parent.glob(".tmp-*"))


def test_calibrate_out_and_install_together_is_an_error(fake_fit, capsys):
    shipped, _ = fake_fit
    before = shipped.read_text()
    assert cli.main(["calibrate", "--install", "--out", "x.json"]) == 2
    assert "--out or --install" in capsys.readouterr().err
    assert shipped.read_text() == before


# --- the runner ----------------------------------------------------------------------------------


def test_run_many_returns_results_in_task_order_whatever_finishes_first():
    """The first task is the slowest: with two workers it finishes last, yet comes back first."""
    small = {"population.n_cadres": 100, "population.n_enterprises": 200}
    tasks = [("baseline", 5, {**small, "run.days": 120}), *(("baseline", s, {**small, "run.days": 2}) for s in (6, 7))]
    summaries = calibrate.run_many(tasks, workers=2)
    assert [(s["seed"], s["days"]) for s in summaries] == [(5, 120), (6, 2), (7, 2)]
    assert summaries == calibrate.run_many(tasks, workers=1)


# --- command line ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, message",
    [
        (["validate", "--seeds", "0"], "argument --seeds: invalid seeds 0: must be >= 1"),
        (["validate", "--workers", "1.5"], "argument --workers: invalid integer '1.5': must be an integer"),
        (["calibrate", "--points", "two"], "argument --points: invalid integer 'two': must be an integer"),
        (["case", "zhongchuan", "--seed", "-1"], "argument --seed: invalid seed -1: must be >= 0"),
        (["run", "--seed", "1e3"], "argument --seed: invalid seed '1e3': must be an integer"),
    ],
)
def test_integer_flags_share_one_parser(argv, message, capsys):
    """Every integer flag of every command accepts and rejects the same text, with the same words."""
    assert cli.main(argv) == 2
    assert capsys.readouterr().err.strip() == f"siyi: error: {message}"


def test_params_shows_the_calibrated_value_beside_the_default(capsys):
    assert cli.main(["params"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    for key, value in RECORD["values"].items():
        assert f"effective={value!r} (calibrated)" in lines[key], lines[key]
    assert "effective=" not in lines["trust.alpha"] and "default=" in lines["trust.alpha"]


def test_calibrate_report_writes_the_tables_of_the_given_file_and_fits_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(calibrate, "fit", lambda **kwargs: pytest.fail("--report must not fit"))
    other = {**RECORD, "values": {k: v * 1.1 for k, v in RECORD["values"].items()}}
    (tmp_path / "cal.json").write_text(json.dumps(other))
    doc = tmp_path / "doc.md"
    tag = calibrate.REPORT_TAG
    doc.write_text(f"# prose\n<!-- BEGIN generated by {tag} -->\nstale\n<!-- END generated by {tag} -->\n")
    assert cli.main(["calibrate", "--report", str(doc), "--calibration", str(tmp_path / "cal.json")]) == 0
    from siyi_sim.calibration.docblocks import read_block

    assert read_block(doc, tag) == calibrate.report_markdown(other) != calibrate.report_markdown(RECORD)
    assert doc.read_text().startswith("# prose\n")


def test_calibrate_report_into_a_doc_without_markers_is_an_error(tmp_path, capsys):
    doc = tmp_path / "doc.md"
    doc.write_text("# no markers\n")
    assert cli.main(["calibrate", "--report", str(doc)]) == 2
    assert "no generated section" in capsys.readouterr().err
    assert doc.read_text() == "# no markers\n"
