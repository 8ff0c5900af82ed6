"""The result directory: Parquet rows, daily series, manifest; crash-safe, resumable, verifiable.

Layout of ``DIR``::

    manifest.json          what was run (the plan's cells, seeds, keep), by which code, where, when
    runs.parquet           one row per finished run (run_key, scenario, parameters, seed, summary)
    daily/scenario=<name>/chunk=<NNNNNN>/part.parquet
                           daily series, many runs per file (a partitioned dataset, ``daily.py``)
    parts/<run_key>.json   journal: rows of runs not yet merged into runs.parquet (JSON: a
                           one-row Parquet file costs ~20 ms, JSON well under 1 ms; floats
                           round-trip exactly either way)
    parts/<run_key>.parquet  journal: a run's daily series until its scenario's next chunk

Every file is written to a hidden temporary name and then ``os.replace``d, so a reader (or a
``kill -9``) never sees half a file. A run counts as done once its part (or its row in
runs.parquet) exists; its daily file is written first. ``runs.parquet`` is rewritten from all
rows every few seconds and at the end, then merged parts are deleted; rows are keyed by
``run_key``, so a crash between those two steps cannot duplicate anything. Daily series move from
the journal into a chunk file per scenario every ``CHUNK_RUNS`` runs and at the end.

The store proves its contents. Each row carries ``row_sha256`` (SHA-256 of the canonical JSON of
its results, i.e. all but the wall-clock ``timing_*`` columns) and ``daily_sha256`` (of its
daily series by value, ``daily.daily_digest``: the same in the journal and in any chunk),
recorded when written and checked on every read; each row's ``run_key`` must be the key the
manifest's plan gives that scenario, point and replication. A row that fails
any check, or a duplicated key, is refused in one line naming the file (``siyi check DIR`` lists
all problems, ``--repair`` recomputes). A missing or altered daily series only marks its run as
not done, so a resumed sweep recomputes it (a damaged chunk keeps its sound runs).

A lock (``fcntl.flock`` on ``DIR/.lock``, released by the kernel even after ``kill -9``) is
taken before the folder is checked or written, for every backend, so two sweeps can never
both pass the checks and mix their rows.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import math
import re
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd

from ..errors import ParameterError
from ..io import STORE_MARKER, TEMP_PREFIX, atomic_write, atomic_write_text, brace_safe
from . import daily as chunks
from .keys import canonical_json, run_key, seed_for

TIMING_PREFIX = "timing_"  # wall-clock columns: measurements of the machine, not results

RUNS_FILE = "runs.parquet"
DAILY_DIR = "daily"
PARTS_DIR = "parts"
MANIFEST_FILE = STORE_MARKER
LOCK_FILE = ".lock"
COMPARISON_FILE = "comparison.csv"
ROW_HASH = "row_sha256"
DAILY_HASH = "daily_sha256"
FORMAT = "siyi-sweep/3"
_OURS = {RUNS_FILE, DAILY_DIR, PARTS_DIR, MANIFEST_FILE, LOCK_FILE, COMPARISON_FILE}
_KEY_FILE = re.compile(r"^[0-9a-f]{16}\.(json|parquet)$")
_EXACT_FLOAT_INT = 2**53


# --- the manifest ----------------------------------------------------------------------------------
def read_manifest(path: str | Path) -> dict[str, Any] | None:
    """The folder's manifest, None when it has none; anything unreadable is one line."""
    file = Path(path) / MANIFEST_FILE
    if not file.exists() and not file.is_symlink():
        return None
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as err:
        raise ValueError(f"{str(file)!r} is unreadable ({err.__class__.__name__}); not a sweep directory?") from None
    if not isinstance(data, dict):
        raise ValueError(f"{str(file)!r} is not a sweep manifest (a JSON {type(data).__name__}, not an object)")
    return data


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
            raise ParameterError(
                "out",
                f"{{name}} {brace_safe(path)!r} is not empty and holds no sweep manifest "
                f"(found {brace_safe(foreign[0])!r}); "
                "use a new directory",
            )
        return None
    _check_format(path, manifest)
    held = manifest.get("experiment")
    held = held if isinstance(held, dict) else {}
    if held.get("design_hash") != design_hash:
        raise ParameterError(
            "out",
            f"{{name}} {brace_safe(path)!r} holds a different experiment "
            f"({brace_safe(str(held.get('name', '?')))!r}, design "
            f"{brace_safe(str(held.get('design_hash', '?'))[:12])}); "
            f"this one is {brace_safe(name)!r}, design {design_hash[:12]}: "
            "use another {name}",
        )
    return manifest


def _check_format(path: Path, manifest: dict[str, Any]) -> None:
    if manifest.get("format") != FORMAT:
        found = manifest.get("format")
        raise ValueError(
            f"{str(path / MANIFEST_FILE)!r} is in format {found or 'unknown (older)'!r}, this version reads "
            f"{FORMAT!r} (rows with content hashes, chunked daily series); re-run the sweep into a new folder"
        )


# --- content hashes --------------------------------------------------------------------------------
def plain_value(value: Any) -> Any:
    """A stored cell as plain Python: numpy scalars unwrapped, NaN/NA as None."""
    kind = type(value)
    if kind is str or kind is int or kind is bool:  # the common cells, without pandas' generic checks
        return value
    if kind is float:
        return None if math.isnan(value) else value
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    with contextlib.suppress(TypeError, ValueError):
        if pd.isna(value):
            return None
    return value


def _hashable(value: Any) -> Any:
    """One spelling per value, so a row hashes alike from JSON and from Parquet (where an integer
    column holding a missing value comes back as float)."""
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if value.is_integer() and abs(value) < _EXACT_FLOAT_INT:
            return int(value)
    return value


def row_digest(row: dict[str, Any]) -> str:
    """SHA-256 of the row's results: every column but the hash and the wall-clock ``timing_*`` ones,
    so the same run gives the same hash on any machine (and a resumed sweep's rows match a fresh one's)."""
    payload = {
        k: _hashable(plain_value(v)) for k, v in row.items() if k != ROW_HASH and not k.startswith(TIMING_PREFIX)
    }
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def bytes_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- what the plan allows ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Design:
    """The manifest's plan: which run_key each (scenario, point, replication) must have."""

    cells: dict[tuple[str, int], dict[str, Any]]
    base_seed: int
    replications: int

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any], where: Path) -> Design:
        try:
            raw = manifest["design"]["cells"]
            cells = {(str(c["scenario"]), int(c["point"])): c for c in raw}
            seeds = manifest["seeds"]
            base_seed, replications = seeds["base_seed"], seeds["replications"]
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in (base_seed, replications)):
                raise TypeError
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ValueError(f"{str(where / MANIFEST_FILE)!r} does not describe the plan's cells and seeds") from None
        return cls(cells, base_seed, replications)

    def expected_key(self, row: dict[str, Any]) -> str | None:
        try:
            cell = self.cells.get((str(row["scenario"]), int(row["point"])))
            replication = int(row["replication"])
        except (KeyError, TypeError, ValueError):
            return None
        if cell is None or not 0 <= replication < self.replications:
            return None
        seed = seed_for(self.base_seed, replication)
        return run_key(cell["scenario"], cell["base_scenario"], cell["overrides"], cell["days"], replication, seed)


# --- scanning a folder -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One thing wrong in a results folder. ``fatal`` problems stop reading until repaired; the
    others only mean that a run must be recomputed, or that a file is not the store's."""

    file: Path
    message: str
    fatal: bool
    remove: bool = True  # --repair deletes the file (runs.parquet is rewritten instead)

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


@dataclass
class Scan:
    done: dict[str, dict[str, Any]] = field(default_factory=dict)  # verified rows with intact daily series
    parts: set[str] = field(default_factory=set)  # keys whose verified row is (also) a journal part
    problems: list[Problem] = field(default_factory=list)
    journal_daily: dict[str, set[str]] = field(default_factory=dict)  # scenario -> keys with a journaled series
    redundant: list[Path] = field(default_factory=list)  # journaled series already in a chunk (crash leftovers)
    chunk_keep: dict[Path, set[str]] = field(default_factory=dict)  # damaged chunks -> their sound runs
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)  # every verified row, done or not

    def refuse_if_fatal(self, path: Path) -> None:
        fatal = [p for p in self.problems if p.fatal]
        if fatal:
            more = f" (and {len(fatal) - 1} more)" if len(fatal) > 1 else ""
            raise ValueError(f"{fatal[0]}{more}; `siyi check {path}` lists them, `--repair` recomputes")


def scan(path: Path, manifest: dict[str, Any], verify_daily: bool = True, daily: bool = True) -> Scan:
    """Check every row and daily file of ``path`` against its hashes and the manifest's plan."""
    _check_format(path, manifest)
    design = Design.from_manifest(manifest, path)
    result = Scan()
    rows = _table_rows(path, design, result.problems)
    for key, row in _part_rows(path, design, result.problems).items():
        rows[key] = row  # a verified part is newer than the table (a recomputed run)
        result.parts.add(key)
    result.rows = rows
    if not daily:  # rows only (``load_daily`` checks the series it reads itself)
        return result
    found = _daily_sources(path, rows, verify_daily, result)
    for key, row in rows.items():
        if row.get(DAILY_HASH) is None or key in found:
            result.done[key] = row
        elif not any(p.file.name == f"{key}.parquet" for p in result.problems):
            file = path / PARTS_DIR / f"{key}.parquet"
            result.problems.append(
                Problem(file, f"daily series of run {key!r} is missing (its run is not done)", False)
            )
    result.problems.extend(_strays(path, rows))
    return result


def _daily_sources(path: Path, rows: dict[str, dict[str, Any]], verify: bool, result: Scan) -> set[str]:
    """Keys whose daily series is present (and, with ``verify``, matches its row's digest): chunks first,
    then the journal. Damaged chunks and journal files are recorded as problems; the sound runs stay."""
    found: set[str] = set()
    root = path / DAILY_DIR
    for file in chunks.chunk_files(root):
        if not _is_regular(file):
            result.problems.append(Problem(file, "is not a regular file (its runs are not done)", fatal=False))
            continue
        try:
            frame = chunks.read_chunk(file, None if verify else ["run_key"])
        except Exception as err:  # pyarrow raises its own error types for damaged files
            result.problems.append(
                Problem(file, f"is unreadable ({err.__class__.__name__}; its runs are not done)", False)
            )
            continue
        if "run_key" not in frame.columns:
            result.problems.append(Problem(file, "has no run_key column (its runs are not done)", fatal=False))
            continue
        sound, bad = set(), []
        pairs = chunks.keyed_digests(frame) if verify else [(str(k), None) for k in chunks.run_bounds(frame)[0]]
        for key, digest in pairs:
            row = rows.get(key)
            if row is None or key in found or (verify and digest != row.get(DAILY_HASH)):
                bad.append(key)
            else:
                sound.add(key)
        found |= sound
        if bad:
            result.chunk_keep[file] = sound
            result.problems.append(
                Problem(
                    file,
                    f"holds {len(bad)} series matching no stored run, e.g. {bad[0]!r} (run not done)",
                    False,
                    remove=False,
                )
            )
    folder = path / PARTS_DIR
    if folder.is_dir():
        for file in sorted(folder.glob("*.parquet")):
            if not _KEY_FILE.match(file.name):
                continue
            key = file.stem
            row = rows.get(key)
            if key in found:
                result.redundant.append(file)
                continue
            if row is None:
                result.problems.append(Problem(file, "belongs to no stored run", fatal=False))
                continue
            if verify and not _journal_ok(file, row.get(DAILY_HASH)):
                result.problems.append(Problem(file, "does not match its content hash (its run is not done)", False))
                continue
            found.add(key)
            result.journal_daily.setdefault(str(row["scenario"]), set()).add(key)
    return found


def _journal_ok(file: Path, digest: Any) -> bool:
    try:
        return chunks.daily_digest(pd.read_parquet(file)) == digest
    except Exception:  # a torn or foreign file
        return False


def _table_rows(path: Path, design: Design, problems: list[Problem]) -> dict[str, dict[str, Any]]:
    file = path / RUNS_FILE
    if not file.exists() and not file.is_symlink():
        return {}
    if not _is_regular(file):
        problems.append(Problem(file, "is not a regular file", fatal=True))
        return {}
    try:
        frame = pd.read_parquet(file)
    except Exception as err:  # pyarrow raises its own error types for damaged files
        problems.append(Problem(file, f"is unreadable ({err.__class__.__name__})", fatal=True))
        return {}
    for column in ("run_key", ROW_HASH):
        if column not in frame.columns:
            problems.append(Problem(file, f"has no {column} column", fatal=True))
            return {}
    counts = frame["run_key"].value_counts()
    for key in counts[counts > 1].index:
        problems.append(Problem(file, f"holds run_key {key!r} {counts[key]} times", fatal=True, remove=False))
    rows = {}
    for record in frame.to_dict("records"):
        row = {str(k): plain_value(v) for k, v in record.items()}
        key = row["run_key"]
        if counts[key] > 1:
            continue
        message = _row_problem(row, design)
        if message:
            problems.append(Problem(file, f"row {key!r} {message}", fatal=True, remove=False))
        else:
            rows[key] = row
    return rows


def _part_rows(path: Path, design: Design, problems: list[Problem]) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    folder = path / PARTS_DIR
    if not folder.is_dir():
        return rows
    for file in sorted(folder.iterdir()):
        if not _KEY_FILE.match(file.name) or file.suffix != ".json":
            continue  # not a journal part (temporaries are removed on open; other files are not ours)
        if not _is_regular(file):
            if file.exists() or file.is_symlink():
                problems.append(Problem(file, "is not a regular file", fatal=True))
            continue
        try:
            row = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            continue  # merged into runs.parquet by a running sweep while we looked
        except (OSError, ValueError, RecursionError) as err:
            problems.append(Problem(file, f"is unreadable ({err.__class__.__name__})", fatal=True))
            continue
        if not isinstance(row, dict) or row.get("run_key") != file.stem:
            problems.append(Problem(file, f"is not the result row of run {file.stem!r}", fatal=True))
            continue
        message = _row_problem(row, design)
        if message:
            problems.append(Problem(file, f"row {file.stem!r} {message}", fatal=True))
            continue
        rows[file.stem] = {k: plain_value(v) for k, v in row.items()}
    return rows


def _row_problem(row: dict[str, Any], design: Design) -> str | None:
    if row.get(ROW_HASH) != row_digest(row):
        return "does not match its content hash (altered or damaged)"
    if design.expected_key(row) != row.get("run_key"):
        return "is not a run of this folder's plan"
    return None


def _strays(path: Path, rows: dict[str, dict[str, Any]]) -> list[Problem]:
    """Files in the store's own folders that no verified row accounts for."""
    strays = []
    for folder in (path, path / PARTS_DIR):
        if folder.is_dir():
            strays += [Problem(f, "is a left-over temporary file", fatal=False) for f in folder.glob(f"{TEMP_PREFIX}*")]
    strays += [Problem(f, "is a left-over temporary file", fatal=False) for f in chunks.temporaries(path / DAILY_DIR)]
    if (path / DAILY_DIR).is_dir():  # a per-run file of the older layout, or one put there by hand
        for file in sorted((path / DAILY_DIR).glob("*.parquet")):
            strays.append(Problem(file, "is not a chunk of the daily dataset", fatal=False))
    return strays


def _is_regular(file: Path) -> bool:
    try:
        return stat.S_ISREG(file.stat().st_mode)
    except OSError:
        return False


# --- the store a sweep writes ----------------------------------------------------------------------
class ResultStore:
    """``lock()``, ``open(manifest)``; ``add`` each finished run; ``close`` merges and unlocks."""

    def __init__(self, path: str | Path, scenario_order: Iterable[str] = (), flush_seconds: float = 2.0):
        self.path = Path(path)
        self.scenario_order = {name: i for i, name in enumerate(scenario_order)}
        self.flush_seconds = flush_seconds
        self.rows: dict[str, dict[str, Any]] = {}
        self.repaired: list[Problem] = []
        self._parts: set[str] = set()
        self._journal_daily: dict[str, set[str]] = {}
        self._lock: IO[str] | None = None
        self._created = False
        self._last_flush = time.monotonic()
        self._flush_cost = 0.0
        self._dirty = False

    # --- lifecycle -----------------------------------------------------------------------------
    def lock(self) -> None:
        """Take the folder (creating it if needed) before anything in it is checked or written."""
        if self._lock is not None:
            return
        try:
            self._created = not self.path.exists()
            self.path.mkdir(parents=True, exist_ok=True)
            handle = open(self.path / LOCK_FILE, "a+")  # noqa: SIM115 - held open for the whole sweep
        except OSError as err:
            raise ParameterError(
                "out", f"cannot write {{name}} {brace_safe(self.path)!r}: {brace_safe(err.strerror or err)}"
            ) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise ParameterError(
                "out", f"{{name}} {brace_safe(self.path)!r} is in use by another running sweep"
            ) from None
        self._lock = handle

    def open(self, manifest: dict[str, Any] | None = None, repair: bool = False) -> None:
        """Read what is done (against ``manifest``, default the folder's own). Damaged rows are
        refused, or with ``repair`` removed so that their runs are recomputed."""
        self.lock()
        if manifest is None:
            manifest = _manifest_of(self.path)
        try:
            (self.path / DAILY_DIR).mkdir(exist_ok=True)
            (self.path / PARTS_DIR).mkdir(exist_ok=True)
        except OSError as err:
            raise ParameterError(
                "out", f"cannot write {{name}} {brace_safe(self.path)!r}: {brace_safe(err.strerror or err)}"
            ) from None
        self._remove_temporaries()
        found = scan(self.path, manifest)
        if repair:
            folders = [p for p in found.problems if p.file.is_dir() and not p.file.is_symlink()]
            if folders:  # never delete a folder: it may hold someone's data
                raise ValueError(f"{folders[0].file} is a folder, not a store file; move it away, then repair")
            self.repaired = [p for p in found.problems if "temporary" not in p.message]
            for problem in found.problems:
                if problem.remove:
                    with contextlib.suppress(FileNotFoundError):
                        problem.file.unlink()
            self._dirty = any(p.file.name == RUNS_FILE for p in found.problems)
        else:
            found.refuse_if_fatal(self.path)
            for problem in found.problems:  # an unreadable chunk holds nothing usable: its runs are redone
                if problem.remove and problem.file.name == chunks.CHUNK_FILE and _is_regular(problem.file):
                    problem.file.unlink(missing_ok=True)
        for file in found.redundant:  # a crash between writing a chunk and clearing the journal
            file.unlink(missing_ok=True)
        for file, keep in found.chunk_keep.items():  # keep a damaged chunk's sound runs, drop the rest
            chunks.rewrite_chunk(file, keep)
        self.rows = found.done
        self._parts = found.parts & set(found.done)
        self._journal_daily = {s: keys & set(found.done) for s, keys in found.journal_daily.items()}

    def release(self) -> None:
        """Unlock; a folder this store created and never used is removed again."""
        if self._lock is None:
            return
        self._lock.close()
        self._lock = None
        if self._created and not (self.path / MANIFEST_FILE).exists():
            for name in (DAILY_DIR, PARTS_DIR):
                with contextlib.suppress(OSError):
                    (self.path / name).rmdir()
            with contextlib.suppress(OSError):
                (self.path / LOCK_FILE).unlink()
            with contextlib.suppress(OSError):
                self.path.rmdir()

    def close(self) -> None:
        try:
            if self._dirty or self._parts:
                self.flush()
            self.chunk_daily(force=True)
        finally:
            self.release()

    def chunk_daily(self, force: bool = False) -> None:
        """Move journaled daily series into chunk files: a scenario's once it has ``CHUNK_RUNS``, all with ``force``.

        Only runs whose rows are already in runs.parquet are moved, so a chunk never holds a run the table
        does not (a crash in between leaves the journal copy, dropped on the next open)."""
        for scenario, keys in list(self._journal_daily.items()):
            ready = sorted(k for k in keys if k not in self._parts)
            while ready and (force or len(ready) >= chunks.CHUNK_RUNS):
                batch, ready = ready[: chunks.CHUNK_RUNS], ready[chunks.CHUNK_RUNS :]
                chunks.write_chunk(self.path / DAILY_DIR, self.path / PARTS_DIR, scenario, batch)
                keys.difference_update(batch)

    # --- writing -------------------------------------------------------------------------------
    def add(self, run_key: str, row: dict[str, Any], daily: pd.DataFrame | None) -> None:
        """Record one finished run: daily series first, then the row (with both hashes) that marks it done."""
        row = {k: plain_value(v) for k, v in row.items() if k not in (ROW_HASH, DAILY_HASH)}
        row[DAILY_HASH] = None
        if daily is not None:
            row[DAILY_HASH] = chunks.write_journal(self.path / PARTS_DIR, run_key, daily)
            self._journal_daily.setdefault(str(row["scenario"]), set()).add(run_key)
        row[ROW_HASH] = row_digest(row)
        atomic_write_text(self.path / PARTS_DIR / f"{run_key}.json", json.dumps(row, allow_nan=False))
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
        self.chunk_daily()
        self._last_flush = time.monotonic()
        self._flush_cost = self._last_flush - start

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        atomic_write_text(
            self.path / MANIFEST_FILE, json.dumps(manifest, indent=2, sort_keys=False, default=str) + "\n"
        )

    def _remove_temporaries(self) -> None:
        for folder in (self.path, self.path / PARTS_DIR):
            for tmp in folder.glob(f"{TEMP_PREFIX}*"):
                with contextlib.suppress(OSError):
                    tmp.unlink()
        for tmp in chunks.temporaries(self.path / DAILY_DIR):
            with contextlib.suppress(OSError):
                tmp.unlink()


def rows_frame(rows: Iterable[dict[str, Any]], scenario_order: dict[str, int] | None = None) -> pd.DataFrame:
    """Rows in a stable order (scenario as planned, point, replication), whatever finished first."""
    order = scenario_order or {}
    ranked = sorted(
        rows, key=lambda r: (order.get(r["scenario"], len(order)), str(r["scenario"]), r["point"], r["replication"])
    )
    return pd.DataFrame.from_records(ranked) if ranked else pd.DataFrame()


# --- reading ---------------------------------------------------------------------------------------
def _manifest_of(path: Path) -> dict[str, Any]:
    manifest = read_manifest(path) if path.is_dir() else None
    if manifest is None:
        raise ValueError(
            f"{str(path)!r} holds no sweep results (no {MANIFEST_FILE}); run `siyi sweep FILE --out {path}` first"
        )
    return manifest


def read_rows(path: Path) -> dict[str, dict[str, Any]]:
    """Verified finished rows by run_key; refuses a folder with damaged or foreign rows."""
    path = Path(path)
    found = scan(path, _manifest_of(path), verify_daily=False)
    found.refuse_if_fatal(path)
    return found.done


def check_store(path: str | Path) -> list[Problem]:
    """Every problem of a results folder (rows, hashes, plan, daily files, strays); [] when sound."""
    path = Path(path)
    manifest = _manifest_of(path)
    found = scan(path, manifest)
    missing = _planned_count(manifest) - len(found.done)
    if missing > 0 and not found.problems:
        found.problems.append(
            Problem(path, f"{missing} planned runs are not done yet (resume the sweep)", fatal=False, remove=False)
        )
    return found.problems


def _planned_count(manifest: dict[str, Any]) -> int:
    try:
        return len(manifest["design"]["cells"]) * int(manifest["seeds"]["replications"])
    except (KeyError, TypeError, ValueError):
        return 0


def load_runs(path: str | Path) -> pd.DataFrame:
    """All finished runs of a sweep directory, one row each, in plan order (also mid-sweep).

    Rows are verified (content hash, plan membership, no duplicates), and so are their daily
    files: a run whose daily file is missing or damaged is refused, not silently dropped
    (``siyi check DIR --repair`` recomputes it).
    """
    path = Path(path)
    manifest = _manifest_of(path)
    found = scan(path, manifest)
    found.refuse_if_fatal(path)
    broken = [p for p in found.problems if "not done" in p.message]
    if broken:
        more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
        raise ValueError(f"{broken[0]}{more}; `siyi check {path} --repair` recomputes it")
    experiment = manifest.get("experiment")
    scenarios = experiment.get("scenarios", []) if isinstance(experiment, dict) else []
    order = {name: i for i, name in enumerate(scenarios if isinstance(scenarios, list) else [])}
    return rows_frame(found.done.values(), order)


def load_daily(
    path: str | Path, columns: list[str] | None = None, scenarios: list[str] | None = None, verify: bool = True
) -> pd.DataFrame:
    """Daily series of finished runs as one long table (run_key, scenario, point, ..., day, series).

    ``scenarios`` filters the partitions read (``pyarrow.dataset``: other scenarios' files are not
    opened); ``columns`` the series. With ``verify`` (default) each run's series is checked against
    the digest its row recorded (this reads the run's full series); a missing or altered one is
    refused in one line. Rows are verified as in ``load_runs``.
    """
    path = Path(path)
    found = scan(path, _manifest_of(path), daily=False)
    found.refuse_if_fatal(path)
    rows = found.rows
    if scenarios is not None:
        known = {str(r["scenario"]) for r in rows.values()}
        for name in scenarios:
            if name not in known:
                raise ValueError(f"scenario {name!r} has no runs in {str(path)!r}")
    wanted_rows = {
        k: r
        for k, r in rows.items()
        if r.get(DAILY_HASH) is not None and (scenarios is None or r["scenario"] in scenarios)
    }
    if not wanted_rows:
        return pd.DataFrame()
    identity = ["run_key", "point", "replication", "seed", "day"]
    read_columns = None if (verify or columns is None) else list(dict.fromkeys([*identity, *columns]))
    try:
        pieces = [chunks.read_dataset(path / DAILY_DIR, scenarios, read_columns, keys=list(wanted_rows))]
    except Exception as err:  # pyarrow's own errors for a damaged chunk
        raise ValueError(
            f"{path / DAILY_DIR}: a daily chunk is unreadable ({err.__class__.__name__}); "
            f"`siyi check {path} --repair` recomputes its runs"
        ) from None
    journaled = {f.stem for f in (path / PARTS_DIR).glob("*.parquet")} if (path / PARTS_DIR).is_dir() else set()
    for key in sorted(journaled & set(wanted_rows)):
        journal = path / PARTS_DIR / f"{key}.parquet"
        if journal.is_file():
            frame = pd.read_parquet(journal, columns=read_columns)
            frame["scenario"] = wanted_rows[key]["scenario"]
            pieces.append(frame)
    frames = [p for p in pieces if len(p)]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["run_key", "scenario"])
    table = table.drop(columns=["chunk"], errors="ignore")
    if len(frames) > 1:
        table = table[table["run_key"].isin(list(wanted_rows))]
    if verify:
        seen: set[str] = set()
        body = table.drop(columns=["scenario"])
        for key, digest in chunks.keyed_digests(body):
            if key in seen or digest != wanted_rows[key][DAILY_HASH]:
                raise ValueError(
                    f"daily series of run {key!r} does not match its content hash; `siyi check {path} --repair`"
                )
            seen.add(key)
        missing = set(wanted_rows) - seen
        if missing:
            raise ValueError(
                f"daily series of run {sorted(missing)[0]!r} is missing ({len(missing)} runs); "
                f"`siyi check {path} --repair` recomputes it"
            )
    table = table.assign(scenario=table["scenario"].astype(str))
    front = ["run_key", "scenario", "point", "replication", "seed", "day"]
    series = [c for c in table.columns if c not in front] if columns is None else list(columns)
    for column in series:
        if column not in table.columns:
            raise ValueError(f"unknown daily column {column!r} in {str(path)!r}")
    return table[[c for c in front if c in table.columns] + series].reset_index(drop=True)
