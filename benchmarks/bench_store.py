"""How the results store scales: a synthetic folder of 100,000 runs with daily series.

Builds a sound store directly (manifest from the plan, rows with their content hashes, daily series
in chunk files of ``CHUNK_RUNS`` runs: exactly what a sweep writes, without running 100,000
simulations), then times

* reading one policy's daily series of one outcome (``load_daily(..., scenarios=[...])``), with and
  without per-run hash verification;
* resuming: ``ResultStore.open`` — every row and every run's daily series verified — and counting
  what is left to run.

Usage: ``python benchmarks/bench_store.py [--runs 100000] [--days 365] [--out DIR] [--keep]``.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from siyi_sim.experiments import daily as chunks
from siyi_sim.experiments.manifest import new_manifest
from siyi_sim.experiments.plan import parse_plan
from siyi_sim.experiments.specs import cells, plan_design_hash, specs_for
from siyi_sim.experiments.store import (
    DAILY_DIR,
    DAILY_HASH,
    PARTS_DIR,
    ROW_HASH,
    RUNS_FILE,
    ResultStore,
    load_daily,
    row_digest,
)

REPLICATIONS = 100


def build(out: Path, runs: int, days: int) -> float:
    points = max(1, runs // (2 * REPLICATIONS))
    values = ", ".join(str(i) for i in range(points))
    plan = parse_plan(
        f'[experiment]\nname = "bench"\nscenarios = ["baseline", "campaign_2020"]\nreplications = {REPLICATIONS}\n'
        f'days = {days}\n[grid]\n"shift" = [{values}]\n[keep]\ndaily = ["y"]\n',
        "bench.toml",
    )
    plan_cells = cells(plan, validate=False)
    manifest = new_manifest(plan, plan_design_hash(plan, plan_cells), REPLICATIONS, {"backend": "bench"}, plan_cells)
    store = ResultStore(out, plan.scenarios)
    store.lock()
    store.write_manifest(manifest)
    (out / DAILY_DIR).mkdir()
    (out / PARTS_DIR).mkdir()
    start = time.perf_counter()
    rng = np.random.default_rng(0)
    rows, pending = [], {s: [] for s in plan.scenarios}
    day = np.arange(1, days + 1, dtype=np.int64)
    for spec in specs_for(plan, plan_cells, range(REPLICATIONS)):
        frame = pd.DataFrame(
            {
                "run_key": spec.run_key,
                "point": spec.point,
                "replication": spec.replication,
                "seed": spec.seed,
                "day": day,
                "y": np.cumsum(rng.normal(size=days)),
            }
        )
        row = {
            "run_key": spec.run_key,
            "scenario": spec.scenario,
            "base_scenario": spec.base_scenario,
            "point": spec.point,
            "replication": spec.replication,
            "seed": spec.seed,
            "days": days,
            "shift": spec.params.get("shift"),
            "y": float(frame["y"].iloc[-1]),
            DAILY_HASH: chunks.daily_digest(frame),
        }
        row[ROW_HASH] = row_digest(row)
        rows.append(row)
        pending[spec.scenario].append(frame)
        if len(pending[spec.scenario]) == chunks.CHUNK_RUNS:
            _write_chunk(out, spec.scenario, pending[spec.scenario])
            pending[spec.scenario] = []
    for scenario, frames in pending.items():
        if frames:
            _write_chunk(out, scenario, frames)
    pd.DataFrame(rows).to_parquet(out / RUNS_FILE, index=False)
    store.release()
    return time.perf_counter() - start


def _write_chunk(out: Path, scenario: str, frames: list[pd.DataFrame]) -> None:
    folder = chunks.scenario_dir(out / DAILY_DIR, scenario)
    number = len(list(folder.glob("chunk=*"))) if folder.is_dir() else 0
    target = folder / f"chunk={number:06d}"
    target.mkdir(parents=True)
    pd.concat(frames, ignore_index=True).to_parquet(target / chunks.CHUNK_FILE, index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--out", default=None, help="folder to build in (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the synthetic folder")
    args = parser.parse_args()
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="bench_store_")) / "store"
    try:
        built = build(out, args.runs, args.days)
        size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
        files = sum(1 for _ in (out / DAILY_DIR).rglob("*.parquet"))
        print(f"built {args.runs:,} runs x {args.days} days in {built:.1f} s: {files} chunk files, {size / 1e6:.0f} MB")
        for verify in (False, True):
            start = time.perf_counter()
            frame = load_daily(out, ["y"], scenarios=["campaign_2020"], verify=verify)
            took = time.perf_counter() - start
            print(
                f"read one policy's daily 'y' ({frame['run_key'].nunique():,} runs, {len(frame):,} rows), "
                f"verify={verify}: {took:.2f} s"
            )
        start = time.perf_counter()
        store = ResultStore(out, ["baseline", "campaign_2020"])
        store.open()
        took = time.perf_counter() - start
        store.release()
        print(f"resume (open: every row and daily series verified): {took:.2f} s, {len(store.rows):,} runs done")
    finally:
        if not args.keep:
            shutil.rmtree(out.parent if not args.out else out, ignore_errors=True)


if __name__ == "__main__":
    main()
