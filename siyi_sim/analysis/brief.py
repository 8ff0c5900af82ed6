"""``siyi brief``: one self-contained HTML page a district committee can read offline.

It holds a findings table (scenario, key, mean, paired difference against the baseline, 95 % CI),
the figures as embedded PNGs (``data:`` URIs, no network needed), a short method note and the
provenance of the numbers (package version, experiment hash, seeds). Everything is computed in
memory first; the files are then written through temporary names and renamed, so a failure
leaves nothing half written.
"""

from __future__ import annotations

import base64
import html
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..experiments import paired_comparison
from ..experiments.compare import check_metrics
from . import figures as F
from .results import Results, check_replay, open_results, replay
from .style import atomic_write_bytes, html_term, metric_label, png_bytes, scenario_label

BRIEF_FILE = "brief.html"
FINDINGS_FILE = "findings.csv"
FINDINGS_COLUMNS = ["scenario", "metric", "n_pairs", "mean", "baseline_mean", "diff_mean", "ci_low", "ci_high"]


@dataclass
class Brief:
    html: str
    findings: pd.DataFrame
    figures: list[tuple[str, str, bytes]] = field(default_factory=list)  # (title, caption, png)
    skipped: list[str] = field(default_factory=list)  # figures that could not be drawn, and why


def findings_table(
    runs: pd.DataFrame, baseline: str = "baseline", metrics: Sequence[str] | None = None
) -> pd.DataFrame:
    """Paired differences of every scenario against ``baseline``, at every point of the design."""
    metrics = (
        [m for m in (metrics or F.HEADLINE_KEYS) if m in runs.columns] if not metrics else check_metrics(runs, metrics)
    )
    if not metrics:
        raise ValueError("the results hold none of the headline metrics; pass --metric KEY")
    table = paired_comparison(runs, baseline=baseline, metrics=metrics)
    table = table[table["scenario"] != baseline]
    params = [c for c in table.columns if "." in c]
    table = table.assign(
        at=table.apply(
            lambda r: ", ".join(f"{p}={r[p]:g}" if isinstance(r[p], float) else f"{p}={r[p]}" for p in params), axis=1
        )
        if params
        else ""
    )
    return table[["point", "at", *FINDINGS_COLUMNS]].reset_index(drop=True)


def focus_scenario(scenarios: Sequence[str], baseline: str, focus: str | None = None) -> str | None:
    if focus is not None:
        if focus not in scenarios:
            raise ValueError(f"--focus scenario {focus!r} is not in the results (scenarios: {', '.join(scenarios)})")
        return focus
    if "campaign_2020" in scenarios:
        return "campaign_2020"
    others = [s for s in scenarios if s != baseline]
    return others[0] if others else None


def make_brief(
    results: Results,
    baseline: str = "baseline",
    metrics: Sequence[str] | None = None,
    focus: str | None = None,
    replays: bool = True,
) -> Brief:
    """Compute the findings and draw the figures; nothing is written."""
    runs = results.runs
    first = int(runs["point"].min())
    n_points = int(runs["point"].nunique())
    if baseline not in results.scenarios:
        raise ValueError(
            f"baseline scenario {baseline!r} is not in the results (scenarios: {', '.join(results.scenarios)}); use --baseline"
        )
    findings = findings_table(runs, baseline, metrics)
    focus = focus_scenario(results.scenarios, baseline, focus)
    brief = Brief("", findings)
    at = findings.loc[findings["point"] == first, "at"].iloc[0] if len(findings) else ""
    runs = runs[runs["point"] == first]  # figures: the first point of the design
    where = (
        f" At {html.escape(at)} (point 1 of {n_points}; the table covers all points)." if n_points > 1 and at else ""
    )

    def add(title: str, caption: str, draw: Callable[[], object]) -> None:
        try:
            brief.figures.append((title, caption + where, png_bytes(draw())))
        except ValueError as err:
            brief.skipped.append(f"{title}: {err}")

    add(
        "Clear and close",
        "Each scenario as a point: closeness (mean owner trust) against clearness (clear index), 95 % CI bars. The baseline is the &ldquo;clear but not close&rdquo; starting point.",
        lambda: F.clear_close_quadrant(runs, baseline=baseline),
    )
    add(
        "Paired differences against the baseline",
        "Mean paired difference (same seeds in both arms) with its 95 % confidence interval, per headline key.",
        lambda: F.paired_forest(runs, list(findings["metric"].unique()), baseline=baseline),
    )
    if "campaign_2020" in results.scenarios:
        add(
            "Program totals against 2020",
            "The 2020 campaign scenario's program totals as a share of the figures reported for 2020; the green band is &plusmn;10 %.",
            lambda: F.program_totals_vs_2020(runs, "campaign_2020"),
        )
    daily = results.daily()
    add(
        "Trust-network growth",
        "Share of firms with a strong cadre tie and owners' mean trust, day by day; mean across replications with 95 % band.",
        lambda: F.trust_growth(daily),
    )
    replay_note = "not replayed"
    if replays and focus is not None:
        models, matches = {}, []
        try:
            for scenario in (baseline, focus):
                result, key = replay(results, scenario)
                models[scenario] = result.model
                matches.append(check_replay(results, key, result.summary))
        except ValueError as err:
            brief.skipped.append(f"replayed-run figures: {err}")
            replays = False
    if replays and focus is not None:
        if any(m is False for m in matches):
            verdict = (
                "NO — the model code changed since the sweep, so these figures show the current code; re-run the sweep"
            )
        else:
            verdict = "yes" if all(matches) else "not checked (run not finished in the sweep yet)"
        replay_note = f"replication 0 of {', '.join(models)}; replay reproduces the stored rows: {verdict}"
        add(
            "Time to resolve issues",
            "Kaplan&ndash;Meier curves of the share of issues still unresolved, ordinary and legacy issues (replayed run, replication 0).",
            lambda: F.resolution_survival(models),
        )
        add(
            "Mindset spillover",
            "Department service speed faced by firms that hosted cadres and by firms that never did (replayed run, replication 0).",
            lambda: F.mindset_spillover(models, baseline=baseline),
        )
        add(
            "The trust network",
            f"Cadres and firms at the end of the {html.escape(scenario_label(focus))} run (replication 0), around the departments.",
            lambda: F.trust_network(models[focus]),
        )
    brief.html = render_html(results, brief, baseline, focus, replay_note)
    return brief


def write_brief(results_dir: str | os.PathLike, out_dir: str | os.PathLike, **options) -> Path:
    """Build the brief of ``results_dir`` into ``out_dir/brief.html`` (+ ``findings.csv``)."""
    out = _check_out(out_dir)
    brief = make_brief(open_results(results_dir), **options)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ValueError(f"cannot create --out {str(out)!r}: {err.strerror or err}") from None
    atomic_write_bytes(out / FINDINGS_FILE, brief.findings.to_csv(index=False).encode())
    atomic_write_bytes(out / BRIEF_FILE, brief.html.encode("utf-8"))
    return out / BRIEF_FILE


# --- HTML --------------------------------------------------------------------------------------
def fmt(value: float) -> str:
    """Numbers as shown in the brief: three significant digits, thousands separated, M for millions.

    The test formats its recomputed values with this same function.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    a = abs(value)
    if a < 1e-9:
        return "0"
    if a >= 1e6:
        return f"{value / 1e6:,.2f} M"
    if a >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _verdict(row) -> str:
    if pd.isna(row["ci_low"]):
        return "too few pairs"
    if row["ci_low"] > 0:
        return "higher"
    if row["ci_high"] < 0:
        return "lower"
    return "no clear difference"


CSS = """
body{font-family:'Noto Sans','Segoe UI','Helvetica Neue',Arial,'PingFang SC','Microsoft YaHei',sans-serif;max-width:1100px;margin:2em auto;padding:0 1.2em;color:#222;line-height:1.5}
h1{font-size:1.7em;margin-bottom:.1em}h2{border-bottom:2px solid #b2182b;padding-bottom:.2em;margin-top:2em}
.sub{color:#555;margin-top:0}table{border-collapse:collapse;font-size:.92em;width:100%}
th,td{padding:.3em .6em;border-bottom:1px solid #ddd;text-align:right}th{background:#f3f3f3}
td.l,th.l{text-align:left}td.ci{white-space:nowrap}tr.higher td.v,tr.lower td.v{color:#08306b;font-weight:bold}
figure{margin:1.5em 0}figure img{max-width:100%;border:1px solid #eee}figcaption{color:#444;font-size:.92em}
.note{background:#f7f7f7;padding:.8em 1em;border-left:4px solid #999}code{font-size:.9em}
ul.keys li{margin:.2em 0}
"""


def render_html(results: Results, brief: Brief, baseline: str, focus: str | None, replay_note: str) -> str:
    prov = results.provenance
    f = brief.findings
    multi = f["point"].nunique() > 1
    rows = []
    for _, r in f.iterrows():
        verdict = _verdict(r)
        cls = verdict if verdict in ("higher", "lower") else ""
        rows.append(
            f'<tr class="{cls}" data-scenario="{html.escape(r["scenario"])}" data-point="{int(r["point"])}" data-metric="{html.escape(r["metric"])}" '
            f'data-mean="{r["mean"]!r}" data-diff="{r["diff_mean"]!r}" data-ci-low="{r["ci_low"]!r}" data-ci-high="{r["ci_high"]!r}">'
            f'<td class="l">{html.escape(scenario_label(r["scenario"]))}</td>'
            + (f'<td class="l">{html.escape(r["at"])}</td>' if multi else "")
            + f'<td class="l">{html.escape(metric_label(r["metric"]))}</td>'
            f'<td>{fmt(r["mean"])}</td><td>{fmt(r["baseline_mean"])}</td><td class="v">{fmt(r["diff_mean"])}</td>'
            f'<td class="ci">[{fmt(r["ci_low"])}, {fmt(r["ci_high"])}]</td><td>{int(r["n_pairs"])}</td><td class="l">{verdict}</td></tr>'
        )
    figures = "\n".join(
        f'<figure><img alt="{html.escape(title)}" src="data:image/png;base64,{base64.b64encode(png).decode()}"><figcaption><b>Figure {i}. {html.escape(title)}.</b> {caption}</figcaption></figure>'
        for i, (title, caption, png) in enumerate(brief.figures, 1)
    )
    skipped = "".join(f"<li>{html.escape(s)}</li>" for s in brief.skipped)
    n_reps = int(results.runs["replication"].nunique())
    seeds = prov.get("seeds") or sorted(results.runs["seed"].unique().tolist())
    highlights = _highlights(f[f["point"] == f["point"].min()] if len(f) else f, focus)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Policy brief: {html.escape(str(prov.get("experiment")))}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head><body>
<h1>Policy brief: placing cadres inside enterprises</h1>
<p class="sub">{html_term("program")} &mdash; simulated policy variants against the {html_term("clear_not_close")} baseline.
Experiment <b>{html.escape(str(prov.get("experiment")))}</b>, {len(results.runs)} runs, {n_reps} replications per scenario.</p>
<h2>Key findings</h2>
{f"<p>At {html.escape(str(f.loc[f['point'] == f['point'].min(), 'at'].iloc[0]))}, the first point of the design; the table covers every point.</p>" if multi else ""}
<ul class="keys">{highlights}</ul>
<h2>Findings table</h2>
<p>Mean of each key per scenario, the baseline mean, and the <em>paired</em> difference (scenario minus baseline,
replication by replication on the same seeds) with its 95&nbsp;% confidence interval. &ldquo;higher&rdquo; / &ldquo;lower&rdquo;: the interval excludes zero.</p>
<table><thead><tr><th class="l">scenario</th>{'<th class="l">at</th>' if multi else ""}<th class="l">key</th><th>mean</th><th>baseline mean</th><th>paired difference</th><th>95&nbsp;% CI</th><th>pairs</th><th class="l">verdict</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
<h2>Figures</h2>
{figures}
{f'<p class="note">Not drawn:</p><ul>{skipped}</ul>' if skipped else ""}
<h2>Method</h2>
<div class="note"><p>siyi_sim is an agent-based model (Mesa) of the program: cadres are placed in cross-department pairs inside
enterprises chosen by {html_term("ordering")}; trust grows with presence and help, owners disclose sensitive difficulties
once trust exceeds their fear, cadres solve issues (legacy prerequisite chains only with an &ldquo;inside push&rdquo;), connect
policies, loans and hires, and carry unfinished {html_term("five_ones")} items as follow-up. The baseline places nobody:
firms use ordinary channels only. {html_term("close")}: owners' trust and the share of firms with a strong cadre tie (trust &ge; 0.6);
{html_term("clear")}: the clear index, the share of firms without an improper exchange.</p>
<p>Each scenario ran {n_reps} replications; replication <i>r</i> used the same seed in every scenario (common random numbers),
so differences are paired and the 95&nbsp;% interval is the t-interval of the {n_reps} paired differences
(mean &plusmn; t<sub>0.975,n&minus;1</sub>&middot;sd/&radic;n). Figures that need issue-level or network data replay single runs
({html.escape(replay_note)}). A simulation compares mechanisms under stated assumptions; absolute levels depend on calibration.</p></div>
<h2>Provenance</h2>
<table><tbody>
<tr><td class="l">siyi_sim version</td><td class="l">{html.escape(str(prov.get("package_version")))}</td></tr>
<tr><td class="l">git commit</td><td class="l"><code>{html.escape(str(prov.get("git_commit") or "n/a"))}</code></td></tr>
<tr><td class="l">experiment</td><td class="l">{html.escape(str(prov.get("experiment")))}</td></tr>
<tr><td class="l">experiment hash (design)</td><td class="l"><code>{html.escape(str(prov.get("design_hash")))}</code></td></tr>
<tr><td class="l">experiment file SHA-256</td><td class="l"><code>{html.escape(str(prov.get("file_sha256")))}</code></td></tr>
<tr><td class="l">seeds</td><td class="l">{html.escape(", ".join(map(str, seeds)))} ({html.escape(str(prov.get("seed_rule") or ""))})</td></tr>
<tr><td class="l">runs</td><td class="l">{len(results.runs)} finished of {prov.get("runs_planned")} planned{"" if prov.get("complete") and len(results.runs) >= (prov.get("runs_planned") or 0) else " &mdash; INCOMPLETE sweep: numbers may change"}</td></tr>
<tr><td class="l">sweep ran</td><td class="l">{html.escape(str(prov.get("started_utc")))} &ndash; {html.escape(str(prov.get("finished_utc")))} (UTC)</td></tr>
<tr><td class="l">results directory</td><td class="l"><code>{html.escape(str(results.path))}</code></td></tr>
</tbody></table>
</body></html>
"""


#: What a committee asks first: delivery, closeness, clearness, then the rest.
_PRIORITY = {
    k: i
    for i, k in enumerate(
        [
            "program_issues_resolved",
            "mean_owner_trust",
            "strong_tie_share",
            "clear_index",
            "integrity_incidents",
            "legacy_issues_resolved",
            "issues_resolved_total",
            "mean_department_speed",
            "median_days_to_resolve",
        ]
    )
}


def _highlights(f: pd.DataFrame, focus: str | None) -> str:
    """A few sentences generated from the table: the focus scenario's clear differences first."""
    items = []
    ordered = pd.concat([f[f["scenario"] == focus], f[f["scenario"] != focus]]) if focus else f
    for scenario, block in ordered.groupby("scenario", sort=False):
        clear = sorted(
            (r for _, r in block.iterrows() if _verdict(r) in ("higher", "lower")),
            key=lambda r: _PRIORITY.get(r["metric"], len(_PRIORITY)),
        )
        if not clear:
            items.append(
                f"<li><b>{html.escape(scenario_label(scenario))}</b>: no headline key differs clearly from the baseline.</li>"
            )
            continue
        parts = [
            f"{html.escape(metric_label(r['metric']).split(' (')[0].lower())} {_verdict(r)} by {fmt(abs(r['diff_mean']))} (95&nbsp;% CI {fmt(r['ci_low'])} to {fmt(r['ci_high'])})"
            for r in clear[:4]
        ]
        unchanged = [r for _, r in block.iterrows() if _verdict(r) == "no clear difference"]
        tail = (
            f"; no clear change in {', '.join(html.escape(metric_label(r['metric']).split(' (')[0].lower()) for r in unchanged[:3])}"
            if unchanged
            else ""
        )
        items.append(f"<li><b>{html.escape(scenario_label(scenario))}</b>: " + "; ".join(parts) + tail + ".</li>")
        if len(items) >= 6:
            break
    return "\n".join(items)


def _check_out(out_dir: str | os.PathLike) -> Path:
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {str(out)!r} exists and is not a directory")
    probe = out
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not os.access(probe, os.W_OK | os.X_OK):
        raise ValueError(f"--out {str(out)!r} is not writable")
    return out
