"""The notebooks in notebooks/ execute without error (small configuration), so they never rot."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.mark.parametrize("name", ["policy_briefing", "sweep_analysis"])
def test_notebook_executes(name, tmp_path, monkeypatch):
    monkeypatch.setenv("SIYI_NOTEBOOK_SMALL", "1")
    monkeypatch.delenv("SIYI_RESULTS", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    client = NotebookClient(nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute(env=dict(os.environ))
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]
    assert not errors
    assert not list(tmp_path.iterdir()), "a notebook wrote into its working directory in small mode"
