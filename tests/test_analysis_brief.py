"""`siyi brief`: a self-contained HTML brief from the smoke experiment, with the right numbers."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from siyi_sim.analysis.brief import fmt
from siyi_sim.cli import main
from siyi_sim.experiments import load_plan, run_sweep

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def smoke_dir(tmp_path_factory):
    """experiments/smoke.toml, trimmed to its first grid point and 2 replications (test budget)."""
    plan = load_plan(ROOT / "experiments" / "smoke.toml")
    plan = dataclasses.replace(plan, points=plan.points[:1], replications=2)
    out = tmp_path_factory.mktemp("smoke") / "results"
    run_sweep(plan, out, workers=1, progress=False)
    return out


@pytest.fixture(scope="module")
def brief(smoke_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("brief")
    assert main(["brief", str(smoke_dir), "--out", str(out)]) == 0
    return out


class _Rows(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.cells, self._in_td, self.images = [], None, False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-metric" in attrs:
            self.rows.append({"attrs": attrs, "cells": []})
            self.cells = self.rows[-1]["cells"]
        elif tag == "td" and self.cells is not None:
            self._in_td = True
            self.cells.append("")
        elif tag == "img":
            self.images.append(attrs.get("src", ""))

    def handle_endtag(self, tag):
        if tag == "td":
            self._in_td = False
        elif tag == "tr":
            self.cells = None

    def handle_data(self, data):
        if self._in_td and self.cells is not None:
            self.cells[-1] += data


def _parse(path: Path) -> _Rows:
    parser = _Rows()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_brief_embeds_at_least_three_figures_and_needs_no_network(brief):
    page = (brief / "brief.html").read_text(encoding="utf-8")
    parsed = _parse(brief / "brief.html")
    pngs = [src for src in parsed.images if src.startswith("data:image/png;base64,")]
    assert len(pngs) >= 3 and len(pngs) == len(parsed.images)
    assert not re.search(r'(src|href)="(https?:)?//', page), "the brief must not load anything from the network"
    assert "清有余而亲不足" in page and "四帮一体验" in page


def test_findings_table_matches_an_independent_paired_t_interval(smoke_dir, brief):
    runs = pd.read_parquet(smoke_dir / "runs.parquet")
    rows = _parse(brief / "brief.html").rows
    assert rows, "no findings rows"
    seen = set()
    for row in rows:
        a = row["attrs"]
        scenario, metric = a["data-scenario"], a["data-metric"]
        mine = runs[runs.scenario == scenario].set_index("seed")[metric].astype(float)
        base = runs[runs.scenario == "baseline"].set_index("seed")[metric].astype(float)
        d = (mine - base.loc[mine.index]).to_numpy()
        n = len(d)
        mean = d.mean()
        half = stats.t.ppf(0.975, n - 1) * d.std(ddof=1) / math.sqrt(n)
        assert float(a["data-mean"]) == pytest.approx(mine.mean(), rel=1e-12, abs=1e-12)
        assert float(a["data-diff"]) == pytest.approx(mean, rel=1e-9, abs=1e-12)
        assert float(a["data-ci-low"]) == pytest.approx(mean - half, rel=1e-9, abs=1e-12)
        assert float(a["data-ci-high"]) == pytest.approx(mean + half, rel=1e-9, abs=1e-12)
        cells = [c.strip() for c in row["cells"]]
        assert fmt(mine.mean()) in cells and fmt(mean) in cells
        assert f"[{fmt(mean - half)}, {fmt(mean + half)}]" in cells
        seen.add((scenario, metric))
    plan_scenarios = {"campaign_2020", "no_safeguards", "random_matching"}
    assert {s for s, _ in seen} == plan_scenarios
    assert ("campaign_2020", "mean_owner_trust") in seen and ("campaign_2020", "clear_index") in seen


def test_brief_states_provenance(smoke_dir, brief):
    manifest = json.loads((smoke_dir / "manifest.json").read_text())
    page = (brief / "brief.html").read_text(encoding="utf-8")
    assert manifest["experiment"]["design_hash"] in page
    assert manifest["package"]["version"] in page
    assert ", ".join(map(str, manifest["seeds"]["seeds"])) in page
    assert "replay reproduces the stored rows: yes" in page
    assert (brief / "findings.csv").stat().st_size > 0


# --- bad input: one line, exit 2, nothing written -------------------------------------------------
def _fails(capsys, argv, out: Path, message: str):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err, err
    assert not out.exists() or not any(out.iterdir()), "something was written"


def test_missing_results_directory(tmp_path, capsys):
    _fails(capsys, ["brief", str(tmp_path / "nope"), "--out", str(tmp_path / "b")], tmp_path / "b", "does not exist")


def test_empty_results_directory(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    _fails(capsys, ["brief", str(tmp_path / "empty"), "--out", str(tmp_path / "b")], tmp_path / "b", "is empty")


def test_results_directory_of_an_older_format(smoke_dir, tmp_path, capsys):
    old = tmp_path / "old"
    shutil.copytree(smoke_dir, old)
    manifest = json.loads((old / "manifest.json").read_text())
    manifest.pop("format")
    (old / "manifest.json").write_text(json.dumps(manifest))
    _fails(capsys, ["brief", str(old), "--out", str(tmp_path / "b")], tmp_path / "b", "older")


def test_results_directory_without_finished_runs(smoke_dir, tmp_path, capsys):
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    shutil.copy(smoke_dir / "manifest.json", fresh / "manifest.json")
    _fails(capsys, ["brief", str(fresh), "--out", str(tmp_path / "b")], tmp_path / "b", "no finished runs")


def test_unknown_metric(smoke_dir, tmp_path, capsys):
    _fails(
        capsys,
        ["brief", str(smoke_dir), "--out", str(tmp_path / "b"), "--metric", "happiness"],
        tmp_path / "b",
        "happiness",
    )


def test_unknown_baseline(smoke_dir, tmp_path, capsys):
    _fails(
        capsys,
        ["brief", str(smoke_dir), "--out", str(tmp_path / "b"), "--baseline", "nobody"],
        tmp_path / "b",
        "nobody",
    )


def test_out_is_a_file(smoke_dir, tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["brief", str(smoke_dir), "--out", str(target)]) == 2
    assert "not a directory" in capsys.readouterr().err
    assert target.read_text() == "x"


def test_fmt_is_readable():
    assert [fmt(v) for v in (0.0, 178.0, 0.040696, 79_150_000.0, 4741.0, -0.71, float("nan"))] == [
        "0",
        "178",
        "0.0407",
        "79.15 M",
        "4,741",
        "-0.71",
        "n/a",
    ]
