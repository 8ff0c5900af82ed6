"""The result directory: Parquet rows, daily series, manifest; crash-safe and resumable.

Layout of ``DIR``::

    manifest.json          what was run, by which code, on which machine, when
    runs.parquet           one row per finished run (run_key, scenario, parameters, seed, summary)
    daily/<run_key>.parquet  daily series of one run (long format; read the folder as one table)
    parts/<run_key>.json   journal: rows of runs not yet merged into runs.parquet (JSON: a
                           one-row Parquet file costs ~20 ms, JSON well under 1 ms; floats
                           round-trip exactly either way)

Every file is written to a hidden temporary name and then ``os.replace``d, so a reader (or a
``kill -9``) never sees half a file. A run counts as done once its part (or its row in
runs.parquet) exists; its daily file is written first. ``runs.parquet`` is rewritten from all
rows every few seconds and at the end, then merged parts are deleted; rows are keyed by
``run_key``, so a crash between those two steps cannot duplicate anything. A lock
(``fcntl.flock`` on ``DIR/.lock``, released by the kernel even after ``kill -9``) keeps two
sweeps out of one directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from ..io import TEMP_PREFIX, atomic_write, atomic_write_text

RUNS_FILE = "runs.parquet"
DAILY_DIR = "daily"
PARTS_DIR = "parts"
MANIFEST_FILE = "manifest.json"
LOCK_FILE = ".lock"
_OURS = {RUNS_FILE, DAILY_DIR, PARTS_DIR, MANIFEST_FILE, LOCK_FILE, "comparison.csv"}


def read_manifest(path: str | Path) -> dict[str, Any] | None:
    file = Path(path) / MANIFEST_FILE
    if not file.exists():
        return None
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ValueError(f"{str(file)!r} is unreadable ({err.__class__.__name__}); not a sweep directory?") from None


def check_same_experiment(path: str | Path, design_hash: str, name: str) -> dict[str, Any] | None:
    """Return the existing manifest if ``path`` holds this experiment; refuse anything else."""
    path = Path(path)
    if not path.is_dir():
        return None
    manifest = read_manifest(path)
    if manifest is None:
        foreign = [
            p.name
            for p in path.iterdir()
            if not p.name.startswith(TEMP_PREFIX)
            and not (
                p.name in _OURS and ((p.is_file() and p.stat().st_size == 0) or (p.is_dir() and not any(p.iterdir())))
            )
        ]
        if foreign:
            raise ValueError(
                f"--out {str(path)!r} is not empty and holds no sweep manifest (found {foreign[0]!r}); use a new directory"
            )
        return None
    held = manifest.get("experiment", {})
    if held.get("design_hash") != design_hash:
        raise ValueError(
            f"--out {str(path)!r} holds a different experiment ({held.get('name', '?')!r}, design {str(held.get('design_hash', '?'))[:12]}); "
            f"this one is {name!r}, design {design_hash[:12]}: use another --out"
        )
    return manifest


class ResultStore:
    """Open with ``open()``; ``add`` each finished run; ``close`` merges and unlocks."""

    def __init__(self, path: str | Path, scenario_order: Iterable[str] = (), flush_seconds: float = 2.0):
        self.path = Path(path)
        self.scenario_order = {name: i for i, name in enumerate(scenario_order)}
        self.flush_seconds = flush_seconds
        self.rows: dict[str, dict[str, Any]] = {}
        self._parts: set[str] = set()
        self._lock = None
        self._last_flush = time.monotonic()
        self._flush_cost = 0.0
        self._dirty = False

    # --- lifecycle -----------------------------------------------------------------------------
    def open(self) -> None:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            (self.path / DAILY_DIR).mkdir(exist_ok=True)
            (self.path / PARTS_DIR).mkdir(exist_ok=True)
            self._lock = open(self.path / LOCK_FILE, "a+")
        except OSError as err:
            raise ValueError(f"cannot write --out {str(self.path)!r}: {err.strerror or err}") from None
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            self._lock = None
            raise ValueError(f"--out {str(self.path)!r} is in use by another running sweep") from None
        self._remove_temporaries()
        self.rows = read_rows(self.path)
        self._parts = {p.stem for p in (self.path / PARTS_DIR).glob("*.json")}

    def close(self) -> None:
        try:
            if self._dirty or self._parts:
                self.flush()
        finally:
            if self._lock is not None:
                self._lock.close()
                self._lock = None

    # --- writing -------------------------------------------------------------------------------
    def add(self, run_key: str, row: dict[str, Any], daily: pd.DataFrame | None) -> None:
        """Record one finished run: daily series first, then the row that marks it done."""
        if daily is not None:
            atomic_write(self.path / DAILY_DIR / f"{run_key}.parquet", lambda tmp: daily.to_parquet(tmp, index=False))
        atomic_write_text(self.path / PARTS_DIR / f"{run_key}.json", json.dumps(row, default=_plain))
        self.rows[run_key] = row
        self._parts.add(run_key)
        self._dirty = True
        # merge at most every flush_seconds, and never spend more than ~5 % of the time merging
        if time.monotonic() - self._last_flush >= max(self.flush_seconds, 20 * self._flush_cost):
            self.flush()

    def flush(self) -> None:
        """Rewrite runs.parquet from all rows, then drop the merged journal parts."""
        start = time.monotonic()
        frame = rows_frame(self.rows.values(), self.scenario_order)
        atomic_write(self.path / RUNS_FILE, lambda tmp: frame.to_parquet(tmp, index=False))
        for key in list(self._parts):
            with contextlib.suppress(FileNotFoundError):
                (self.path / PARTS_DIR / f"{key}.json").unlink()
            self._parts.discard(key)
        self._dirty = False
        self._last_flush = time.monotonic()
        self._flush_cost = self._last_flush - start

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        atomic_write_text(
            self.path / MANIFEST_FILE, json.dumps(manifest, indent=2, sort_keys=False, default=str) + "\n"
        )

    def _remove_temporaries(self) -> None:
        for folder in (self.path, self.path / DAILY_DIR, self.path / PARTS_DIR):
            for tmp in folder.glob(f"{TEMP_PREFIX}*"):
                with contextlib.suppress(OSError):
                    tmp.unlink()


def rows_frame(rows: Iterable[dict[str, Any]], scenario_order: dict[str, int] | None = None) -> pd.DataFrame:
    """Rows in a stable order (scenario as planned, point, replication), whatever finished first."""
    order = scenario_order or {}
    ranked = sorted(
        rows, key=lambda r: (order.get(r["scenario"], len(order)), str(r["scenario"]), r["point"], r["replication"])
    )
    return pd.DataFrame.from_records(ranked) if ranked else pd.DataFrame()


def read_rows(path: Path) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    frames = []
    if (path / RUNS_FILE).exists():
        frames.append(pd.read_parquet(path / RUNS_FILE))
    for frame in frames:
        for record in frame.to_dict("records"):
            rows[record["run_key"]] = {k: (None if _is_missing(v) else v) for k, v in record.items()}
    for part in sorted((path / PARTS_DIR).glob("*.json")):
        try:
            record = json.loads(part.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # cannot happen with atomic writes; a damaged part means: run it again
        rows[record["run_key"]] = {k: (None if _is_missing(v) else v) for k, v in record.items()}
    return rows


def _plain(value: Any) -> Any:
    """numpy scalars to Python for JSON."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__} in a result row")


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def load_runs(path: str | Path) -> pd.DataFrame:
    """All finished runs of a sweep directory, one row each, in plan order (also mid-sweep)."""
    path = Path(path)
    manifest = read_manifest(path) if path.is_dir() else None
    if manifest is None:
        raise ValueError(
            f"{str(path)!r} holds no sweep results (no {MANIFEST_FILE}); run `siyi sweep FILE --out {path}` first"
        )
    order = {name: i for i, name in enumerate(manifest.get("experiment", {}).get("scenarios", []))}
    return rows_frame(read_rows(path).values(), order)


def load_daily(path: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """Daily series of all finished runs as one long table (run_key, scenario, ..., day, series)."""
    path = Path(path)
    runs = load_runs(path)
    files = [path / DAILY_DIR / f"{key}.parquet" for key in runs["run_key"]] if len(runs) else []
    files = [f for f in files if f.exists()]
    if not files:
        return pd.DataFrame()
    frames = [
        pd.read_parquet(
            f,
            columns=None
            if columns is None
            else ["run_key", "scenario", "point", "replication", "seed", "day", *columns],
        )
        for f in files
    ]
    return pd.concat(frames, ignore_index=True)
