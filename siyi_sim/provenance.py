"""Where a result came from: package version, git commit and calibration fingerprint.

Written beside every output (``siyi run --out``'s summary.json, a sweep's manifest) so a
results folder explains itself years later, without the code that made it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

CALIBRATION_FILE = Path(__file__).resolve().parent / "data" / "calibration_2020.json"


def git_commit() -> str | None:
    """HEAD of the checkout siyi_sim runs from, if it is one (read-only git call)."""
    root = Path(__file__).resolve().parents[1]
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--verify", "-q", "HEAD"], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    return commit if out.returncode == 0 and commit else None


def package_version() -> str:
    from . import __version__

    return __version__


def calibration_fingerprint() -> str | None:
    """The ``fingerprint`` recorded in the shipped calibration (None if the file has none)."""
    try:
        data = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    value = data.get("fingerprint", data.get("model_fingerprint"))
    return str(value) if value is not None else None


def code_provenance() -> dict[str, Any]:
    return {
        "name": "siyi_sim",
        "version": package_version(),
        "git_commit": git_commit(),
        "calibration_fingerprint": calibration_fingerprint(),
    }


def run_provenance(scenario: str, overrides: dict[str, Any], config_flat: dict[str, Any]) -> dict[str, Any]:
    """What one run was: scenario, overrides as given, the effective configuration, and the code."""
    return {
        "scenario": scenario,
        "overrides": dict(overrides),
        "effective_config": dict(config_flat),
        "package": code_provenance(),
    }
