"""What ``manifest.json`` records: the experiment (file text, hashes, seeds), the code (package
version, git commit) and the machine, so a results folder explains itself years later."""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

from .plan import Plan

FORMAT = "siyi-sweep/1"


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def git_commit() -> str | None:
    """HEAD of the checkout siyi_sim runs from, if it is one (read-only git call)."""
    root = Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--verify", "-q", "HEAD"], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    return commit if out.returncode == 0 and commit else None


def package_version() -> str:
    from .. import __version__

    return __version__


def new_manifest(plan: Plan, design_hash: str, replications: int, backend: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "experiment": {
            "name": plan.name,
            "description": plan.description,
            "design_hash": design_hash,
            "file": plan.source_path,
            "file_sha256": plan.file_sha256,
            "file_text": plan.source_text,
            "scenarios": list(plan.scenarios),
            "points": [dict(p) for p in plan.points],
            "point_keys": list(plan.point_keys),
        },
        "seeds": {
            "rule": "seed = base_seed + replication, the same in every scenario and point",
            "base_seed": plan.base_seed,
            "replications": replications,
            "seeds": [plan.base_seed + r for r in range(replications)],
        },
        "runs_planned": 0,
        "runs_done": 0,
        "complete": False,
        "package": {"name": "siyi_sim", "version": package_version(), "git_commit": git_commit()},
        "platform": {
            "python": sys.version.split()[0],
            "implementation": platform.python_implementation(),
            "system": platform.platform(),
            "machine": platform.machine(),
            "node": platform.node(),
        },
        "started_utc": utc_now(),
        "finished_utc": None,
        "sessions": [],
        "adaptive": None,
    }


def set_replications(manifest: dict[str, Any], plan: Plan, replications: int) -> None:
    manifest["seeds"]["replications"] = replications
    manifest["seeds"]["seeds"] = [plan.base_seed + r for r in range(replications)]
