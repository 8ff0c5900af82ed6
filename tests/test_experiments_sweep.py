"""Sweeps of the real model: determinism across workers, common random numbers, kill -9 and
resume, and the ``siyi sweep`` / ``siyi compare`` command lines (every bad-input path)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from siyi_sim.cli import main
from siyi_sim.experiments import load_runs, paired_comparison, parse_plan, run_sweep

REPO = Path(__file__).resolve().parents[1]
PLAN = """
[experiment]
name = "tiny"
scenarios = ["baseline", "campaign_2020", "campaign_promo"]
replications = 6
base_seed = 11
days = 240   # long enough for the Kaplan-Meier median of new issues in at least two pairs

[set]
"population.n_cadres" = 200
"population.n_enterprises" = 400

[variants.campaign_promo]   # a lever the campaign does not use: must change nothing
scenario = "campaign_2020"
set = { "careers.party_school_rate" = 0.5 }

[keep]
daily = ["mean_owner_trust", "issues_resolved_total"]
"""


def numeric(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in frame.columns if c.startswith("timing_")]).reset_index(drop=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The plan run in-process with one worker: what every other way of running must reproduce."""
    out = tmp_path_factory.mktemp("reference") / "out"
    run_sweep(parse_plan(PLAN, "tiny.toml"), out, workers=1, progress=False)
    return out


@pytest.fixture()
def plan_file(tmp_path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(PLAN)
    return path


def test_two_workers_give_the_same_numbers_as_one(reference, tmp_path):
    run_sweep(parse_plan(PLAN, "tiny.toml"), tmp_path / "two", workers=2, progress=False)
    one, two = load_runs(reference), load_runs(tmp_path / "two")
    assert len(one) == 18 and one["run_key"].is_unique
    pd.testing.assert_frame_equal(numeric(one), numeric(two))


def test_a_lever_that_changes_nothing_gives_exactly_zero_paired_differences(reference):
    runs = load_runs(reference)
    table = paired_comparison(runs, baseline="campaign_2020")
    lever = table[table["scenario"] == "campaign_promo"]
    assert len(lever) > 10 and (lever["n_pairs"] >= 2).all()  # a metric that is missing in a run drops that pair
    assert (lever.set_index("metric").loc["program_issues_resolved", "n_pairs"]) == 6
    assert (lever["diff_mean"] == 0).all() and (lever["diff_sd"] == 0).all()
    assert (lever["ci_low"] == 0).all() and (lever["ci_high"] == 0).all()
    # and the campaign itself does change things, on the same firms and draws
    vs_base = paired_comparison(runs, metrics=["program_issues_resolved", "n_enterprises"]).set_index(
        ["scenario", "metric"]
    )
    assert vs_base.loc[("campaign_2020", "program_issues_resolved"), "diff_mean"] > 0
    assert vs_base.loc[("campaign_2020", "n_enterprises"), "diff_sd"] == 0


@pytest.mark.slow
def test_kill_9_mid_sweep_then_resume_gives_exactly_the_planned_rows(reference, tmp_path):
    plan_file = tmp_path / "long.toml"
    plan_file.write_text(PLAN.replace("replications = 6", "replications = 10"))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "siyi_sim.cli", "sweep", str(plan_file), "--out", str(out), "--workers", "2"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while len(list((out / "parts").glob("*.parquet"))) < 4 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, "sweep finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its workers, no chance to clean up
    finally:
        proc.wait(timeout=30)
    killed = load_runs(out)
    assert 0 < len(killed) < 30
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{len(killed)} already done" in done.stdout
    runs = load_runs(out)
    assert len(runs) == 30 and runs["run_key"].is_unique
    assert sorted(runs["replication"].value_counts().unique()) == [3]
    first = runs[runs["replication"] < 6]
    pd.testing.assert_frame_equal(numeric(first), numeric(load_runs(reference)))


def test_sweep_command_prints_no_progress_bar_when_not_a_terminal(plan_file, tmp_path, capsys):
    plan_file.write_text(PLAN.replace("replications = 6", "replications = 2"))
    assert main(["sweep", str(plan_file), "--out", str(tmp_path / "out"), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("6 runs planned") and "\r" not in out and "run/s" not in out
    assert main(["compare", str(tmp_path / "out"), "--metric", "program_issues_resolved", "clear_index"]) == 0
    printed = capsys.readouterr().out
    assert "campaign_2020" in printed and "95% CI" in printed
    table = pd.read_csv(tmp_path / "out" / "comparison.csv")
    assert set(table["metric"]) == {"program_issues_resolved", "clear_index"}
    assert {"scenario", "mean", "diff_mean", "ci_low", "ci_high", "n_pairs"} <= set(table.columns)


def test_dry_run_reports_runs_time_and_size_and_writes_nothing(plan_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(plan_file), "--out", str(out), "--workers", "2", "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("experiment 'tiny': 3 scenarios x 1 points x 6 replications = 18 runs")
    assert lines[1].startswith("estimated time:") and lines[2].startswith("expected output:")
    assert not out.exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


BAD_FILES = {
    "malformed": ("[experiment\nscenarios = 1", "malformed TOML"),
    "unknown_scenario": (
        PLAN.replace('"campaign_2020", "campaign_promo"]', '"campaign_2021", "campaign_promo"]'),
        "unknown scenario 'campaign_2021'",
    ),
    "unknown_key": (
        PLAN.replace('"population.n_cadres"', '"population.n_cadre"'),
        "unknown parameter 'population.n_cadre'",
    ),
    "out_of_range": (
        PLAN.replace('"population.n_cadres" = 200', '"population.n_cadres" = 5'),
        "invalid value 5 for 'population.n_cadres'",
    ),
    "zero_replications": (PLAN.replace("replications = 6", "replications = 0"), "replications must be >= 1"),
    "negative_replications": (PLAN.replace("replications = 6", "replications = -2"), "replications must be >= 1"),
    "unknown_daily": (PLAN.replace('"issues_resolved_total"]', '"nope"]'), "unknown daily column 'nope'"),
    "unknown_summary": (PLAN + 'summary = ["nope"]\n', "unknown summary key 'nope'"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_experiment_file_is_one_line_exit_2_nothing_written(case, tmp_path, capsys):
    text, message = BAD_FILES[case]
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("siyi: error:") and message in err and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--workers", "0"], "must be >= 1"),
        (["--workers", "two"], "invalid integer"),
        (["--target-ci", "clear_index"], "expected KEY=HALFWIDTH"),
        (["--target-ci", "clear_index=-1"], "HALFWIDTH must be a positive"),
        (["--target-ci", "nope=0.1"], "not a summary key"),
        (["--target-ci", "clear_index=0.1", "--baseline", "nope"], "not in experiment.scenarios"),
        (["--target-ci", "clear_index=0.1", "--max-reps", "3"], "below the 6 replications"),
        (["--max-reps", "10"], "only makes sense with --target-ci"),
        (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --backend dask"),
        (["--backend", "ray"], "invalid choice"),
        (["--connect-timeout", "0"], "positive number of seconds"),
    ],
)
def test_bad_options_are_one_line_exit_2_nothing_written(extra, message, plan_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(plan_file), "--out", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("siyi: error:") and message in err and err.count("\n") == 1
    assert not out.exists()


def test_unwritable_out_is_refused(plan_file, tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    for out, message in [
        (blocker / "sub", "is not a directory"),
        (blocker, "exists and is not a directory"),
        (Path("/proc/siyi_out"), "cannot"),
    ]:
        assert main(["sweep", str(plan_file), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("siyi: error:") and message in err and err.count("\n") == 1, err
    assert not Path("/proc/siyi_out").exists() and blocker.read_text() == "x"


def test_missing_experiment_file(tmp_path, capsys):
    assert main(["sweep", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "out")]) == 2
    assert "not found" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_unreachable_scheduler_fails_fast_with_one_line(plan_file, tmp_path, capsys):
    out = tmp_path / "out"
    start = time.monotonic()
    code = main(
        [
            "sweep",
            str(plan_file),
            "--out",
            str(out),
            "--backend",
            "dask",
            "--scheduler",
            f"tcp://127.0.0.1:{free_port()}",
            "--connect-timeout",
            "1",
        ]
    )
    assert code == 2 and time.monotonic() - start < 20
    err = capsys.readouterr().err
    assert err.startswith("siyi: error: cannot reach Dask scheduler") and err.count("\n") == 1
    assert not out.exists()


def test_results_of_another_experiment_are_not_mixed(reference, tmp_path, capsys):
    other = tmp_path / "other.toml"
    other.write_text(PLAN.replace("base_seed = 11", "base_seed = 12"))
    before = sorted((p.name, p.stat().st_mtime_ns) for p in reference.rglob("*"))
    assert main(["sweep", str(other), "--out", str(reference)]) == 2
    assert "holds a different experiment" in capsys.readouterr().err
    assert sorted((p.name, p.stat().st_mtime_ns) for p in reference.rglob("*")) == before


@pytest.mark.parametrize(
    "args, message",
    [
        (["compare", "{tmp}/nothing"], "holds no sweep results"),
        (["compare", "{ref}", "--metric", "nope"], "unknown or non-numeric metric 'nope'"),
        (["compare", "{ref}", "--baseline", "nope"], "baseline scenario 'nope' is not in the results"),
        (["compare", "{ref}", "--csv", "{tmp}/no/dir/c.csv"], "does not exist"),
    ],
)
def test_bad_compare_input_is_one_line_exit_2(args, message, reference, tmp_path, capsys):
    argv = [a.format(tmp=tmp_path, ref=reference) for a in args]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("siyi: error:") and message in err and err.count("\n") == 1


def test_target_ci_on_the_command_line_says_whether_it_was_reached(plan_file, tmp_path, capsys):
    plan_file.write_text(PLAN.replace("replications = 6", "replications = 2"))
    out = tmp_path / "out"
    assert (
        main(
            [
                "sweep",
                str(plan_file),
                "--out",
                str(out),
                "--workers",
                "1",
                "--target-ci",
                "program_issues_resolved=1e9",
                "--max-reps",
                "3",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out.splitlines()
    assert printed[-1].startswith("target reached: widest 95% CI half-width of program_issues_resolved")
    assert len(load_runs(out)) == 6
