"""What ``manifest.json`` records: the experiment (file text, hashes, seeds, the plan's cells),
the code (package version, git commit, calibration fingerprint) and the machine, so a results
folder explains itself years later and can prove which rows belong to it."""

from __future__ import annotations

import datetime as dt
import platform
import sys
from typing import Any

from ..provenance import code_provenance, git_commit, package_version
from .keys import seed_for
from .plan import Plan
from .specs import Cell
from .store import FORMAT

__all__ = ["FORMAT", "MAX_FILE_TEXT_BYTES", "git_commit", "new_manifest", "package_version", "set_replications"]

#: The experiment file is copied into the manifest up to this size; larger ones by hash only.
MAX_FILE_TEXT_BYTES = 256 * 1024


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def new_manifest(
    plan: Plan,
    design_hash: str,
    replications: int,
    backend: dict[str, Any],
    plan_cells: list[Cell] | None = None,
) -> dict[str, Any]:
    text = plan.source_text
    copied = len(text.encode()) <= MAX_FILE_TEXT_BYTES
    return {
        "format": FORMAT,
        "experiment": {
            "name": plan.name,
            "description": plan.description,
            "design_hash": design_hash,
            "file": plan.source_path,
            "file_sha256": plan.file_sha256,
            "file_bytes": len(text.encode()),
            "file_text": text if copied else None,
            "scenarios": list(plan.scenarios),
            "points": [dict(p) for p in plan.points] if copied else None,
            "point_keys": list(plan.point_keys),
        },
        "design": {
            "cells": [
                {
                    "scenario": c.scenario,
                    "base_scenario": c.base_scenario,
                    "point": c.point,
                    "overrides": c.overrides,
                    "days": c.days,
                }
                for c in plan_cells or []
            ],
            "keep_summary": None if plan.keep_summary is None else list(plan.keep_summary),
            "keep_daily": plan.keep_daily if isinstance(plan.keep_daily, str) else list(plan.keep_daily),
        },
        "seeds": {
            "rule": "seed = base_seed + replication, the same in every scenario and point",
            "base_seed": plan.base_seed,
            "replications": replications,
            "seeds": [seed_for(plan.base_seed, r) for r in range(replications)],
        },
        "runs_planned": 0,
        "runs_done": 0,
        "complete": False,
        "package": code_provenance(),
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
    manifest["seeds"]["seeds"] = [seed_for(plan.base_seed, r) for r in range(replications)]
