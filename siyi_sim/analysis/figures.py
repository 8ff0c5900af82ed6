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
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..catalog import DEPARTMENTS
from ..experiments import paired_comparison
from ..issues import CHANNEL_NAMES, RESOLVED
from ..metrics import FACTS_2020
from ..networks import sync_trust_graph
from . import stats as _stats
from .stats import t_halfwidth, t_interval
from .style import (
    BASELINE_COLOR,
    metric_label,
    new_figure,
    save_png,
    scenario_colors,
    scenario_label,
    source_note,
    styled,
    term,
)

__all__ = [
    "FIGURES_2020",
    "HEADLINE_KEYS",
    "clear_close_quadrant",
    "firm_speed_table",
    "issue_table",
    "kaplan_meier",
    "mean_ci",
    "mindset_spillover",
    "paired_forest",
    "program_totals_vs_2020",
    "resolution_survival",
    "save_png",
    "trust_growth",
    "trust_network",
]

#: The 2020 figures of FACTS.md, calibration targets of pattern P1 (MODEL.md §1).
FIGURES_2020 = FACTS_2020

#: Keys a committee asks about first: delivery, closeness, clearness, spillover.
HEADLINE_KEYS = (
    "program_issues_resolved",
    "issues_resolved_total",
    "legacy_issues_resolved",
    "median_days_to_resolve",
    "mean_owner_trust",
    "strong_tie_share",
    "clear_index",
    "integrity_incidents",
    "mean_department_speed",
)


# --- statistics --------------------------------------------------------------------------------
def mean_ci(values, level: float = 0.95) -> tuple[float, float]:
    """(mean, half-width of the t-interval); half-width is NaN below two values."""
    ci = t_interval(pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float), level)
    return ci.mean, ci.halfwidth


def kaplan_meier(durations, observed) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan–Meier survival S(t) of time to resolution; ``observed`` False = still open (censored).

    Returns step times (starting at 0) and S just after each time (``analysis.stats``).
    """
    return _stats.kaplan_meier(durations, observed)


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


# --- figures from runs.parquet -----------------------------------------------------------------
def clear_close_quadrant(
    runs: pd.DataFrame, closeness: str = "mean_owner_trust", clarity: str = "clear_index", baseline: str = "baseline"
) -> Figure:
    """Each scenario at (closeness, clear_index) with 95 % CI bars; the baseline is 'clear but not close'."""
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
                label=scenario_label(name),
                zorder=3,
            )
        x0, x1 = min(e[0] for e in extent), max(e[1] for e in extent)
        y0, y1 = min(e[2] for e in extent), max(e[3] for e in extent)
        xpad, ypad = max(0.01, 0.08 * (x1 - x0)), max(0.002, 0.08 * (y1 - y0))
        ax.set_xlim(x0 - xpad, x1 + xpad)
        ax.set_ylim(max(0.0, y0 - ypad), min(1.0, y1) + ypad)
        if baseline in stats:
            bx, by = stats[baseline]
            ax.axvline(bx, color=BASELINE_COLOR, lw=1, ls="--", zorder=1)
            ax.axhline(by, color=BASELINE_COLOR, lw=1, ls="--", zorder=1)
            x0, x1 = ax.get_xlim()
            y0, y1 = ax.get_ylim()
            ax.axvspan(bx, x1, ymin=(by - y0) / (y1 - y0), ymax=1, color="#d9f0d3", alpha=0.45, zorder=0)
            box = dict(boxstyle="round,pad=0.3", fc="white", ec=BASELINE_COLOR, alpha=0.9)
            # the label sits in the empty "neither" corner, pointing at the baseline
            ax.annotate(
                f"Baseline: {term('clear_not_close')}",
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
                f"closer, as clear:\n{term('clear_and_close')}",
                transform=ax.transAxes,
                ha="right",
                va="top",
                fontsize=10,
                color="#1b7837",
                weight="bold",
                bbox=dict(fc="white", ec="none", alpha=0.8),
            )
            ax.text(
                0.98,
                0.03,
                "closer, less clear",
                transform=ax.transAxes,
                ha="right",
                va="bottom",
                fontsize=10,
                color="#b2182b",
            )
        ax.set_xlabel(f"Closeness — {metric_label(closeness)}")
        ax.set_ylabel(f"Clearness — {metric_label(clarity)}")
        ax.set_title("Clear and close? Each policy against the baseline")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title="Scenario (mean, 95% CI)", title_fontsize=9.5)
        source_note(fig, f"{len(runs)} runs; bars: 95% t-interval across replications.")
    return fig


def paired_forest(
    runs: pd.DataFrame,
    metrics: Sequence[str] | None = None,
    baseline: str = "baseline",
    comparison: pd.DataFrame | None = None,
) -> Figure:
    """Forest plot: paired difference against the baseline (common random numbers) with 95 % CI."""
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
    colors = scenario_colors(_order(runs["scenario"]))
    ncols = min(3, len(metrics))
    nrows = math.ceil(len(metrics) / ncols)
    with styled():
        fig, axes = new_figure(
            4.3 * ncols + 1.6,
            0.38 * len(names) * nrows + 1.6 * nrows + 0.6,
            nrows=nrows,
            ncols=ncols,
            squeeze=False,
            sharey=True,
        )
        y = np.arange(len(names))[::-1]
        for k, metric in enumerate(metrics):
            ax = axes[k // ncols][k % ncols]
            block = table[table["metric"] == metric].set_index("scenario")
            for yi, name in zip(y, names, strict=True):
                if name not in block.index:
                    continue
                r = block.loc[name]
                half = r["ci_halfwidth"]
                ax.errorbar(
                    r["diff_mean"],
                    yi,
                    xerr=None if pd.isna(half) else half,
                    fmt="o",
                    color=colors[name],
                    ms=6,
                    capsize=3,
                    elinewidth=1.5,
                )
            ax.axvline(0, color="black", lw=1)
            ax.set_title(metric_label(metric), fontsize=10.5)
            ax.set_xlabel("difference vs baseline", fontsize=9.5)
            ax.set_yticks(y, [scenario_label(n) for n in names])
            ax.grid(axis="y", visible=False)
        for k in range(len(metrics), nrows * ncols):
            axes[k // ncols][k % ncols].set_visible(False)
        fig.suptitle(f"What each policy changes against the baseline ({term('clear_not_close')})")
        source_note(
            fig, "Dots: mean paired difference (same seeds in both arms); bars: 95% t-interval across replications."
        )
    return fig


def program_totals_vs_2020(runs: pd.DataFrame, scenario: str = "campaign_2020") -> Figure:
    """Model program totals of ``scenario`` as a percentage of the 2020 figures, ±10 % band (P1)."""
    block = runs[runs["scenario"] == scenario]
    if block.empty:
        raise ValueError(f"the results hold no runs of scenario {scenario!r} to set against the 2020 figures")
    keys = [k for k in FIGURES_2020 if k in block.columns]
    if not keys:
        raise ValueError("the results hold none of the program totals (cadres_placed, program_*)")
    with styled():
        fig, ax = new_figure(8.8, 0.62 * len(keys) + 2.0)
        y = np.arange(len(keys))[::-1]
        ax.axvspan(90, 110, color="#d9f0d3", alpha=0.7, zorder=0, label="within ±10% of 2020")
        ax.axvline(100, color="#1b7837", lw=1.2)
        top = 120.0
        for yi, key in zip(y, keys, strict=True):
            m, half = mean_ci(block[key])
            pct, hpct = 100 * m / FIGURES_2020[key], 100 * half / FIGURES_2020[key]
            ax.barh(yi, pct, height=0.55, color="#b2182b", alpha=0.85, zorder=2)
            if not math.isnan(hpct):
                ax.errorbar(pct, yi, xerr=hpct, fmt="none", color="black", capsize=3, zorder=3)
            ax.text(
                max(pct, 0) + (hpct if not math.isnan(hpct) else 0) + 2,
                yi,
                f"model {_money_or_count(key, m)}  vs  2020 {_money_or_count(key, FIGURES_2020[key])}",
                va="center",
                fontsize=9,
                bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85),
                zorder=4,
            )
            top = max(top, pct + (0 if math.isnan(hpct) else hpct))
        ax.set_xlim(0, top * 1.55)
        ax.set_yticks(y, [metric_label(k) for k in keys])
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("model mean as % of the reported 2020 figure")
        ax.set_title(f"Program totals: {scenario_label(scenario)} against 2020")
        ax.legend(loc="lower right")
        days = int(block["days"].iloc[0]) if "days" in block else None
        n_firms = int(block["n_enterprises"].iloc[0]) if "n_enterprises" in block else None
        source_note(
            fig,
            f"{len(block)} runs"
            + (f", {days} days" if days else "")
            + (f", {n_firms:,} firms" if n_firms else "")
            + "; bars: 95% t-interval. 2020 figures: Yongchuan District, 2021 news feature.",
        )
    return fig


def _money_or_count(key: str, value: float) -> str:
    if math.isnan(value):
        return "n/a"
    if key.endswith("_yuan"):
        return f"{value / 1e6:,.1f} M yuan"
    return f"{value:,.0f}"


# --- figures from the daily series -------------------------------------------------------------
def trust_growth(
    daily: pd.DataFrame,
    series: Sequence[str] = ("strong_tie_share", "mean_owner_trust"),
    scenarios: Sequence[str] | None = None,
) -> Figure:
    """Trust-network growth over time per scenario: mean across replications, 95 % CI band."""
    if daily is None or daily.empty:
        raise ValueError(
            'the results hold no daily series; add keep.daily = ["strong_tie_share", "mean_owner_trust"] to the experiment'
        )
    _need(daily, ["scenario", "day", *series], "the trust-growth figure")
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
                half = t_halfwidth(sd.to_numpy(), n.to_numpy())
                key = name in ("baseline", "campaign_2020")
                ax.plot(
                    mean.index,
                    mean.values,
                    color=colors[name],
                    lw=2.4 if key else 1.4,
                    zorder=3 if key else 2,
                    label=scenario_label(name),
                )
                ok = (n >= 2) & (len(names) <= 4 or name in ("baseline", "campaign_2020"))  # bands only where readable
                ax.fill_between(
                    mean.index[ok], (mean - half)[ok], (mean + half)[ok], color=colors[name], alpha=0.18, lw=0
                )
            ax.set_xlabel("day of the run (day 0 = 1 January)")
            ax.set_ylabel(metric_label(column))
            ax.set_title(
                {"strong_tie_share": "Strong cadre–firm ties", "mean_owner_trust": "Owners' trust in government"}.get(
                    column, metric_label(column)
                )
            )
        axes[0][-1].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
        fig.suptitle(f"How the trust network grows ({term('close')})")
        banded = "" if len(names) <= 4 else " (baseline and 2020 campaign only)"
        source_note(fig, f"Lines: mean across replications; bands{banded}: 95% t-interval. Strong tie: trust >= 0.6.")
    return fig


# --- figures from replayed runs ----------------------------------------------------------------
def resolution_survival(issues: pd.DataFrame | Mapping[str, object]) -> Figure:
    """Kaplan–Meier curves: share of issues still unresolved, ordinary vs legacy, per scenario.

    ``issues``: concatenated :func:`issue_table` frames, or ``{scenario: model}``.
    """
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
                    t, s, where="post", color=colors[name], lw=2, label=f"{scenario_label(name)} (n={len(block):,})"
                )
                below = np.flatnonzero(s <= 0.5)
                if below.size:
                    ax.plot(t[below[0]], 0.5, "o", color=colors[name], ms=5)
            ax.axhline(0.5, color="#999999", lw=0.8, ls=":")
            ax.set_ylim(0, 1.02)
            ax.set_xlabel("days since the issue arose (or since day 0)")
            ax.set_title("Legacy issues (permit ← EIA ← land use …)" if legacy else "Ordinary issues")
            ax.legend(loc="lower left")
        axes[0].set_ylabel("share still unresolved")
        fig.suptitle("Time to resolve firms' difficulties (Kaplan–Meier)")
        source_note(
            fig,
            "One run per scenario on the same seed; open issues are censored at the horizon. Dot: median time, where reached.",
        )
    return fig


def mindset_spillover(models: Mapping[str, object] | pd.DataFrame, baseline: str = "baseline") -> Figure:
    """Department service speed faced by placed and never-placed firms, per scenario (P6).

    ``models``: ``{scenario: model}`` of runs on the same seed (same firms), or concatenated
    :func:`firm_speed_table` frames.
    """
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
        fig, ax = new_figure(8.8, 0.55 * len(names) + 2.6)
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
                    note += f"  ({100 * (m - base_level):+.1f} pts vs baseline)"
                ax.text(100 * m + 0.6, yi + offset, note, va="center", fontsize=8.5)
        if not math.isnan(base_level):
            ax.axvline(100 * base_level, color=BASELINE_COLOR, ls="--", lw=1)
        ax.set_yticks(y, [scenario_label(n) for n in names])
        ax.grid(axis="y", visible=False)
        right = 100 * table["speed_faced"].max()
        ax.set_xlim(0, right * 1.45)
        ax.set_xlabel("service speed faced: success chance of one ordinary approach to a department (%)")
        ax.set_title("Mindset spillover: faster departments for all firms")
        ax.legend(
            handles=[
                Patch(facecolor="#999999", alpha=0.55, label="never-placed firms"),
                Patch(facecolor="#999999", hatch="//", edgecolor="white", label="placed firms"),
            ],
            loc="upper right",
        )
        source_note(
            fig,
            "End of one run per scenario, same seed; mean over firms of the speed of the departments their issues need; bars: 95% CI over firms.",
        )
    return fig


def trust_network(model, max_firms: int = 120) -> Figure:
    """The trust network at the end of a run, drawn around the district's departments.

    Departments sit on a circle; each cadre sits at its department, coloured by it; each firm
    with a tie sits between the cadres it is tied to (a pair from two departments puts the firm on
    the chord between them), so the drawing shows how placements bridge departments through
    firms. Line darkness and width follow current tie trust; black squares are firms with a strong
    tie. At most ``max_firms`` firms (strongest ties first) are drawn.
    """
    g = sync_trust_graph(model)
    ties = [(u, v, d) for u, v, d in g.edges(data=True) if d.get("kind") == "tie"]
    with styled():
        fig, ax = new_figure(10.5, 8.6)
        ax.set_axis_off()
        ax.set_aspect("equal")
        ax.set_title(f"The trust network on day {model.day}: {scenario_label(model.scenario_name)}")
        if not ties:
            ax.text(
                0.5,
                0.5,
                "No cadre–firm ties: nobody was placed in this run.",
                ha="center",
                va="center",
                fontsize=13,
                transform=ax.transAxes,
            )
            return fig
        best: dict[str, float] = {}
        firm_cadres: dict[str, list[str]] = {}
        for u, v, d in ties:
            cadre, firm = (u, v) if u.startswith("c") else (v, u)
            best[firm] = max(best.get(firm, 0.0), d["trust"])
            firm_cadres.setdefault(firm, []).append(cadre)
        firms = sorted(best, key=lambda f: (-best[f], f))[:max_firms]
        cadres = sorted({c for f in firms for c in firm_cadres[f]}, key=lambda c: int(c[1:]))
        n_dept = len(DEPARTMENTS)
        angle = {d: 2 * math.pi * k / n_dept + math.pi / 2 for k, d in enumerate(DEPARTMENTS)}
        palette = [matplotlib_cmap("tab20")(k % 20) for k in range(n_dept)]
        dept_color = dict(zip(DEPARTMENTS, palette, strict=True))
        by_dept: dict[str, list[str]] = {}
        for c in cadres:
            by_dept.setdefault(g.nodes[c]["department"], []).append(c)
        pos: dict[str, tuple[float, float]] = {}
        width = 2 * math.pi / n_dept * 0.8
        for d, members in by_dept.items():
            for k, c in enumerate(members):
                a = angle[d] + width * ((k + 0.5) / len(members) - 0.5)
                r = 1.0 - 0.05 * (k % 3)
                pos[c] = (r * math.cos(a), r * math.sin(a))
        rng = np.random.default_rng(0)
        for f in firms:
            xy = np.mean([pos[c] for c in firm_cadres[f] if c in pos], axis=0) * 0.82 + rng.normal(0, 0.012, 2)
            pos[f] = (float(xy[0]), float(xy[1]))
        for f in firms:
            for c in firm_cadres[f]:
                t = float(g.edges[c, f]["trust"])
                ax.plot(
                    [pos[c][0], pos[f][0]],
                    [pos[c][1], pos[f][1]],
                    color=(0.2, 0.2, 0.2, 0.08 + 0.5 * t),
                    lw=0.3 + 1.4 * t,
                    zorder=1,
                )
        threshold = model.cfg.trust.strong_tie_threshold
        fx = np.array([pos[f] for f in firms])
        strong = np.array([best[f] >= threshold for f in firms])
        ax.scatter(
            fx[~strong, 0], fx[~strong, 1], marker="s", s=22, c="white", edgecolors="black", linewidths=0.8, zorder=3
        )
        ax.scatter(fx[strong, 0], fx[strong, 1], marker="s", s=22, c="black", zorder=3)
        cx = np.array([pos[c] for c in cadres])
        ax.scatter(
            cx[:, 0],
            cx[:, 1],
            s=20,
            c=[dept_color[g.nodes[c]["department"]] for c in cadres],
            edgecolors="white",
            linewidths=0.4,
            zorder=4,
        )
        for d in DEPARTMENTS:
            a = angle[d]
            count = len(by_dept.get(d, []))
            ha = "left" if math.cos(a) > 0.15 else "right" if math.cos(a) < -0.15 else "center"
            ax.text(
                1.1 * math.cos(a),
                1.1 * math.sin(a),
                f"{d.replace('_', ' ')} ({count})",
                ha=ha,
                va="center",
                fontsize=8.5,
                color=dept_color[d],
                weight="bold",
            )
        ax.set_xlim(-1.75, 1.75)
        ax.set_ylim(-1.25, 1.25)
        handles = [
            Line2D(
                [],
                [],
                marker="o",
                ls="",
                mfc="#888888",
                mec="white",
                ms=7,
                label="cadre, at and coloured by its department (count)",
            ),
            Line2D(
                [],
                [],
                marker="s",
                ls="",
                mfc="black",
                mec="black",
                ms=7,
                label=f"firm with a strong tie (trust ≥ {threshold:g})",
            ),
            Line2D([], [], marker="s", ls="", mfc="white", mec="black", ms=7, label="firm with weaker ties only"),
            Line2D([], [], color="#333333", lw=1.6, label="cadre–firm tie (darker = more trust)"),
        ]
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, -0.08), ncols=2, fontsize=8.5)
        source_note(
            fig,
            f"{len(firms):,} of {len(best):,} firms with ties shown (strongest first) and their {len(cadres):,} cadres. A firm sits between the departments of its cadres.",
        )
    return fig


def matplotlib_cmap(name: str):
    from matplotlib import colormaps

    return colormaps[name]
