"""Writing a run's outputs: summary JSON (with provenance), daily series (CSV or Parquet) and
both graphs.

Everything goes to a temporary sibling directory that is moved into place at the end, so an
error leaves no half-written output directory behind. The target must be new, empty or the
output of an earlier ``siyi run`` (whose files are replaced); anything else, the root folder and
a results folder's own files are refused unless ``force`` (the last two even then). Files and
folders get the umask's modes (0644/0755 by default), not ``mkdtemp``'s private ones.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from .errors import ParameterError
from .io import apply_umask, brace_safe, make_temp_dir, refuse_store_path
from .networks import export_graphs

SUMMARY_FILE = "summary.json"
#: Every file ``write_run_outputs`` may write: a folder holding only these is an earlier run's output.
RUN_FILES = (SUMMARY_FILE, "daily.csv", "daily.parquet", "trust_graph.graphml", "issue_graph.graphml")


def check_writable(out: str | os.PathLike, force: bool = False) -> Path:
    """Fail early, before any simulation, if ``out`` cannot or must not be written."""
    if str(out) == "":
        raise ParameterError("out", "{name} must name a folder, not be empty")
    out = Path(out)
    if Path(os.path.abspath(out)).resolve() == Path("/"):
        raise ParameterError("out", "{name} '/' is the root folder; choose a folder of its own")
    refuse_store_path(out, "out")
    if out.exists() and not out.is_dir():
        raise ValueError(f"cannot write output to '{out}': it exists and is not a directory")
    probe = out if out.exists() else out.parent
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise ValueError(f"cannot write output to '{out}': '{probe}' is not a directory")
    try:
        tempfile.TemporaryDirectory(dir=probe).cleanup()
    except OSError as err:
        raise ValueError(f"cannot write output to '{out}': '{probe}' is not writable ({err.strerror})") from None
    if out.is_dir() and not force:
        names = sorted(p.name for p in out.iterdir())
        foreign = [n for n in names if n not in RUN_FILES]
        if foreign or (names and SUMMARY_FILE not in names):
            found = (foreign or names)[0]
            raise ParameterError(
                "out",
                f"{{name}} {brace_safe(out)!r} is not empty and is not the output of an earlier run (found "
                f"{brace_safe(found)!r}); use a new folder, or {{force}} to write into it",
                ("force",),
            )
    return out


def write_run_outputs(
    result,
    out: str | os.PathLike,
    series_format: str = "csv",
    force: bool = False,
    provenance: dict[str, Any] | None = None,
) -> Path:
    """Write ``result`` to ``out``; ``provenance`` (``siyi_sim.provenance.run_provenance``) is
    recorded in summary.json under ``"provenance"``."""
    out = check_writable(out, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = make_temp_dir(out.parent, f".{out.name}.")
    try:
        summary = dict(result.summary)
        if provenance is not None:
            summary["provenance"] = provenance
        (tmp / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n")
        if series_format == "parquet":
            result.daily.to_parquet(tmp / "daily.parquet")
        else:
            result.daily.to_csv(tmp / "daily.csv")
        export_graphs(result.model, tmp)
        for item in tmp.iterdir():
            apply_umask(item)
        if out.exists():
            written = {item.name for item in tmp.iterdir()}
            for item in tmp.iterdir():
                os.replace(item, out / item.name)
            for stale in set(RUN_FILES) - written:  # e.g. daily.csv of an earlier run now in Parquet
                (out / stale).unlink(missing_ok=True)
            tmp.rmdir()
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
