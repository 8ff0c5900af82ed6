"""Shared by the fault cases: a synthetic sweep, running the CLI in-process, fingerprints of a folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
from synthetic import synthetic_run

from siyi_sim.cli import main
from siyi_sim.experiments import load_daily, load_runs, parse_plan, run_sweep

REPO = Path(__file__).resolve().parents[2]
PLAN = """
[experiment]
name = "faults"
scenarios = ["baseline", "campaign_2020"]
replications = 4
base_seed = 5
days = 3
[grid]
shift = [0.0, 1.0]
[keep]
daily = ["y"]
"""
N_RUNS = 2 * 2 * 4


def sweep(out, text: str = PLAN, **kw):
    kw.setdefault("run_fn", synthetic_run)
    kw.setdefault("progress", False)
    return run_sweep(parse_plan(text, "faults.toml"), out, validate=False, **kw)


def results(out) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows (without wall-clock columns) and daily series, in a fixed order."""
    runs = load_runs(out)
    runs = runs.drop(columns=[c for c in runs.columns if c.startswith("timing_")]).reset_index(drop=True)
    daily = load_daily(out).sort_values(["run_key", "day"]).reset_index(drop=True)
    return runs, daily


def same_results(a, b) -> bool:
    try:
        for x, y in zip(results(a), results(b), strict=True):
            pd.testing.assert_frame_equal(x, y)
    except AssertionError:
        return False
    return True


def tree(path: Path) -> dict[str, str]:
    """Every file under ``path`` with the SHA-256 of its bytes: equal trees, nothing changed."""
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(path.rglob("*"))
        if p.name != ".lock"
    }


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line_error(code: int, err: str) -> bool:
    return code == 2 and err.startswith("siyi: error: ") and err.count("\n") == 1 and "Traceback" not in err
