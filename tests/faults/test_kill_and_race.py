"""A sweep killed at random moments resumes to exactly the uninterrupted result; two sweeps of
different plans raced into one folder (local and Dask): exactly one wins, the other is refused,
and the folder holds only the winner's rows."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from faults.faultkit import REPO, same_results
from siyi_sim.experiments import load_runs, parse_plan, run_sweep
from siyi_sim.experiments.store import check_store

PLAN = """
[experiment]
name = "killable"
scenarios = ["baseline", "campaign_2020"]
replications = 8
base_seed = 21
days = 60
[set]
"population.n_cadres" = 200
"population.n_enterprises" = 400
[keep]
daily = ["mean_owner_trust"]
"""
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def _sweep_command(plan, out, *extra):
    return [sys.executable, "-m", "siyi_sim.cli", "sweep", str(plan), "--out", str(out), *extra]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference") / "out"
    run_sweep(parse_plan(PLAN, "killable.toml"), out, workers=1, progress=False)
    return out


@pytest.mark.slow
def test_kill_9_at_random_moments_then_resume_gives_exactly_the_uninterrupted_result(reference, tmp_path, check):
    plan = tmp_path / "killable.toml"
    plan.write_text(PLAN)
    out = tmp_path / "out"
    command = _sweep_command(plan, out, "--workers", "2")
    moments = random.Random(7)
    kills, done_before = 0, 0
    for _ in range(4):
        proc = subprocess.Popen(
            command, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
        )
        time.sleep(moments.uniform(0.3, 3.0))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        if out.exists() and (out / "manifest.json").exists():
            problems = [p for p in check_store(out) if "not done yet" not in p.message]
            check("no silent wrong result", not [p for p in problems if p.fatal], str(problems))
            done_now = len(load_runs(out))
            check("no data loss", done_now >= done_before, f"{done_now} rows after a kill, {done_before} before")
            done_before = done_now
    done = subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    check("no data loss", kills >= 1 and len(load_runs(out)) == 16, f"{kills} kills")
    check("no silent wrong result", same_results(out, reference), "after kills")
    check("no silent wrong result", check_store(out) == [], str(check_store(out)))


OTHER = PLAN.replace('name = "killable"', 'name = "other"').replace("base_seed = 21", "base_seed = 22")


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(2))
def test_two_sweeps_raced_into_one_folder_one_wins_the_other_is_refused(trial, tmp_path, check):
    pytest.importorskip("distributed")
    mine, other = tmp_path / "mine.toml", tmp_path / "other.toml"
    mine.write_text(PLAN.replace("replications = 8", "replications = 2"))
    other.write_text(OTHER.replace("replications = 8", "replications = 2"))
    out = tmp_path / "out"
    dask = _sweep_command(other, out, "--workers", "2", "--backend", "dask")
    local = _sweep_command(mine, out, "--workers", "1")
    first, second = (dask, local) if trial == 0 else (local, dask)
    a = subprocess.Popen(first, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.1)
    b = subprocess.Popen(second, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outcomes = [(p.wait(timeout=300), *p.communicate()) for p in (a, b)]
    codes = sorted(code for code, _, _ in outcomes)
    check("no silent wrong result", codes == [0, 2], str(outcomes))
    loser = next(err for code, _, err in outcomes if code == 2)
    check(
        "no traceback",
        loser.count("\n") == 1 and ("in use by another running sweep" in loser or "different experiment" in loser),
        loser,
    )
    manifest = json.loads((out / "manifest.json").read_text())
    runs = load_runs(out)
    check("no silent wrong result", len(runs) == 4 and check_store(out) == [], manifest["experiment"]["name"])
