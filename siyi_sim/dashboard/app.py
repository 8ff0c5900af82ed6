"""The Solara app served by ``siyi dashboard``: watch and steer a run; compare two scenarios.

Plain Solara components rather than ``mesa.visualization.SolaraViz``: the page needs a scenario
chooser on top of the levers, a lockstep baseline and a two-scenario view, none of which SolaraViz
models (it builds one model from keyword arguments). Charts are ECharts options built from
immutable snapshots (:mod:`.charts`, :mod:`.session`); the browser needs nothing from the net.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from typing import Any

import solara
import solara.lab

from .. import metrics
from . import charts
from .export import EXPORTS, export_data_url
from .session import (
    BASELINE,
    LEVERS,
    Run,
    Session,
    Snapshot,
    changed_levers,
    current,
    lever_values,
    scenario_description,
    scenario_names,
    summary_rows,
)

DEFAULT_SCENARIO = "campaign_2020"
DEFAULT_COMPARE = ("campaign_2020", "no_safeguards")
DAYS_PER_STEP = [1, 5, 15, 30, 90]
NETWORK_HEIGHT = 640  # px; the network is drawn in a square of this height
COMPARE_NETWORK_HEIGHT = 560
SERIES_HEIGHT = 312  # two of these, with the gap and card padding, match the network's height
COMPARE_SERIES_HEIGHT = 340
CLEAR_CLOSE_HEIGHT = 600  # beside the summary table
#: Seconds between frames while playing: the browser redraws five charts per frame, and frames
#: sent faster than it draws pile up (the page would lag behind and keep moving after Pause).
PLAY_FRAME_S = 0.4

CSS = """
.siyi-page { max-width: 1500px; margin: 0 auto; }
.siyi-kpis { display: flex; flex-wrap: wrap; gap: 10px; margin: 4px 0 10px 0; }
.siyi-kpi { flex: 1 1 150px; background: #f8fafc; border: 1px solid #e2e8f0; border-left: 4px solid #1d4ed8;
            border-radius: 6px; padding: 8px 12px; min-width: 140px; }
.siyi-kpi.program { border-left-color: #b91c1c; }
.siyi-kpi.ordinary { border-left-color: #475569; }
.siyi-kpi.clear { border-left-color: #15803d; }
.siyi-kpi .kpi-label { font-size: 11.5px; color: #475569; text-transform: uppercase; letter-spacing: .03em; }
.siyi-kpi .kpi-value { font-size: 22px; font-weight: 600; color: #0f172a; line-height: 1.3; }
.siyi-kpi .kpi-ref { font-size: 11.5px; color: #64748b; }
.siyi-compact .siyi-kpi { flex: 1 1 90px; min-width: 90px; padding: 6px 8px; }
.siyi-compact .siyi-kpi .kpi-value { font-size: 17px; }
.siyi-compact .siyi-kpi .kpi-label { font-size: 10px; }
.siyi-table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
.siyi-table th { text-align: right; color: #334155; border-bottom: 2px solid #cbd5e1; padding: 4px 8px;
                 font-weight: 600; }
.siyi-table th:first-child, .siyi-table td:first-child { text-align: left; }
.siyi-table td { text-align: right; padding: 2px 8px; border-bottom: 1px solid #eef2f7;
                 font-variant-numeric: tabular-nums; }
.siyi-table tr:hover td { background: #f8fafc; }
.siyi-status { font-size: 13px; color: #334155; }
.siyi-lever-label { font-size: 14px; color: #334155; margin-top: 6px; }
.siyi-note { font-size: 12.5px; color: #64748b; }
.siyi-section { font-size: 13px; font-weight: 600; color: #334155; text-transform: uppercase; letter-spacing: .04em;
                margin-top: 6px; }
.siyi-card { padding: 6px !important; }
.siyi-controls .v-input--switch { margin-top: 0 !important; padding-top: 0 !important; }
.siyi-controls .v-input--switch .v-messages { display: none; }
.siyi-controls .v-input__slot { margin-bottom: 2px !important; }
.siyi-ab-label { font-size: 15px; font-weight: 600; padding: 2px 8px; border-radius: 4px; color: #fff;
                 display: inline-block; }
.siyi-ab-a { background: #1d4ed8; }
.siyi-ab-b { background: #c2410c; }
.siyi-ab-note { font-size: 12.5px; color: #475569; margin-left: 8px; }
.siyi-page, .siyi-page * { font-family: Roboto, "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC",
  "Microsoft YaHei", sans-serif; }
"""

#: Words of the page itself; indicator labels come from the registry (:mod:`siyi_sim.metrics`).
TEXT = {
    "en": {
        "day": "Day",
        "horizon reached": "horizon reached",
        "ended": "ended at its horizon",
        "indicator": "Indicator",
        "summary": "Summary",
        "export": "Export",
        "scenario a": "Scenario A",
        "scenario b": "Scenario B",
        "tab watch": "Watch and steer a run",
        "tab compare": "Compare two scenarios",
        "tab about": "About",
        "days per step": "Days per step",
        "step": "Step",
        "play": "Play",
        "pause": "Pause",
        "reset": "Reset",
        "status": "Day {day} of {horizon} · last step {ms} ms",
        "seed": "Seed",
        "seed both": "Seed (both)",
        "export button": "Export (day {day})",
        "summary heading": "Summary — A day {a}, B day {b}, seed {seed}",
        "current summary": "Current summary — day {day}, seed {seed}, baseline on the same day",
        "all keys": "All summary keys",
        "run minus baseline": "run − baseline",
        "scenario": "Scenario",
        "levers": "Levers",
    },
    "zh": {
        "day": "第几天",
        "horizon reached": "已到模拟期末",
        "ended": "已到本情景模拟期末",
        "indicator": "指标",
        "summary": "汇总",
        "export": "导出",
        "scenario a": "情景 A",
        "scenario b": "情景 B",
        "tab watch": "观察并调整一次运行",
        "tab compare": "比较两个情景",
        "tab about": "说明",
        "days per step": "每步天数",
        "step": "前进",
        "play": "播放",
        "pause": "暂停",
        "reset": "重置",
        "status": "第 {day} 天，共 {horizon} 天 · 上一步 {ms} 毫秒",
        "seed": "随机种子",
        "seed both": "随机种子（两者共用）",
        "export button": "导出（第 {day} 天）",
        "summary heading": "汇总 — A 第 {a} 天，B 第 {b} 天，随机种子 {seed}",
        "current summary": "当前汇总 — 第 {day} 天，随机种子 {seed}，基准情景同日对照",
        "all keys": "全部汇总指标",
        "run minus baseline": "本次运行 − 基准",
        "scenario": "情景",
        "levers": "政策杠杆",
    },
}


# --------------------------------------------------------------------------- stepping hook


class Stepper:
    """Holds a Session across renders; ``lock`` guards swapping it for a rebuilt one."""

    def __init__(self):
        self.session: Session | None = None
        self.reset_pending = False
        self.lock = threading.Lock()


def use_stepper(factory: Callable[[int, list[Run]], Session], key: list[Any]):
    """A session built by ``factory(day, reusable_runs)``; returns (snapshots, controls dict).

    ``key`` lists what the session depends on. When it changes, the session is rebuilt in a
    background thread and replayed to the day it had reached, taking over runs that did not
    change; the page stays live and shows a progress bar meanwhile.
    """
    holder = solara.use_memo(Stepper, [])
    snaps: solara.Reactive[list[Snapshot] | None] = solara.use_reactive(None)
    playing = solara.use_reactive(False)
    days_per_step = solara.use_reactive(1)
    message = solara.use_reactive("")
    resets = solara.use_reactive(0)

    def rebuild() -> None:
        playing.set(False)
        with holder.lock:
            previous = holder.session
            day = 0 if (holder.reset_pending or previous is None) else previous.day
            holder.reset_pending = False
            runs = previous.close() if previous is not None else []
            started = time.perf_counter()
            try:
                session = factory(day, runs)
            except ValueError as err:
                if previous is not None:
                    previous.closed = False
                message.set(f"Cannot build this run: {err}")
                return
            holder.session = session
        snaps.set(session.snapshots())
        message.set(
            f"Rebuilt and replayed to day {session.day} in {time.perf_counter() - started:.1f} s." if day else ""
        )

    building = solara.use_thread(rebuild, dependencies=[*key, resets.value], intrusive_cancel=False)
    busy = building.state in (
        solara.ResultState.INITIAL,
        solara.ResultState.STARTING,
        solara.ResultState.WAITING,
        solara.ResultState.RUNNING,
    )

    def step_once() -> None:
        session = holder.session
        if session is None:
            return
        session.step(days_per_step.value)
        snapshot = session.snapshots()
        with holder.lock:
            if session is holder.session:  # not replaced by a rebuild meanwhile
                snaps.set(snapshot)

    def play_loop(cancel: threading.Event):
        if not playing.value:
            return
        while not cancel.is_set() and playing.value:
            session = holder.session
            if session is None or not session.running or session.closed:
                break
            started = time.perf_counter()
            step_once()
            cancel.wait(max(0.05, PLAY_FRAME_S - (time.perf_counter() - started)))
        if not cancel.is_set():
            playing.set(False)

    solara.use_thread(play_loop, dependencies=[playing.value], intrusive_cancel=False)

    def reset() -> None:
        playing.set(False)
        holder.reset_pending = True
        resets.set(resets.value + 1)

    controls = {
        "step": step_once,
        "reset": reset,
        "playing": playing,
        "days_per_step": days_per_step,
        "message": message,
        "busy": busy,
        "session": holder.session,
    }
    return snaps.value, controls


# --------------------------------------------------------------------------- small pieces


class Opaque:
    """Hands a large value to a component without reacton walking through it.

    reacton scans every prop that is a list, tuple or dict for child elements; a network option
    holds thousands of coordinate pairs, and that scan cost more than everything else in a step.
    """

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


@solara.component
def Chart(option: Opaque, name: str, height: int = 340, data: dict[str, str] | None = None):
    """An ECharts chart; ``data`` becomes ``data-*`` attributes (the plotted latest values).

    The option reaches the widget as an ordinary prop. Setting it on the widget behind reacton's
    back (an earlier, faster version) left reacton holding the first option, which it put back
    whenever any other part of the page re-rendered (an export, a language switch): every chart
    jumped back to day 0.
    """
    attributes = {"style": f"height: {height}px; width: 100%;", "class": f"siyi-chart siyi-chart-{name}"}
    attributes.update({f"data-{key}": value for key, value in (data or {}).items()})
    solara.FigureEcharts(option=option.value, attributes=attributes, responsive=True)


def plotted(snap: Snapshot) -> dict[str, str]:
    """The latest plotted values, exposed on the charts for tests and accessibility tools."""
    return {
        "day": str(snap.day),
        "program": f"{current(snap, 'issues_resolved_program'):.0f}",
        "ordinary": f"{current(snap, 'issues_resolved_ordinary'):.0f}",
        "trust": f"{current(snap, 'mean_owner_trust'):.4f}",
        "strong": f"{current(snap, 'strong_tie_share'):.4f}",
        "clear": f"{current(snap, 'clear_index'):.5f}",
        "ties": str(len(snap.network.tie_trust)),
    }


def _kpi(cls: str, label: str, value: str, ref: str = "") -> str:
    ref_html = f'<div class="kpi-ref">{html.escape(ref)}</div>' if ref else ""
    return (
        f'<div class="siyi-kpi {cls}"><div class="kpi-label">{html.escape(label)}</div>'
        f'<div class="kpi-value">{html.escape(value)}</div>{ref_html}</div>'
    )


KPI_LABELS_EN = {
    "issues_resolved_program": "Program issues resolved",
    "issues_resolved_ordinary": "Ordinary-channel issues",
    "mean_owner_trust": "Mean owner trust",
    "strong_tie_share": "Strong-tie share",
    "clear_index": "Clear index",
}


def kpi_html(snap: Snapshot, ref: Snapshot | None, lang: str = "en") -> str:
    """Current values of the plotted series, with the reference run's value below each.

    English keeps the short card labels; Chinese takes labels and number formats from the
    indicator registry.
    """
    words = TEXT[lang]

    def show(column: str, fmt: str, value: float) -> str:
        return fmt.format(value) if lang == "en" else metrics.format_value(column, value, lang)

    def card(cls: str, column: str, fmt: str) -> str:
        name = KPI_LABELS_EN[column] if lang == "en" else metrics.label(column, lang)
        ref_value = "" if ref is None else f"{ref.label}: {show(column, fmt, current(ref, column))}"
        return _kpi(cls, name, show(column, fmt, current(snap, column)), ref_value)

    ended = "" if snap.running else words["horizon reached"]
    items = [
        _kpi("day", words["day"], f"{snap.day} / {snap.horizon}", ended),
        card("program", "issues_resolved_program", "{:,.0f}"),
        card("ordinary", "issues_resolved_ordinary", "{:,.0f}"),
        card("trust", "mean_owner_trust", "{:.3f}"),
        card("strong", "strong_tie_share", "{:.1%}"),
        card("clear", "clear_index", "{:.4f}"),
    ]
    return '<div class="siyi-kpis">' + "".join(items) + "</div>"


def table_html(
    columns: list[tuple[str, dict]], difference_label: str, everything: bool = False, lang: str = "en"
) -> str:
    rows = summary_rows(columns, everything=everything, lang=lang)
    head = "".join(f"<th>{html.escape(name)}</th>" for name, _ in columns)
    if len(columns) == 2:
        head += f"<th>{html.escape(difference_label)}</th>"
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    indicator = TEXT[lang]["indicator"]
    return f'<table class="siyi-table"><thead><tr><th>{indicator}</th>{head}</tr></thead><tbody>{body}</tbody></table>'


def _unchanged(value: Any) -> Any:
    return value


def ab_heading(index: int, snap: Snapshot, lang: str = "en") -> str:
    """'A · campaign_2020' in A's colour (B in B's), and a note once that run has ended."""
    letter = "AB"[index]
    note = "" if snap.running else f'<span class="siyi-ab-note">{html.escape(TEXT[lang]["ended"])}</span>'
    return (
        f'<div><span class="siyi-ab-label siyi-ab-{letter.lower()}">{letter} · {html.escape(snap.scenario)}</span>'
        f"{note}</div>"
    )


@solara.component
def StepControls(controls: dict, snaps: list[Snapshot] | None, lang: str = "en"):
    playing = controls["playing"]
    busy = controls["busy"]
    running = bool(snaps) and any(s.running for s in snaps or []) and not busy
    with solara.Column(gap="6px"):
        words = TEXT[lang]
        solara.Text(words["days per step"], classes=["siyi-section"])
        solara.ToggleButtonsSingle(
            value=controls["days_per_step"], values=DAYS_PER_STEP, classes=["siyi-days-per-step"]
        )
        with solara.Row(gap="6px"):
            solara.Button(
                words["step"],
                icon_name="mdi-step-forward",
                color="primary",
                on_click=controls["step"],
                disabled=playing.value or not running,
                classes=["siyi-step"],
            )
            solara.Button(
                words["pause"] if playing.value else words["play"],
                icon_name="mdi-pause" if playing.value else "mdi-play",
                color="primary",
                outlined=True,
                on_click=lambda: playing.set(not playing.value),
                disabled=not running and not playing.value,
                classes=["siyi-play"],
            )
            solara.Button(
                words["reset"],
                icon_name="mdi-restore",
                outlined=True,
                on_click=controls["reset"],
                disabled=busy,
                classes=["siyi-reset"],
            )
        if busy:
            solara.ProgressLinear(True)
            solara.Text(
                "Building the district and replaying the run…"
                if snaps
                else "Building the district (cadres, firms, their difficulties)…",
                classes=["siyi-note", "siyi-busy"],
            )
        elif snaps:
            s = max(snaps, key=lambda snap: snap.horizon)  # a comparison runs to the longer horizon
            last = controls["session"].last_step_ms if controls["session"] is not None else 0.0
            status = words["status"].format(day=s.day, horizon=s.horizon, ms=f"{last:.0f}")
            solara.Text(status, classes=["siyi-status"])
        if controls["message"].value and not busy:
            solara.Text(controls["message"].value, classes=["siyi-note"])


@solara.component
def LeverControls(values: solara.Reactive, scenario: str, lang: str = "en"):
    def set_value(key: str, value: Any) -> None:
        values.set({**values.value, key: value})

    def setter(key: str, cast: Callable[[Any], Any]) -> Callable[[Any], None]:
        return lambda v: set_value(key, cast(v))

    solara.Text(TEXT[lang]["levers"], classes=["siyi-section"])
    changed = changed_levers(scenario, values.value)
    for lever in LEVERS:
        value = values.value[lever.key]
        tag = " •" if lever.key in changed else ""
        if lever.kind == "int":
            solara.Text(f"{lever.label}: {int(value)}{tag}", classes=["siyi-lever-label"])
            solara.SliderInt(
                "",
                value=int(value),
                min=int(lever.lo),
                max=int(lever.hi),
                step=int(lever.step),
                on_value=setter(lever.key, int),
                thumb_label=True,
            )
        elif lever.kind == "float":
            solara.Text(f"{lever.label}: {float(value):g}{tag}", classes=["siyi-lever-label"])
            solara.SliderFloat(
                "",
                value=float(value),
                min=lever.lo,
                max=lever.hi,
                step=lever.step,
                on_value=setter(lever.key, float),
                thumb_label=True,
            )
        elif lever.kind == "bool":
            solara.Switch(label=lever.label + tag, value=bool(value), on_value=setter(lever.key, bool))
        else:
            solara.Text(lever.label + tag, classes=["siyi-lever-label"])
            solara.ToggleButtonsSingle(value=value, values=list(lever.choices), on_value=setter(lever.key, _unchanged))
    if changed:
        solara.Text(
            f"{len(changed)} lever(s) differ from '{scenario}' (•). "
            "The run is replayed from day 0 with them to the current day.",
            classes=["siyi-note"],
        )


@solara.component
def ExportButtons(session: Session | None, index: int, snap: Snapshot, lang: str = "en", tag: str = "run"):
    """Export run ``index`` of the live session: summary CSV/JSON, daily CSV and trust graph GraphML.

    One click takes the files from the run as it stands (under the session's lock, so never halfway
    through a step); they are then offered as plain download links (``data:`` URLs), which the
    browser saves without another round trip to the server.
    """
    prepared: solara.Reactive[tuple[int, dict[str, tuple[str, str]]] | None] = solara.use_reactive(None)
    if session is None:
        return

    def prepare() -> None:
        files = {what: export_data_url(session, index, what, mime) for what, mime in EXPORTS}
        prepared.set((session.runs[index].day, files))

    with solara.Row(gap="6px", classes=["siyi-export", f"siyi-export-{tag}"], style={"align-items": "center"}):
        solara.Button(
            TEXT[lang]["export button"].format(day=snap.day),
            icon_name="mdi-download",
            outlined=True,
            small=True,
            on_click=prepare,
            classes=["siyi-export-prepare"],
        )
        if prepared.value is not None:
            day, files = prepared.value
            links = " · ".join(
                f'<a class="siyi-export-{html.escape(what.replace(".", "-"))}" download="{html.escape(name)}" '
                f'href="{url}">{html.escape(what)}</a>'
                for what, (name, url) in files.items()
            )
            solara.HTML(tag="span", unsafe_innerHTML=f"{links} <span class='siyi-note'>(day {day})</span>")


# --------------------------------------------------------------------------- pages


@solara.component
def WatchView(lang: str = "en"):
    names = scenario_names()
    scenario = solara.use_reactive(DEFAULT_SCENARIO if DEFAULT_SCENARIO in names else names[0])
    seed = solara.use_reactive(0)
    levers = solara.use_reactive(lever_values(scenario.value))

    def choose_scenario(name: str) -> None:
        levers.set(lever_values(name))
        scenario.set(name)

    key = [scenario.value, seed.value, tuple(sorted(levers.value.items()))]

    def factory(day: int, reuse: list[Run]) -> Session:
        return Session.watch(scenario.value, seed.value, levers.value, day=day, reuse=reuse)

    snaps, controls = use_stepper(factory, key)

    with solara.Columns([1, 3.4], gutters_dense=True):
        with solara.Card(elevation=1, classes=["siyi-controls"]):
            solara.Text(TEXT[lang]["scenario"], classes=["siyi-section"])
            solara.Select(
                TEXT[lang]["scenario"],
                value=scenario.value,
                values=names,
                on_value=choose_scenario,
                classes=["siyi-scenario"],
            )
            solara.Text(scenario_description(scenario.value), classes=["siyi-note"])
            solara.InputInt(
                TEXT[lang]["seed"],
                value=seed.value,
                on_value=lambda v: seed.set(max(0, int(v or 0))),
                continuous_update=False,
                classes=["siyi-seed"],
            )
            StepControls(controls, snaps, lang)
            LeverControls(levers, scenario.value, lang)
        with solara.Column(gap="8px"):
            if snaps:
                RunPanels(snaps, lang)
                ExportButtons(controls["session"], 0, snaps[0], lang)


@solara.component
def RunPanels(snaps: list[Snapshot], lang: str = "en"):
    focus, ref = snaps[0], snaps[1]
    t0 = time.perf_counter()
    options = solara.use_memo(
        lambda: {
            "network": Opaque(charts.network_chart(focus, height=NETWORK_HEIGHT, lang=lang)),
            "issues": Opaque(charts.issues_chart([focus, ref], height=SERIES_HEIGHT, lang=lang)),
            "closeness": Opaque(charts.closeness_chart([focus, ref], height=SERIES_HEIGHT, lang=lang)),
            "clear-close": Opaque(charts.clear_close_chart([focus, ref], lang=lang)),
        },
        [id(focus), lang],
    )
    build_ms = 1000 * (time.perf_counter() - t0)
    values = plotted(focus)
    solara.HTML(
        tag="div",
        unsafe_innerHTML=kpi_html(focus, ref, lang),
        classes=["siyi-kpi-row"],
        attributes={"data-day": str(focus.day), "data-chart-ms": f"{build_ms:.0f}"},
    )
    with solara.Columns([1.05, 1], gutters_dense=True):
        with solara.Card(margin=0, classes=["siyi-card"]):
            Chart(options["network"], "network", height=NETWORK_HEIGHT, data=values)
        with solara.Column(gap="8px"):
            with solara.Card(margin=0, classes=["siyi-card"]):
                Chart(options["issues"], "issues", height=SERIES_HEIGHT, data=values)
            with solara.Card(margin=0, classes=["siyi-card"]):
                Chart(options["closeness"], "closeness", height=SERIES_HEIGHT, data=values)
    with solara.Columns([1, 1], gutters_dense=True):
        with solara.Card(margin=0, classes=["siyi-card"]):
            Chart(options["clear-close"], "clear-close", height=CLEAR_CLOSE_HEIGHT, data=values)
        with solara.Card(margin=0, classes=["siyi-card"]):
            solara.Text(
                TEXT[lang]["current summary"].format(day=focus.day, seed=focus.seed),
                classes=["siyi-section"],
            )
            columns = [("baseline", ref.summary), (focus.label, focus.summary)]
            solara.HTML(
                tag="div",
                unsafe_innerHTML=table_html(columns, TEXT[lang]["run minus baseline"], lang=lang),
                classes=["siyi-summary"],
            )
            with solara.Details(TEXT[lang]["all keys"]):
                solara.HTML(
                    tag="div", unsafe_innerHTML=table_html(columns, TEXT[lang]["run minus baseline"], True, lang)
                )


@solara.component
def CompareView(lang: str = "en"):
    names = scenario_names()
    a_default, b_default = (n if n in names else names[0] for n in DEFAULT_COMPARE)
    scenario_a = solara.use_reactive(a_default)
    scenario_b = solara.use_reactive(b_default)
    seed = solara.use_reactive(0)

    def factory(day: int, reuse: list[Run]) -> Session:
        return Session.compare(scenario_a.value, scenario_b.value, seed.value, day=day, reuse=reuse)

    snaps, controls = use_stepper(factory, [scenario_a.value, scenario_b.value, seed.value])

    with solara.Card(elevation=1), solara.Columns([1, 1, 0.5, 1.6], gutters_dense=True):
        with solara.Column(gap="2px"):
            solara.Select(TEXT[lang]["scenario a"], value=scenario_a, values=names, classes=["siyi-scenario-a"])
            solara.Text(scenario_description(scenario_a.value), classes=["siyi-note"])
        with solara.Column(gap="2px"):
            solara.Select(TEXT[lang]["scenario b"], value=scenario_b, values=names, classes=["siyi-scenario-b"])
            solara.Text(scenario_description(scenario_b.value), classes=["siyi-note"])
        solara.InputInt(
            TEXT[lang]["seed both"],
            value=seed.value,
            on_value=lambda v: seed.set(max(0, int(v or 0))),
            continuous_update=False,
        )
        StepControls(controls, snaps, lang)
    colors = charts.COMPARE_COLORS

    def build_options() -> dict[str, Any]:
        if not snaps:
            return {}
        a, b = snaps
        return {
            "networks": [
                Opaque(charts.network_chart(snap, height=COMPARE_NETWORK_HEIGHT, lang=lang)) for snap in (a, b)
            ],
            "issues": Opaque(charts.issues_chart([a, b], colors, height=COMPARE_SERIES_HEIGHT, lang=lang)),
            "closeness": Opaque(charts.closeness_chart([a, b], colors, height=COMPARE_SERIES_HEIGHT, lang=lang)),
            "clear-close": Opaque(charts.clear_close_chart([a, b], colors, lang=lang)),
        }

    # every hook before the first return (rules of hooks)
    options = solara.use_memo(build_options, [id(snaps[0]) if snaps else None, lang])
    if not snaps:
        return
    a, b = snaps
    latest = b if b.day > a.day else a  # the shared charts run to the longer horizon
    with solara.Columns([1, 1], gutters_dense=True):
        for k, snap in enumerate((a, b)):
            with solara.Column(gap="4px"):
                solara.HTML(tag="div", unsafe_innerHTML=ab_heading(k, snap, lang), classes=[f"siyi-heading-{'ab'[k]}"])
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=kpi_html(snap, None, lang),
                    classes=["siyi-kpi-row", "siyi-compact", f"siyi-kpi-{'ab'[k]}"],
                )
                with solara.Card(margin=0, classes=["siyi-card"]):
                    Chart(
                        options["networks"][k], f"network-{'ab'[k]}", height=COMPARE_NETWORK_HEIGHT, data=plotted(snap)
                    )
                ExportButtons(controls["session"], k, snap, lang, tag="ab"[k])
    with solara.Columns([1, 1, 1], gutters_dense=True):
        for name in ("issues", "closeness", "clear-close"):
            with solara.Card(margin=0, classes=["siyi-card"]):
                Chart(options[name], name, height=COMPARE_SERIES_HEIGHT, data=plotted(latest))
    with solara.Card(margin=0, classes=["siyi-card"]):
        heading = TEXT[lang]["summary heading"].format(a=a.day, b=b.day, seed=a.seed)
        solara.Text(heading, classes=["siyi-section"])
        columns = [(a.label, a.summary), (b.label, b.summary)]
        solara.HTML(tag="div", unsafe_innerHTML=table_html(columns, "B − A", lang=lang), classes=["siyi-summary"])
        with solara.Details(TEXT[lang]["all keys"]):
            solara.HTML(tag="div", unsafe_innerHTML=table_html(columns, "B − A", True, lang))


@solara.component
def AboutView():
    with solara.Column(style={"max-width": "860px"}):
        solara.Text("About this dashboard", classes=["siyi-section"])
        for paragraph in (
            (
                "siyi_sim simulates the 'Four Helps, One Experience' program: pairs of cadres from two departments "
                "work inside an enterprise for 15 days, learn its difficulties once the owner trusts them, and carry "
                "them through the departments."
            ),
            (
                "Watch: pick a scenario, change levers, then Step or Play. The run is shown beside the baseline "
                "('clear but not close': no placements) under the same seed and on the same day. A changed lever "
                "rebuilds the run from day 0 with the new setting "
                "and replays it to the current day."
            ),
            "Compare: two named scenarios under one seed, stepped together.",
            (
                "Program = issues solved by placed cadres during placement, follow-up and later through their ties. "
                "Ordinary = firms' own approaches to departments. Strong tie = cadre–firm trust of at least 0.6. "
                "Clear index = 1 minus the rate of improper exchanges."
            ),
            f"Baseline scenario name: '{BASELINE}'. "
            "Command line equivalent: siyi run --scenario NAME --seed N --set section.key=value.",
        ):
            solara.Text(paragraph, style={"font-size": "14px", "color": "#334155", "margin-bottom": "8px"})


@solara.component
def Page():
    solara.Title("siyi_sim — cadres in enterprises")
    solara.Style(CSS)
    lang = solara.use_reactive("en")
    words = TEXT[lang.value]
    with solara.AppBar():
        solara.ToggleButtonsSingle(value=lang, values=["en", "zh"], classes=["siyi-lang"])
    solara.AppBarTitle(
        "siyi_sim · Four Helps, One Experience — cadres placed in enterprises"
        if lang.value == "en"
        else "siyi_sim · 四帮一体验 — 机关干部进企业"
    )
    with solara.Column(classes=["siyi-page"], style={"padding": "6px 12px"}), solara.lab.Tabs(value=0, lazy=True):
        with solara.lab.Tab(words["tab watch"], classes=["siyi-tab-watch"]):
            WatchView(lang.value)
        with solara.lab.Tab(words["tab compare"], classes=["siyi-tab-compare"]):
            CompareView(lang.value)
        with solara.lab.Tab(words["tab about"], classes=["siyi-tab-about"]):
            AboutView()
