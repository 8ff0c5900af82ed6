"""Daily series of a results folder as a partitioned Parquet dataset that scales to 10^5+ runs.

Layout::

    daily/scenario=<name>/chunk=<NNNNNN>/part.parquet   many runs of one scenario (hive partitions)
    parts/<run_key>.parquet                             journal: one run's series until it is chunked

A finished run's series goes to the journal first (small, atomic, crash-safe); when a scenario has
``CHUNK_RUNS`` journaled runs, or the sweep ends, they are written as one chunk file (atomically)
and the journal files deleted. A crash between the two leaves a run in both places: the journal
copy is dropped on the next open. Readers use ``pyarrow.dataset`` with a filter on the scenario
partition, so one policy's series are read without touching the others.

Each run's series is proven by ``daily_digest``: a SHA-256 of its columns' values (names, int64,
float64 or UTF-8 text), independent of how Parquet encoded or chunked them, so the same run has
the same digest in the journal, in any chunk and on any machine. Files hold no ``scenario``
column (the partition says it); loaders add it back.
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path

import numpy as np
import pandas as pd

from ..io import TEMP_PREFIX, atomic_write, atomic_write_bytes

CHUNK_RUNS = 1000
CHUNK_FILE = "part.parquet"
_CHUNK_DIR = re.compile(r"^chunk=(\d{6})$")


def daily_digest(frame: pd.DataFrame) -> str:
    """SHA-256 of a run's series by value: column names, then each column as int64/float64/UTF-8 bytes."""
    return next(iter(chunk_digests(frame, np.array([0]), np.array([len(frame)]))))


def _columns(frame: pd.DataFrame) -> list[tuple[bytes, str, np.ndarray]]:
    out = []
    for name in frame.columns:
        if name == "scenario":
            continue
        values = frame[name].to_numpy()
        kind = values.dtype.kind
        if kind in "iub":
            out.append((f"\x1e{name}\x1f".encode(), "n", np.ascontiguousarray(values, dtype=np.int64)))
        elif kind == "f":
            out.append((f"\x1e{name}\x1f".encode(), "n", np.ascontiguousarray(values, dtype=np.float64)))
        else:
            out.append((f"\x1e{name}\x1f".encode(), "s", values))
    return out


def chunk_digests(frame: pd.DataFrame, starts: np.ndarray, ends: np.ndarray) -> list[str]:
    """``daily_digest`` of each row range [start, end) of ``frame``, columns converted once (fast on chunks)."""
    columns = _columns(frame)
    digests = []
    for start, end in zip(starts, ends, strict=True):
        digest = hashlib.sha256()
        for name, kind, values in columns:
            digest.update(name)
            if kind == "n":
                digest.update(values[start:end].tobytes())
            else:
                digest.update("\x1f".join(map(str, values[start:end])).encode())
        digests.append(digest.hexdigest())
    return digests


def run_bounds(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(keys, starts, ends) of each run's rows in a chunk (a chunk holds each run's rows together)."""
    keys = frame["run_key"].to_numpy()
    if not len(keys):
        return keys, np.array([], dtype=int), np.array([], dtype=int)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    return keys[starts], starts, ends


def keyed_digests(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(run_key, digest) of every run in a chunk, in file order."""
    keys, starts, ends = run_bounds(frame)
    return list(zip(map(str, keys), chunk_digests(frame, starts, ends), strict=True))


def scenario_dir(root: Path, scenario: str) -> Path:
    return root / f"scenario={urllib.parse.quote(str(scenario), safe='')}"


def chunk_files(root: Path, scenarios: Iterable[str] | None = None) -> list[Path]:
    """Chunk files under ``root`` (``DIR/daily``), optionally of some scenarios only."""
    if not root.is_dir():
        return []
    folders = [scenario_dir(root, s) for s in scenarios] if scenarios is not None else sorted(root.iterdir())
    files = []
    for folder in folders:
        if folder.is_dir() and folder.name.startswith("scenario="):
            for chunk in sorted(folder.iterdir()):
                file = chunk / CHUNK_FILE
                if _CHUNK_DIR.match(chunk.name) and (file.exists() or file.is_symlink()):
                    files.append(file)
    return files


def scenario_of(file: Path) -> str:
    return urllib.parse.unquote(file.parent.parent.name.partition("=")[2])


def write_journal(parts: Path, run_key: str, daily: pd.DataFrame) -> str:
    """One run's series into the journal; returns its digest."""
    frame = daily.drop(columns=["scenario"], errors="ignore")
    buffer = BytesIO()
    frame.to_parquet(buffer, index=False)
    atomic_write_bytes(parts / f"{run_key}.parquet", buffer.getvalue())
    return daily_digest(frame)


def write_chunk(root: Path, parts: Path, scenario: str, keys: list[str]) -> Path:
    """Move journaled series of ``keys`` (one scenario) into a new chunk file; journal files go last."""
    folder = scenario_dir(root, scenario)
    taken = [int(m.group(1)) for p in (folder.iterdir() if folder.is_dir() else []) if (m := _CHUNK_DIR.match(p.name))]
    chunk = folder / f"chunk={(max(taken) + 1 if taken else 0):06d}"
    frames = [pd.read_parquet(parts / f"{key}.parquet") for key in keys]
    table = pd.concat(frames, ignore_index=True)
    chunk.mkdir(parents=True, exist_ok=True)
    file = chunk / CHUNK_FILE
    atomic_write(file, lambda tmp: table.to_parquet(tmp, index=False))
    for key in keys:
        (parts / f"{key}.parquet").unlink(missing_ok=True)
    return file


def read_chunk(file: Path, columns: list[str] | None = None) -> pd.DataFrame:
    return pd.read_parquet(file, columns=columns)


def run_slices(frame: pd.DataFrame) -> Iterable[tuple[str, pd.DataFrame]]:
    """(run_key, its rows) for a chunk, in file order; a chunk holds each run's rows together."""
    if not len(frame):
        return
    keys = frame["run_key"].to_numpy()
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    for start, end in zip(starts, ends, strict=True):
        yield str(keys[start]), frame.iloc[start:end]


def rewrite_chunk(file: Path, keep: set[str]) -> None:
    """Keep only the runs in ``keep`` (verified) of a chunk; remove the chunk when none is left."""
    frame = read_chunk(file)
    kept = frame[frame["run_key"].isin(keep)]
    if len(kept):
        atomic_write(file, lambda tmp: kept.to_parquet(tmp, index=False))
    else:
        file.unlink(missing_ok=True)
        for folder in (file.parent, file.parent.parent):
            try:
                folder.rmdir()
            except OSError:
                break


def temporaries(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return [p for p in root.rglob(f"{TEMP_PREFIX}*") if p.is_file()]


def read_dataset(
    root: Path, scenarios: list[str] | None, columns: list[str] | None, keys: list[str] | None = None
) -> pd.DataFrame:
    """Chunked series through ``pyarrow.dataset`` (hive partitions ``scenario``/``chunk``): only the files of
    ``scenarios`` are opened, and rows are filtered to ``keys`` (runs the table vouches for) in Arrow."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    files = chunk_files(root, scenarios)
    if not files:
        return pd.DataFrame()
    partitioning = ds.partitioning(flavor="hive")
    dataset = ds.dataset(
        [str(f) for f in files], format="parquet", partitioning=partitioning, partition_base_dir=str(root)
    )
    wanted = None if columns is None else [c for c in [*columns, "scenario"] if c in dataset.schema.names]
    where = None if keys is None else ds.field("run_key").isin(pa.array(keys, type=pa.string()))
    return dataset.to_table(columns=wanted, filter=where).to_pandas()
