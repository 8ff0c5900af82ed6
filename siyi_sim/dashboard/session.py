"""What the dashboard shows, without the browser: runs stepped together, levers, snapshots.

A :class:`Session` holds two runs of the same seed that always stand on the same day: on the
*Watch* page the run being steered and the ``baseline`` ("clear but not close") it is measured
against; on the *Compare* page two named scenarios. The page never reads a live model: after
every step the session takes an immutable :class:`Snapshot` (daily series, summary, trust-network
drawing data), so drawing can never race with a step taken by the play loop.

Levers are the few parameters an official asks about (:data:`LEVERS`), addressed with the same
dotted keys as ``siyi run --set``. A model's parameters are fixed when it is built, so changing a
lever rebuilds the run and replays it to the day it had reached: what the page then shows is
"the same seed, the same day, had this lever been set from the start".
"""

from __future__ import annotations

import math
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

BASELINE = "baseline"


@dataclass(frozen=True)
class Lever:
    """One steerable parameter: dotted config key, label, widget kind and range."""

    key: str
    label: str
    kind: str  # "int" | "float" | "bool" | "choice"
    help: str
    lo: float = 0
    hi: float = 1
    step: float = 1
    choices: tuple[str, ...] = ()


#: The levers of issue 7, in the order an official thinks of them.
LEVERS: tuple[Lever, ...] = (
    Lever(
        "placement.placement_days",
        "Placement length (days)",
        "int",
        "Days a pair works full-time inside the firm (15 in 2020).",
        1,
        60,
        1,
    ),
    Lever(
        "placement.matching",
        "Matching",
        "choice",
        "Firms order the departments they need, or pairs are assigned at random.",
        choices=("ordering", "random"),
    ),
    Lever(
        "placement.follow_up",
        "Follow-up after return",
        "bool",
        "Cadres keep working unfinished items after the placement ends.",
    ),
    Lever("placement.safeguards", "Integrity safeguards", "bool", "Meal subsidy and no-special-arrangement rules."),
    Lever(
        "policies.desk_enabled",
        "Policy-matching desk",
        "bool",
        "18 section chiefs help placed cadres match policies to the firm.",
    ),
    Lever(
        "placement.same_department_pairs",
        "Same-department pairs",
        "bool",
        "Both cadres of a pair from one department (no cross-department tie).",
    ),
    Lever(
        "normalized.enabled",
        "Normalised placements",
        "bool",
        "Cadres promoted, re-graded or transferred in month m are placed in month m+1.",
    ),
    Lever(
        "careers.promotion_rate",
        "Promotion rate (1/year)",
        "float",
        "Annual promotion rate feeding normalised placements.",
        0.0,
        0.3,
        0.01,
    ),
)
LEVER_BY_KEY = {lever.key: lever for lever in LEVERS}

#: Summary rows of the table, with labels and formats; other summary keys follow unlabelled.
SUMMARY_ROWS: tuple[tuple[str, str, str], ...] = (
    ("day", "Day of the run", "{:,.0f}"),
    ("cadres_placed", "Cadres placed", "{:,.0f}"),
    ("enterprises_served", "Enterprises served", "{:,.0f}"),
    ("program_issues_resolved", "Issues resolved by the program", "{:,.0f}"),
    ("issues_resolved_total", "Issues resolved, all channels", "{:,.0f}"),
    ("legacy_issues_resolved", "Legacy (stuck) issues resolved", "{:,.0f}"),
    ("median_days_to_resolve", "Median days to resolve", "{:,.1f}"),
    ("program_policies_matched", "Policies matched by the program", "{:,.0f}"),
    ("program_subsidy_yuan", "Subsidies via the program (yuan)", "{:,.0f}"),
    ("program_loans_yuan", "Loans via the program (yuan)", "{:,.0f}"),
    ("program_hires", "Hires via the program", "{:,.0f}"),
    ("mean_owner_trust", "Mean owner trust in government", "{:.3f}"),
    ("strong_tie_share", "Firms with a strong cadre tie", "{:.1%}"),
    ("clear_index", "Clear index (1 = no improper exchange)", "{:.4f}"),
    ("integrity_incidents", "Integrity incidents", "{:,.0f}"),
    ("five_ones_completion", "'Five ones' completion", "{:.1%}"),
    ("mean_cadre_attitude", "Mean cadre service attitude", "{:.3f}"),
    ("owner_meeting_attendance", "Owner attendance at meetings", "{:.1%}"),
)
_HIDDEN_SUMMARY_KEYS = {"scenario", "seed", "days", "n_cadres", "n_enterprises"}


def scenario_names() -> list[str]:
    from ..scenarios import SCENARIOS

    return list(SCENARIOS)


def scenario_description(name: str) -> str:
    from ..scenarios import SCENARIOS

    return SCENARIOS[name].description


def lever_values(scenario: str) -> dict[str, Any]:
    """The levers' values as the named scenario sets them."""
    from ..scenarios import scenario_config

    flat = scenario_config(scenario).flat()
    return {lever.key: flat[lever.key] for lever in LEVERS}


def changed_levers(scenario: str, values: dict[str, Any]) -> dict[str, Any]:
    """Only the levers that differ from the scenario's own values (the overrides to apply)."""
    own = lever_values(scenario)
    return {key: value for key, value in values.items() if key in own and own[key] != value}


def format_value(key: str, value: Any) -> str:
    fmt = next((row_fmt for row_key, _, row_fmt in SUMMARY_ROWS if row_key == key), None)
    if fmt is None:
        fmt = "{:,.4g}" if isinstance(value, float) else "{}"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    try:
        return fmt.format(value)
    except (TypeError, ValueError):
        return str(value)


def summary_rows(
    columns: list[tuple[str, dict[str, Any]]], difference: bool = True, everything: bool = False, lang: str = "en"
) -> list[list[str]]:
    """Rows of the summary table: label, one value per column, and (for two columns) second − first.

    The labelled indicators of :data:`SUMMARY_ROWS` come first; with ``everything`` the other
    summary keys follow under their own names. In Chinese (``lang="zh"``) labels and values come
    from the indicator registry (:mod:`siyi_sim.metrics`): 元/万元, percentages, 天.
    """
    if lang != "en":
        return _registry_rows(columns, difference, everything, lang)
    keys = [key for key, _, _ in SUMMARY_ROWS if any(key in summary for _, summary in columns)]
    extra = (
        sorted({key for _, summary in columns for key in summary} - set(keys) - _HIDDEN_SUMMARY_KEYS)
        if everything
        else []
    )
    labels = {key: label for key, label, _ in SUMMARY_ROWS}
    rows = []
    for key in keys + extra:
        values = [summary.get(key) for _, summary in columns]
        row = [labels.get(key, key.replace("_", " ").capitalize())] + [format_value(key, v) for v in values]
        if difference and len(values) == 2:
            a, b = values
            if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool) and key != "day":
                delta = b - a
                text = format_value(key, abs(delta)) if not (isinstance(delta, float) and math.isnan(delta)) else "–"
                row.append("0" if delta == 0 else ("+" if delta > 0 else "−") + text)
            else:
                row.append("")
        rows.append(row)
    return rows


def _registry_rows(
    columns: list[tuple[str, dict[str, Any]]], difference: bool, everything: bool, lang: str
) -> list[list[str]]:
    from .. import metrics

    keys = [key for key, _, _ in SUMMARY_ROWS if any(key in summary for _, summary in columns)]
    if everything:
        keys += sorted({key for _, summary in columns for key in summary} - set(keys) - _HIDDEN_SUMMARY_KEYS)
    rows = []
    for key in keys:
        known = key in metrics.INDICATORS
        values = [summary.get(key) for _, summary in columns]
        row = [metrics.label(key, lang) if known else key]
        row += [metrics.format_value(key, v, lang) if known else format_value(key, v) for v in values]
        if difference and len(values) == 2:
            a, b = values
            numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b))
            if numbers and key != "day" and known:
                row.append(metrics.format_value(key, float(b) - float(a), lang, difference=True))  # type: ignore[arg-type]
            else:
                row.append("")
        rows.append(row)
    return rows


@dataclass(frozen=True, eq=False)
class NetworkData:
    """The placed part of the trust graph, ready to draw (coordinates on a ring layout).

    Cadres sit on the unit circle, grouped by department in a fixed order, each at a fixed angle,
    so a growing network keeps its shape; a firm sits at the mean position of the cadres tied to
    it (for a cross-department pair: the middle of the chord between the two departments).
    """

    cadre_xy: np.ndarray  # (n, 2)
    cadre_department: np.ndarray  # (n,) index into departments
    firm_xy: np.ndarray  # (m, 2)
    tie_cadre: np.ndarray  # (k,) row in cadre_xy of each cadre–firm tie
    tie_firm: np.ndarray  # (k,) row in firm_xy
    tie_trust: np.ndarray  # (k,) current trust
    pair_count: int  # cadre–cadre pair-partner edges
    departments: tuple[str, ...]
    department_angles: np.ndarray  # (d,) centre angle of each department's arc (radians)
    department_spans: np.ndarray  # (d,) width of each department's arc (radians)


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Everything the page draws for one run on one day; immutable, compared by identity."""

    label: str
    scenario: str
    seed: int
    overrides: dict[str, Any]
    day: int
    horizon: int
    running: bool
    daily: pd.DataFrame
    summary: dict[str, Any]
    network: NetworkData
    wall_ms: float = 0.0  # time of the last step + snapshot


class RingLayout:
    """Fixed positions for a model's trust graph (see :class:`NetworkData`)."""

    def __init__(self, graph):
        cadres = [
            (node, data.get("department", "")) for node, data in graph.nodes(data=True) if data.get("kind") == "cadre"
        ]
        departments: list[str] = []
        for _, dept in cadres:
            if dept not in departments:
                departments.append(dept)
        self.departments = tuple(departments)
        dept_index = {d: i for i, d in enumerate(departments)}
        by_dept: dict[str, list] = {d: [] for d in departments}
        for node, dept in cadres:
            by_dept[dept].append(node)
        n = max(len(cadres), 1)
        gap = 0.012 * 2 * math.pi  # between departments' arcs
        usable = 2 * math.pi - gap * len(departments)
        self.angle: dict[Any, float] = {}
        self.department_of: dict[Any, int] = {}
        centres, spans = [], []
        start = math.pi / 2
        for dept in departments:
            members = by_dept[dept]
            span = usable * len(members) / n
            for k, node in enumerate(members):
                self.angle[node] = start - (k + 0.5) * span / max(len(members), 1)
                self.department_of[node] = dept_index[dept]
            centres.append(start - span / 2)
            spans.append(span)
            start -= span + gap
        self.department_angles = np.array(centres)
        self.department_spans = np.array(spans)

    def cadre_xy(self, node) -> tuple[float, float]:
        a = self.angle[node]
        return math.cos(a), math.sin(a)

    def firm_xy(self, node, cadres: list) -> tuple[float, float]:
        """Mean position of the firm's cadres, pulled a little inwards (stable jitter per firm)."""
        jitter = zlib.crc32(str(node).encode()) / 2**32  # stable, no draw from the model's RNG
        x = sum(math.cos(self.angle[c]) for c in cadres) / len(cadres)
        y = sum(math.sin(self.angle[c]) for c in cadres) / len(cadres)
        shrink = 0.8 - 0.06 * jitter
        return shrink * x, shrink * y

    def network(self, graph) -> NetworkData:
        nodes = graph.nodes
        cadre_row: dict[Any, int] = {}
        firm_cadres: dict[Any, list] = {}
        ties: list[tuple[Any, Any, float]] = []
        pair_count = 0
        for u, v, data in graph.edges(data=True):
            ku, kv = nodes[u].get("kind"), nodes[v].get("kind")
            if ku == "cadre" and kv == "cadre":
                cadre_row.setdefault(u, len(cadre_row))
                cadre_row.setdefault(v, len(cadre_row))
                pair_count += 1
            elif {ku, kv} == {"cadre", "enterprise"}:
                cadre, firm = (u, v) if ku == "cadre" else (v, u)
                cadre_row.setdefault(cadre, len(cadre_row))
                firm_cadres.setdefault(firm, []).append(cadre)
                ties.append((cadre, firm, float(data.get("trust", 0.0))))
        firm_row = {firm: k for k, firm in enumerate(firm_cadres)}
        return NetworkData(
            cadre_xy=np.array([self.cadre_xy(c) for c in cadre_row]).reshape(-1, 2),
            cadre_department=np.array([self.department_of[c] for c in cadre_row], dtype=int),
            firm_xy=np.array([self.firm_xy(f, cadres) for f, cadres in firm_cadres.items()]).reshape(-1, 2),
            tie_cadre=np.array([cadre_row[c] for c, _, _ in ties], dtype=int),
            tie_firm=np.array([firm_row[f] for _, f, _ in ties], dtype=int),
            tie_trust=np.clip(np.array([t for _, _, t in ties], dtype=float), 0.0, 1.0),
            pair_count=pair_count,
            departments=self.departments,
            department_angles=self.department_angles,
            department_spans=self.department_spans,
        )


class Run:
    """One model being stepped, with its fixed layout."""

    def __init__(
        self,
        scenario: str,
        seed: int,
        overrides: dict[str, Any] | None = None,
        days: int | None = None,
        label: str | None = None,
    ):
        from ..model import SiyiModel
        from ..scenarios import scenario_config

        self.scenario = scenario
        self.seed = int(seed)
        self.overrides = dict(overrides or {})
        self.label = label or scenario
        config = scenario_config(scenario, self.overrides or None, days)
        self.model = SiyiModel(config, seed=self.seed, scenario_name=scenario)
        self.horizon = int(config.run.days)
        self.layout = RingLayout(self.model.trust_graph)
        self.wall_ms = 0.0

    @property
    def day(self) -> int:
        return int(self.model.day)

    @property
    def running(self) -> bool:
        return bool(self.model.running) and self.day < self.horizon

    def step(self, days: int = 1) -> int:
        """Advance up to ``days`` days (not past the horizon); return how many were taken."""
        taken = 0
        while taken < days and self.running:
            self.model.step()
            taken += 1
        return taken

    def snapshot(self) -> Snapshot:
        from ..networks import sync_trust_graph

        graph = sync_trust_graph(self.model)
        daily = self.model.daily_frame().copy()
        summary = dict(self.model.summary())
        summary["day"] = self.day
        return Snapshot(
            label=self.label,
            scenario=self.scenario,
            seed=self.seed,
            overrides=dict(self.overrides),
            day=self.day,
            horizon=self.horizon,
            running=self.running,
            daily=daily,
            summary=summary,
            network=self.layout.network(graph),
            wall_ms=self.wall_ms,
        )


@dataclass
class Session:
    """Two runs of one seed kept on the same day; thread-safe stepping and snapshots.

    Building a session for day ``d`` replays its runs from day 0 to ``d``; a run of an earlier
    session that is identical (scenario, seed, overrides, horizon) and stands on day ``d`` is taken
    over instead (``reuse``), so changing a lever does not replay the unchanged baseline.
    """

    runs: list[Run]
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_step_ms: float = 0.0
    closed: bool = False

    @classmethod
    def watch(
        cls,
        scenario: str,
        seed: int,
        levers: dict[str, Any] | None = None,
        day: int = 0,
        fixed: dict[str, Any] | None = None,
        reuse: list[Run] | None = None,
    ) -> Session:
        """The run being steered (scenario + changed levers) beside the baseline, at ``day``.

        ``fixed`` overrides apply to both runs (e.g. a smaller population in tests).
        """
        overrides = changed_levers(scenario, levers or {})
        label = scenario + (" (levers changed)" if overrides else "")
        fixed = dict(fixed or {})
        horizon = _horizon(scenario, {**fixed, **overrides})
        pool = list(reuse or [])
        run = _run_at(scenario, seed, {**fixed, **overrides}, horizon, label, day, pool)
        return cls([run, _run_at(BASELINE, seed, fixed, horizon, "baseline", run.day, pool)])

    @classmethod
    def compare(
        cls,
        scenario_a: str,
        scenario_b: str,
        seed: int,
        day: int = 0,
        fixed: dict[str, Any] | None = None,
        reuse: list[Run] | None = None,
    ) -> Session:
        """Two named scenarios under one seed, side by side, each to its own horizon.

        The session runs to the longer horizon (a 5-year scenario against a 1-year one runs five
        years); the shorter run stops at its own horizon and stays drawn as it ended.
        """
        fixed = dict(fixed or {})
        pool = list(reuse or [])
        a = _run_at(scenario_a, seed, fixed, _horizon(scenario_a, fixed), f"A: {scenario_a}", day, pool)
        b = _run_at(scenario_b, seed, fixed, _horizon(scenario_b, fixed), f"B: {scenario_b}", day, pool)
        return cls([a, b])

    def close(self) -> list[Run]:
        """Stop this session (waiting for a step in progress); return its runs for reuse."""
        with self.lock:
            self.closed = True
            return list(self.runs)

    @property
    def day(self) -> int:
        """The session's day: that of the run still going (runs only differ once one has ended)."""
        return max(run.day for run in self.runs)

    @property
    def horizon(self) -> int:
        return max(run.horizon for run in self.runs)

    @property
    def running(self) -> bool:
        return any(run.running for run in self.runs)

    def step(self, days: int = 1) -> int:
        """Step every run ``days`` days, each up to its own horizon; return days taken."""
        with self.lock:
            if self.closed:
                return 0
            start = time.perf_counter()
            days = max(0, min(int(days), self.horizon - self.day))
            for run in self.runs:
                t0 = time.perf_counter()
                run.step(days)
                run.wall_ms = 1000 * (time.perf_counter() - t0)
            self.last_step_ms = 1000 * (time.perf_counter() - start)
            return days

    def snapshots(self) -> list[Snapshot]:
        with self.lock:
            return [run.snapshot() for run in self.runs]


def _run_at(
    scenario: str, seed: int, overrides: dict[str, Any], horizon: int, label: str, day: int, pool: list[Run]
) -> Run:
    """A run standing on ``day`` (or its horizon): taken from ``pool`` if one matches, else replayed."""
    target = min(int(day), horizon)
    for k, run in enumerate(pool):
        if (run.scenario, run.seed, run.overrides, run.horizon, run.day) == (
            scenario,
            int(seed),
            overrides,
            horizon,
            target,
        ):
            pool.pop(k)
            run.label = label
            return run
    run = Run(scenario, seed, overrides, days=horizon, label=label)
    run.step(target)
    return run


def _horizon(scenario: str, overrides: dict[str, Any]) -> int:
    from ..scenarios import scenario_config

    return int(scenario_config(scenario, overrides or None).run.days)


def latest(daily: pd.DataFrame, column: str, default: float = float("nan")) -> float:
    """Last value of a daily column, or ``default`` when the run has no day yet."""
    if column not in daily or daily.empty:
        return default
    return float(daily[column].iloc[-1])


def current(snapshot: Snapshot, column: str) -> float:
    """Today's value of a plotted series; before the first step, the summary's value (or 0)."""
    fallback = snapshot.summary.get(column, 0.0)
    try:
        fallback = float(fallback)
    except (TypeError, ValueError):
        fallback = 0.0
    return latest(snapshot.daily, column, fallback)
