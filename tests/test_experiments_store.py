"""The result store and the runner, on the synthetic model (milliseconds per run)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from synthetic import failing_after, synthetic_run

from siyi_sim.experiments import load_daily, load_runs, parse_plan, run_sweep
from siyi_sim.experiments.store import PARTS_DIR, ResultStore, atomic_write_text, plain_value

PLAN = """
[experiment]
name = "synthetic"
scenarios = ["baseline", "campaign_2020", "no_safeguards"]
replications = 5
base_seed = 3
days = 4
[grid]
shift = [0.0, 1.0]
[keep]
daily = ["y"]
"""


def sweep(out, text=PLAN, **kw):
    kw.setdefault("run_fn", synthetic_run)
    return run_sweep(parse_plan(text, "synthetic.toml"), out, validate=False, progress=False, **kw)


def numeric(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in frame.columns if c.startswith("timing_")])


def test_sweep_writes_one_row_per_run_daily_series_and_manifest(tmp_path):
    report = sweep(tmp_path / "out")
    runs = load_runs(tmp_path / "out")
    assert report.planned == report.ran == len(runs) == 3 * 2 * 5
    assert runs["run_key"].is_unique
    assert list(runs.columns[:7]) == ["run_key", "scenario", "base_scenario", "point", "replication", "seed", "days"]
    assert "shift" in runs.columns and "timing_run_seconds" in runs.columns
    assert list(runs["scenario"].unique()) == ["baseline", "campaign_2020", "no_safeguards"]  # plan order
    daily = load_daily(tmp_path / "out")
    assert len(daily) == len(runs) * 4 and {"run_key", "day", "y"} <= set(daily.columns)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["complete"] and manifest["runs_done"] == 30
    assert manifest["experiment"]["file_text"] == PLAN and manifest["seeds"]["seeds"] == [3, 4, 5, 6, 7]
    assert manifest["finished_utc"] and manifest["package"]["version"]
    assert not list((tmp_path / "out" / PARTS_DIR).iterdir())  # journal merged


def test_rerunning_a_finished_sweep_runs_nothing(tmp_path):
    sweep(tmp_path / "out")
    again = sweep(tmp_path / "out")
    assert again.ran == 0 and again.already_done == 30 and len(load_runs(tmp_path / "out")) == 30


def test_resume_after_a_crash_ends_with_exactly_the_planned_rows(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="simulated crash"):
        sweep(out, run_fn=failing_after)
    partial = load_runs(out)
    assert 0 < len(partial) < 30
    report = sweep(out)
    assert report.already_done == len(partial) and report.ran == 30 - len(partial)
    runs = load_runs(out)
    assert len(runs) == 30 and runs["run_key"].is_unique
    pd.testing.assert_frame_equal(numeric(runs), numeric(_fresh(tmp_path)))


def _fresh(tmp_path):
    sweep(tmp_path / "fresh")
    return load_runs(tmp_path / "fresh")


def test_unmerged_journal_and_stale_temporaries_are_recovered_without_duplicates(tmp_path):
    out = tmp_path / "out"
    sweep(out)
    runs = load_runs(out)
    # a kill between writing runs.parquet and deleting parts leaves both; plus a torn temp file
    row = {k: plain_value(v) for k, v in runs.iloc[0].to_dict().items()}
    atomic_write_text(out / PARTS_DIR / f"{row['run_key']}.json", json.dumps(row))
    (out / PARTS_DIR / ".tmp-half.json-1-1").write_text('{"run_k')
    assert len(load_runs(out)) == 30
    sweep(out)
    assert len(load_runs(out)) == 30 and not list((out / PARTS_DIR).iterdir())


def test_one_and_two_workers_give_identical_rows(tmp_path):
    sweep(tmp_path / "one", workers=1)
    sweep(tmp_path / "two", workers=2)
    pd.testing.assert_frame_equal(numeric(load_runs(tmp_path / "one")), numeric(load_runs(tmp_path / "two")))


def test_a_directory_holding_another_experiment_is_refused_untouched(tmp_path):
    out = tmp_path / "out"
    sweep(out)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    with pytest.raises(ValueError, match="holds a different experiment"):
        sweep(out, text=PLAN.replace("base_seed = 3", "base_seed = 4"))
    with pytest.raises(ValueError, match="holds a different experiment"):
        sweep(out, text=PLAN.replace('daily = ["y"]', 'daily = ["y", "n"]'))
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


def test_more_replications_extend_the_same_experiment(tmp_path):
    sweep(tmp_path / "out")
    report = sweep(tmp_path / "out", text=PLAN.replace("replications = 5", "replications = 7"))
    assert report.already_done == 30 and report.ran == 12 and len(load_runs(tmp_path / "out")) == 42


def test_a_foreign_non_empty_directory_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not empty and holds no sweep manifest"):
        sweep(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_second_sweep_into_a_busy_directory_is_refused(tmp_path):
    out = tmp_path / "out"
    sweep(out)
    holder = ResultStore(out)
    holder.open()
    try:
        with pytest.raises(ValueError, match="in use by another running sweep"):
            sweep(out)
    finally:
        holder.close()


def test_files_are_replaced_atomically(tmp_path):
    target = tmp_path / "f.json"
    atomic_write_text(target, "old")
    with pytest.raises(ZeroDivisionError):
        from siyi_sim.experiments.store import atomic_write

        atomic_write(target, lambda tmp: (tmp.write_text("half"), 1 / 0))
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_progress_bar_shows_count_on_a_terminal_and_nothing_otherwise(monkeypatch):
    import io
    import sys

    from siyi_sim.experiments.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for stream, expected in [(Terminal(), "3/4"), (io.StringIO(), "")]:
        monkeypatch.setattr(sys, "stdout", stream)
        bar = Progress(total=4, done=1)
        bar.advance(2)
        bar.close()
        assert (expected in stream.getvalue()) if expected else stream.getvalue() == ""
