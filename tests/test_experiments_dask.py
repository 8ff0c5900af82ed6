"""The Dask backend reproduces the local numbers: on a LocalCluster and on a real
``dask scheduler`` + ``dask worker`` pair started on loopback."""

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

pytest.importorskip("distributed")

from siyi_sim.cli import main
from siyi_sim.experiments import load_runs, parse_plan, run_sweep

REPO = Path(__file__).resolve().parents[1]
DASK = str(Path(sys.executable).parent / "dask")
PLAN = """
[experiment]
name = "tiny_dask"
scenarios = ["baseline", "campaign_2020"]
replications = 4
base_seed = 21
days = 140
[set]
"population.n_cadres" = 200
"population.n_enterprises" = 400
[keep]
summary = [
  "program_issues_resolved", "issues_resolved_total", "mean_owner_trust", "clear_index", "median_days_to_resolve",
]
daily = ["mean_owner_trust"]
"""


def numeric(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in frame.columns if c.startswith("timing_")]).reset_index(drop=True)


@pytest.fixture(scope="module")
def local_runs(tmp_path_factory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("local") / "out"
    run_sweep(parse_plan(PLAN, "tiny_dask.toml"), out, workers=1, progress=False)
    return load_runs(out)


@pytest.mark.slow
def test_dask_local_cluster_matches_local_backend(local_runs, tmp_path):
    run_sweep(parse_plan(PLAN, "tiny_dask.toml"), tmp_path / "out", workers=2, backend="dask", progress=False)
    pd.testing.assert_frame_equal(numeric(load_runs(tmp_path / "out")), numeric(local_runs))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def scheduler_and_workers():
    """A real scheduler and a worker process (2 single-threaded workers) on 127.0.0.1."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    common = {
        "cwd": REPO,
        "env": env,
        "stdout": subprocess.DEVNULL,
        "stderr": subprocess.DEVNULL,
        "start_new_session": True,
    }
    procs = [
        subprocess.Popen(
            [DASK, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1], "--no-dashboard"], **common
        )
    ]
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", int(address.rsplit(":", 1)[1]))) == 0:
                    break
            time.sleep(0.1)
        procs.append(
            subprocess.Popen(
                [DASK, "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"], **common
            )
        )
        yield address
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.mark.slow
def test_dask_scheduler_and_worker_processes_match_local_backend(local_runs, scheduler_and_workers, tmp_path, capsys):
    plan = tmp_path / "tiny_dask.toml"
    plan.write_text(PLAN)
    out = tmp_path / "out"
    code = main(
        [
            "sweep",
            str(plan),
            "--out",
            str(out),
            "--backend",
            "dask",
            "--scheduler",
            scheduler_and_workers,
            "--connect-timeout",
            "20",
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert capsys.readouterr().out.startswith("8 runs planned")
    pd.testing.assert_frame_equal(numeric(load_runs(out)), numeric(local_runs))
    import json

    session = json.loads((out / "manifest.json").read_text())["sessions"][-1]
    assert session["backend"] == "dask" and session["scheduler"] == scheduler_and_workers
