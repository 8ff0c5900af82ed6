"""`siyi brief`: a self-contained HTML brief from the smoke experiment, with the right numbers, in
English and Chinese, that leads with what matters to a policymaker."""

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

from siyi_sim.analysis.assumptions import ODD_FILE, parse_register, register
from siyi_sim.analysis.brief import key_findings
from siyi_sim.cli import main
from siyi_sim.experiments import load_plan, run_sweep
from siyi_sim.metrics import INDICATORS, format_value

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
        assert format_value(metric, mine.mean()) in cells
        assert format_value(metric, mean, difference=True) in cells
        lo, hi = (format_value(metric, x, difference=True) for x in (mean - half, mean + half))
        assert f"[{lo}, {hi}]" in cells
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
    provenance = page[page.index('id="provenance"') :]
    calibration = json.loads((ROOT / "siyi_sim" / "data" / "calibration_2020.json").read_text())
    assert calibration["model_fingerprint"] in provenance
    assert "population.n_cadres=300" in provenance, "the overrides"
    for key, value in calibration["values"].items():  # the effective configuration includes the calibration
        assert f"{key}={value!r}" in provenance


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


def test_pdf_without_chromium(smoke_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    _fails(capsys, ["brief", str(smoke_dir), "--out", str(tmp_path / "b"), "--pdf"], tmp_path / "b", "Chromium")


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


# --- a brief a policymaker can act on -------------------------------------------------------------
def _finding(scenario, metric, diff, low, high, base=100.0):
    return {
        "point": 0,
        "at": "",
        "scenario": scenario,
        "metric": metric,
        "n_pairs": 5,
        "mean": base + diff,
        "baseline_mean": base,
        "diff_mean": diff,
        "ci_low": low,
        "ci_high": high,
    }


def test_key_findings_list_every_clear_outcome_adverse_first_and_no_program_count_leads():
    table = pd.DataFrame(
        [
            _finding("campaign_2020", "program_issues_resolved", 2113, 2000, 2200, base=0.0),
            _finding("campaign_2020", "issues_resolved_total", 300, 200, 400),
            _finding("campaign_2020", "mean_owner_trust", 0.02, -0.01, 0.05, base=0.3),
            _finding("campaign_2020", "median_days_to_resolve", -2, -3, -1),
            _finding("campaign_2020", "clear_index", -0.007, -0.01, -0.004, base=0.94),
            _finding("campaign_2020", "integrity_incidents", 24, 10, 38, base=180.0),
            _finding("campaign_2020", "issues_created", 5, 1, 9),
            _finding("no_safeguards", "integrity_incidents", 1, -3, 5),
        ]
    )
    found = key_findings(table, focus="campaign_2020")
    assert list(found) == ["campaign_2020", "no_safeguards"]
    head = [(f.metric, f.verdict) for f in found["campaign_2020"]["headline"]]
    assert head == [
        ("integrity_incidents", "worse"),  # adverse total first
        ("clear_index", "worse"),  # then adverse state
        ("issues_resolved_total", "better"),
        ("median_days_to_resolve", "better"),  # lower is better
        ("issues_created", "changed"),  # no policy direction
    ]
    assert [f.metric for f in found["campaign_2020"]["program"]] == ["program_issues_resolved"]
    assert [f.metric for f in found["campaign_2020"]["unclear"]] == ["mean_owner_trust"]
    assert not found["no_safeguards"]["headline"]


def _key_findings_items(page: str) -> dict[str, list[tuple[str, str]]]:
    section = page[page.index('id="key-findings"') : page.index('id="simulated"')]
    blocks = re.split(r'<li data-scenario="', section)[1:]
    return {b[: b.index('"')]: re.findall(r'data-metric="([^"]+)" data-verdict="([^"]+)"', b) for b in blocks}


def test_brief_key_findings_match_the_table(brief):
    page = (brief / "brief.html").read_text(encoding="utf-8")
    table = pd.read_csv(brief / "findings.csv")
    table = table[table.point == table.point.min()]
    items = _key_findings_items(page)
    assert next(iter(items)) == "campaign_2020", "the focus scenario comes first"
    for scenario, block in table.groupby("scenario"):
        clear = block[(block.ci_low > 0) | (block.ci_high < 0)]
        outcomes = {m for m in clear.metric if INDICATORS[m].kind != "program"}
        assert {m for m, _ in items[scenario]} == outcomes, scenario
        verdicts = [v for _, v in items[scenario]]
        assert verdicts == sorted(verdicts, key=["worse", "better", "changed"].index), "adverse effects first"


def test_brief_says_what_was_simulated(smoke_dir, brief):
    page = (brief / "brief.html").read_text(encoding="utf-8")
    box = page[page.index('id="simulated"') : page.index("</table>", page.index('id="simulated"'))]
    calibration = json.loads((ROOT / "siyi_sim" / "data" / "calibration_2020.json").read_text())
    assert "200 days" in box and "300 cadres, 600 enterprises" in box
    assert "seeds 1, 2" in box and "trust.alpha" in box
    assert calibration["model_fingerprint"] in box
    for scenario in ("baseline", "campaign_2020", "no_safeguards", "random_matching"):
        assert f"<code>{scenario}</code>" in box


def test_assumptions_appendix_is_the_odd_register(brief):
    shipped = register()
    if ODD_FILE.exists():
        assert shipped == parse_register(ODD_FILE.read_text(encoding="utf-8")), (
            "siyi_sim/data/odd_register.json is stale: run python -m siyi_sim.analysis.assumptions"
        )
    page = (brief / "brief.html").read_text(encoding="utf-8")
    numbers = [int(n) for n in re.findall(r'<tr data-choice="(\d+)">', page)]
    assert numbers == [c.number for c in shipped] and len(numbers) >= 30


def test_every_figure_is_written_as_png_and_svg_beside_the_html(brief):
    page = (brief / "brief.html").read_text(encoding="utf-8")
    stems = re.findall(r'<figure id="([^"]+)">', page)
    assert len(stems) >= 6
    for stem in stems:
        assert (brief / f"{stem}.png").read_bytes().startswith(b"\x89PNG")
        assert b"<svg" in (brief / f"{stem}.svg").read_bytes()[:2000]
    assert sorted(p.stem for p in brief.glob("fig*.png")) == sorted(stems)


@pytest.fixture(scope="module")
def brief_zh(smoke_dir, tmp_path_factory):
    """The Chinese brief, printed to PDF as well (headless Chromium) when Chromium is installed."""
    out = tmp_path_factory.mktemp("brief_zh")
    pdf = ["--pdf"] if shutil.which("chromium") else []
    assert main(["brief", str(smoke_dir), "--out", str(out), "--lang", "zh", *pdf]) == 0
    return out


def test_chinese_brief_speaks_chinese_with_a_cjk_font_stack(brief_zh):
    page = (brief_zh / "brief.html").read_text(encoding="utf-8")
    assert "CJK" in (brief_zh / "fig1_clear_close.svg").read_text(encoding="utf-8"), "figures drawn in Chinese"
    assert '<html lang="zh-CN">' in page
    assert "font-family:'Noto Sans CJK SC'" in page, "CJK fonts first in the Chinese stack"
    assert "主要发现" in page and "模拟了什么" in page and "四帮一体验" in page
    assert INDICATORS["mean_owner_trust"].zh in page and INDICATORS["clear_index"].zh in page
    assert "万元" in page and "million yuan" not in page


def test_pdf_is_printed_by_headless_chromium(brief_zh):
    if not shutil.which("chromium"):
        pytest.skip("Chromium not installed")
    assert (brief_zh / "brief.pdf").read_bytes().startswith(b"%PDF")


def test_language_defaults_to_siyi_lang(smoke_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SIYI_LANG", "zh")
    assert main(["brief", str(smoke_dir), "--out", str(tmp_path / "b"), "--no-replay"]) == 0
    assert '<html lang="zh-CN">' in (tmp_path / "b" / "brief.html").read_text(encoding="utf-8")
    monkeypatch.setenv("SIYI_LANG", "fr")
    _fails(capsys, ["brief", str(smoke_dir), "--out", str(tmp_path / "c")], tmp_path / "c", "SIYI_LANG 'fr'")


def _browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium not installed at /usr/bin/chromium")
    return playwright


@pytest.mark.parametrize(
    ("lang", "heading", "term"), [("en", "Key findings", "Clear index"), ("zh", "主要发现", "清廉指数")]
)
def test_brief_opens_in_chromium(lang, heading, term, brief, brief_zh, tmp_path):
    playwright = _browser()
    folder = brief if lang == "en" else brief_zh
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1400})
            page.goto((folder / "brief.html").as_uri())
            shot = tmp_path / f"brief_{lang}.png"
            page.screenshot(path=str(shot))
            text = page.inner_text("body")
            images = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
            cjk = page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '清亲')")
        finally:
            browser.close()
    assert heading in text and term in text
    assert images and all(w > 0 for w in images), "every embedded figure decodes"
    assert shot.read_bytes().startswith(b"\x89PNG")
    if lang == "zh":
        assert cjk, "the page finds a CJK font for Chinese text"


def test_without_a_cjk_font_the_chinese_brief_warns_once_and_draws_english_figures(
    smoke_dir, tmp_path, monkeypatch, capsys
):
    from siyi_sim.analysis import style

    monkeypatch.setattr(style, "cjk_font", lambda: None)
    assert main(["brief", str(smoke_dir), "--out", str(tmp_path / "b"), "--lang", "zh", "--no-replay"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("siyi: warning: no CJK font"), err
    svg = (tmp_path / "b" / "fig1_clear_close.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "CJK" not in svg, "no CJK glyph drawn (SVG glyph ids name their font)"
    assert '<html lang="zh-CN">' in (tmp_path / "b" / "brief.html").read_text(encoding="utf-8")


def test_brief_adds_the_discovery_box_and_the_pareto_front_when_given(smoke_dir, tmp_path):
    """`--discovery` and `--pareto` folders (as `siyi discover` and `siyi optimize` write them) join the brief."""
    import json

    import pandas as pd

    disc, front = tmp_path / "disc", tmp_path / "opt"
    disc.mkdir()
    front.mkdir()
    (disc / "discovery.json").write_text(
        json.dumps({"policy": "campaign_2020", "failure": "clear_index < -0.01", "draws": 64, "failing": 11})
    )
    pd.DataFrame(
        [
            {
                "box": 1,
                "coverage": 0.91,
                "density": 0.87,
                "mass": 0.2,
                "parameter": "integrity.p0",
                "low": 0.041,
                "high": 0.08,
                "full_low": 0.005,
                "full_high": 0.08,
                "qp": 0.001,
            }
        ]
    ).to_csv(disc / "boxes.csv", index=False)
    pd.DataFrame(
        {"trial": [3, 7], "issues_resolved_total": [812.0, 640.0], "program_cost_yuan": [9.1e6, 4.2e6]}
    ).to_parquet(front / "pareto.parquet")
    out = tmp_path / "brief"
    argv = ["brief", str(smoke_dir), "--out", str(out), "--no-replay", "--discovery", str(disc), "--pareto", str(front)]
    assert main(argv) == 0
    page = (out / "brief.html").read_text(encoding="utf-8")
    assert "Scenario discovery" in page and "integrity.p0" in page and "91%" in page and "11 of 64" in page
    assert "Pareto front" in page and "9.1e+06" in page and "2 designs" in page


def test_brief_refuses_a_folder_that_is_not_a_discovery(smoke_dir, tmp_path, capsys):
    code = main(["brief", str(smoke_dir), "--out", str(tmp_path / "b"), "--no-replay", "--discovery", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "siyi discover" in err
