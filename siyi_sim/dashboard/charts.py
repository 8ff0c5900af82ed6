"""The dashboard's charts as ECharts options (plain dicts), drawn by the browser.

Why ECharts and not matplotlib PNGs: a step must render well under a second at the default
population. Drawing four matplotlib figures cost 0.5–1 s per step on a 2-core machine; building
these dicts costs a few milliseconds, the browser draws them on a canvas, and officials get
tooltips and zoom for free. ECharts ships with ``solara-assets``, so nothing comes from the net.

Every function takes snapshots (see :mod:`.session`): the first is the run in focus, the second the
reference (the baseline on the Watch page, scenario B on the Compare page).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .session import Snapshot

INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"
WATCH_COLORS = ("#1d4ed8", "#9ca3af")  # run in focus: blue; baseline: grey
COMPARE_COLORS = ("#1d4ed8", "#c2410c")  # scenario A: blue; scenario B: orange
FONT = (
    "Roboto, 'Helvetica Neue', Arial, 'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
)
#: Trust colour scale for ties, weak → strong (ColorBrewer YlGnBu).
TRUST_STOPS = ("#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84")
#: Trust classes for drawing ties (each class one colour and width).
TRUST_CLASSES = (0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 1.0000001)
#: 20 distinguishable mid-tone colours, one per department.
DEPARTMENT_COLORS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    "#393b79", "#ad494a", "#637939", "#8c6d31", "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363",
)  # fmt: skip


NETWORK_CAPTION = (
    "{cadres} cadres · {firms} firms · {ties} cadre–firm ties ({strong} with trust ≥ 0.6) · "
    "{pairs} cross-department pairs"
)  # fmt: skip
#: The charts' own words in Chinese (indicator names follow the registry in :mod:`siyi_sim.metrics`).
ZH = {
    "day of the run": "模拟第几天",
    "Issues resolved (cumulative)": "解决困难问题（累计）",
    "through the placement program": "通过进驻干部（四帮一体验）",
    "through ordinary channels": "通过常规渠道",
    "Closeness: owner trust and strong ties": "亲：企业主信任与紧密联系",
    "mean owner trust in government [0–1]": "企业主对政府的平均信任度 [0–1]",
    "firms with a cadre tie of trust ≥ 0.6 (%)": "与干部信任度 ≥ 0.6 的企业占比（%）",
    "Clear–close position": "清亲位置",
    "dotted cross: {label} today · upper right = closer and as clean": (
        "虚线十字：{label} 当前位置 · 右上 = 更亲且同样清"
    ),
    "close: firms with a strong cadre tie (%)": "亲：与干部紧密联系的企业占比（%）",
    "clear index": "清廉指数",
    "closer and as clean ✓": "更亲且同样清 ✓",
    "closer but less clean": "更亲但不够清",
    "clear but not close": "清而不亲",
    "Trust network — {label}, day {day}": "信任网络 — {label}，第 {day} 天",
    NETWORK_CAPTION: (
        "{cadres} 名干部 · {firms} 户企业 · {ties} 条干部–企业联系（{strong} 条信任度 ≥ 0.6）· {pairs} 对跨部门组合"
    ),
    "tie trust  0": "联系信任度  0",
    "The baseline places no cadres": "基准情景不派干部进企业",
    "No cadre placed yet": "尚无干部进驻",
}


def words(text: str, lang: str = "en", **values) -> str:
    """``text`` in ``lang`` (English is the key), with ``values`` filled in."""
    return (ZH.get(text, text) if lang == "zh" else text).format(**values)


def trust_color(trust: float) -> str:
    """Hex colour of a tie of trust ``trust`` ∈ [0,1] on :data:`TRUST_STOPS`."""
    t = min(max(float(trust), 0.0), 1.0) * (len(TRUST_STOPS) - 1)
    i = min(int(t), len(TRUST_STOPS) - 2)
    f = t - i
    a, b = TRUST_STOPS[i], TRUST_STOPS[i + 1]
    rgb = [round(int(a[k : k + 2], 16) * (1 - f) + int(b[k : k + 2], 16) * f) for k in (1, 3, 5)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _base(title: str, subtitle: str = "") -> dict:
    return {
        "animation": False,
        "textStyle": {"fontFamily": FONT, "color": INK},
        "title": {
            "text": title,
            "subtext": subtitle,
            "left": 8,
            "top": 2,
            "textStyle": {"fontSize": 14, "fontWeight": 600, "color": INK},
            "subtextStyle": {"fontSize": 11, "color": MUTED},
        },
        "tooltip": {"trigger": "axis", "confine": True},
    }


def _points(snapshot: Snapshot, column: str, scale: float = 1.0, digits: int = 4) -> list[list[float]]:
    """``[[day, value], ...]`` of a daily column; day ``d`` is the state after ``d`` steps."""
    daily = snapshot.daily
    if column not in daily or daily.empty:
        return []
    days = np.asarray(daily.index, dtype=float) + 1.0
    values = np.asarray(daily[column], dtype=float) * scale
    return [[int(d), round(float(v), digits)] for d, v in zip(days, values, strict=True) if math.isfinite(v)]


def _time_axes(horizon: int, panels: int, lang: str = "en") -> tuple[list[dict], list[dict]]:
    xs, ys = [], []
    for k in range(panels):
        last = k == panels - 1
        xs.append(
            {
                "type": "value",
                "gridIndex": k,
                "min": 0,
                "max": max(int(horizon), 1),
                "axisLabel": {"show": last, "color": MUTED},
                "name": words("day of the run", lang) if last else "",
                "nameLocation": "middle",
                "nameGap": 24,
                "splitLine": {"lineStyle": {"color": GRID}},
            }
        )
        ys.append(
            {
                "type": "value",
                "gridIndex": k,
                "scale": False,
                "axisLabel": {"color": MUTED},
                "splitLine": {"lineStyle": {"color": GRID}},
                "nameTextStyle": {"color": MUTED, "align": "left"},
            }
        )
    return xs, ys


def _panels(
    title: str,
    panels: list[tuple[str, str, float, int, bool]],
    snapshots: Sequence[Snapshot],
    colors: Sequence[str],
    height: int,
    lang: str = "en",
) -> dict:
    """Stacked time-series panels sharing the day axis; one line per run in each panel.

    Layout in pixels for a chart ``height`` px tall: title, legend, then per panel a caption
    above its plot, and the day axis under the last panel.
    """
    option = _base(words(title, lang))
    n = len(panels)
    top, bottom, caption, gap = 50, 40, 16, 10
    plot = max((height - top - bottom - n * caption - (n - 1) * gap) / n, 30)
    tops = [top + k * (caption + plot + gap) + caption for k in range(n)]
    option["grid"] = [{"left": 58, "right": 18, "top": round(t), "height": round(plot)} for t in tops]
    option["xAxis"], option["yAxis"] = _time_axes(max(s.horizon for s in snapshots), n, lang)
    option["title"] = [option["title"]] + [
        {
            "text": words(label, lang),
            "left": 58,
            "top": round(t - caption),
            "textStyle": {"fontSize": 11, "fontWeight": "normal", "color": MUTED},
        }
        for t, (label, *_) in zip(tops, panels, strict=True)
    ]
    series = []
    for k, (_, column, scale, digits, from_zero) in enumerate(panels):
        option["yAxis"][k]["scale"] = not from_zero
        for j, snap in enumerate(snapshots):
            series.append(
                {
                    "name": snap.label,
                    "type": "line",
                    "xAxisIndex": k,
                    "yAxisIndex": k,
                    "showSymbol": False,
                    "data": _points(snap, column, scale, digits),
                    "lineStyle": {
                        "width": 2.4 if j == 0 else 1.8,
                        "type": "solid" if j == 0 else "dashed",
                        "color": colors[j],
                    },
                    "itemStyle": {"color": colors[j]},
                    "z": 3 if j == 0 else 2,
                }
            )
    option["series"] = series
    option["legend"] = {
        "top": 26,
        "left": 4,
        "itemHeight": 8,
        "textStyle": {"color": INK, "fontSize": 11},
        "data": [s.label for s in snapshots],
    }
    option["axisPointer"] = {"link": [{"xAxisIndex": "all"}]}
    return option


def issues_chart(
    snapshots: Sequence[Snapshot], colors: Sequence[str] = WATCH_COLORS, height: int = 320, lang: str = "en"
) -> dict:
    """Cumulative issues resolved: the program (placed cadres during placement, follow-up and
    through ties) in the upper panel, the ordinary channels (firms on their own) below."""
    return _panels(
        "Issues resolved (cumulative)",
        [
            ("through the placement program", "issues_resolved_program", 1.0, 0, True),
            ("through ordinary channels", "issues_resolved_ordinary", 1.0, 0, True),
        ],
        snapshots,
        colors,
        height,
        lang,
    )


def closeness_chart(
    snapshots: Sequence[Snapshot], colors: Sequence[str] = WATCH_COLORS, height: int = 320, lang: str = "en"
) -> dict:
    """Owners' mean trust in government, and the share of firms with a strong cadre tie ('close')."""
    return _panels(
        "Closeness: owner trust and strong ties",
        [
            ("mean owner trust in government [0–1]", "mean_owner_trust", 1.0, 4, False),
            ("firms with a cadre tie of trust ≥ 0.6 (%)", "strong_tie_share", 100.0, 2, True),
        ],
        snapshots,
        colors,
        height,
        lang,
    )


def clear_close_chart(snapshots: Sequence[Snapshot], colors: Sequence[str] = WATCH_COLORS, lang: str = "en") -> dict:
    """Where each run stands on 'close' (strong-tie share) and 'clear' (clear index), with its path.

    The reference run's current position (dotted cross) splits the plane; the program's aim is the
    upper right: closer to firms than the reference, and as clean.
    """
    option = _base(
        words("Clear–close position", lang),
        words("dotted cross: {label} today · upper right = closer and as clean", lang, label=snapshots[-1].label),
    )
    option["tooltip"] = {"trigger": "item", "confine": True}
    option["grid"] = {"left": 64, "right": 22, "top": 64, "bottom": 48}
    ys, xs, series = [], [], []
    for j, snap in enumerate(snapshots):
        close = _points(snap, "strong_tie_share", 100.0, 3)
        clear = _points(snap, "clear_index", 1.0, 5)
        path = [[c[1], k[1], c[0]] for c, k in zip(close, clear, strict=False)]
        xs += [p[0] for p in path]
        ys += [p[1] for p in path]
        series.append(
            {
                "name": snap.label,
                "type": "line",
                "showSymbol": False,
                "data": path,
                "lineStyle": {
                    "color": colors[j],
                    "width": 1.2 if j == 0 else 1.6,
                    "opacity": 0.5 if j == 0 else 0.8,
                    "type": "solid" if j == 0 else "dashed",
                },
                "tooltip": {"show": False},
                "z": 2 if j == 0 else 3,
            }
        )
        if path:
            series.append(
                {
                    "name": snap.label,
                    "type": "scatter",
                    # the second run is a smaller diamond drawn on top, so a shared position shows both
                    "symbol": "circle" if j == 0 else "diamond",
                    "symbolSize": 16 if j == 0 else 12,
                    "data": [path[-1]],
                    "itemStyle": {"color": colors[j], "borderColor": "#fff", "borderWidth": 2},
                    "label": {  # first run's label right of its marker, the second's left: never on each other
                        "show": True,
                        "position": "right" if j == 0 else "left",
                        "distance": 8,
                        "formatter": f"{snap.label}",
                        "color": colors[j] if j == 0 else INK,
                        "fontSize": 11,
                        "backgroundColor": "rgba(255,255,255,0.85)",
                        "padding": [1, 3],
                    },
                    "labelLayout": {"hideOverlap": False, "moveOverlap": "shiftY"},
                    "z": 4 if j == 0 else 5,
                }
            )
    ref = snapshots[-1]
    ref_close, ref_clear = _points(ref, "strong_tie_share", 100.0, 3), _points(ref, "clear_index", 1.0, 5)
    if len(snapshots) > 1 and ref_close:
        series.append(
            {
                "type": "line",
                "data": [],
                "markLine": {
                    "silent": True,
                    "symbol": "none",
                    "lineStyle": {"color": MUTED, "type": "dotted", "width": 1},
                    "label": {"show": False},
                    "data": [{"xAxis": ref_close[-1][1]}, {"yAxis": ref_clear[-1][1]}],
                },
            }
        )
    y_lo = min(min(ys, default=1.0), 0.99)
    y_lo = math.floor(max(0.0, y_lo - 0.2 * (1.0 - y_lo) - 0.001) * 1000) / 1000
    option["xAxis"] = {
        "type": "value",
        "min": 0,
        "max": max(5.0, math.ceil(max(xs, default=0.0) * 1.25)),
        "name": words("close: firms with a strong cadre tie (%)", lang),
        "nameLocation": "middle",
        "nameGap": 26,
        "axisLabel": {"color": MUTED},
        "splitLine": {"lineStyle": {"color": GRID}},
    }
    option["yAxis"] = {
        "type": "value",
        "min": y_lo,
        "max": 1.0,
        "name": words("clear index", lang),
        "nameLocation": "middle",
        "nameGap": 48,
        "axisLabel": {"color": MUTED, "showMinLabel": False},  # the minimum is not a round tick: it would overlap
        "splitLine": {"lineStyle": {"color": GRID}},
    }
    option["series"] = series
    option["graphic"] = [
        {
            "type": "text",
            "right": 28,
            "top": 70,
            "style": {"text": words("closer and as clean ✓", lang), "fill": "#15803d", "fontSize": 11},
        },
        {
            "type": "text",
            "right": 28,
            "bottom": 56,
            "style": {"text": words("closer but less clean", lang), "fill": "#b91c1c", "fontSize": 11},
        },
        {
            "type": "text",
            "left": 72,
            "top": 70,
            "style": {"text": words("clear but not close", lang), "fill": MUTED, "fontSize": 11},
        },
    ]
    return option


def network_chart(snapshot: Snapshot, title: str | None = None, height: int = 640, lang: str = "en") -> dict:
    """The placed part of the trust network (only nodes with a tie are drawn).

    Cadres sit on a ring grouped by department (coloured arcs, fixed positions); a firm sits
    between the cadres tied to it, so a cross-department placement reads as a chord with its firm
    in the middle. Ties are coloured and thickened by current trust, strong ties on top.
    ``height`` is the chart's height in pixels: the ring is drawn in a centred square that fits it.
    """
    net = snapshot.network
    option = _base(title or words("Trust network — {label}, day {day}", lang, label=snapshot.label, day=snapshot.day))
    option["tooltip"] = {"trigger": "item", "confine": True}
    side = max(int(height) - 52 - 26, 100)
    option["grid"] = {"left": "center", "top": 52, "width": side, "height": side}
    lim = 1.75
    option["xAxis"] = {"type": "value", "min": -lim, "max": lim, "show": False}
    option["yAxis"] = {"type": "value", "min": -lim, "max": lim, "show": False}
    series: list[dict] = []
    # department arcs and labels
    labels = []
    for d, (name, angle, span) in enumerate(
        zip(net.departments, net.department_angles, net.department_spans, strict=False)
    ):
        arc = np.linspace(angle - span / 2, angle + span / 2, 16)
        color = DEPARTMENT_COLORS[d % len(DEPARTMENT_COLORS)]
        series.append(
            {
                "type": "line",
                "data": [[round(1.045 * math.cos(a), 4), round(1.045 * math.sin(a), 4)] for a in arc],
                "showSymbol": False,
                "silent": True,
                "lineStyle": {"color": color, "width": 5, "cap": "butt"},
                "z": 1,
                "tooltip": {"show": False},
            }
        )
        degrees = math.degrees(angle)
        left_side = math.cos(angle) < 0
        labels.append(
            {
                "value": [round(1.1 * math.cos(angle), 4), round(1.1 * math.sin(angle), 4)],
                "name": name.replace("_", " "),
                "label": {
                    "show": True,
                    "formatter": "{b}",
                    "rotate": round(degrees + (180 if left_side else 0), 1),
                    "position": "left" if left_side else "right",
                    "distance": 0,
                    "fontSize": 9.5,
                    "color": INK,
                },
            }
        )
    series.append(
        {"type": "scatter", "data": labels, "symbolSize": 0, "silent": True, "tooltip": {"show": False}, "z": 1}
    )
    # ties (cadre–firm) in trust classes, weakest first so strong ties are drawn on top; one
    # series per class keeps the option small (a few tens of kB at the default population)
    n_classes = len(TRUST_CLASSES) - 1
    tie_class = np.clip(np.searchsorted(TRUST_CLASSES, net.tie_trust, side="right") - 1, 0, n_classes - 1)
    for c in range(n_classes):
        rows = np.flatnonzero(tie_class == c)
        if not rows.size:
            continue
        mid = 0.5 * (TRUST_CLASSES[c] + TRUST_CLASSES[c + 1])
        start_xy = np.round(net.cadre_xy[net.tie_cadre[rows]], 3).tolist()
        end_xy = np.round(net.firm_xy[net.tie_firm[rows]], 3).tolist()
        series.append(
            {
                "name": f"ties, trust {TRUST_CLASSES[c]:.1f}–{TRUST_CLASSES[c + 1]:.1f}",
                "type": "lines",
                "coordinateSystem": "cartesian2d",
                "data": [{"coords": [a, b]} for a, b in zip(start_xy, end_xy, strict=True)],
                "lineStyle": {
                    "color": trust_color(mid),
                    "width": round(0.4 + 1.6 * mid * mid, 2),
                    "opacity": round(0.3 + 0.6 * mid, 2),
                    "curveness": 0.12,
                },
                "silent": True,
                "z": 2,
            }
        )
    # nodes: firms, then cadres by department (hover shows the department)
    if len(net.firm_xy):
        series.append(
            {
                "name": "enterprises",
                "type": "scatter",
                "symbol": "rect",
                "symbolSize": 4,
                "data": np.round(net.firm_xy, 3).tolist(),
                "itemStyle": {"color": "#111827"},
                "z": 3,
                "tooltip": {"formatter": "enterprise"},
            }
        )
    for d, name in enumerate(net.departments):
        rows = np.flatnonzero(net.cadre_department == d)
        if rows.size:
            pretty = name.replace("_", " ")
            series.append(
                {
                    "name": pretty,
                    "type": "scatter",
                    "symbolSize": 5,
                    "data": np.round(net.cadre_xy[rows], 3).tolist(),
                    "itemStyle": {"color": DEPARTMENT_COLORS[d % len(DEPARTMENT_COLORS)]},
                    "z": 4,
                    "tooltip": {"formatter": f"cadre · {pretty}"},
                }
            )
    option["series"] = series
    strong = int(np.sum(net.tie_trust >= 0.6))
    n_cadres = len(net.cadre_xy)
    caption = words(
        NETWORK_CAPTION,
        lang,
        cadres=f"{n_cadres:,}",
        firms=f"{len(net.firm_xy):,}",
        ties=f"{len(net.tie_trust):,}",
        strong=f"{strong:,}",
        pairs=f"{net.pair_count:,}",
    )
    option["title"]["subtext"] = caption
    graphic = [
        {
            "type": "text",
            "right": 150,
            "bottom": 8,
            "style": {"text": words("tie trust  0", lang), "fill": MUTED, "fontSize": 10},
        },
        {
            "type": "rect",
            "right": 28,
            "bottom": 9,
            "shape": {"width": 118, "height": 9},
            "style": {
                "fill": {
                    "type": "linear",
                    "x": 0,
                    "y": 0,
                    "x2": 1,
                    "y2": 0,
                    "colorStops": [
                        {"offset": i / (len(TRUST_STOPS) - 1), "color": c} for i, c in enumerate(TRUST_STOPS)
                    ],
                }
            },
        },
        {"type": "text", "right": 14, "bottom": 8, "style": {"text": "1", "fill": MUTED, "fontSize": 10}},
    ]
    if not len(net.tie_trust):
        note = words(
            "The baseline places no cadres" if snapshot.scenario == "baseline" else "No cadre placed yet", lang
        )
        graphic.append(
            {"type": "text", "left": "center", "top": "middle", "style": {"text": note, "fill": MUTED, "fontSize": 13}}
        )
    option["graphic"] = graphic
    return option
