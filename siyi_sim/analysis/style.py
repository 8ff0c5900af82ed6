"""One look for every figure of a briefing: the Agg backend, readable sizes, fixed scenario colours,
and the language of the labels.

Why a module of its own: a district committee sees the same scenario in the same colour on every
page, with labels in its own language. Indicator labels come from the registry
(``siyi_sim.metrics``); this module holds only what is not an indicator: scenario names,
program terms, departments. Chinese figures need a font with CJK glyphs; without one,
:func:`figure_lang` falls back to English with a one-line warning, so a figure never shows boxes.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import warnings
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # figures are files, never windows

import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.figure import Figure

from ..io import atomic_write_bytes
from ..metrics import axis_label, check_lang

__all__ = [
    "ACCENT",
    "BASELINE_COLOR",
    "atomic_write_bytes",
    "cjk_font",
    "department_label",
    "figure_lang",
    "html_term",
    "metric_label",
    "new_figure",
    "png_bytes",
    "save_figure",
    "save_png",
    "scenario_colors",
    "scenario_label",
    "source_note",
    "styled",
    "svg_bytes",
    "term",
    "tr",
]

#: Program terms: English, and the seed's Chinese wording.
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
    "baseline": ("Baseline (no placements)", "基线（无干部进驻）"),
    "campaign_2020": ("2020 campaign", "2020年集中活动"),
    "normalized_promotion": ("Normalised: placed after promotion", "常态化：提拔后进驻"),
    "campaign_then_normalized": ("Campaign, then normalised", "集中活动后转常态化"),
    "random_matching": ("Random matching", "随机匹配（不点菜）"),
    "placement_7d": ("7-day placements", "进驻7天"),
    "placement_30d": ("30-day placements", "进驻30天"),
    "no_follow_up": ("No follow-up duty", "无跟踪办理"),
    "no_policy_desk": ("No policy desk", "无政策对接专班"),
    "no_safeguards": ("No safeguards", "无纪律保障"),
    "formality": ("Formality (no checks)", "走过场（无督查）"),
    "same_department_pairs": ("Same-department pairs", "同部门结对"),
}

DEPARTMENT_LABELS = {
    "ecology_environment": ("Ecology & environment", "生态环境局"),
    "planning_natural_resources": ("Planning & natural resources", "规划自然资源局"),
    "housing_urban_rural": ("Housing & urban-rural", "住房城乡建委"),
    "market_supervision": ("Market supervision", "市场监管局"),
    "human_resources_social_security": ("HR & social security", "人力社保局"),
    "tax": ("Tax", "税务局"),
    "finance_office": ("Finance office", "金融办"),
    "economy_information": ("Economy & information", "经济信息委"),
    "science_technology": ("Science & technology", "科技局"),
    "commerce": ("Commerce", "商务委"),
    "emergency_management": ("Emergency management", "应急管理局"),
    "education": ("Education", "教委"),
    "health": ("Health", "卫生健康委"),
    "agriculture": ("Agriculture", "农业农村委"),
    "transport": ("Transport", "交通局"),
    "water_resources": ("Water resources", "水利局"),
    "state_assets": ("State assets", "国资委"),
    "organization_department": ("Organization department", "组织部"),
    "banks": ("Banks", "银行"),
    "utilities": ("Utilities", "水电气讯企业"),
}

BASELINE_COLOR = "#7f7f7f"
ACCENT = "#b2182b"  # campaign red
BETTER_COLOR = "#1b7837"
WORSE_COLOR = "#b2182b"
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

#: Fonts with CJK glyphs, most wanted first (Debian: fonts-noto-cjk).
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Noto Sans CJK",
    "Source Han Sans",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "AR PL UMing CN",
    "Droid Sans Fallback",
)

RC: dict[str, Any] = {
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
    "svg.fonttype": "path",  # SVGs carry their glyphs: no font needed to view them
    "axes.unicode_minus": False,  # U+2212 is missing from some CJK fonts
}


@functools.cache
def cjk_font() -> str | None:
    """Name of an installed font with CJK glyphs, or None."""
    names = {font.name for font in font_manager.fontManager.ttflist}
    for wanted in CJK_FONTS:
        if wanted in names:
            return wanted
    for font in sorted(names):
        if any(font.startswith(w) for w in CJK_FONTS):
            return font
    return None


def figure_lang(lang: str = "en") -> str:
    """The language figures can be drawn in: ``lang``, or "en" (with one warning) when Chinese
    is asked for but no CJK font is installed."""
    if check_lang(lang) == "zh" and cjk_font() is None:
        warnings.warn(
            "no CJK font installed (e.g. Debian fonts-noto-cjk): figures fall back to English labels",
            stacklevel=2,
        )
        return "en"
    return lang


def tr(lang: str, en: str, zh: str) -> str:
    """The text in the figure's language."""
    return zh if lang == "zh" else en


def term(key: str, lang: str = "en") -> str:
    """A program term: 'clear but not close', or in Chinese '清有余而亲不足'."""
    english, original = TERMS[key]
    return original if lang == "zh" else english


def html_term(key: str, lang: str = "en") -> str:
    english, original = TERMS[key]
    if lang == "zh":
        return original
    return f'{english} (<span lang="zh">{original}</span>)'


def scenario_label(name: str, lang: str = "en") -> str:
    if name in SCENARIO_LABELS:
        return SCENARIO_LABELS[name][1 if lang == "zh" else 0]
    return name.replace("_", " ")


def department_label(name: str, lang: str = "en") -> str:
    if name in DEPARTMENT_LABELS:
        return DEPARTMENT_LABELS[name][1 if lang == "zh" else 0]
    return name.replace("_", " ")


def metric_label(name: str, lang: str = "en") -> str:
    """An indicator's label with its unit, from the registry (unknown keys: the key itself)."""
    try:
        return axis_label(name, lang)
    except ValueError:
        return name.replace("_", " ")


def scenario_colors(names) -> dict[str, str]:
    """Stable colours: baseline grey, campaign red, others from the palette in order of appearance."""
    colors, free = {}, [c for c in _PALETTE if c not in _FIXED.values()]
    for name in names:
        if name in _FIXED:
            colors[name] = _FIXED[name]
        else:
            colors[name] = free[len([n for n in colors if n not in _FIXED]) % len(free)]
    return colors


def _rc() -> dict:
    rc = dict(RC)
    font = cjk_font()
    if font:  # a named list, not the generic family: matplotlib falls back glyph by glyph only along a list
        rc["font.sans-serif"] = [*RC["font.sans-serif"], font]
        rc["font.family"] = ["DejaVu Sans", font]
    return rc


def new_figure(width: float = 8.0, height: float = 5.0, **subplots: Any) -> tuple[Figure, Any]:
    """A Figure (not attached to pyplot, so nothing leaks between calls) with our style."""
    with plt.rc_context(_rc()):
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(**subplots)
    return fig, axes


@contextlib.contextmanager
def styled():
    """Apply the style while a figure is drawn (fonts are resolved at draw time); the CJK font is a
    fallback after DejaVu Sans, so Latin text keeps its look and Chinese finds its glyphs."""
    with plt.rc_context(_rc()):
        yield


def source_note(fig: Figure, text: str) -> None:
    """Small grey provenance line under the plot."""
    fig.supxlabel(text, x=0.01, ha="left", fontsize=8, color="#666666")  # inside constrained layout


def _bytes(fig: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    with styled():
        fig.savefig(buffer, format=fmt, bbox_inches="tight", metadata={"Date": None} if fmt == "svg" else None)
    return buffer.getvalue()


def png_bytes(fig: Figure) -> bytes:
    return _bytes(fig, "png")


def svg_bytes(fig: Figure) -> bytes:
    return _bytes(fig, "svg")


def save_png(fig: Figure, path: str | os.PathLike) -> Path:
    """Write the figure as PNG through a temporary file and rename (never half a file)."""
    path = Path(path)
    atomic_write_bytes(path, png_bytes(fig))
    return path


def save_figure(fig: Figure, stem: str | os.PathLike) -> list[Path]:
    """Write ``stem.png`` and ``stem.svg`` (each atomically); returns both paths."""
    stem = Path(stem)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    atomic_write_bytes(paths[0], png_bytes(fig))
    atomic_write_bytes(paths[1], svg_bytes(fig))
    return paths
