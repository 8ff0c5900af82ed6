"""Daily series as a partitioned dataset: scenario/chunk files, per-run digests, exact resume, filtered reads."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from synthetic import failing_after, synthetic_run

from siyi_sim.experiments import daily as chunks
from siyi_sim.experiments import load_daily, load_runs, parse_plan, run_sweep
from siyi_sim.experiments.store import DAILY_DIR, PARTS_DIR, check_store

PLAN = """
[experiment]
name = "chunks"
scenarios = ["baseline", "campaign_2020"]
replications = 5
base_seed = 11
days = 6
[grid]
shift = [0.0, 1.0]
[keep]
daily = ["y"]
"""
N_RUNS = 2 * 2 * 5


def sweep(out, **kw):
    kw.setdefault("run_fn", synthetic_run)
    return run_sweep(parse_plan(PLAN, "chunks.toml"), out, validate=False, progress=False, **kw)


@pytest.fixture()
def small_chunks(monkeypatch):
    monkeypatch.setattr(chunks, "CHUNK_RUNS", 3)


def test_series_live_in_scenario_partitions_in_chunks_of_runs(tmp_path, small_chunks):
    out = tmp_path / "out"
    sweep(out)
    files = chunks.chunk_files(out / DAILY_DIR)
    by_scenario = {s: [f for f in files if chunks.scenario_of(f) == s] for s in ("baseline", "campaign_2020")}
    assert [len(v) for v in by_scenario.values()] == [4, 4]  # 10 runs each, 3 per chunk
    for scenario, group in by_scenario.items():
        keys = pd.concat(pd.read_parquet(f, columns=["run_key"]) for f in group)["run_key"].unique()
        runs = load_runs(out)
        assert sorted(keys) == sorted(runs.loc[runs["scenario"] == scenario, "run_key"])
        assert all(pd.read_parquet(f)["run_key"].nunique() <= 3 for f in group)
    assert not list((out / PARTS_DIR).iterdir()), "the journal is empty once the sweep ends"
    assert not list((out / DAILY_DIR).glob("*.parquet")), "no file per run"


def test_a_run_has_the_same_digest_alone_and_inside_a_chunk(tmp_path):
    out = tmp_path / "out"
    sweep(out)
    runs = load_runs(out).set_index("run_key")
    frame = pd.read_parquet(chunks.chunk_files(out / DAILY_DIR)[0])
    for key, piece in chunks.run_slices(frame):
        alone = piece.reset_index(drop=True).astype({"y": "float64"})
        assert chunks.daily_digest(alone) == runs.loc[key, "daily_sha256"]
    changed = frame.copy()
    changed.loc[0, "y"] += 1e-12
    first = next(iter(chunks.run_slices(changed)))[1]
    assert chunks.daily_digest(first) != runs.loc[frame["run_key"].iloc[0], "daily_sha256"]


def test_reading_one_policy_opens_only_its_partition(tmp_path):
    out = tmp_path / "out"
    sweep(out)
    everything = load_daily(out, ["y"])
    for file in chunks.chunk_files(out / DAILY_DIR, ["baseline"]):
        file.write_bytes(b"not parquet")  # a damaged partition of another policy
    one = load_daily(out, ["y"], scenarios=["campaign_2020"])
    expected = everything[everything["scenario"] == "campaign_2020"]
    key = ["run_key", "day"]
    pd.testing.assert_frame_equal(
        one.sort_values(key).reset_index(drop=True), expected.sort_values(key).reset_index(drop=True)
    )
    assert list(one.columns) == ["run_key", "scenario", "point", "replication", "seed", "day", "y"]
    with pytest.raises(ValueError, match="unreadable"):
        load_daily(out, ["y"], scenarios=["baseline"])
    with pytest.raises(ValueError, match="scenario 'nope' has no runs"):
        load_daily(out, ["y"], scenarios=["nope"])


def test_crash_mid_sweep_then_resume_equals_an_uninterrupted_sweep(tmp_path, small_chunks):
    fresh, out = tmp_path / "fresh", tmp_path / "out"
    sweep(fresh)
    with pytest.raises(RuntimeError):
        sweep(out, run_fn=failing_after)
    assert len(list((out / PARTS_DIR).glob("*.parquet"))) + len(chunks.chunk_files(out / DAILY_DIR)) > 0
    report = sweep(out)
    assert report.ran + report.already_done == N_RUNS
    key = ["run_key", "day"]
    a = load_daily(out).sort_values(key).reset_index(drop=True)
    b = load_daily(fresh).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    assert check_store(out) == []


def test_a_crash_between_chunk_and_journal_cleanup_duplicates_nothing(tmp_path):
    out = tmp_path / "out"
    sweep(out)
    frame = pd.read_parquet(chunks.chunk_files(out / DAILY_DIR)[0])
    key, piece = next(iter(chunks.run_slices(frame)))
    piece.to_parquet(out / PARTS_DIR / f"{key}.parquet", index=False)  # the journal copy a crash left behind
    assert sweep(out).ran == 0
    assert not (out / PARTS_DIR / f"{key}.parquet").exists()
    daily = load_daily(out)
    assert daily.duplicated(["run_key", "day"]).sum() == 0 and check_store(out) == []


def test_a_per_run_file_of_the_older_layout_is_a_stray(tmp_path):
    out = tmp_path / "out"
    sweep(out)
    shutil.copy(chunks.chunk_files(out / DAILY_DIR)[0], out / DAILY_DIR / "0123456789abcdef.parquet")
    problems = check_store(out)
    assert [p.message for p in problems] == ["is not a chunk of the daily dataset"]


def test_scenario_names_round_trip_through_the_partition_folder(tmp_path):
    for name in ("baseline", "odd name/with=signs", "清亲"):
        folder = chunks.scenario_dir(tmp_path, name)
        assert folder.parent == tmp_path and chunks.scenario_of(folder / "chunk=000000" / "part.parquet") == name
