"""The notebooks in notebooks/ execute without error (small configuration), so they never rot; their
prose prints numbers the way the indicator registry does, and they work on any results folder."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from siyi_sim.experiments import parse_plan, run_sweep

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
SCIENTIFIC = re.compile(r"[-+]?\d(?:\.\d+)?e[+-]\d+", re.IGNORECASE)


def _execute(name: str, cwd: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    client = NotebookClient(nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(cwd)}})
    client.execute(env=dict(os.environ))
    return nb


def _outputs(nb) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def _prose(nb) -> str:
    """What a reader reads as text: printed lines and Markdown, not DataFrame reprs."""
    parts = []
    for o in _outputs(nb):
        if o.get("output_type") == "stream":
            parts.append(o.get("text", ""))
        elif "text/markdown" in o.get("data", {}):
            parts.append(o["data"]["text/markdown"])
    return "\n".join(parts)


@pytest.fixture
def small(monkeypatch):
    monkeypatch.setenv("SIYI_NOTEBOOK_SMALL", "1")
    monkeypatch.delenv("SIYI_RESULTS", raising=False)
    monkeypatch.delenv("SIYI_LANG", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")


@pytest.mark.parametrize("name", ["policy_briefing", "sweep_analysis"])
def test_notebook_executes(name, tmp_path, small):
    nb = _execute(name, tmp_path)
    assert not [o for o in _outputs(nb) if o.get("output_type") == "error"]
    assert not list(tmp_path.iterdir()), "a notebook wrote into its working directory in small mode"
    prose = _prose(nb)
    assert prose and not SCIENTIFIC.search(prose), SCIENTIFIC.search(prose)
    if name == "policy_briefing":
        assert "Against the baseline, **campaign_2020**" in prose


def test_sweep_analysis_works_on_a_folder_without_campaign_2020(tmp_path, small, monkeypatch):
    plan = parse_plan(
        """
[experiment]
name = "no_campaign"
scenarios = ["baseline", "placement_7d"]
replications = 2
days = 20
[set]
"population.n_cadres" = 300
"population.n_enterprises" = 600
"campaign.first_batch_day" = 2
"""
    )
    run_sweep(plan, tmp_path / "results", workers=1, progress=False)
    monkeypatch.setenv("SIYI_RESULTS", str(tmp_path / "results"))
    monkeypatch.setenv("SIYI_NOTEBOOK_SMALL", "0")
    (tmp_path / "cwd").mkdir()
    nb = _execute("sweep_analysis", tmp_path / "cwd")
    assert not [o for o in _outputs(nb) if o.get("output_type") == "error"]
    assert "focus: placement_7d" in _prose(nb)
