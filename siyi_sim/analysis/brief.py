"""``siyi brief``: one self-contained HTML page a district committee can read offline and act on.

Order of the page: key findings (every outcome whose paired interval excludes zero, marked
better or worse by the indicator registry's direction, adverse effects first, totals over all
channels before states; program counts, which are zero in the baseline by construction, never
lead), a "what was simulated" box, the findings table, the figures, the method, the assumptions
appendix (ODD §11) and the provenance. English or Chinese (``lang``): labels and numbers come
from the registry (``siyi_sim.metrics``).

Everything is computed in memory first; the files (HTML, findings CSV, each figure as PNG and
SVG, optionally a PDF printed by headless Chromium) are then written through temporary names and
renamed, so a failure leaves nothing half written.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..experiments import paired_comparison
from ..experiments.compare import check_metrics, cost_effectiveness
from ..io import atomic_write, atomic_write_bytes, atomic_write_text, check_output_dir
from ..metrics import INDICATORS, check_lang, format_value, label
from . import figures as F
from .assumptions import register
from .results import Results, check_replay, open_results, replay
from .style import figure_lang, html_term, png_bytes, scenario_label, svg_bytes

BRIEF_FILE = "brief.html"
PDF_FILE = "brief.pdf"
FINDINGS_FILE = "findings.csv"
FINDINGS_COLUMNS = ["scenario", "metric", "n_pairs", "mean", "baseline_mean", "diff_mean", "ci_low", "ci_high"]
#: Headless Chromium prints the PDF (the browser the tests already use); flags as in the tests.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking")
_KIND_ORDER = {"total": 0, "state": 1, "program": 2, "meta": 3}


@dataclass
class BriefFigure:
    stem: str  # file name without suffix, e.g. "fig1_clear_close"
    title: str
    caption: str  # HTML
    png: bytes
    svg: bytes


@dataclass
class Brief:
    html: str
    findings: pd.DataFrame
    lang: str = "en"
    figures: list[BriefFigure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # figures that could not be drawn, and why
    how_sure: str = ""  # HTML of the "How sure are we?" section (ensemble folders only)


def _t(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


# --- what the brief says -----------------------------------------------------------------------
def default_metrics(runs: pd.DataFrame) -> list[str]:
    """Every registry indicator the results hold as numbers, outcomes first: totals, states, then program
    counts (an indicator that is n/a in every run, e.g. a median never reached, is left out)."""
    numeric = {k for k in check_metrics(runs, None) if runs[k].notna().any()}
    keys = [k for k, ind in INDICATORS.items() if ind.kind != "meta" and k in numeric]
    return sorted(keys, key=lambda k: _KIND_ORDER[INDICATORS[k].kind])


def findings_table(
    runs: pd.DataFrame, baseline: str = "baseline", metrics: Sequence[str] | None = None
) -> pd.DataFrame:
    """Paired differences of every scenario against ``baseline``, at every point of the design."""
    chosen = check_metrics(runs, metrics) if metrics else default_metrics(runs)
    chosen = [m for m in chosen if m in check_metrics(runs, None)]
    if not chosen:
        raise ValueError("the results hold no numeric indicator to compare; pass metrics")
    table = paired_comparison(runs, baseline=baseline, metrics=chosen)
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


def verdict(metric: str, ci_low: float, ci_high: float) -> str:
    """'better', 'worse', 'changed' (no policy direction), 'unclear' (interval holds 0) or 'too few pairs'."""
    if ci_low is None or pd.isna(ci_low):
        return "too few pairs"
    if ci_low <= 0 <= ci_high:
        return "unclear"
    better = INDICATORS[metric].better if metric in INDICATORS else "neutral"
    if better == "neutral":
        return "changed"
    return "better" if (ci_low > 0) == (better == "higher") else "worse"


VERDICT_TEXT = {
    "better": ("better", "改善"),
    "worse": ("worse", "变差"),
    "changed": ("changed", "有变化"),
    "unclear": ("no clear difference", "无明显差异"),
    "too few pairs": ("too few pairs", "配对不足"),
}
_VERDICT_ORDER = {"worse": 0, "better": 1, "changed": 2}


@dataclass(frozen=True)
class Finding:
    scenario: str
    metric: str
    verdict: str  # worse / better / changed
    kind: str
    row: Any


def key_findings(findings: pd.DataFrame, focus: str | None = None) -> dict[str, dict[str, list[Finding]]]:
    """Per scenario (focus first): ``headline`` — every total or state whose interval excludes zero,
    adverse first, totals before states; ``program`` — program counts that changed (zero in the
    baseline by construction, so never a headline); ``unclear`` — outcomes with no clear change."""
    out: dict[str, dict[str, list[Finding]]] = {}
    ordered = pd.concat([findings[findings["scenario"] == focus], findings[findings["scenario"] != focus]])
    for scenario, block in ordered.groupby("scenario", sort=False):
        parts: dict[str, list[Finding]] = {"headline": [], "program": [], "unclear": []}
        for _, r in block.iterrows():
            kind = INDICATORS[r["metric"]].kind if r["metric"] in INDICATORS else "state"
            v = verdict(r["metric"], r["ci_low"], r["ci_high"])
            item = Finding(scenario, r["metric"], v, kind, r)
            if v in _VERDICT_ORDER:
                parts["program" if kind == "program" else "headline"].append(item)
            elif v == "unclear" and kind != "program":
                parts["unclear"].append(item)
        parts["headline"].sort(key=lambda f: (_VERDICT_ORDER[f.verdict], _KIND_ORDER[f.kind]))
        out[str(scenario)] = parts
    return out


def _change_text(f: Finding, lang: str) -> str:
    r, m = f.row, f.metric
    diff = format_value(m, r["diff_mean"], lang, difference=True)
    rel = ""
    base = r["baseline_mean"]
    comma, semi = _t(lang, ", ", "，"), _t(lang, "; ", "；")
    if not pd.isna(base) and base != 0 and INDICATORS[m].fmt != "share":
        pct = 100 * r["diff_mean"] / abs(base)
        rel = (f"{comma}{pct:+.1f}%" if abs(pct) < 10 else f"{comma}{pct:+.0f}%").replace("-", "−")
    ci = _t(lang, "95% CI", "95%置信区间")
    lo = format_value(m, r["ci_low"], lang, difference=True)
    hi = format_value(m, r["ci_high"], lang, difference=True)
    left, right = _t(lang, " (", "（"), _t(lang, ")", "）")
    versus = _t(lang, "vs baseline", "较基线")
    return f"{html.escape(label(m, lang))} {diff}{left}{versus}{rel}{semi}{ci} {lo} – {hi}{right}"


def highlights_html(findings: pd.DataFrame, focus: str | None, lang: str) -> str:
    """The key findings as HTML list items, one block per scenario."""
    items = []
    for scenario, parts in key_findings(findings, focus).items():
        name = html.escape(scenario_label(scenario, lang))
        lines = []
        for f in parts["headline"]:
            mark = _t(lang, VERDICT_TEXT[f.verdict][0], VERDICT_TEXT[f.verdict][1])
            lines.append(
                f'<li class="{f.verdict}" data-metric="{f.metric}" data-verdict="{f.verdict}">'
                f"<b>{mark}</b>{_t(lang, ': ', '：')}{_change_text(f, lang)}</li>"
            )
        if not parts["headline"]:
            lines.append(
                "<li>"
                + _t(lang, "No outcome differs clearly from the baseline.", "没有结果与基线有明显差异。")
                + "</li>"
            )
        if parts["program"]:
            delivered = _t(lang, "; ", "；").join(_change_text(f, lang) for f in parts["program"])
            lines.append(
                '<li class="program">'
                + _t(
                    lang,
                    "Program delivery (none in the baseline by construction, so not a net effect): ",
                    "活动本身的成效（基线中按设定为零，不是净效果）：",
                )
                + delivered
                + "</li>"
            )
        if parts["unclear"]:
            names = _t(lang, ", ", "、").join(html.escape(label(f.metric, lang)) for f in parts["unclear"])
            lines.append('<li class="unclear">' + _t(lang, "No clear change: ", "无明显变化：") + names + "</li>")
        items.append(f'<li data-scenario="{html.escape(scenario)}"><b>{name}</b><ul>{"".join(lines)}</ul></li>')
    return "\n".join(items)


# --- what was simulated, provenance --------------------------------------------------------------
def cost_html(runs: pd.DataFrame, baseline: str, lang: str) -> str:
    """What one additional net outcome costs (ratio of paired means, delta-method 95 % CI), first
    point of the design; empty for results without a program cost."""
    table = cost_effectiveness(runs[runs["point"] == runs["point"].min()], baseline)
    if table.empty:
        return ""
    what = {
        "issues_resolved_total": _t(lang, "per additional issue solved (all channels)", "每多解决一个问题（全部渠道）"),
        "strong_tie_firms": _t(lang, "per additional firm with a strong cadre tie", "每多一户与干部紧密联系的企业"),
    }
    items = []
    for _, r in table.iterrows():
        if r["ratio"] != r["ratio"]:  # NaN: no additional outcome
            value = _t(lang, "no additional outcome", "无增量")
        else:
            value = format_value("program_cost_yuan", r["ratio"], lang)
            if r["ratio_ci_low"] == r["ratio_ci_low"]:
                low, high = (format_value("program_cost_yuan", r[c], lang) for c in ("ratio_ci_low", "ratio_ci_high"))
                value += f" [{low}, {high}]"
            if not r["estimable"]:
                value += _t(lang, " (the additional outcome's interval holds zero)", "（结果增量区间含零）")
        items.append(
            f"<li><b>{html.escape(scenario_label(r['scenario'], lang))}</b> "
            f"{what.get(r['outcome'], html.escape(r['outcome']))}: {value}</li>"
        )
    intro = _t(
        lang,
        "Program cost (cadre time at civil-service pay plus the meal subsidy; subsidies and loans are transfers, "
        "not costs or benefits) per additional <em>net</em> outcome against the baseline: ratio of paired means, "
        "95&nbsp;% delta-method interval.",
        "相对基线每多一个<em>净</em>结果的项目成本（按公务员工资计的干部时间加餐费补贴；补贴和贷款属于转移，不计为成本或收益）："
        "配对均值之比，95%区间（delta法）。",
    )
    return f'<p id="cost-effectiveness">{intro}</p><ul class="keys">{"".join(items)}</ul>'


def simulated(results: Results) -> dict[str, Any]:
    """What a reader needs to weigh the numbers: scenarios, horizon, district, seeds, parameters, calibration."""
    from ..experiments import expand, parse_plan
    from ..scenarios import CALIBRATED, scenario_config

    runs = results.runs
    days = sorted(int(d) for d in runs["days"].dropna().unique()) if "days" in runs else []
    info: dict[str, Any] = {
        "scenarios": results.scenarios,
        "days": days,
        "seeds": results.provenance.get("seeds") or sorted(int(s) for s in runs["seed"].unique()),
        "replications": int(runs["replication"].nunique()),
        "set": {},
        "grid": {},
        "variants": {},
        "effective": {},
        "calibration": _calibration(results.manifest),
    }
    text = results.manifest.get("experiment", {}).get("file_text")
    if not text:
        return info
    plan = parse_plan(text)
    info["set"] = dict(plan.overrides)
    info["grid"] = {k: [p.get(k) for p in plan.points] for k in plan.point_keys}
    info["variants"] = {n: {"scenario": v.scenario, **v.overrides} for n, v in plan.variants.items()}
    from ..config import Config

    defaults = Config().flat()
    for spec in expand(plan, 1):
        if spec.point != 0 or spec.scenario in info["effective"]:
            continue
        flat = scenario_config(spec.base_scenario, dict(spec.overrides), spec.days).flat()
        info["effective"][spec.scenario] = {k: v for k, v in flat.items() if v != defaults.get(k)}
        info.setdefault("district", (flat["population.n_cadres"], flat["population.n_enterprises"]))
        info.setdefault("horizon", flat["run.days"])
    info["calibrated_values"] = dict(CALIBRATED)
    return info


def _calibration(manifest: dict[str, Any]) -> dict[str, Any]:
    """The calibration the sweep recorded, or (older manifests) the one installed now, said so."""
    recorded = manifest.get("calibration") or manifest.get("package", {}).get("calibration")
    if isinstance(recorded, dict) and recorded:
        return {**recorded, "source": "manifest"}
    import json
    from importlib import resources

    record = json.loads(resources.files("siyi_sim").joinpath("data/calibration_2020.json").read_text("utf-8"))
    return {
        "fingerprint": record.get("model_fingerprint"),
        "date": record.get("date"),
        "scenario": record.get("scenario"),
        "source": "installed",
    }


def _days_text(days: list[int], lang: str) -> str:
    parts = []
    for d in days:
        years = f"{d / 365:.1f}".rstrip("0").rstrip(".")
        parts.append(_t(lang, f"{d:,} days (≈ {years} years)", f"{d:,}天（约{years}年）"))
    return ", ".join(parts) or "n/a"


def _params_text(values: dict[str, Any]) -> str:
    return ", ".join(f"<code>{html.escape(k)}={html.escape(repr(v))}</code>" for k, v in values.items())


def simulated_html(info: dict[str, Any], lang: str) -> str:
    rows = [
        (
            _t(lang, "scenarios", "情景"),
            ", ".join(
                f"{html.escape(scenario_label(s, lang))} (<code>{html.escape(s)}</code>)" for s in info["scenarios"]
            ),
        ),
        (_t(lang, "horizon", "模拟时长"), _days_text(info["days"], lang)),
    ]
    if "district" in info:
        cadres, firms = info["district"]
        rows.append(
            (
                _t(lang, "district size", "区县规模"),
                _t(lang, f"{cadres:,} cadres, {firms:,} enterprises", f"{cadres:,}名机关干部，{firms:,}户企业"),
            )
        )
    rows.append(
        (
            _t(lang, "seeds", "随机种子"),
            _t(
                lang,
                f"{info['replications']} replications per scenario, seeds {', '.join(map(str, info['seeds']))}; "
                "the same seeds in every scenario (paired)",
                f"每个情景{info['replications']}次重复，种子{', '.join(map(str, info['seeds']))}；"
                "各情景使用相同种子（配对）",
            ),
        )
    )
    changed = []
    if info["set"]:
        changed.append(_t(lang, "every run: ", "所有模拟：") + _params_text(info["set"]))
    if info["grid"]:
        grid = "; ".join(
            f"<code>{html.escape(k)}</code> ∈ {{{', '.join(html.escape(repr(v)) for v in vals)}}}"
            for k, vals in info["grid"].items()
        )
        changed.append(_t(lang, "varied: ", "变动：") + grid)
    for name, v in info["variants"].items():
        changed.append(f"{html.escape(name)}: " + _params_text(v))
    rows.append((_t(lang, "parameters changed", "调整的参数"), "<br>".join(changed) or _t(lang, "none", "无")))
    cal = info["calibration"]
    where = _t(
        lang,
        "recorded by the sweep" if cal.get("source") == "manifest" else "installed now; the sweep did not record it",
        "扫描时记录" if cal.get("source") == "manifest" else "当前安装的版本（扫描未记录）",
    )
    values = _params_text(info.get("calibrated_values", {}))
    rows.append(
        (
            _t(lang, "calibration used", "使用的校准"),
            f"<code>data/calibration_2020.json</code>, {_t(lang, 'fingerprint', '指纹')} "
            f"<code>{html.escape(str(cal.get('fingerprint')))}</code>, {html.escape(str(cal.get('date')))} ({where})"
            + (f"<br>{values}" if values else ""),
        )
    )
    body = "".join(f'<tr><th class="l">{k}</th><td class="l">{v}</td></tr>' for k, v in rows)
    return f'<table class="box" id="simulated"><tbody>{body}</tbody></table>'


def _md(text: str) -> str:
    """The register's little markdown (`code`, **bold**) as HTML."""
    out = html.escape(text)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    return re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", out)


def assumptions_html(lang: str) -> str:
    rows = "".join(
        f'<tr data-choice="{c.number}"><td>{c.number}</td><td class="l">{_md(c.topic)}</td>'
        f'<td class="l">{_md(c.as_built)}</td><td class="l">{_md(c.parameters)}</td></tr>'
        for c in register()
    )
    head = _t(
        lang,
        "<th>#</th><th>topic</th><th>as built</th><th>parameter</th>",
        "<th>#</th><th>主题</th><th>实现方式</th><th>参数</th>",
    )
    return f'<table id="assumptions"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


# --- building ----------------------------------------------------------------------------------
def focus_scenario(scenarios: Sequence[str], baseline: str, focus: str | None = None) -> str | None:
    if focus is not None:
        if focus not in scenarios:
            raise ValueError(f"focus scenario {focus!r} is not in the results (scenarios: {', '.join(scenarios)})")
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
    lang: str = "en",
    discovery: str | os.PathLike | None = None,
    pareto: str | os.PathLike | None = None,
) -> Brief:
    """Compute the findings and draw the figures; nothing is written.

    ``discovery`` and ``pareto``: folders written by ``siyi discover --out`` and ``siyi optimize --out``,
    whose box and front join the "How sure are we?" section."""
    check_lang(lang)
    runs = results.runs
    first = int(runs["point"].min())
    n_points = int(runs["point"].nunique())
    if baseline not in results.scenarios:
        raise ValueError(
            f"baseline scenario {baseline!r} is not in the results (scenarios: {', '.join(results.scenarios)})"
        )
    findings = findings_table(runs, baseline, metrics)
    focus = focus_scenario(results.scenarios, baseline, focus)
    brief = Brief("", findings, lang)
    fig_lang = figure_lang(lang)
    at = findings.loc[findings["point"] == first, "at"].iloc[0] if len(findings) else ""
    runs = runs[runs["point"] == first]  # figures: the first point of the design
    where = (
        _t(
            lang,
            f" At {html.escape(at)} (point 1 of {n_points}; the table covers all points).",
            f" 取值 {html.escape(at)}（设计的第1个点，共{n_points}个；表格涵盖所有点）。",
        )
        if n_points > 1 and at
        else ""
    )

    def add(stem: str, title: str, caption: str, draw: Callable[[], Any]) -> None:
        try:
            fig = draw()
            n = len(brief.figures) + 1
            brief.figures.append(BriefFigure(f"fig{n}_{stem}", title, caption + where, png_bytes(fig), svg_bytes(fig)))
        except ValueError as err:
            brief.skipped.append(f"{title}: {err}")

    add(
        "clear_close",
        _t(lang, "Clear and close", "清与亲"),
        _t(
            lang,
            "Each scenario as a point: closeness (mean owner trust) against clearness (clear index), 95 % CI bars. "
            "The baseline is the &ldquo;clear but not close&rdquo; starting point. Both axes show a window of at "
            "least 0.1 of their 0&ndash;1 scale; the note under the plot gives the window.",
            "每个情景一个点：亲（企业主平均信任度）对清（清廉指数），误差线为95%置信区间。基线即&ldquo;清有余而亲不足&rdquo;的起点。"
            "两轴均为0&ndash;1刻度中宽度至少0.1的窗口，图下注明窗口范围。",
        ),
        lambda: F.clear_close_quadrant(runs, baseline=baseline, lang=fig_lang),
    )
    forest_keys = [k for k in F.HEADLINE_KEYS if k in set(findings["metric"])]
    add(
        "paired_differences",
        _t(lang, "Paired differences against the baseline", "与基线的配对差"),
        _t(
            lang,
            "Mean paired difference (same seeds in both arms) with its 95 % confidence interval, per outcome. "
            "Green: better for policy; red: worse; grey: no clear difference.",
            "各结果的配对差均值（两组相同种子）及其95%置信区间。绿色：更好；红色：更差；灰色：无明显差异。",
        ),
        lambda: F.paired_forest(runs, forest_keys, baseline=baseline, lang=fig_lang),
    )
    if "campaign_2020" in results.scenarios:
        add(
            "totals_vs_2020",
            _t(lang, "Program totals against 2020", "活动成效与2020年对比"),
            _t(
                lang,
                "The 2020 campaign scenario's program totals as a share of the figures reported for 2020; "
                "the green band is &plusmn;10 %.",
                "2020年活动情景的成效占2020年公布数的比例；绿色带为&plusmn;10%。",
            ),
            lambda: F.program_totals_vs_2020(runs, "campaign_2020", lang=fig_lang),
        )
    daily = results.daily()
    add(
        "trust_growth",
        _t(lang, "Trust-network growth", "信任网络的增长"),
        _t(
            lang,
            "Share of firms with a strong cadre tie and owners' mean trust, day by day; "
            "mean across replications with 95 % band.",
            "与干部有紧密联系的企业占比和企业主平均信任度的逐日变化；各次重复的均值及95%区间。",
        ),
        lambda: F.trust_growth(daily, lang=fig_lang),
    )
    replay_note = _t(lang, "not replayed", "未重放")
    models: dict[str, Any] = {}
    matches: list[bool | None] = []
    if replays and focus is not None:
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
            ok = _t(
                lang,
                "NO — the model code changed since the sweep, so these figures show the current code; re-run the sweep",
                "否——扫描后模型代码已改变，这些图反映当前代码；请重新扫描",
            )
        else:
            ok = _t(lang, "yes", "是") if all(matches) else _t(lang, "not checked (run not finished)", "未核对")
        replay_note = _t(
            lang,
            f"replication 0 of {', '.join(models)}; replay reproduces the stored rows: {ok}",
            f"{', '.join(models)}的第0次重复；重放与存储结果一致：{ok}",
        )
        add(
            "time_to_resolve",
            _t(lang, "Time to resolve issues", "问题解决用时"),
            _t(
                lang,
                "Kaplan&ndash;Meier curves of the share of issues still unresolved, ordinary and legacy issues "
                "(replayed run, replication 0).",
                "尚未解决问题比例的Kaplan&ndash;Meier曲线，分一般问题和历史遗留问题（重放第0次重复）。",
            ),
            lambda: F.resolution_survival(models, lang=fig_lang),
        )
        add(
            "mindset_spillover",
            _t(lang, "Mindset spillover", "作风溢出"),
            _t(
                lang,
                "Department service speed faced by firms that hosted cadres and by firms that never did "
                "(replayed run, replication 0).",
                "进驻企业与未进驻企业面对的部门办事效率（重放第0次重复）。",
            ),
            lambda: F.mindset_spillover(models, baseline=baseline, lang=fig_lang),
        )
        add(
            "trust_network",
            _t(lang, "The trust network, by department", "信任网络（按部门）"),
            _t(
                lang,
                f"Cadre&ndash;firm ties at the end of the {html.escape(scenario_label(focus))} run (replication 0), "
                "summed per department: circle area = firms tied to the department's cadres, line width = firms "
                "tied to cadres of both departments.",
                f"{html.escape(scenario_label(focus, 'zh'))}模拟期末（第0次重复）的干部—企业联系，按部门汇总："
                "圆面积为与该部门干部有联系的企业数，线宽为同时与两个部门干部有联系的企业数。",
            ),
            lambda: F.trust_network(models[focus], lang=fig_lang),
        )
    brief.how_sure = how_sure_html(results.runs, baseline, list(dict.fromkeys(findings["metric"])), lang)
    brief.how_sure += design_html(discovery, pareto, lang)
    brief.html = render_html(results, brief, baseline, focus, replay_note)
    return brief


def _png_tag(path: Path, alt: str) -> str:
    if not path.is_file():
        return ""
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img alt="{html.escape(alt)}" style="max-width:100%" src="data:image/png;base64,{data}">'


def design_html(discovery: str | os.PathLike | None, pareto: str | os.PathLike | None, lang: str) -> str:
    """The scenario-discovery box (``siyi discover``) and the Pareto front (``siyi optimize``), when given."""
    parts = []
    if discovery is not None:
        folder = Path(discovery)
        try:
            record = json.loads((folder / "discovery.json").read_text(encoding="utf-8"))
            boxes = pd.read_csv(folder / "boxes.csv")
        except (OSError, ValueError) as err:
            raise ValueError(f"discovery {str(folder)!r} is not a `siyi discover` folder ({err})") from None
        rows = "".join(
            f"<tr><td>{int(r.box)}</td><td>{r.coverage:.0%}</td><td>{r.density:.0%}</td>"
            f'<td class="l">{html.escape(str(r.parameter))}</td><td>{r.low:.4g}</td><td>{r.high:.4g}</td></tr>'
            for r in boxes.itertuples()
            if isinstance(r.parameter, str)
        )
        head = _t(
            lang,
            '<th>box</th><th>coverage</th><th>density</th><th class="l">parameter</th><th>from</th><th>to</th>',
            '<th>区域</th><th>覆盖率</th><th>密度</th><th class="l">参数</th><th>从</th><th>到</th>',
        )
        intro = _t(
            lang,
            f"Where {html.escape(str(record.get('policy')))} fails (<code>{html.escape(str(record.get('failure')))}"
            f"</code>): {record.get('failing')} of {record.get('draws')} draws; PRIM boxes (ema_workbench).",
            f"{html.escape(str(record.get('policy')))}在哪些条件下失效（<code>{html.escape(str(record.get('failure')))}"
            f"</code>）：{record.get('draws')}次抽样中{record.get('failing')}次；PRIM区域（ema_workbench）。",
        )
        table = f"<table><tr>{head}</tr>{rows}</table>" if rows else ""
        parts.append(f"<h3>{_t(lang, 'Scenario discovery', '情景发现')}</h3><p>{intro}</p>{table}")
        parts.append(_png_tag(folder / "box.png", "PRIM box"))
    if pareto is not None:
        folder = Path(pareto)
        try:
            front = pd.read_parquet(folder / "pareto.parquet")
        except (OSError, ValueError) as err:
            raise ValueError(f"pareto {str(folder)!r} is not a `siyi optimize` folder ({err})") from None
        intro = _t(
            lang,
            f"Program designs on the Pareto front (optuna NSGA-II): {len(front)} designs no other design beats on "
            "every objective at once.",
            f"帕累托前沿上的项目设计（optuna NSGA-II）：共{len(front)}个，没有任何其他设计能在所有目标上同时胜过它们。",
        )
        parts.append(
            f"<h3>{_t(lang, 'Program designs', '项目设计')}</h3><p>{intro}</p>"
            + front.to_html(index=False, float_format=lambda v: f"{v:.4g}", border=0)
        )
        parts.append(_png_tag(folder / "pareto.png", "Pareto front"))
    return "".join(parts)


def is_ensemble(runs: pd.DataFrame) -> bool:
    """An ensemble folder (``siyi explore``): several points, and every varied parameter a declared uncertainty."""
    from ..uncertainty import UNCERTAINTIES

    params = [c for c in runs.columns if "." in c]
    return runs["point"].nunique() > 1 and bool(params) and all(c in UNCERTAINTIES for c in params)


def how_sure_html(runs: pd.DataFrame, baseline: str, metrics: Sequence[str], lang: str) -> str:
    """The robustness table of an ensemble and, in words, which conclusions hold and which depend on unknowns."""
    if not is_ensemble(runs):
        return ""
    from ..experiments.compare import _num
    from ..experiments.robustness import robustness_sentences, robustness_table, verdict

    keys = [m for m in metrics if m in INDICATORS and INDICATORS[m].better != "neutral"]
    if not keys:
        return ""
    table = robustness_table(runs, baseline, keys)
    n_draws = int(runs["point"].nunique())
    params = ", ".join(html.escape(c) for c in runs.columns if "." in c)
    rows = []
    for _, r in table.iterrows():

        def num(x, m=r["metric"]):
            return html.escape(_num(x, m, lang, signed=True))

        rows.append(
            f'<tr><td class="l">{html.escape(scenario_label(r["scenario"], lang))}</td>'
            f'<td class="l">{html.escape(label(r["metric"], lang))}</td><td>{num(r["median_effect"])}</td>'
            f"<td>[{num(r['q05_effect'])}, {num(r['q95_effect'])}]</td><td>{r['share_better']:.0%}</td>"
            f"<td>[{num(r['seed_ci_low'])}, {num(r['seed_ci_high'])}]</td>"
            f'<td class="l">{html.escape(verdict(r))}</td></tr>'
        )
    head = _t(
        lang,
        '<th class="l">policy</th><th class="l">indicator</th><th>median effect</th><th>5&ndash;95&nbsp;% over draws'
        '</th><th>better in</th><th>seed-only 95&nbsp;% CI</th><th class="l">conclusion</th>',
        '<th class="l">情景</th><th class="l">指标</th><th>中位效应</th><th>抽样5&ndash;95%范围</th><th>更优比例</th>'
        '<th>仅种子95%区间</th><th class="l">结论</th>',
    )
    intro = _t(
        lang,
        f"This folder is an ensemble: {n_draws} draws of what we do not know ({params}), each running every policy "
        "on the same seeds. The paired effect is computed within each draw; its spread across draws is the "
        "uncertainty of the parameters, shown beside the seed-only interval of one draw.",
        f"本结果为参数集合：对未知参数（{params}）抽样{n_draws}次，每次抽样内各政策使用相同种子。配对效应在每次抽样内计算；"
        "其在各抽样间的分布反映参数不确定性，并与单次抽样的仅种子区间并列。",
    )
    words = "".join(f"<p>{html.escape(s)}</p>" for s in robustness_sentences(table, baseline))
    return (
        f'<p>{intro}</p>{words}<table id="robustness"><thead><tr>{head}</tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table>"
    )


def write_brief(results_dir: str | os.PathLike, out_dir: str | os.PathLike, pdf: bool = False, **options: Any) -> Path:
    """Build the brief of ``results_dir`` into ``out_dir``: brief.html, findings.csv, every figure
    as PNG and SVG, and with ``pdf`` brief.pdf (headless Chromium)."""
    out = check_output_dir(out_dir)
    browser = chromium() if pdf else None
    brief = make_brief(open_results(results_dir), **options)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ValueError(f"cannot create out {str(out)!r}: {err.strerror or err}") from None
    atomic_write_text(out / FINDINGS_FILE, brief.findings.to_csv(index=False))
    for fig in brief.figures:
        atomic_write_bytes(out / f"{fig.stem}.png", fig.png)
        atomic_write_bytes(out / f"{fig.stem}.svg", fig.svg)
    atomic_write_text(out / BRIEF_FILE, brief.html)
    if browser:
        print_pdf(out / BRIEF_FILE, out / PDF_FILE, browser)
    return out / BRIEF_FILE


def chromium() -> str:
    """Path of a Chromium to print PDFs with; ValueError naming what to install if there is none."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise ValueError("pdf needs Chromium (Debian: apt-get install chromium); none found on PATH")


def print_pdf(page: Path, target: Path, browser: str | None = None, timeout: float = 120) -> Path:
    """Print ``page`` to ``target`` with headless Chromium (written beside it, then renamed)."""
    browser = browser or chromium()

    def run(tmp: Path) -> None:
        with tempfile.TemporaryDirectory() as profile:
            cmd = [
                browser,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={tmp}",
                page.resolve().as_uri(),
            ]
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
            raise ValueError(f"Chromium could not print {page.name} to PDF: {done.stderr.strip()[-200:]}")

    atomic_write(target, run)
    return target


# --- HTML --------------------------------------------------------------------------------------
#: CJK fonts first in Chinese, after the Latin ones in English; both end in a generic family.
_LATIN_FONTS = "'Noto Sans','Segoe UI','Helvetica Neue',Arial"
_CJK_FONTS = (
    "'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','PingFang SC','Hiragino Sans GB',"
    "'Microsoft YaHei','WenQuanYi Micro Hei'"
)
CSS = """
h1{font-size:1.7em;margin-bottom:.1em}h2{border-bottom:2px solid #b2182b;padding-bottom:.2em;margin-top:2em}
.sub{color:#555;margin-top:0}table{border-collapse:collapse;font-size:.92em;width:100%}
th,td{padding:.3em .6em;border-bottom:1px solid #ddd;text-align:right;vertical-align:top}th{background:#f3f3f3}
td.l,th.l{text-align:left}td.ci{white-space:nowrap}table.box{background:#f7f9fc;border:1px solid #c9d4e5}
tr.better td.v,li.better>b{color:#1b7837}tr.worse td.v,li.worse>b{color:#b2182b}
tr.better td.v,tr.worse td.v{font-weight:bold}
figure{margin:1.5em 0}figure img{max-width:100%;border:1px solid #eee}figcaption{color:#444;font-size:.92em}
.note{background:#f7f7f7;padding:.8em 1em;border-left:4px solid #999}code{font-size:.88em}
ul.keys>li{margin:.5em 0}ul.keys li li{margin:.15em 0}#assumptions{font-size:.82em}
@media print{figure{break-inside:avoid}body{max-width:none}}
"""


def _css(lang: str) -> str:
    fonts = f"{_CJK_FONTS},{_LATIN_FONTS}" if lang == "zh" else f"{_LATIN_FONTS},{_CJK_FONTS}"
    layout = "max-width:1100px;margin:2em auto;padding:0 1.2em;color:#222;line-height:1.55"
    body = f"body{{font-family:{fonts},sans-serif;{layout}}}"
    return body + CSS


def _table_rows(f: pd.DataFrame, lang: str, multi: bool) -> str:
    rows = []
    for _, r in f.iterrows():
        m = r["metric"]
        v = verdict(m, r["ci_low"], r["ci_high"])
        lo = format_value(m, r["ci_low"], lang, difference=True)
        hi = format_value(m, r["ci_high"], lang, difference=True)
        rows.append(
            f'<tr class="{v}" data-scenario="{html.escape(r["scenario"])}" data-point="{int(r["point"])}" '
            f'data-metric="{html.escape(m)}" data-mean="{r["mean"]!r}" data-diff="{r["diff_mean"]!r}" '
            f'data-ci-low="{r["ci_low"]!r}" data-ci-high="{r["ci_high"]!r}">'
            f'<td class="l">{html.escape(scenario_label(r["scenario"], lang))}</td>'
            + (f'<td class="l">{html.escape(r["at"])}</td>' if multi else "")
            + f'<td class="l">{html.escape(label(m, lang))}</td>'
            f"<td>{format_value(m, r['mean'], lang)}</td><td>{format_value(m, r['baseline_mean'], lang)}</td>"
            f'<td class="v">{format_value(m, r["diff_mean"], lang, difference=True)}</td>'
            f'<td class="ci">[{lo}, {hi}]</td><td>{int(r["n_pairs"])}</td>'
            f'<td class="l">{_t(lang, *VERDICT_TEXT[v])}</td></tr>'
        )
    return "\n".join(rows)


def _provenance_rows(results: Results, info: dict[str, Any], lang: str) -> str:
    prov = results.provenance
    done, planned = len(results.runs), prov.get("runs_planned")
    incomplete = not (prov.get("complete") and done >= (planned or 0))
    runs = _t(lang, f"{done} finished of {planned} planned", f"计划{planned}次，完成{done}次") + (
        _t(lang, " &mdash; INCOMPLETE sweep: numbers may change", "——扫描未完成：数字可能变化") if incomplete else ""
    )
    cal = info["calibration"]
    effective = "".join(
        f"<li><b>{html.escape(s)}</b>: {_params_text(values) or _t(lang, 'all defaults', '全部默认')}</li>"
        for s, values in info["effective"].items()
    )
    rows = [
        (_t(lang, "siyi_sim version", "siyi_sim版本"), html.escape(str(prov.get("package_version")))),
        (_t(lang, "git commit", "git提交"), f"<code>{html.escape(str(prov.get('git_commit') or 'n/a'))}</code>"),
        (_t(lang, "experiment", "实验"), html.escape(str(prov.get("experiment")))),
        (
            _t(lang, "experiment hash (design)", "实验设计哈希"),
            f"<code>{html.escape(str(prov.get('design_hash')))}</code>",
        ),
        (
            _t(lang, "experiment file SHA-256", "实验文件SHA-256"),
            f"<code>{html.escape(str(prov.get('file_sha256')))}</code>",
        ),
        (
            _t(lang, "seeds", "随机种子"),
            f"{html.escape(', '.join(map(str, info['seeds'])))} ({html.escape(str(prov.get('seed_rule') or ''))})",
        ),
        (_t(lang, "overrides", "参数覆盖"), _params_text(info["set"]) or _t(lang, "none", "无")),
        (
            _t(lang, "calibration fingerprint", "校准指纹"),
            f"<code>{html.escape(str(cal.get('fingerprint')))}</code> ({html.escape(str(cal.get('source')))})",
        ),
        (
            _t(
                lang,
                "effective configuration (point 1; differences from the raw defaults)",
                "实际配置（第1个点；与原始默认值不同的参数）",
            ),
            f"<details><summary>{len(info['effective'])} {_t(lang, 'scenarios', '个情景')}</summary>"
            f"<ul>{effective}</ul></details>",
        ),
        (_t(lang, "runs", "模拟次数"), runs),
        (
            _t(lang, "sweep ran", "扫描时间"),
            f"{html.escape(str(prov.get('started_utc')))} &ndash; {html.escape(str(prov.get('finished_utc')))} (UTC)",
        ),
        (_t(lang, "results directory", "结果目录"), f"<code>{html.escape(str(results.path))}</code>"),
    ]
    return "".join(f'<tr><td class="l">{k}</td><td class="l">{v}</td></tr>' for k, v in rows)


def render_html(results: Results, brief: Brief, baseline: str, focus: str | None, replay_note: str) -> str:
    lang = brief.lang
    prov = results.provenance
    f = brief.findings
    multi = f["point"].nunique() > 1
    info = simulated(results)
    figures = "\n".join(
        f'<figure id="{fig.stem}"><img alt="{html.escape(fig.title)}" '
        f'src="data:image/png;base64,{base64.b64encode(fig.png).decode()}">'
        f"<figcaption><b>{_t(lang, 'Figure', '图')} {i}. {html.escape(fig.title)}.</b> {fig.caption} "
        f'<a href="{fig.stem}.svg">SVG</a> &middot; <a href="{fig.stem}.png">PNG</a></figcaption></figure>'
        for i, fig in enumerate(brief.figures, 1)
    )
    skipped = "".join(f"<li>{html.escape(s)}</li>" for s in brief.skipped)
    n_reps = info["replications"]
    first = f[f["point"] == f["point"].min()] if len(f) else f
    at_first = (
        _t(
            lang,
            f"<p>At {html.escape(str(first['at'].iloc[0]))}, the first point of the design; "
            "the table covers every point.</p>",
            f"<p>以下为设计第1个点（{html.escape(str(first['at'].iloc[0]))}）的结果；表格涵盖所有点。</p>",
        )
        if multi
        else ""
    )
    title = _t(lang, "Policy brief: placing cadres inside enterprises", "政策简报：机关干部进驻企业")
    sub = _t(
        lang,
        f"{html_term('program')} &mdash; simulated policy variants against the {html_term('clear_not_close')} "
        f"baseline. Experiment <b>{html.escape(str(prov.get('experiment')))}</b>, {len(results.runs)} runs, "
        f"{n_reps} replications per scenario.",
        f"&ldquo;四帮一体验&rdquo;&mdash;&mdash;各政策方案与&ldquo;清有余而亲不足&rdquo;基线的模拟比较。"
        f"实验<b>{html.escape(str(prov.get('experiment')))}</b>，共{len(results.runs)}次模拟，每个情景{n_reps}次重复。",
    )
    how_to_read = _t(
        lang,
        "Every outcome whose 95&nbsp;% paired interval excludes zero, marked <b>better</b> or <b>worse</b> for "
        "policy; adverse effects first, totals over all channels before states of the district. Money is a "
        "transfer (subsidies) or credit (loans), not a welfare gain.",
        "列出95%配对置信区间不含零的所有结果，并按政策方向标注<b>改善</b>或<b>变差</b>；不利影响在前，"
        "全部渠道的总量在前。资金为转移支付（补贴）或信贷（贷款），不等于福利增加。",
    )
    table_intro = _t(
        lang,
        "Mean of each indicator per scenario, the baseline mean, and the <em>paired</em> difference (scenario minus "
        "baseline, replication by replication on the same seeds) with its 95&nbsp;% confidence interval. "
        "The verdict uses each indicator's policy direction.",
        "各指标在每个情景的均值、基线均值，以及<em>配对</em>差（情景减基线，相同种子逐次相减）及其95%置信区间。"
        "判断依据各指标的政策方向。",
    )
    head = _t(
        lang,
        '<th class="l">scenario</th>{at}<th class="l">indicator</th><th>mean</th><th>baseline mean</th>'
        '<th>paired difference</th><th>95&nbsp;% CI</th><th>pairs</th><th class="l">verdict</th>',
        '<th class="l">情景</th>{at}<th class="l">指标</th><th>均值</th><th>基线均值</th>'
        '<th>配对差</th><th>95%置信区间</th><th>配对数</th><th class="l">判断</th>',
    ).format(at=_t(lang, '<th class="l">at</th>', '<th class="l">取值</th>') if multi else "")
    method = _t(
        lang,
        f"""<p>siyi_sim is an agent-based model (Mesa) of the program: cadres are placed in cross-department pairs
inside enterprises chosen by {html_term("ordering")}; trust grows with presence and help, owners disclose sensitive
difficulties once trust exceeds their fear, cadres solve issues (legacy prerequisite chains only with an &ldquo;inside
push&rdquo;), connect policies, loans and hires, and carry unfinished {html_term("five_ones")} items as follow-up. The
baseline places nobody: firms use ordinary channels only. {html_term("close")}: owners' trust and the share of firms
with a strong cadre tie (trust &ge; 0.6); {html_term("clear")}: the clear index, the share of firms without an
improper exchange.</p>
<p>Each scenario ran {n_reps} replications; replication <i>r</i> used the same seed in every scenario (common random
numbers), so differences are paired and the 95&nbsp;% interval is the t-interval of the {n_reps} paired differences
(mean &plusmn; t<sub>0.975,n&minus;1</sub>&middot;sd/&radic;n). Figures that need issue-level or network data replay
single runs ({html.escape(replay_note)}). A simulation compares mechanisms under stated assumptions (appendix);
absolute levels depend on calibration.</p>""",
        f"""<p>siyi_sim是&ldquo;四帮一体验&rdquo;活动的主体模型（Mesa）：机关干部跨部门结对，进驻经企业&ldquo;点菜&rdquo;选定的企业；
信任随在岗和帮扶增长，企业主在信任超过顾虑后反映敏感困难，干部解决问题（历史遗留问题链需要&ldquo;内部推动&rdquo;），
对接政策、贷款和招工，并将未完成的&ldquo;五个一&rdquo;事项转为跟踪办理。基线不派任何干部：企业只走常规渠道。
&ldquo;亲&rdquo;：企业主的信任度和与干部有紧密联系（信任度 &ge; 0.6）的企业占比；
&ldquo;清&rdquo;：清廉指数，即没有不当交往的企业占比。</p>
<p>每个情景{n_reps}次重复；第<i>r</i>次重复在所有情景中使用相同种子（共同随机数），因此差值是配对的，95%区间为{n_reps}个配对差的t区间
（均值 &plusmn; t<sub>0.975,n&minus;1</sub>&middot;sd/&radic;n）。
需要问题层面或网络数据的图重放单次模拟（{html.escape(replay_note)}）。
模拟是在明示假设（见附录）下比较机制；绝对水平取决于校准。</p>""",
    )
    appendix_intro = _t(
        lang,
        "The modelling choices of the ODD protocol (§11, register of choices), as built. "
        "[choice]: the source is silent, decided here; [deviation]: differs from the model specification; "
        "[addition]: beyond it.",
        "ODD协议第11节登记的建模选择（英文原文）。[choice]：资料未说明，此处自行决定；[deviation]：与模型规格不同；[addition]：超出规格的补充。",
    )
    return f"""<!DOCTYPE html>
<html lang="{_t(lang, "en", "zh-CN")}"><head><meta charset="utf-8">
<title>{title}: {html.escape(str(prov.get("experiment")))}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_css(lang)}</style></head><body>
<h1>{title}</h1>
<p class="sub">{sub}</p>
<h2 id="key-findings">{_t(lang, "Key findings", "主要发现")}</h2>
{at_first}<p>{how_to_read}</p>
<ul class="keys">{highlights_html(first, focus, lang)}</ul>
{cost_html(results.runs, baseline, lang)}
{f'<h2 id="how-sure">{_t(lang, "How sure are we?", "结论有多可靠？")}</h2>{brief.how_sure}' if brief.how_sure else ""}
<h2>{_t(lang, "What was simulated", "模拟了什么")}</h2>
{simulated_html(info, lang)}
<h2>{_t(lang, "Findings table", "结果表")}</h2>
<p>{table_intro}</p>
<table id="findings"><thead><tr>{head}</tr></thead>
<tbody>
{_table_rows(f, lang, multi)}
</tbody></table>
<h2>{_t(lang, "Figures", "图")}</h2>
{figures}
{f'<p class="note">{_t(lang, "Not drawn:", "未绘制：")}</p><ul>{skipped}</ul>' if skipped else ""}
<h2>{_t(lang, "Method", "方法")}</h2>
<div class="note">{method}</div>
<h2>{_t(lang, "Assumptions", "假设")}</h2>
<p>{appendix_intro}</p>
{assumptions_html(lang)}
<h2>{_t(lang, "Provenance", "来源与可追溯信息")}</h2>
<table id="provenance"><tbody>
{_provenance_rows(results, info, lang)}
</tbody></table>
</body></html>
"""
