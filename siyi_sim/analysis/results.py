"""Reading a results directory for analysis, and replaying single runs of it.

The store itself belongs to ``siyi_sim.experiments`` (``load_runs``, ``load_daily``); this module
adds what analysis needs on top: a check that the directory is a usable, current-format sweep
(one-line ``ValueError`` otherwise) and *replays*: any row can be recomputed exactly from its
seed and overrides, which is how figures that need issue-level or network data (survival,
spillover, network drawing) are drawn without storing models.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..experiments import expand, load_daily, load_runs, parse_plan
from ..experiments.manifest import FORMAT
from ..experiments.store import MANIFEST_FILE, read_manifest

REQUIRED_COLUMNS = ("run_key", "scenario", "point", "replication", "seed")


@dataclass
class Results:
    """A loaded results directory."""

    path: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame

    @property
    def scenarios(self) -> list[str]:
        return list(dict.fromkeys(self.runs["scenario"]))

    def daily(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Daily series of every run (empty when the experiment kept none)."""
        try:
            return load_daily(self.path, columns)
        except (KeyError, ValueError):
            return pd.DataFrame()

    @property
    def provenance(self) -> dict[str, Any]:
        m, exp, pkg = self.manifest, self.manifest.get("experiment", {}), self.manifest.get("package", {})
        return {
            "experiment": exp.get("name"),
            "design_hash": exp.get("design_hash"),
            "file_sha256": exp.get("file_sha256"),
            "package_version": pkg.get("version"),
            "git_commit": pkg.get("git_commit"),
            "seeds": m.get("seeds", {}).get("seeds"),
            "seed_rule": m.get("seeds", {}).get("rule"),
            "runs_done": m.get("runs_done"),
            "runs_planned": m.get("runs_planned"),
            "complete": m.get("complete"),
            "started_utc": m.get("started_utc"),
            "finished_utc": m.get("finished_utc"),
        }


def open_results(path: str | os.PathLike) -> Results:
    """Load ``path`` or say in one line why it cannot be analysed (missing, empty, older format)."""
    path = Path(path)
    if not path.exists():
        raise ValueError(f"results directory {str(path)!r} does not exist")
    if not path.is_dir():
        raise ValueError(f"results path {str(path)!r} is not a directory")
    if not (path / MANIFEST_FILE).exists():
        if not any(path.iterdir()):
            raise ValueError(f"results directory {str(path)!r} is empty; run `siyi sweep FILE --out {path}` first")
        raise ValueError(f"{str(path)!r} is not a sweep results directory (no {MANIFEST_FILE})")
    manifest = read_manifest(path)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise ValueError(
            f"{str(path)!r} is in format {found or 'unknown (older)'!r}, this version reads {FORMAT!r}; "
            "re-run the sweep"
        )
    try:
        runs = load_runs(path)
    except (OSError, ValueError, KeyError) as err:
        raise ValueError(f"cannot read the runs of {str(path)!r}: {err}") from None
    if runs.empty:
        raise ValueError(f"results directory {str(path)!r} holds no finished runs yet")
    missing = [c for c in REQUIRED_COLUMNS if c not in runs.columns]
    if missing:
        raise ValueError(f"{str(path)!r} is from an older format: runs lack column {missing[0]!r}; re-run the sweep")
    return Results(path, manifest, runs)


def replay(results: Results, scenario: str, replication: int = 0, point: int = 0):
    """Re-run one stored run exactly (same seed, overrides, horizon); returns ``api.RunResult``.

    Runs are pure functions of (scenario, overrides, days, seed), so the replay's summary equals
    the stored row; :func:`check_replay` verifies that.
    """
    from ..api import simulate

    text = results.manifest.get("experiment", {}).get("file_text")
    if not text:
        raise ValueError(f"{str(results.path)!r}: manifest holds no experiment text, cannot replay runs")
    plan = parse_plan(text)
    specs = [
        s
        for s in expand(plan, replication + 1)
        if s.scenario == scenario and s.replication == replication and s.point == point
    ]
    if not specs:
        raise ValueError(f"no run of scenario {scenario!r}, replication {replication}, point {point} in the experiment")
    spec = specs[0]
    return simulate(spec.base_scenario, spec.seed, spec.days, dict(spec.overrides)), spec.run_key


def check_replay(
    results: Results,
    run_key: str,
    summary: dict[str, Any],
    keys: tuple[str, ...] = ("issues_resolved_total", "mean_owner_trust", "clear_index"),
) -> bool | None:
    """True when the replayed summary matches the stored row on ``keys`` (where stored);
    None when that run has not finished in the sweep yet."""
    row = results.runs.set_index("run_key")
    if run_key not in row.index:
        return None
    stored = row.loc[run_key]
    return all(
        k not in stored.index or pd.isna(stored[k]) or abs(float(stored[k]) - float(summary[k])) < 1e-9 for k in keys
    )
