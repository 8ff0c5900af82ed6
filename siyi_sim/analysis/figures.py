"""Figures for a policy briefing. Every function returns a ``matplotlib.figure.Figure``.

Inputs are the tables of a results directory (``runs`` from ``experiments.load_runs``, ``daily``
from ``experiments.load_daily``) or models of replayed runs (``api.simulate(...).model``) for
what a run summary cannot hold (issue waits, firms' service speed, the network).

Intervals: a scenario's mean carries the 95 % t-interval across replications
``mean +/- t_{0.975,n-1} sd/sqrt(n)``; differences against the baseline are *paired* on common
random numbers (``experiments.paired_comparison``). Bands over time are the same t-interval,
day by day.

>>> from siyi_sim.analysis import figures
>>> fig = figures.clear_close_quadrant(runs)          # doctest: +SKIP
>>> figures.save_png(fig, "quadrant.png")             # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..catalog import DEPARTMENTS
from ..experiments import paired_comparison
from ..issues import CHANNEL_NAMES, RESOLVED
from ..metrics import FACTS_2020, INDICATORS, SUMMARY_KEYS, format_value, label
from ..networks import sync_trust_graph
from .style import (
    BASELINE_COLOR,
    BETTER_COLOR,
    WORSE_COLOR,
    department_label,
    figure_lang,
    metric_label,
    new_figure,
    save_figure,
    save_png,
    scenario_colors,
    scenario_label,
    source_note,
    styled,
    term,
    tr,
)

__all__ = [
    "FIGURES_2020",
    "HEADLINE_KEYS",
    "clear_close_quadrant",
    "department_ties",
    "firm_speed_table",
    "issue_table",
    "kaplan_meier",
    "mean_ci",
    "mindset_spillover",
    "paired_forest",
    "program_totals_vs_2020",
    "resolution_survival",
    "save_figure",
    "save_png",
    "trust_growth",
    "trust_network",
]

#: The 2020 figures of FACTS.md, calibration targets of pattern P1 (MODEL.md §1).
FIGURES_2020 = FACTS_2020

#: Outcomes a committee asks about (from the registry): totals over all channels and states of the
#: district with a policy direction, in registry order. Program counts are not among them: they are
#: zero in the baseline by construction.
HEADLINE_KEYS: tuple[str, ...] = tuple(
    k for k in SUMMARY_KEYS if INDICATORS[k].kind in ("total", "state") and INDICATORS[k].better != "neutral"
)

#: Axes of indices and shares on the 0-1 scale are never narrower than this, so a figure does not
#: magnify a difference of a few thousandths into a gap across the page; the note says so.
MIN_UNIT_SPAN = 0.10


# --- statistics --------------------------------------------------------------------------------
def mean_ci(values, level: float = 0.95) -> tuple[float, float]:
    """(mean, half-width of the t-interval); half-width is NaN below two values."""
    from scipy import stats

    v = pd.to_numeric(pd.Series(values), errors="coerce").dropna().to_numpy(dtype=float)
    if v.size == 0:
        return math.nan, math.nan
    if v.size < 2:
        return float(v.mean()), math.nan
    half = float(stats.t.ppf(0.5 + level / 2, v.size - 1) * v.std(ddof=1) / math.sqrt(v.size))
    return float(v.mean()), half


def kaplan_meier(durations, observed) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan–Meier survival S(t) of time to resolution; ``observed`` False = still open (censored).

    Returns step times (starting at 0) and S just after each time.
    """
    d = np.asarray(durations, dtype=float)
    e = np.asarray(observed, dtype=bool)
    if d.size == 0:
        return np.array([0.0]), np.array([1.0])
    times = np.unique(d[e])
    at_risk = np.array([(d >= t).sum() for t in times], dtype=float)
    events = np.array([((d == t) & e).sum() for t in times], dtype=float)
    surv = np.cumprod(1.0 - events / np.maximum(at_risk, 1.0))
    t_end = float(d.max())
    times, surv = np.concatenate([[0.0], times]), np.concatenate([[1.0], surv])
    if t_end > times[-1]:  # carry the curve to the last censored time
        times, surv = np.append(times, t_end), np.append(surv, surv[-1])
    return times, surv


def _z(half: float) -> float:
    return 0.0 if math.isnan(half) else half


def _need(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} needs column {missing[0]!r}, which the results do not hold")


def _order(names) -> list[str]:
    names = list(dict.fromkeys(names))
    return (["baseline"] if "baseline" in names else []) + [n for n in names if n != "baseline"]


# --- model-level tables (from a replayed run) --------------------------------------------------
def issue_table(model) -> pd.DataFrame:
    """One row per issue: time at risk from ``max(created, 0)`` to resolution or the horizon."""
    iss = model.issues
    start = np.maximum(iss.view("day_created"), 0)
    resolved = iss.view("status") == RESOLVED
    day_resolved = iss.view("day_resolved")
    end = np.where(resolved, day_resolved, model.day)
    return pd.DataFrame(
        {
            "scenario": model.scenario_name,
            "firm": iss.view("firm"),
            "legacy": iss.view("legacy"),
            "start_day": start,
            "resolved": resolved,
            "wait_days": np.maximum(end - start, 0),
            "channel": [CHANNEL_NAMES[c] for c in iss.view("channel")],
            "firm_placed": model.firm_ever_placed[iss.view("firm")],
        }
    )


def firm_speed_table(model) -> pd.DataFrame:
    """Service speed each firm faces at the end of the run.

    speed_faced[j] = mean over firm j's issues of ``dept_speed[responsible department]`` — the daily
    success chance of an ordinary-channel approach, i.e. what a firm gets without any cadre.
    """
    iss = model.issues
    firms = iss.view("firm")
    speed = model.dept_speed[iss.view("dept")]
    n = model.firms.n
    count = np.bincount(firms, minlength=n)
    total = np.bincount(firms, speed, minlength=n)
    faced = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return pd.DataFrame(
        {"scenario": model.scenario_name, "firm": np.arange(n), "placed": model.firm_ever_placed, "speed_faced": faced}
    )


def _unit_window(lo: float, hi: float, pad: float) -> tuple[float, float, bool]:
    """Limits for a 0-1 axis holding [lo, hi]: padded, at least MIN_UNIT_SPAN wide, inside [0, 1].

    Returns (low, high, zoomed) where zoomed says the window is narrower than the whole scale."""
    lo, hi = lo - pad, hi + pad
    if hi - lo < MIN_UNIT_SPAN:
        mid = (lo + hi) / 2
        lo, hi = mid - MIN_UNIT_SPAN / 2, mid + MIN_UNIT_SPAN / 2
    if lo < 0:
        lo, hi = 0.0, hi - lo
    if hi > 1:
        lo, hi = max(0.0, lo - (hi - 1)), 1.0
    return lo, hi, (hi - lo) < 0.999


# --- figures from runs.parquet -----------------------------------------------------------------
def clear_close_quadrant(
    runs: pd.DataFrame,
    closeness: str = "mean_owner_trust",
    clarity: str = "clear_index",
    baseline: str = "baseline",
    lang: str = "en",
) -> Figure:
    """Each scenario at (closeness, clear_index) with 95 % CI bars; the baseline is 'clear but not close'.

    Both axes are windows at least :data:`MIN_UNIT_SPAN` wide of their 0-1 scale, and the note
    under the plot states the windows, so small differences are not magnified unannounced.
    """
    lang = figure_lang(lang)
    _need(runs, ["scenario", closeness, clarity], "the clear-close quadrant")
    names = _order(runs["scenario"])
    colors = scenario_colors(names)
    with styled():
        fig, ax = new_figure(8.6, 6.0)
        stats, extent = {}, []
        for name in names:
            block = runs[runs["scenario"] == name]
            (x, dx), (y, dy) = mean_ci(block[closeness]), mean_ci(block[clarity])
            stats[name] = (x, y)
            extent.append((x - _z(dx), x + _z(dx), y - _z(dy), y + _z(dy)))
            is_base = name == baseline
            ax.errorbar(
                x,
                y,
                xerr=None if math.isnan(dx) else dx,
                yerr=None if math.isnan(dy) else dy,
                fmt="s" if is_base else "o",
                ms=11 if is_base else 8,
                color=colors[name],
                mec="black" if is_base else "white",
                mew=1.0,
                elinewidth=1.4,
                capsize=3,
                label=scenario_label(name, lang),
                zorder=3,
            )
        x0, x1, _ = _unit_window(min(e[0] for e in extent), max(e[1] for e in extent), 0.01)
        y0, y1, _ = _unit_window(min(e[2] for e in extent), max(e[3] for e in extent), 0.002)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(MaxNLocator(5))
        if baseline in stats:
            bx, by = stats[baseline]
            ax.axvline(bx, color=BASELINE_COLOR, lw=1, ls="--", zorder=1)
            ax.axhline(by, color=BASELINE_COLOR, lw=1, ls="--", zorder=1)
            ax.axvspan(bx, x1, ymin=(by - y0) / (y1 - y0), ymax=1, color="#d9f0d3", alpha=0.45, zorder=0)
            box = dict(boxstyle="round,pad=0.3", fc="white", ec=BASELINE_COLOR, alpha=0.9)
            # the label sits in the empty "neither" corner, pointing at the baseline
            ax.annotate(
                tr(lang, f"Baseline: {term('clear_not_close')}", f"基线：{term('clear_not_close', 'zh')}"),
                (bx, by),
                xytext=(0.03, 0.14),
                textcoords="axes fraction",
                ha="left",
                fontsize=10,
                bbox=box,
                arrowprops=dict(arrowstyle="->", color=BASELINE_COLOR, lw=1.2),
            )
            ax.text(
                0.98,
                0.97,
                tr(
                    lang,
                    f"closer, as clear:\n{term('clear_and_close')}",
                    f"更亲，同样清：\n{term('clear_and_close', 'zh')}",
                ),
                transform=ax.transAxes,
                ha="right",
                va="top",
                fontsize=10,
                color=BETTER_COLOR,
                weight="bold",
                bbox=dict(fc="white", ec="none", alpha=0.8),
            )
            ax.text(
                0.98,
                0.03,
                tr(lang, "closer, less clear", "更亲，不够清"),
                transform=ax.transAxes,
                ha="right",
                va="bottom",
                fontsize=10,
                color=WORSE_COLOR,
            )
        ax.set_xlabel(metric_label(closeness, lang))
        ax.set_ylabel(metric_label(clarity, lang))
        ax.set_title(tr(lang, "Clear and close? Each policy against the baseline", "清上加亲？各政策与基线比较"))
        ax.legend(
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            title=tr(lang, "Scenario (mean, 95% CI)", "情景（均值，95%置信区间）"),
            title_fontsize=9.5,
        )
        window = f"{x0:.2f}–{x1:.2f}", f"{y0:.2f}–{y1:.2f}"
        source_note(
            fig,
            tr(
                lang,
                f"{len(runs)} runs; bars: 95% t-interval. Axes show windows of the 0–1 scales: "
                f"x {window[0]}, y {window[1]} (never narrower than {MIN_UNIT_SPAN:g}).",
                f"{len(runs)}次模拟；误差线：95% t区间。坐标轴为0–1刻度的局部：横轴{window[0]}，纵轴{window[1]}"
                f"（宽度不小于{MIN_UNIT_SPAN:g}）。",
            ),
        )
    return fig


def _tick_scale(metric: str, lang: str) -> tuple[float, str]:
    """Divisor and unit for difference ticks: money in million yuan / 万元, shares in points."""
    unit = INDICATORS[metric].unit if metric in INDICATORS else ""
    if unit == "yuan":
        return (1e4, "万元") if lang == "zh" else (1e6, "million yuan")
    if INDICATORS.get(metric) is not None and INDICATORS[metric].fmt == "share":
        return 0.01, tr(lang, "percentage points", "个百分点")
    if unit == "days":
        return 1.0, tr(lang, "days", "天")
    return 1.0, ""


def _verdict_color(metric: str, low: float, high: float) -> str:
    """Green when the interval excludes zero on the better side, red on the worse side, else grey."""
    better = INDICATORS[metric].better if metric in INDICATORS else "neutral"
    if pd.isna(low) or better == "neutral" or low <= 0 <= high:
        return "#555555"
    up = low > 0
    return BETTER_COLOR if up == (better == "higher") else WORSE_COLOR


def paired_forest(
    runs: pd.DataFrame,
    metrics: Sequence[str] | None = None,
    baseline: str = "baseline",
    comparison: pd.DataFrame | None = None,
    lang: str = "en",
) -> Figure:
    """Forest plot: paired difference against the baseline (common random numbers) with 95 % CI.

    A dot is green when the change is better for policy (registry direction), red when worse,
    grey when the interval holds zero; money is shown in million yuan (万元 in Chinese).
    """
    lang = figure_lang(lang)
    metrics = [m for m in (metrics or HEADLINE_KEYS) if m in runs.columns]
    if not metrics:
        raise ValueError("none of the requested metrics is in the results")
    table = comparison if comparison is not None else paired_comparison(runs, baseline=baseline, metrics=metrics)
    table = table[(table["scenario"] != baseline) & table["metric"].isin(metrics)]
    if "point" in table:
        table = table[table["point"] == table["point"].min()]
    names = [n for n in _order(runs["scenario"]) if n != baseline]
    if not names:
        raise ValueError("the results hold no scenario besides the baseline to compare")
    ncols = min(3, len(metrics))
    nrows = math.ceil(len(metrics) / ncols)
    with styled():
        fig, axes = new_figure(
            4.3 * ncols + 1.8,
            0.38 * len(names) * nrows + 1.7 * nrows + 0.8,
            nrows=nrows,
            ncols=ncols,
            squeeze=False,
            sharey=True,
        )
        y = np.arange(len(names))[::-1]
        for k, metric in enumerate(metrics):
            ax = axes[k // ncols][k % ncols]
            scale, unit = _tick_scale(metric, lang)
            block = table[table["metric"] == metric].set_index("scenario")
            for yi, name in zip(y, names, strict=True):
                if name not in block.index:
                    continue
                r = block.loc[name]
                half = r["ci_halfwidth"]
                ax.errorbar(
                    r["diff_mean"] / scale,
                    yi,
                    xerr=None if pd.isna(half) else half / scale,
                    fmt="o",
                    color=_verdict_color(metric, r["ci_low"], r["ci_high"]),
                    ms=6,
                    capsize=3,
                    elinewidth=1.5,
                )
            ax.axvline(0, color="black", lw=1)
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4, symmetric=False, min_n_ticks=3))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:+,.3g}" if v else "0"))
            ax.set_title(label(metric, lang) if metric in INDICATORS else metric, fontsize=10.5)
            ax.set_xlabel(
                tr(lang, "difference vs baseline", "与基线之差") + (f" ({unit})" if unit and lang == "en" else ""),
                fontsize=9.5,
            )
            if unit and lang == "zh":
                ax.set_xlabel(f"与基线之差（{unit}）", fontsize=9.5)
            ax.set_yticks(y, [scenario_label(n, lang) for n in names])
            ax.grid(axis="y", visible=False)
        for k in range(len(metrics), nrows * ncols):
            axes[k // ncols][k % ncols].set_visible(False)
        fig.suptitle(
            tr(
                lang,
                f"What each policy changes against the baseline ({term('clear_not_close')})",
                f"各政策相对基线（{term('clear_not_close', 'zh')}）的变化",
            )
        )
        source_note(
            fig,
            tr(
                lang,
                "Dots: mean paired difference (same seeds in both arms); bars: 95% t-interval. "
                "Green: better for policy, red: worse, grey: no clear difference.",
                "圆点：配对差均值（两组使用相同随机种子）；误差线：95% t区间。"
                "绿色：更好；红色：更差；灰色：无明显差异。",
            ),
        )
    return fig


def program_totals_vs_2020(runs: pd.DataFrame, scenario: str = "campaign_2020", lang: str = "en") -> Figure:
    """Model program totals of ``scenario`` as a percentage of the 2020 figures, ±10 % band (P1)."""
    lang = figure_lang(lang)
    block = runs[runs["scenario"] == scenario]
    if block.empty:
        raise ValueError(f"the results hold no runs of scenario {scenario!r} to set against the 2020 figures")
    keys = [k for k in FIGURES_2020 if k in block.columns]
    if not keys:
        raise ValueError("the results hold none of the program totals (cadres_placed, program_*)")
    with styled():
        fig, ax = new_figure(9.2, 0.62 * len(keys) + 2.0)
        y = np.arange(len(keys))[::-1]
        ax.axvspan(
            90, 110, color="#d9f0d3", alpha=0.7, zorder=0, label=tr(lang, "within ±10% of 2020", "与2020年相差±10%以内")
        )
        ax.axvline(100, color=BETTER_COLOR, lw=1.2)
        top = 120.0
        for yi, key in zip(y, keys, strict=True):
            m, half = mean_ci(block[key])
            pct, hpct = 100 * m / FIGURES_2020[key], 100 * half / FIGURES_2020[key]
            ax.barh(yi, pct, height=0.55, color="#b2182b", alpha=0.85, zorder=2)
            if not math.isnan(hpct):
                ax.errorbar(pct, yi, xerr=hpct, fmt="none", color="black", capsize=3, zorder=3)
            model_text, reported = format_value(key, m, lang), format_value(key, FIGURES_2020[key], lang)
            ax.text(
                max(pct, 0) + (hpct if not math.isnan(hpct) else 0) + 2,
                yi,
                tr(lang, f"model {model_text}  vs  2020 {reported}", f"模型 {model_text}　2020年 {reported}"),
                va="center",
                fontsize=9,
                bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85),
                zorder=4,
            )
            top = max(top, pct + (0 if math.isnan(hpct) else hpct))
        ax.set_xlim(0, top * 1.6)
        ax.set_yticks(y, [label(k, lang) for k in keys])
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(tr(lang, "model mean as % of the reported 2020 figure", "模型均值占2020年公布数的百分比"))
        ax.set_title(
            tr(
                lang,
                f"Program totals: {scenario_label(scenario)} against 2020",
                f"活动成效：{scenario_label(scenario, 'zh')}与2020年对比",
            )
        )
        ax.legend(loc="lower right")
        days = int(block["days"].iloc[0]) if "days" in block else None
        n_firms = int(block["n_enterprises"].iloc[0]) if "n_enterprises" in block else None
        source_note(
            fig,
            tr(
                lang,
                f"{len(block)} runs"
                + (f", {days} days" if days else "")
                + (f", {n_firms:,} firms" if n_firms else "")
                + "; bars: 95% t-interval. 2020 figures: Yongchuan District, 2021 news feature.",
                f"{len(block)}次模拟"
                + (f"，{days}天" if days else "")
                + (f"，{n_firms:,}户企业" if n_firms else "")
                + "；误差线：95% t区间。2020年数据：永川区，2021年新闻报道。",
            ),
        )
    return fig


# --- figures from the daily series -------------------------------------------------------------
def trust_growth(
    daily: pd.DataFrame,
    series: Sequence[str] = ("strong_tie_share", "mean_owner_trust"),
    scenarios: Sequence[str] | None = None,
    lang: str = "en",
) -> Figure:
    """Trust-network growth over time per scenario: mean across replications, 95 % CI band."""
    if daily is None or daily.empty:
        raise ValueError(
            "the results hold no daily series; add "
            'keep.daily = ["strong_tie_share", "mean_owner_trust"] to the experiment'
        )
    lang = figure_lang(lang)
    _need(daily, ["scenario", "day", *series], "the trust-growth figure")
    from scipy import stats

    if "point" in daily:
        daily = daily[daily["point"] == daily["point"].min()]
    names = _order(scenarios or daily["scenario"])
    colors = scenario_colors(_order(daily["scenario"]))
    with styled():
        fig, axes = new_figure(6.0 * len(series) + 2.2, 4.6, ncols=len(series), squeeze=False)
        for ax, column in zip(axes[0], series, strict=True):
            for name in names:
                g = daily[daily["scenario"] == name].groupby("day")[column]
                mean, sd, n = g.mean(), g.std(ddof=1), g.count()
                half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
                key = name in ("baseline", "campaign_2020")
                ax.plot(
                    mean.index,
                    mean.values,
                    color=colors[name],
                    lw=2.4 if key else 1.4,
                    zorder=3 if key else 2,
                    label=scenario_label(name, lang),
                )
                ok = (n >= 2) & (len(names) <= 4 or name in ("baseline", "campaign_2020"))  # bands only where readable
                ax.fill_between(
                    mean.index[ok], (mean - half)[ok], (mean + half)[ok], color=colors[name], alpha=0.18, lw=0
                )
            ax.set_xlabel(tr(lang, "day of the run (day 0 = 1 January)", "模拟天数（第0天 = 1月1日）"))
            ax.set_ylabel(metric_label(column, lang))
            ax.set_title(label(column, lang) if column in INDICATORS else column)
        axes[0][-1].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
        fig.suptitle(
            tr(lang, f"How the trust network grows ({term('close')})", f"信任网络如何增长（{term('close', 'zh')}）")
        )
        banded = "" if len(names) <= 4 else tr(lang, " (baseline and 2020 campaign only)", "（仅基线与2020年活动）")
        source_note(
            fig,
            tr(
                lang,
                f"Lines: mean across replications; bands{banded}: 95% t-interval. Strong tie: trust >= 0.6.",
                f"线：各次重复的均值；阴影{banded}：95% t区间。紧密联系：信任度 ≥ 0.6。",
            ),
        )
    return fig


# --- figures from replayed runs ----------------------------------------------------------------
def resolution_survival(issues: pd.DataFrame | Mapping[str, object], lang: str = "en") -> Figure:
    """Kaplan–Meier curves: share of issues still unresolved, ordinary vs legacy, per scenario.

    ``issues``: concatenated :func:`issue_table` frames, or ``{scenario: model}``.
    """
    lang = figure_lang(lang)
    if isinstance(issues, Mapping):
        issues = pd.concat([issue_table(m) for m in issues.values()], ignore_index=True)
    _need(issues, ["scenario", "legacy", "wait_days", "resolved"], "the survival figure")
    names = _order(issues["scenario"])
    colors = scenario_colors(names)
    with styled():
        fig, axes = new_figure(12.5, 4.8, ncols=2, sharey=True)
        for ax, legacy in zip(axes, (False, True), strict=True):
            for name in names:
                block = issues[(issues["scenario"] == name) & (issues["legacy"] == legacy)]
                if block.empty:
                    continue
                t, s = kaplan_meier(block["wait_days"], block["resolved"])
                ax.step(
                    t,
                    s,
                    where="post",
                    color=colors[name],
                    lw=2,
                    label=f"{scenario_label(name, lang)} (n={len(block):,})",
                )
                below = np.flatnonzero(s <= 0.5)
                if below.size:
                    ax.plot(t[below[0]], 0.5, "o", color=colors[name], ms=5)
            ax.axhline(0.5, color="#999999", lw=0.8, ls=":")
            ax.set_ylim(0, 1.02)
            ax.set_xlabel(tr(lang, "days since the issue arose (or since day 0)", "问题产生后的天数（或自第0天起）"))
            if legacy:
                ax.set_title(
                    tr(lang, "Legacy issues (permit ← EIA ← land use …)", "历史遗留问题（排污许可 ← 环评 ← 用地…）")
                )
            else:
                ax.set_title(tr(lang, "Ordinary issues", "一般困难问题"))
            ax.legend(loc="lower left")
        axes[0].set_ylabel(tr(lang, "share still unresolved", "尚未解决的比例"))
        fig.suptitle(
            tr(lang, "Time to resolve firms' difficulties (Kaplan–Meier)", "企业困难问题的解决用时（Kaplan–Meier）")
        )
        source_note(
            fig,
            tr(
                lang,
                "One run per scenario on the same seed; open issues are censored at the horizon. "
                "Dot: median time, where reached.",
                "每个情景一次模拟，随机种子相同；未解决问题在期末删失。圆点：中位用时（如已达到）。",
            ),
        )
    return fig


def mindset_spillover(
    models: Mapping[str, object] | pd.DataFrame, baseline: str = "baseline", lang: str = "en"
) -> Figure:
    """Department service speed faced by placed and never-placed firms, per scenario (P6).

    ``models``: ``{scenario: model}`` of runs on the same seed (same firms), or concatenated
    :func:`firm_speed_table` frames. The axis starts at zero, so bar lengths compare honestly.
    """
    lang = figure_lang(lang)
    table = (
        models
        if isinstance(models, pd.DataFrame)
        else pd.concat([firm_speed_table(m) for m in models.values()], ignore_index=True)
    )
    _need(table, ["scenario", "placed", "speed_faced"], "the spillover figure")
    names = _order(table["scenario"])
    colors = scenario_colors(names)
    base_level = table.loc[table["scenario"] == baseline, "speed_faced"].mean() if baseline in names else math.nan
    with styled():
        fig, ax = new_figure(9.2, 0.55 * len(names) + 2.6)
        y = np.arange(len(names))[::-1]
        for yi, name in zip(y, names, strict=True):
            block = table[table["scenario"] == name]
            for offset, placed, hatch in ((0.18, False, None), (-0.18, True, "//")):
                group = block.loc[block["placed"] == placed, "speed_faced"]
                if group.dropna().empty:
                    continue
                m, half = mean_ci(group)
                ax.barh(
                    yi + offset,
                    100 * m,
                    height=0.34,
                    color=colors[name],
                    alpha=0.55 if not placed else 0.95,
                    hatch=hatch,
                    edgecolor="white",
                )
                if not math.isnan(half):
                    ax.errorbar(100 * m, yi + offset, xerr=100 * half, fmt="none", color="black", capsize=2)
                note = f"{100 * m:.1f}%"
                if not math.isnan(base_level) and name != baseline:
                    note += tr(
                        lang,
                        f"  ({100 * (m - base_level):+.1f} pts vs baseline)",
                        f"（较基线{100 * (m - base_level):+.1f}个百分点）",
                    )
                ax.text(100 * m + 0.6, yi + offset, note, va="center", fontsize=8.5)
        if not math.isnan(base_level):
            ax.axvline(100 * base_level, color=BASELINE_COLOR, ls="--", lw=1)
        ax.set_yticks(y, [scenario_label(n, lang) for n in names])
        ax.grid(axis="y", visible=False)
        right = 100 * table["speed_faced"].max()
        ax.set_xlim(0, right * 1.45)
        ax.set_xlabel(
            tr(
                lang,
                "service speed faced: success chance of one ordinary approach to a department (%)",
                "企业面对的办事效率：一次常规办事成功的概率（%）",
            )
        )
        ax.set_title(
            tr(lang, "Mindset spillover: faster departments for all firms", "作风溢出：部门为所有企业办事更快")
        )
        ax.legend(
            handles=[
                Patch(facecolor="#999999", alpha=0.55, label=tr(lang, "never-placed firms", "未进驻企业")),
                Patch(facecolor="#999999", hatch="//", edgecolor="white", label=tr(lang, "placed firms", "进驻企业")),
            ],
            loc="upper right",
        )
        source_note(
            fig,
            tr(
                lang,
                "End of one run per scenario, same seed; mean over firms of the speed of the departments their "
                "issues need; bars: 95% CI over firms.",
                "每个情景一次模拟的期末，随机种子相同；企业所需部门办事效率的企业均值；误差线：企业间95%置信区间。",
            ),
        )
    return fig


def department_ties(model) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The trust network aggregated to departments: what a reader can take in at a glance.

    Returns ``(nodes, links)``. ``nodes``: per department, cadres with a tie, firms tied to them,
    strong ties and mean tie trust. ``links``: per pair of departments, firms tied to cadres of
    both (the bridges a cross-department pair builds).
    """
    g = sync_trust_graph(model)
    threshold = model.cfg.trust.strong_tie_threshold
    cadres: dict[str, set] = {d: set() for d in DEPARTMENTS}
    firms: dict[str, set] = {d: set() for d in DEPARTMENTS}
    trust: dict[str, list] = {d: [] for d in DEPARTMENTS}
    firm_depts: dict[str, set] = {}
    for u, v, d in g.edges(data=True):
        if d.get("kind") != "tie":
            continue
        cadre, firm = (u, v) if u.startswith("c") else (v, u)
        dept = g.nodes[cadre]["department"]
        cadres[dept].add(cadre)
        firms[dept].add(firm)
        trust[dept].append(float(d["trust"]))
        firm_depts.setdefault(firm, set()).add(dept)
    nodes = pd.DataFrame(
        {
            "department": list(DEPARTMENTS),
            "cadres": [len(cadres[d]) for d in DEPARTMENTS],
            "firms": [len(firms[d]) for d in DEPARTMENTS],
            "strong_ties": [int(sum(t >= threshold for t in trust[d])) for d in DEPARTMENTS],
            "mean_trust": [float(np.mean(trust[d])) if trust[d] else math.nan for d in DEPARTMENTS],
        }
    )
    pairs: dict[tuple[str, str], int] = {}
    for depts in firm_depts.values():
        ordered = sorted(depts, key=DEPARTMENTS.index)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                pairs[(a, b)] = pairs.get((a, b), 0) + 1
    links = pd.DataFrame([(a, b, n) for (a, b), n in pairs.items()], columns=["a", "b", "firms"])
    return nodes, links


def trust_network(model, lang: str = "en", max_links: int = 40) -> Figure:
    """The trust network at the end of a run, aggregated to the district's departments.

    Departments sit on a circle. A circle's area follows the firms tied to that department's
    cadres, its colour the mean trust of those ties; a line joins two departments when firms are
    tied to cadres of both (a cross-department pair), its width the number of such firms. Each
    department is labelled with its cadres and firms, so the figure reads without a legend hunt.
    """
    lang = figure_lang(lang)
    nodes, links = department_ties(model)
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    with styled():
        fig, ax = new_figure(10.5, 8.6)
        ax.set_axis_off()
        ax.set_aspect("equal")
        ax.set_title(
            tr(
                lang,
                f"The trust network on day {model.day}, by department: {scenario_label(model.scenario_name)}",
                f"第{model.day}天的信任网络（按部门汇总）：{scenario_label(model.scenario_name, 'zh')}",
            )
        )
        if not nodes["firms"].any():
            ax.text(
                0.5,
                0.5,
                tr(
                    lang,
                    "No cadre–firm ties: nobody was placed in this run.",
                    "没有干部—企业联系：本次模拟无干部进驻。",
                ),
                ha="center",
                va="center",
                fontsize=13,
                transform=ax.transAxes,
            )
            return fig
        n = len(DEPARTMENTS)
        angle = {d: 2 * math.pi * k / n + math.pi / 2 for k, d in enumerate(DEPARTMENTS)}
        pos = {d: (math.cos(a), math.sin(a)) for d, a in angle.items()}
        top = links.sort_values("firms", ascending=False).head(max_links)
        widest = max(1, int(top["firms"].max())) if len(top) else 1
        for _, r in top.iterrows():
            (x0, y0), (x1, y1) = pos[r["a"]], pos[r["b"]]
            ax.plot(
                [x0, x1],
                [y0, y1],
                color="#555555",
                alpha=0.25 + 0.5 * r["firms"] / widest,
                lw=0.6 + 5.0 * r["firms"] / widest,
                zorder=1,
                solid_capstyle="round",
            )
        cmap, norm = colormaps["YlGnBu"], Normalize(0.0, 1.0)
        biggest = max(1, int(nodes["firms"].max()))
        for _, r in nodes.iterrows():
            x, y = pos[r["department"]]
            size = 60 + 1400 * r["firms"] / biggest
            color = "#eeeeee" if math.isnan(r["mean_trust"]) else cmap(norm(r["mean_trust"]))
            ax.scatter([x], [y], s=size, c=[color], edgecolors="#333333", linewidths=0.8, zorder=3)
            a = angle[r["department"]]
            ha = "left" if math.cos(a) > 0.15 else "right" if math.cos(a) < -0.15 else "center"
            text = department_label(r["department"], lang) + tr(
                lang, f"\n{r['cadres']} cadres, {r['firms']} firms", f"\n{r['cadres']}名干部，{r['firms']}户企业"
            )
            ax.text(1.2 * math.cos(a), 1.2 * math.sin(a), text, ha=ha, va="center", fontsize=8.3, zorder=4)
        ax.set_xlim(-1.9, 1.9)
        ax.set_ylim(-1.4, 1.4)
        from matplotlib.cm import ScalarMappable

        bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.5, pad=0.02)
        bar.set_label(tr(lang, "mean tie trust (0–1)", "联系的平均信任度（0–1）"))
        shown = f"{len(top)} / {len(links)}"
        source_note(
            fig,
            tr(
                lang,
                f"Circle area: firms tied to the department's cadres; line width: firms tied to cadres of both "
                f"departments ({shown} department pairs shown, most firms first). One run (replication 0).",
                f"圆面积：与该部门干部有联系的企业数；线宽：同时与两个部门干部有联系的企业数"
                f"（显示{shown}对部门，按企业数排序）。一次模拟（第0次重复）。",
            ),
        )
    return fig
