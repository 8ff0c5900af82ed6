"""A results folder proves its contents: damaged, duplicated and foreign rows are refused in one
line naming the file; broken daily files are recomputed; ``siyi check --repair`` restores exactly
what an uninterrupted sweep writes."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from faults.faultkit import N_RUNS, PLAN, cli, one_line_error, same_results, sweep, tree
from siyi_sim.experiments import load_daily, load_runs
from siyi_sim.experiments.store import DAILY_DIR, PARTS_DIR, RUNS_FILE, check_store, row_digest


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """The uninterrupted sweep every repaired folder must equal."""
    out = tmp_path_factory.mktemp("fresh") / "out"
    sweep(out)
    return out


def _table(out) -> pd.DataFrame:
    return pd.read_parquet(out / RUNS_FILE)


def _as_part(out, row: dict) -> None:
    (out / PARTS_DIR / f"{row['run_key']}.json").write_text(json.dumps(row))


def _first_row(out) -> dict:
    from siyi_sim.experiments.store import plain_value

    return {k: plain_value(v) for k, v in _table(out).iloc[0].to_dict().items()}


def _altered_part(out):
    row = _first_row(out)
    row["y"] += 1.0  # numbers changed, hash left as it was
    _as_part(out, row)
    return PARTS_DIR


def _altered_part_with_new_hash(out):
    row = _first_row(out)
    row["replication"] = 99  # not a run of this plan, even though its hash is right
    row["row_sha256"] = row_digest(row)
    _as_part(out, row)
    return PARTS_DIR


def _foreign_part(out):
    row = _first_row(out)
    row["run_key"] = "0123456789abcdef"
    row["row_sha256"] = row_digest(row)
    _as_part(out, row)
    return PARTS_DIR


def _duplicated_row(out):
    table = _table(out)
    pd.concat([table, table.iloc[[3]]]).to_parquet(out / RUNS_FILE, index=False)
    return RUNS_FILE


def _altered_table_row(out):
    table = _table(out)
    table.loc[2, "y"] = table.loc[2, "y"] * 2
    table.to_parquet(out / RUNS_FILE, index=False)
    return RUNS_FILE


def _table_without_run_key(out):
    _table(out).drop(columns=["run_key"]).to_parquet(out / RUNS_FILE, index=False)
    return RUNS_FILE


def _table_as_directory(out):
    (out / RUNS_FILE).unlink()
    (out / RUNS_FILE).mkdir()
    return RUNS_FILE


def _truncated_table(out):
    data = (out / RUNS_FILE).read_bytes()
    (out / RUNS_FILE).write_bytes(data[: len(data) // 2])
    return RUNS_FILE


def _empty_part(out):
    (out / PARTS_DIR / f"{_first_row(out)['run_key']}.json").write_text("{}")
    return PARTS_DIR


def _list_part(out):
    (out / PARTS_DIR / f"{_first_row(out)['run_key']}.json").write_text("[1, 2]")
    return PARTS_DIR


def _deeply_nested_part(out):
    (out / PARTS_DIR / f"{_first_row(out)['run_key']}.json").write_text("[" * 100_000 + "]" * 100_000)
    return PARTS_DIR


REFUSED = {
    "altered part": _altered_part,
    "part of another replication": _altered_part_with_new_hash,
    "part not in the plan": _foreign_part,
    "duplicated run_key": _duplicated_row,
    "altered table row": _altered_table_row,
    "table without run_key": _table_without_run_key,
    "truncated table": _truncated_table,
    "part {}": _empty_part,
    "part [1,2]": _list_part,
    "part nested 100000 deep": _deeply_nested_part,
}


@pytest.mark.parametrize("damage", sorted(REFUSED))
def test_damaged_rows_are_refused_naming_the_file_then_repaired_exactly(damage, fresh, tmp_path, capsys, check):
    out = tmp_path / "out"
    sweep(out)
    named = REFUSED[damage](out)
    with pytest.raises(ValueError) as refused:
        load_runs(out)
    check("no silent wrong result", named in str(refused.value) and "\n" not in str(refused.value), str(refused.value))
    with pytest.raises(ValueError):
        sweep(out)  # a resume refuses too: nothing is merged on top of a damaged folder
    code, _, err = cli(capsys, "compare", out)
    check("no traceback", one_line_error(code, err), err)
    code, printed, _ = cli(capsys, "check", out)
    check("no silent wrong result", code == 1 and named in printed, printed)
    report = sweep(out, repair=True)
    check("no data loss", report.repaired and check_store(out) == [], str(check_store(out)))
    check("no silent wrong result", same_results(out, fresh), damage)


def test_a_folder_in_place_of_the_table_is_refused_and_never_deleted(tmp_path, capsys, check):
    out = tmp_path / "out"
    sweep(out)
    _table_as_directory(out)
    (out / RUNS_FILE / "mine.txt").write_text("keep me")
    code, _, err = cli(capsys, "compare", out)
    check("no traceback", one_line_error(code, err) and RUNS_FILE in err, err)
    with pytest.raises(ValueError, match="is a folder, not a store file"):
        sweep(out, repair=True)
    check("no data loss", (out / RUNS_FILE / "mine.txt").read_text() == "keep me", "folder deleted")


def _first_chunk(out):
    from siyi_sim.experiments.daily import chunk_files

    return chunk_files(out / DAILY_DIR)[0]


def _deleted_daily(out):
    """One run's series removed from its chunk (the chunk stays readable)."""
    chunk = _first_chunk(out)
    frame = pd.read_parquet(chunk)
    victim = frame["run_key"].iloc[0]
    frame[frame["run_key"] != victim].to_parquet(chunk, index=False)
    return [victim]


def _truncated_daily(out):
    """A torn chunk: every run in it is not done."""
    chunk = _first_chunk(out)
    keys = sorted(pd.read_parquet(chunk)["run_key"].unique())
    chunk.write_bytes(chunk.read_bytes()[:100])
    return keys


def _daily_replaced_by_another_runs(out):
    """One run's series replaced by another run's numbers, keeping its key."""
    chunk = _first_chunk(out)
    frame = pd.read_parquet(chunk)
    keys = list(frame["run_key"].unique())
    a, b = frame["run_key"] == keys[0], frame["run_key"] == keys[1]
    frame.loc[a, "y"] = frame.loc[b, "y"].to_numpy()
    frame.to_parquet(chunk, index=False)
    return [keys[0]]


@pytest.mark.parametrize("damage", [_deleted_daily, _truncated_daily, _daily_replaced_by_another_runs])
def test_a_broken_daily_series_marks_its_runs_not_done_and_resume_recomputes_them(damage, fresh, tmp_path, check):
    out = tmp_path / "out"
    sweep(out)
    keys = damage(out)
    problems = check_store(out)
    named = " ".join(str(p) for p in problems)
    check("no silent wrong result", all("not done" in p.message for p in problems), named)
    check("no silent wrong result", all(key in named for key in keys) or "unreadable" in named, named)
    with pytest.raises(ValueError, match="daily"):
        load_daily(out)  # never "no daily series", never another run's series
    report = sweep(out)
    check("no data loss", report.ran == len(keys) and report.already_done == N_RUNS - len(keys), str(report))
    check("no silent wrong result", same_results(out, fresh), damage.__name__)
    check("no silent wrong result", check_store(out) == [], "after resume")


def test_check_lists_every_problem_and_repair_fixes_them_all_at_once(fresh, tmp_path, capsys, check):
    out = tmp_path / "out"
    sweep(out)
    _deleted_daily(out)
    _foreign_part(out)
    _altered_table_row(out)
    (out / DAILY_DIR / "fedcba9876543210.parquet").write_bytes(b"stray")  # the older per-run layout
    code, printed, _ = cli(capsys, "check", out)
    # the altered row's own series is listed too (its chunk): no verified row accounts for it any more
    check("no silent wrong result", code == 1 and printed.strip().endswith(f"5 problems in {out}"), printed)
    report = sweep(out, repair=True)
    check("no data loss", len(report.repaired) == 5 and report.ran == 2, str(report.repaired))
    check("no silent wrong result", same_results(out, fresh) and check_store(out) == [], "after repair")


def test_check_of_a_sound_folder_says_so(fresh, capsys, check):
    code, printed, _ = cli(capsys, "check", fresh)
    check("no silent wrong result", code == 0 and printed.strip() == f"0 problems in {fresh}", printed)


def test_unrelated_files_in_parts_are_left_alone(tmp_path, check):
    out = tmp_path / "out"
    sweep(out, PLAN.replace("replications = 4", "replications = 2"))
    (out / PARTS_DIR / "notes.json").write_text('{"mine": true}')
    sweep(out)  # grows to 4 replications, merges and clears its own journal
    check("no data loss", (out / PARTS_DIR / "notes.json").read_text() == '{"mine": true}', "notes.json")


@pytest.mark.parametrize(
    "manifest",
    ["[1, 2]", "{", '{"format": "siyi-sweep/1"}', "[" * 50_000 + "]" * 50_000, '{"format": "siyi-sweep/2"}'],
    ids=["list", "torn", "older format", "nested 50000 deep", "no design"],
)
def test_a_malformed_manifest_is_one_line_for_every_command(manifest, tmp_path, capsys, check):
    out = tmp_path / "out"
    sweep(out)
    (out / "manifest.json").write_text(manifest)
    before = tree(out)
    for argv in (["compare", out], ["check", out], ["check", out, "--repair"], ["sweep", out / "x.toml", "--out", out]):
        code, _, err = cli(capsys, *argv)
        check("no traceback", one_line_error(code, err), f"{argv}: {err}")
    check("no data loss", tree(out) == before, "folder changed")


REAL = """
[experiment]
name = "real"
scenarios = ["baseline", "campaign_2020"]
replications = 2
base_seed = 3
days = 40
[set]
"population.n_cadres" = 200
"population.n_enterprises" = 400
[keep]
daily = ["mean_owner_trust"]
"""


def test_siyi_check_repair_on_the_real_model_restores_an_uninterrupted_sweep(tmp_path, capsys, check):
    plan = tmp_path / "real.toml"
    plan.write_text(REAL)
    fresh, out = tmp_path / "fresh", tmp_path / "out"
    for folder in (fresh, out):
        assert cli(capsys, "sweep", plan, "--out", folder, "--workers", "1")[0] == 0
    table = _table(out)
    table.loc[1, "clear_index"] = 0.5  # a number quietly changed
    table.to_parquet(out / RUNS_FILE, index=False)
    _deleted_daily(out)
    code, _, err = cli(capsys, "compare", out)
    check("no silent wrong result", one_line_error(code, err) and "content hash" in err, err)
    code, printed, err = cli(capsys, "check", out, "--repair", "--workers", "1")
    check("no data loss", code == 0 and printed.strip().endswith(f"0 problems left in {out}"), printed + err)
    check("no silent wrong result", same_results(out, fresh), "repaired != fresh")
    manifest = json.loads((out / "manifest.json").read_text())
    check("no data loss", manifest["sessions"][-1]["repaired"] and manifest["complete"], "session record")
