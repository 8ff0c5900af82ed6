"""No process outlives its sweep, and a sweep ends cleanly on a signal (issue 14, point 5).

Each test starts a real ``python -m siyi_sim.cli sweep`` with two workers, waits until runs are
being stored, signals it, and then watches every process the sweep had started: all must be
gone within 5 s, and nothing may keep the sweep's stdout or stderr open (a caller's
``subprocess.run(timeout=...)`` would hang on it).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

REPO = Path(__file__).resolve().parents[2]
GRACE_SECONDS = 5.0
PLAN = """
[experiment]
name = "signals"
scenarios = ["baseline", "campaign_2020"]
replications = 30
base_seed = 3
days = 365
[set]
"population.n_cadres" = 300
"population.n_enterprises" = 600
[keep]
summary = ["issues_resolved_total", "mean_owner_trust"]
daily = ["mean_owner_trust"]
"""
PLANNED_RUNS = 60


def _sweep_command(plan: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "siyi_sim.cli", "sweep", str(plan), "--out", str(out), "--workers", "2", *extra]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _start_sweep(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen, Path]:
    plan = tmp_path / "signals.toml"
    plan.write_text(PLAN)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        _sweep_command(plan, out, *extra),
        cwd=tmp_path,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # our own group, so a failed test can still clean up after itself
    )
    return proc, out


def _wait_until_storing_runs(proc: subprocess.Popen, out: Path, helpers: int) -> list[psutil.Process]:
    """Block until the sweep has ``helpers`` descendant processes and has stored a run; return them.

    A stored run is a journal part or a row of runs.parquet: when runs are slower than the store's
    flush interval (a loaded machine), each part is merged into runs.parquet at once and lives only
    for the merge, too briefly to be seen by polling.
    """
    sweep = psutil.Process(proc.pid)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"sweep ended early: {proc.communicate()}"
        descendants = sweep.children(recursive=True)
        if len(descendants) >= helpers and _runs_done(out) > 0:
            return descendants
        time.sleep(0.05)
    raise AssertionError("the sweep never started storing runs")


def _survivors(processes: list[psutil.Process], within: float) -> list[psutil.Process]:
    deadline = time.monotonic() + within
    while True:
        alive = []
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                    alive.append(process)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def _kill_all(processes: list[psutil.Process]) -> None:
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()


def _runs_done(out: Path) -> int:
    keys: set[str] = set()
    if (out / "runs.parquet").exists():
        keys |= set(pd.read_parquet(out / "runs.parquet", columns=["run_key"])["run_key"])
    if (out / "parts").is_dir():
        keys |= {part.stem for part in (out / "parts").glob("*.json")}
    return len(keys)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "backend", "helpers"),
    [
        (signal.SIGKILL, "local", 4),  # resource tracker, fork server, 2 workers
        (signal.SIGTERM, "local", 4),
        (signal.SIGINT, "local", 4),
        (signal.SIGKILL, "dask", 3),  # resource tracker, 2 worker processes (nannies run in the sweep)
    ],
    ids=["kill-9", "sigterm", "sigint", "kill-9-dask"],
)
def test_no_process_outlives_its_sweep(tmp_path, signum, backend, helpers):
    proc, out = _start_sweep(tmp_path, "--backend", backend)
    descendants: list[psutil.Process] = []
    try:
        descendants = _wait_until_storing_runs(proc, out, helpers)
        os.kill(proc.pid, signum)  # the sweep process alone, as `kill` or a job scheduler would
        proc.wait(timeout=30)
        left = _survivors(descendants, within=GRACE_SECONDS)
        assert not left, f"still alive {GRACE_SECONDS:g} s after the sweep ended: {[p.cmdline() for p in left]}"
        proc.communicate(timeout=GRACE_SECONDS)  # nobody holds the sweep's stdout/stderr open
        assert _runs_done(out) < PLANNED_RUNS, "the sweep finished before it was signalled; make the plan longer"
    finally:
        _kill_all(descendants)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_sigterm_exits_143_with_one_line_and_the_folder_resumes(tmp_path):
    proc, out = _start_sweep(tmp_path)
    descendants: list[psutil.Process] = []
    try:
        descendants = _wait_until_storing_runs(proc, out, 4)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        _kill_all(descendants)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 143, stderr
    assert stderr == "siyi: terminated\n"
    assert stdout == ""
    stored = _runs_done(out)
    assert 0 < stored < PLANNED_RUNS

    resumed = subprocess.run(
        _sweep_command(tmp_path / "signals.toml", out),
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"{PLANNED_RUNS} runs planned" in resumed.stdout
    assert f"{stored} already done" in resumed.stdout  # the interrupted session's runs were kept
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == PLANNED_RUNS and runs["run_key"].is_unique


def test_dask_scheduler_that_is_not_an_address_is_one_line_and_exit_2(tmp_path):
    pytest.importorskip("distributed")
    plan = tmp_path / "signals.toml"
    plan.write_text(PLAN)
    out = tmp_path / "out"
    command = _sweep_command(plan, out, "--backend", "dask", "--scheduler", "notaurl")
    started = time.monotonic()
    result = subprocess.run(command, cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr  # no "Exception ignored in Client.__del__" traceback after it
    assert lines[0].startswith("siyi: error: cannot reach Dask scheduler 'notaurl'")
    assert not out.exists()
    assert time.monotonic() - started < 8  # no 10-second wait for a client that never connected
