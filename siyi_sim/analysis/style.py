"""One look for every figure of a briefing: the Agg backend, readable sizes, fixed scenario colours.

Why a module of its own: a district committee sees the same scenario in the same colour on every
page, with plain-English labels. Chinese program terms appear in matplotlib only when a font
with CJK glyphs is installed (no tofu boxes); otherwise they appear in the HTML text only.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # figures are files, never windows

import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.figure import Figure

#: Program terms: English as shown in figures, original Chinese for HTML and CJK-capable figures.
TERMS = {
    "program": ("Four Helps, One Experience", "四帮一体验"),
    "clear_not_close": ("clear but not close", "清有余而亲不足"),
    "clear_and_close": ("clear and close", "清上加亲"),
    "clear": ("clear", "清"),
    "close": ("close", "亲"),
    "ordering": ("enterprise ordering", "点菜"),
    "five_ones": ("five ones", "五个一"),
}

SCENARIO_LABELS = {
    "baseline": "Baseline (no placements)",
    "campaign_2020": "2020 campaign",
    "normalized_promotion": "Normalised: placed after promotion",
    "campaign_then_normalized": "Campaign, then normalised",
    "random_matching": "Random matching",
    "placement_7d": "7-day placements",
    "placement_30d": "30-day placements",
    "no_follow_up": "No follow-up duty",
    "no_policy_desk": "No policy desk",
    "no_safeguards": "No safeguards",
    "formality": "Formality (no checks)",
    "same_department_pairs": "Same-department pairs",
}

#: Metric labels with units, used on axes and in tables.
METRIC_LABELS = {
    "program_issues_resolved": "Issues solved by placed cadres (count)",
    "program_policies_matched": "Policies connected by cadres (count)",
    "program_subsidy_yuan": "Subsidies via cadres (yuan)",
    "program_loans_yuan": "Loans via cadres (yuan)",
    "program_hires": "Hires via cadres (workers)",
    "cadres_placed": "Cadres placed (count)",
    "enterprises_served": "Enterprises served (count)",
    "issues_resolved_total": "Issues solved, all channels (count)",
    "legacy_issues_resolved": "Legacy issues solved (count)",
    "median_days_to_resolve": "Median time to resolve (days)",
    "mean_owner_trust": "Mean owner trust in government (0-1)",
    "strong_tie_share": "Firms with a strong cadre tie (share)",
    "clear_index": "Clear index (1 = no improper exchange)",
    "integrity_incidents": "Integrity incidents (count)",
    "five_ones_completion": "Five-ones completion (share)",
    "mean_cadre_attitude": "Mean cadre service attitude (0-1)",
    "mean_department_speed": "Department service speed (success prob. per approach)",
    "owner_meeting_attendance": "Owner attendance at meetings (share)",
    "absence_rate": "Cadre absence rate (share of days)",
}

BASELINE_COLOR = "#7f7f7f"
ACCENT = "#b2182b"  # campaign red
_PALETTE = [
    "#b2182b",
    "#2166ac",
    "#1b7837",
    "#e08214",
    "#762a83",
    "#35978f",
    "#c51b7d",
    "#8c510a",
    "#4d4d4d",
    "#5aae61",
    "#9970ab",
    "#d6604d",
]
_FIXED = {"baseline": BASELINE_COLOR, "campaign_2020": ACCENT}

RC = {
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.edgecolor": "#444444",
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.7,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 9.5,
    "legend.frameon": False,
    "figure.titlesize": 15,
    "figure.titleweight": "bold",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial"],
}


@functools.cache
def cjk_font() -> str | None:
    """Name of an installed font with CJK glyphs, or None (then figures stay English-only)."""
    wanted = (
        "Noto Sans CJK",
        "Noto Sans SC",
        "Source Han Sans",
        "WenQuanYi",
        "SimHei",
        "Microsoft YaHei",
        "PingFang",
        "AR PL",
        "Droid Sans Fallback",
    )
    for font in font_manager.fontManager.ttflist:
        if any(font.name.startswith(w) for w in wanted):
            return font.name
    return None


def term(key: str, chinese: bool | None = None) -> str:
    """'clear but not close' or, where CJK glyphs can be drawn, 'clear but not close (清有余而亲不足)'."""
    english, original = TERMS[key]
    show = cjk_font() is not None if chinese is None else chinese
    return f"{english} ({original})" if show else english


def html_term(key: str) -> str:
    english, original = TERMS[key]
    return f'{english} (<span lang="zh">{original}</span>)'


def scenario_label(name: str) -> str:
    return SCENARIO_LABELS.get(name, name.replace("_", " "))


def metric_label(name: str) -> str:
    return METRIC_LABELS.get(name, name.replace("_", " "))


def scenario_colors(names) -> dict[str, str]:
    """Stable colours: baseline grey, campaign red, others from the palette in order of appearance."""
    colors, free = {}, [c for c in _PALETTE if c not in _FIXED.values()]
    for name in names:
        if name in _FIXED:
            colors[name] = _FIXED[name]
        else:
            colors[name] = free[len([n for n in colors if n not in _FIXED]) % len(free)]
    return colors


def new_figure(width: float = 8.0, height: float = 5.0, **subplots) -> tuple[Figure, object]:
    """A Figure (not attached to pyplot, so nothing leaks between calls) with our style."""
    with plt.rc_context(RC):
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(**subplots)
    return fig, axes


@contextlib.contextmanager
def styled():
    """Apply the style while a figure is drawn (fonts are resolved at draw time)."""
    rc = dict(RC)
    if cjk_font():
        rc["font.sans-serif"] = [*RC["font.sans-serif"], cjk_font()]
    with plt.rc_context(rc):
        yield


def source_note(fig: Figure, text: str) -> None:
    """Small grey provenance line under the plot."""
    fig.supxlabel(text, x=0.01, ha="left", fontsize=8, color="#666666")  # inside constrained layout


def png_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    with styled():
        fig.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def save_png(fig: Figure, path: str | os.PathLike) -> Path:
    """Write the figure as PNG through a temporary file and rename (never half a file)."""
    path = Path(path)
    atomic_write_bytes(path, png_bytes(fig))
    return path


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to a hidden temporary file beside ``path``, then rename it over ``path``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
