"""Hostile and mistaken input is refused in one line with exit code 2 before anything is written;
our outputs never overwrite our inputs; files follow the umask."""

from __future__ import annotations

import os
import stat

import pytest

from faults.faultkit import PLAN, cli, one_line_error, sweep, tree
from siyi_sim.experiments.store import DAILY_DIR

REAL = """
[experiment]
name = "real"
scenarios = ["baseline"]
replications = 1
days = 3
[set]
"population.n_cadres" = 200
"population.n_enterprises" = 400
"""
FAST_RUN = ["--days", "3", "--set", "population.n_cadres=200", "--set", "population.n_enterprises=400"]


@pytest.fixture()
def store(tmp_path):
    out = tmp_path / "store"
    sweep(out)
    return out


@pytest.mark.parametrize(
    "target", ["runs.parquet", "manifest.json", "daily/x.csv", "parts/new.csv", ".lock", "daily", "link"]
)
def test_compare_csv_never_overwrites_a_store_file(target, store, capsys, check):
    (store / "link").symlink_to(store / "runs.parquet")
    before = tree(store)
    code, _, err = cli(capsys, "compare", store, "--csv", store / target)
    check("no traceback", one_line_error(code, err) and "is a file of the results folder" in err, err)
    check("no data loss", tree(store) == before, target)


@pytest.mark.parametrize("command", ["brief", "sensitivity"])
def test_brief_and_sensitivity_out_never_write_into_a_store(command, store, capsys, check):
    before = tree(store)
    extra = ["--method", "morris", "--metric", "clear_index", "--params", "trust.alpha"]
    argv = [command, store, "--out", store / DAILY_DIR] if command == "brief" else [command, *extra]
    if command == "sensitivity":
        argv += ["--out", store / DAILY_DIR]
    code, _, err = cli(capsys, *argv)
    check("no traceback", one_line_error(code, err) and "is a file of the results folder" in err, err)
    check("no data loss", tree(store) == before, command)


def test_run_out_refuses_root_empty_foreign_folders_and_store_files(tmp_path, store, capsys, check):
    foreign = tmp_path / "thesis"
    foreign.mkdir()
    (foreign / "chapter1.tex").write_text("mine")
    for out, needle in [
        ("/", "root folder"),
        ("", "must name a folder"),
        (foreign, "not the output of an earlier run"),
        (store / "runs.parquet", "is a file of the results folder"),
        (store / DAILY_DIR, "is a file of the results folder"),
    ]:
        code, _, err = cli(capsys, "run", *FAST_RUN, "--out", out)
        check("no traceback", one_line_error(code, err) and needle in err and "--out" in err, err)
    code, _, err = cli(capsys, "run", *FAST_RUN, "--out", store / "daily", "--force")
    check("no traceback", one_line_error(code, err), "--force does not open a store's files")
    check("no data loss", [p.name for p in foreign.iterdir()] == ["chapter1.tex"], "foreign folder changed")
    assert not any(p.name == "summary.json" for p in (tmp_path / "store").rglob("*"))


def test_run_out_rewrites_an_earlier_run_and_forced_folders_keep_their_files(tmp_path, capsys, check):
    out = tmp_path / "run"
    assert cli(capsys, "run", *FAST_RUN, "--out", out)[0] == 0
    assert cli(capsys, "run", *FAST_RUN, "--out", out, "--format", "parquet")[0] == 0  # an earlier run: replaced
    check("no data loss", sorted(p.name for p in out.iterdir())[0] == "daily.parquet", "stale daily.csv kept")
    (out / "notes.txt").write_text("mine")
    code, _, err = cli(capsys, "run", *FAST_RUN, "--out", out)
    check("no traceback", one_line_error(code, err) and "--force" in err, err)
    assert cli(capsys, "run", *FAST_RUN, "--out", out, "--force")[0] == 0
    check("no data loss", (out / "notes.txt").read_text() == "mine", "forced run removed a foreign file")


def test_new_files_and_folders_follow_the_umask(tmp_path, capsys, check):
    old = os.umask(0o022)
    try:
        assert cli(capsys, "run", *FAST_RUN, "--out", tmp_path / "run")[0] == 0
        sweep(tmp_path / "sweep")
    finally:
        os.umask(old)
    for path in [*(tmp_path / "run").rglob("*"), tmp_path / "run", *(tmp_path / "sweep").rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        check("no data loss", mode == (0o755 if path.is_dir() else 0o644), f"{path}: {oct(mode)}")


def _write(tmp_path, text: str):
    path = tmp_path / "plan.toml"
    path.write_text(text)
    return path


HOSTILE_PLANS = {
    "10**12 replications": (PLAN.replace("replications = 4", "replications = 1000000000000"), "--max-runs"),
    "grid 3 x 1000": (
        REAL + "[grid]\n" + "".join(f'"trust.{k}" = [{", ".join(str(i / 1e4) for i in range(1000))}]\n' for k in "abc"),
        "--max-points",
    ),
    "nested 100000 deep": (REAL + "x = " + "[" * 100_000 + "]" * 100_000 + "\n", "nested too deeply"),
    "dotted key 5000 deep": (REAL + "[grid]\n" + ".".join(["a"] * 5000) + " = [1]\n", "nested too deeply"),
    "5 million firms": (REAL.replace("= 400", "= 5000000"), "of memory available"),
    "100000 policies x 100000 firms": (
        REAL.replace("= 400", '= 100000\n"policies.n_policies" = 100000'),
        "of memory available",
    ),
    "keep.daily day": (REAL + '[keep]\ndaily = ["day"]\n', "keep.daily lists 'day'"),
    "keep.daily unknown": (REAL + '[keep]\ndaily = ["nope"]\n', "unknown daily column 'nope'"),
    "keep.summary unknown": (REAL + '[keep]\nsummary = ["nope"]\n', "unknown summary key 'nope'"),
    "boolean as number": (REAL + '"trust.alpha" = true\n', "trust.alpha must be a number"),
    "boolean replications": (REAL.replace("replications = 1", "replications = true"), "experiment.replications"),
    "string days": (REAL.replace("days = 3", 'days = "3"'), "experiment.days"),
    "seed beyond 2**63-1": (REAL + "", None),
    "base seed + reps beyond 2**63-1": (
        REAL.replace("replications = 1", "replications = 2\nbase_seed = 9223372036854775807"),
        "exceeds the largest seed",
    ),
}
HOSTILE_PLANS.pop("seed beyond 2**63-1")


@pytest.mark.parametrize("case", sorted(HOSTILE_PLANS))
def test_hostile_plans_are_one_line_and_write_nothing(case, tmp_path, capsys, check):
    text, needle = HOSTILE_PLANS[case]
    out = tmp_path / "out"
    code, _, err = cli(capsys, "sweep", _write(tmp_path, text), "--out", out, "--workers", "1")
    check("no traceback", one_line_error(code, err) and needle in err, err)
    check("nothing half written", not out.exists(), case)


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["/dev/zero"], "not a regular file"),
        (["{tmp}"], "is a directory"),
        (["{big}"], "more than the limit of 1048576"),
        (["{plan}", "--out", ""], "--out must name a folder"),
        (["{plan}", "--out", "/"], "root folder"),
        (["{plan}", "--max-file-bytes", "10"], "more than the limit of 10"),
    ],
)
def test_hostile_files_and_options_are_one_line(argv, needle, tmp_path, capsys, check):
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (1024 * 1024 + 1))
    plan = _write(tmp_path, REAL)
    args = [a.format(tmp=tmp_path, big=big, plan=plan) for a in argv]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "out")]
    code, _, err = cli(capsys, "sweep", *args)
    check("no traceback", one_line_error(code, err) and needle in err, err)
    check("nothing half written", not (tmp_path / "out").exists(), str(argv))


def test_the_memory_estimate_refuses_what_a_smaller_machine_cannot_hold(tmp_path, check):
    """6,000 firms x 100,000 policies needed 4.5 GiB in the field report: refused on a 4 GiB machine."""
    from siyi_sim.experiments import parse_plan, run_sweep

    text = REAL.replace("= 400", '= 6000\n"policies.n_policies" = 100000')
    with pytest.raises(ValueError, match=r"more than the 4\.0 GiB of memory available") as refused:
        run_sweep(parse_plan(text, "p.toml"), tmp_path / "out", progress=False, memory_limit=4 * 1024**3)
    check("nothing half written", not (tmp_path / "out").exists(), str(refused.value))
    run_sweep(parse_plan(REAL, "p.toml"), tmp_path / "ok", progress=False, memory_limit=4 * 1024**3)  # defaults fit


def test_a_large_plan_is_recorded_by_hash_not_copied(tmp_path, check):
    from synthetic import synthetic_run

    from siyi_sim.experiments import parse_plan, run_sweep

    text = PLAN + "#" * (300 * 1024) + "\n"
    run_sweep(parse_plan(text, "big.toml"), tmp_path / "out", run_fn=synthetic_run, validate=False, progress=False)
    import json

    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    experiment = manifest["experiment"]
    check("no data loss", experiment["file_text"] is None and len(experiment["file_sha256"]) == 64, "copied")
    check("no data loss", (tmp_path / "out" / "manifest.json").stat().st_size < 100_000, "manifest size")


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        ({"days": True}, "invalid days True"),
        ({"days": "3"}, "invalid days '3'"),
        ({"overrides": {"trust.alpha": True}}, "trust.alpha must be a number"),
        ({"seed": 2**63}, "at most 2**63-1"),
        ({"seed": 1.0}, "invalid seed 1.0"),
    ],
)
def test_the_api_refuses_booleans_strings_and_out_of_range_seeds(kwargs, needle, check):
    from siyi_sim import simulate

    with pytest.raises(ValueError) as refused:
        simulate("baseline", **kwargs)
    check("no silent wrong result", needle in str(refused.value), str(refused.value))


def test_a_manifest_asking_for_10_to_the_12_replications_is_one_line(tmp_path, capsys, check):
    import json

    out = tmp_path / "out"
    sweep(out)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["seeds"]["replications"] = 10**12
    (out / "manifest.json").write_text(json.dumps(manifest))
    before = tree(out)
    with pytest.raises(ValueError, match="more than the limit of") as refused:
        sweep(out)
    check("no traceback", "\n" not in str(refused.value), str(refused.value))
    check("no data loss", tree(out) == before, "folder changed")
