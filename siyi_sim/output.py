"""Writing a run's outputs: summary JSON, daily series (CSV or Parquet) and both graphs.

Everything goes to a temporary sibling directory that is renamed into place at the end, so an
error leaves no half-written output directory behind.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from .networks import export_graphs


def check_writable(out: str | os.PathLike) -> Path:
    """Fail early, before any simulation, if ``out`` cannot be created or written."""
    out = Path(out)
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
    return out


def write_run_outputs(result, out: str | os.PathLike, series_format: str = "csv") -> Path:
    out = check_writable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    try:
        (tmp / "summary.json").write_text(json.dumps(result.summary, indent=2) + "\n")
        if series_format == "parquet":
            result.daily.to_parquet(tmp / "daily.parquet")
        else:
            result.daily.to_csv(tmp / "daily.csv")
        export_graphs(result.model, tmp)
        if out.exists():
            for item in tmp.iterdir():
                os.replace(item, out / item.name)
            tmp.rmdir()
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
