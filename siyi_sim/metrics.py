"""Run summary, daily reporters and the one indicator registry (ODD §7.16–7.17).

``program_*`` counts only what placed cadres delivered (channels placement, follow_up, tie).
``clear_index`` = share of enterprises with no improper exchange in the run (1 = fully clear).
``strong_tie_share`` = share of enterprises with a cadre tie of trust >= strong_tie_threshold.
Nothing in a summary depends on time or machine.

:data:`INDICATORS` is the single place an indicator's name, labels, unit, print format and
policy direction live: the summary order, the CLI tables, the brief, the figures and the
dashboard read it, so a new indicator is added here once.
"""

from __future__ import annotations

import math
import os
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .issues import CH_SELF, LATENT, NO_DAY, PROGRAM_CHANNELS, RESOLVED

LANGS = ("en", "zh")


@dataclass(frozen=True)
class Indicator:
    """One reported quantity: what it is called, how it is printed, which way is better."""

    key: str
    en: str  # English label
    zh: str  # Chinese label, in the seed's own wording where it has one (清亲, 四帮一体验, 点菜, 五个一)
    unit: str  # "count", "yuan", "share", "days", "index", "cadres", "firms", ...
    fmt: str  # how to print: "int", "yuan", "share", "float3", "days", "text"
    better: Literal["higher", "lower", "neutral"]  # direction that is better for policy
    kind: Literal["meta", "program", "total", "state"]  # program: zero in the baseline by construction
    description: str  # one sentence, what it measures


def _i(key, en, zh, unit, fmt, better, kind, description) -> Indicator:
    return Indicator(key, en, zh, unit, fmt, better, kind, description)


# fmt: off
_REGISTRY: tuple[Indicator, ...] = (
    # --- summary keys, in summary order ---------------------------------------------------------
    _i("scenario", "Scenario", "情景", "text", "text", "neutral", "meta", "Name of the scenario the run used."),
    _i("seed", "Seed", "随机种子", "text", "text", "neutral", "meta", "Random seed of the run."),
    _i("days", "Days simulated", "模拟天数", "days", "int", "neutral", "meta", "Horizon of the run in days."),
    _i("n_cadres", "District cadres", "机关干部人数", "cadres", "int", "neutral", "meta",
       "Cadres of the district-level departments in the simulated district."),
    _i("n_enterprises", "Enterprises", "企业数", "firms", "int", "neutral", "meta",
       "Enterprises in the simulated district."),
    _i("cadres_placed", "Cadres placed", "进企业机关干部人数", "cadres", "int", "neutral", "program",
       "Distinct cadres (persons, also those who left) placed in a firm at least once (a cost, not an outcome)."),
    _i("placements", "Placements", "进驻批次（干部组）", "count", "int", "neutral", "program",
       "Cadre-pair placements started in the run."),
    _i("enterprises_served", "Enterprises served", "进驻企业数", "firms", "int", "neutral", "program",
       "Distinct enterprises that hosted a cadre pair at least once."),
    _i("program_issues_resolved", "Issues solved by placed cadres", "进驻干部帮助解决困难问题", "count", "int",
       "higher", "program", "Issues solved via the placement, follow-up and tie channels; none without placements."),
    _i("program_policies_matched", "Policies connected by cadres", "进驻干部对接优惠政策", "count", "int",
       "higher", "program", "Preferential policies connected to firms by placed cadres."),
    _i("program_subsidy_yuan", "Subsidies via cadres", "进驻干部对接政策涉及资金", "yuan", "yuan", "higher",
       "program", "Subsidy funds delivered through cadres: a transfer from government to firms, not a welfare gain."),
    _i("program_loans_yuan", "Loans via cadres", "进驻干部帮助获得贷款", "yuan", "yuan", "higher", "program",
       "Loans obtained with a cadre's help: credit to be repaid, not a welfare gain."),
    _i("program_hires", "Hires via cadres", "进驻干部帮助招工", "workers", "int", "higher", "program",
       "Workers hired through a cadre's help (job fair, recruitment pool)."),
    _i("issues_created", "Issues arising", "企业困难问题（产生）", "count", "int", "neutral", "total",
       "All difficulties firms had, including those present at the start."),
    _i("issues_disclosed", "Issues raised", "企业提出的困难问题", "count", "int", "higher", "total",
       "Difficulties firms made known to government through any channel."),
    _i("issues_resolved_total", "Issues solved, all channels", "解决困难问题（全部渠道）", "count", "int",
       "higher", "total", "Issues solved in the run through every channel, ordinary and program."),
    _i("legacy_issues_resolved", "Legacy issues solved", "解决历史遗留问题", "count", "int", "higher", "total",
       "Issues stuck for years on a prerequisite chain that were solved in the run."),
    _i("median_days_to_resolve", "Median time to resolve", "问题解决用时中位数", "days", "days", "lower", "state",
       "Median days from an issue's arising to its resolution, over issues solved in the run."),
    _i("mean_owner_trust", "Owner trust in government (close)", "企业主对政府的信任度（亲）", "index", "float3",
       "higher", "state", "Owners' mean general trust in government, 0 to 1: the 'close' side of 清亲."),
    _i("strong_tie_share", "Firms with a strong cadre tie (close)", "与干部有紧密联系的企业占比（亲）", "share",
       "share", "higher", "program", "Share of firms with a cadre tie of trust at or above the strong-tie threshold; "
       "a cadre tie exists only through a placement."),
    _i("clear_index", "Clear index (clear)", "清廉指数（清）", "index", "float3", "higher", "state",
       "Share of firms with no improper exchange in the run (1 = fully clear): the 'clear' side of 清亲."),
    _i("integrity_incidents", "Integrity incidents", "廉洁问题事件", "count", "int", "lower", "total",
       "Improper exchanges between firms and officials, through any channel."),
    _i("integrity_incidents_program", "Integrity incidents on placements", "进驻期间廉洁问题事件", "count", "int",
       "lower", "program", "Improper exchanges on program contacts (placements, follow-up, ties)."),
    _i("integrity_detected", "Integrity incidents detected", "被发现的廉洁问题事件", "count", "int", "neutral",
       "total", "Improper exchanges found by the supervision of placements or by district discipline inspection "
       "of ordinary approaches; each detection sanctions a cadre."),
    _i("five_ones_completion", "'Five ones' completion", "“五个一”任务完成率", "share", "share", "higher", "program",
       "Share of closed placements that finished all five items of the 五个一 task list."),
    _i("mean_cadre_attitude", "Cadre service attitude", "干部服务态度", "index", "float3", "higher", "state",
       "Mean service attitude of all district cadres, 0 to 1 (passive to active)."),
    _i("mean_department_speed", "Department service speed", "部门办事效率", "share", "float3", "higher", "state",
       "Mean daily chance that one ordinary approach to a department succeeds."),
    _i("owner_meeting_attendance", "Owners attending meetings", "企业主参会率", "share", "share", "higher", "state",
       "Share of meeting invitations that owners attended in person."),
    _i("owner_attendance_via_cadre", "Owners attending when a cadre invites", "经进驻干部邀请的企业主参会率", "share",
       "share", "higher", "program", "Share of invitations through a placed cadre that owners attended in person."),
    _i("absence_rate", "Cadre absence on placement", "进驻干部缺岗率", "share", "share", "lower", "program",
       "Share of placed cadre-days the cadre was not at the firm."),
    _i("median_first_sensitive_disclosure_day", "Day a sensitive issue is first raised", "首次反映敏感问题的进驻天数",
       "days", "days", "lower", "program",
       "Median placement day on which a fearful owner first raises a sensitive issue (16 = never)."),
    _i("policies_matched_total", "Policies connected, all channels", "对接优惠政策（全部渠道）", "count", "int",
       "higher", "total", "Preferential policies connected to firms through every channel."),
    _i("subsidy_yuan_total", "Subsidies, all channels", "政策兑现资金（全部渠道）", "yuan", "yuan", "higher", "total",
       "Subsidy funds delivered through every channel: a transfer from government to firms, not a welfare gain."),
    _i("loans_yuan_total", "Loans, all channels", "获得贷款（全部渠道）", "yuan", "yuan", "higher", "total",
       "Loans firms obtained through every channel: credit to be repaid, not a welfare gain."),
    _i("hires_total", "Hires, all channels", "招工人数（全部渠道）", "workers", "int", "higher", "total",
       "Workers hired by firms through every channel."),
    _i("ordinary_resolved_per_unplaced_firm", "Ordinary-channel solutions per never-placed firm",
       "未进驻企业经常规渠道解决问题数（每户）", "count", "float3", "higher", "state",
       "Issues solved through ordinary channels per firm that never hosted cadres (the mindset spillover)."),
    _i("mean_evaluation_score", "Back-to-back evaluation score", "“背靠背”评价平均分", "index", "float3", "higher",
       "program", "Mean anonymous evaluation of placed cadres by their firms, 0 to 1."),
    # --- v2: mindset, careers and turnover ---
    _i("cadres_hired", "Cadres hired", "新录用干部", "cadres", "int", "neutral", "total",
       "New cadres hired into the slots of leavers: young, general rank, with the pre-program attitude."),
    _i("cadres_left", "Cadres who left", "退休或离职干部", "cadres", "int", "neutral", "total",
       "Cadres who retired or left the district's departments in the run (their ties with firms end)."),
    _i("cadres_promoted", "Cadres promoted", "提拔干部", "cadres", "int", "neutral", "total",
       "Promotions and appointments in the run (back-to-back evaluation scores raise the chance)."),
    _i("mean_attitude_never_placed", "Service attitude of never-placed cadres", "未进驻干部服务态度", "index",
       "float3", "higher", "state",
       "Mean service attitude of cadres never placed in a firm, 0 to 1: what reaches them comes through colleagues."),
    # --- v2: costs, net effects, ordering ---
    _i("program_cost_yuan", "Program cost", "项目成本", "yuan", "yuan", "lower", "program",
       "Cadre time taken by the program (placement, follow-up, contacts, desk, training) at civil-service pay "
       "plus the 500-yuan meal subsidy per firm; subsidies and loans are transfers and are not in it."),
    _i("cadre_days_placed", "Cadre-days placed", "进驻干部人天", "cadre-days", "int", "neutral", "program",
       "Cadre-days spent inside firms (present or not): the time departments lose to placements."),
    _i("ordinary_capacity_lost_cadre_days", "Ordinary capacity lost", "常规工作损失人天", "cadre-days", "int",
       "lower", "program", "Cadre-days of departments' ordinary work lost to the program: placements, follow-up, "
       "contacts with tied firms, the policy desk and training."),
    _i("program_policies_known_before", "Policies connected the firm knew already", "企业已知的对接政策", "count",
       "int", "lower", "program", "Program policy claims the firm already knew of (deadweight: it might have "
       "filed them itself); the net count is program_policies_matched minus this."),
    _i("ordering_fulfilment", "Ordering fulfilled", "点菜满足率", "share", "share", "higher", "program",
       "Share of scheduled placements whose pair includes a department the firm asked for when ordering."),
    _i("median_days_to_resolve_new", "Median time to resolve (new issues)", "新问题解决用时中位数", "days", "days",
       "lower", "state", "Kaplan–Meier median days from arising to resolution for issues that arose during the run, "
       "open ones censored at the horizon (n/a if fewer than half are solved); unlike median_days_to_resolve, "
       "clearing old legacy issues does not lengthen it."),
    # --- v2: avoidance and consequences ---
    _i("cadres_sanctioned", "Cadres sanctioned", "受处分干部人数", "cadres", "int", "lower", "total",
       "Distinct cadres sanctioned after a detected improper exchange (kept out of placements and firm contacts)."),
    _i("mean_perceived_risk", "Cadres' perceived risk of contact (avoidance)", "干部与企业接触的顾虑（避嫌）", "index",
       "float3", "lower", "state", "Cadres' mean perceived risk of contact with firms, 0 to 1: what makes them "
       "keep away from firms (避嫌)."),
    # --- daily-only series ---------------------------------------------------------------------
    _i("day", "Day", "天", "days", "int", "neutral", "meta", "Day of the run."),
    _i("active_placements", "Placements under way", "进驻中的干部组", "count", "int", "neutral", "program",
       "Cadre pairs inside firms on the day."),
    _i("issues_resolved_program", "Issues solved by placed cadres", "进驻干部帮助解决困难问题", "count", "int",
       "higher", "program", "Cumulative issues solved through the program channels."),
    _i("issues_resolved_ordinary", "Issues solved through ordinary channels", "常规渠道解决困难问题", "count", "int",
       "higher", "total", "Cumulative issues solved by firms approaching departments themselves."),
    _i("open_issues", "Open issues", "未解决困难问题", "count", "int", "lower", "state",
       "Issues not yet solved on the day, latent or raised."),
    _i("n_ties", "Cadre–firm ties", "干部—企业联系", "count", "int", "higher", "program",
       "Cadre–firm ties that exist on the day."),
    # --- v2: avoidance and consequences (daily only) ---
    _i("perceived_risk_from_detections", "Perceived risk due to detections", "查处引起的接触顾虑", "index", "float3",
       "lower", "state", "Cadres' mean perceived risk put there by detected exchanges (department chill plus "
       "district alert), 0 to 1: the scandal cycle's share of avoidance."),
)
# fmt: on

#: Every indicator by key: the summary keys in summary order, then the daily-only series.
INDICATORS: dict[str, Indicator] = {ind.key: ind for ind in _REGISTRY}

#: Keys of :func:`summarize`, in order (the registry up to the first daily-only series).
SUMMARY_KEYS: tuple[str, ...] = tuple(INDICATORS)[: list(INDICATORS).index("day")]


def indicator(key: str) -> Indicator:
    """The registry entry of ``key``; a ``ValueError`` naming the key if there is none."""
    try:
        return INDICATORS[key]
    except KeyError:
        raise ValueError(f"unknown indicator {key!r}") from None


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown lang {lang!r} (known: {', '.join(LANGS)})")
    return lang


def default_lang() -> str:
    """The language of tables and briefs when none is given: ``SIYI_LANG`` (en or zh), else English."""
    lang = os.environ.get("SIYI_LANG", "").strip() or "en"
    if lang not in LANGS:
        raise ValueError(f"SIYI_LANG {lang!r} is not a known language (known: {', '.join(LANGS)})")
    return lang


def label(key: str, lang: str = "en") -> str:
    """The indicator's label in ``lang`` ("en" or "zh")."""
    ind = indicator(key)
    return ind.zh if check_lang(lang) == "zh" else ind.en


_UNITS = {
    "en": {
        "yuan": "yuan",
        "share": "share",
        "days": "days",
        "index": "index",
        "count": "count",
        "cadres": "cadres",
        "firms": "firms",
        "workers": "workers",
        "cadre-days": "cadre-days",
    },
    "zh": {
        "yuan": "元",
        "share": "占比",
        "days": "天",
        "index": "指数",
        "count": "个",
        "cadres": "人",
        "firms": "户",
        "workers": "人",
        "cadre-days": "人天",
    },
}


def axis_label(key: str, lang: str = "en") -> str:
    """Label with its unit, for axes and table headers: 'Loans via cadres (yuan)'."""
    ind = indicator(key)
    unit = _UNITS[check_lang(lang)].get(ind.unit)
    if not unit or ind.fmt == "text":
        return label(key, lang)
    return f"{label(key, lang)}（{unit}）" if lang == "zh" else f"{label(key, lang)} ({unit})"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_value(key: str, value: Any, lang: str = "en", *, difference: bool = False) -> str:
    """``value`` of indicator ``key`` as a reader should see it in ``lang``.

    Money: yuan / million yuan (en), 元 / 万元 (zh). Shares as percentages; with
    ``difference=True`` the value is a signed change (shares in percentage points).
    ``None`` and NaN print as "n/a" / "无".
    """
    ind = indicator(key)
    zh = check_lang(lang) == "zh"
    if _missing(value):
        return "无" if zh else "n/a"
    if ind.fmt == "text" or isinstance(value, str | bool):
        return str(value)
    v = float(value)
    sign = "+" if difference and v > 0 else ""
    if difference and v < 0:
        sign, v = "−", -v
    if ind.fmt == "yuan":
        if zh:
            if v >= 1e4:
                wan = v / 1e4
                return f"{sign}{wan:.0f}万元" if wan >= 100 else f"{sign}{wan:.2f}万元"
            return f"{sign}{v:,.0f}元"
        return f"{sign}{v / 1e6:,.2f} million yuan" if v >= 1e6 else f"{sign}{v:,.0f} yuan"
    if ind.fmt == "share":
        if difference:
            return f"{sign}{100 * v:.1f}个百分点" if zh else f"{sign}{100 * v:.1f} pts"
        return f"{100 * v:.1f}%"
    if ind.fmt == "days":
        text = f"{v:,.0f}" if v.is_integer() else f"{v:,.1f}"
        return f"{sign}{text}天" if zh else f"{sign}{text} days"
    if ind.fmt == "float3":
        return f"{sign}{v:,.0f}" if v >= 1000 else f"{sign}{v:.3f}"
    # int: counts; means over replications may carry decimals
    if v.is_integer() or v >= 100:
        return f"{sign}{v:,.0f}"
    return f"{sign}{v:.1f}"


#: The 2020 headline totals of FACTS.md as summary keys: calibration targets and pattern P1.
FACTS_2020: dict[str, float] = {
    "cadres_placed": 992,
    "program_issues_resolved": 914,
    "program_policies_matched": 873,
    "program_subsidy_yuan": 79.15e6,
    "program_loans_yuan": 54.49e6,
    "program_hires": 4741,
}


def mean_of(values: np.ndarray) -> float:
    """``float(values.mean())`` of a float array without ``np.mean``'s dispatch (the same pairwise
    sum and division, so bit-identical; the daily reporters take a few means a day)."""
    return float(values.sum() / len(values))


def cadres_placed(model) -> int:
    """Cadres (persons) placed at least once so far, including placed cadres who have left."""
    placements = model.submodels.get("placement")
    if hasattr(placements, "cadres_placed"):
        return int(placements.cadres_placed())
    return int(np.count_nonzero(model.cadre_ever_placed))


def program_resolved(model) -> int:
    return int(sum(model.counters.issues_resolved_by_channel[ch] for ch in PROGRAM_CHANNELS))


def strong_tie_share(model) -> float:
    if model.ties.n == 0:
        return 0.0
    ties = model.ties  # a firm's best live tie is strong iff any live tie is: no per-firm max needed
    strong = (ties.current(model.day) >= model.cfg.trust.strong_tie_threshold) & ~ties.ended[: ties.n]
    return count_distinct(ties.firm[: ties.n][strong], model.firms.n) / model.firms.n


def count_distinct(ids: np.ndarray, n: int) -> int:
    """How many distinct values in ``ids`` (each in ``range(n)``): a mask, not a sort (daily reporter)."""
    seen = np.zeros(n, dtype=bool)
    seen[ids] = True
    return int(np.count_nonzero(seen))


def cadres_sanctioned(model) -> int:
    """Distinct cadres ever sanctioned (0 when the integrity submodel is knocked out)."""
    integrity = model.submodels.get("integrity")
    until = getattr(integrity, "sanctioned_until", None)
    return int((until >= 0).sum()) if until is not None else 0


def mean_perceived_risk(model) -> float | None:
    """Cadres' mean perceived risk of contact (None when the avoidance submodel is knocked out)."""
    avoidance = model.submodels.get("avoidance")
    return avoidance.mean_risk(model) if hasattr(avoidance, "mean_risk") else None


def perceived_risk_from_detections(model) -> float | None:
    """Cadres' mean perceived risk due to detections (None when avoidance is knocked out)."""
    avoidance = model.submodels.get("avoidance")
    return avoidance.mean_climate(model) if hasattr(avoidance, "mean_climate") else None


def clear_index(model) -> float:
    incident = model.firm_incident
    return 1.0 - int(np.count_nonzero(incident)) / len(incident)  # = 1 - mean, without a float sum


def first_sensitive_days(model, high_fear: bool = True) -> list[int]:
    """P3: day of first sensitive disclosure in closed placements at high-fear (or, with
    ``high_fear=False``, other) firms that held a sensitive latent issue; a placement that ended
    without one counts as ``length + 1`` (censored), so silence pulls the median up instead of
    dropping out."""
    return [
        a.first_sensitive_day or a.length + 1
        for a in model.placements
        if a.closed and a.high_fear == high_fear and a.had_sensitive_latent
    ]


def five_ones_done(model, a) -> bool:
    """All five items: >=1 issue solved (incl. follow-up of its backlog), >=1 policy, suggestion,
    >=1 production-line day, report."""
    iss = model.issues
    solved = a.solved > 0 or any(iss.status[i] == RESOLVED for i in a.backlog)
    return bool(solved and a.policies > 0 and a.suggestion and a.line_days.sum() > 0 and a.report)


def mean_attitude_never_placed(model) -> float | None:
    """Mean attitude of the cadres (current slot holders) never placed in a firm."""
    never = model.cadres.never_placed
    return mean_of(model.cadres.attitude[never]) if never.any() else None


def km_median(duration: np.ndarray, observed: np.ndarray) -> float | None:
    """Kaplan–Meier median: the first time the survival curve is <= 1/2 (``None`` if it never is).

    Product-limit estimate in numpy (O(n log n)); the model layer does not import ``analysis``,
    and scipy's censored ``ecdf`` takes seconds on a run's thousands of issues. Tests check it
    against ``analysis.stats.km_median``.
    """
    if not observed.any():
        return None
    times, inverse = np.unique(duration, return_inverse=True)
    events = np.bincount(inverse, weights=observed.astype(float), minlength=len(times))
    leaving = np.bincount(inverse, minlength=len(times))
    at_risk = len(duration) - np.concatenate([[0], np.cumsum(leaving)[:-1]])
    survival = np.cumprod(1.0 - events / at_risk)
    below = np.flatnonzero(survival <= 0.5 + 1e-12)  # a product of ratios lands on 1/2 only up to rounding
    return float(times[below[0]]) if below.size else None


def km_median_new_issues(model) -> float | None:
    """Kaplan–Meier median days to resolution of issues that arose during the run (day >= 0);
    issues still open are censored at the horizon. ``None`` if none arose or fewer than half were
    solved (the curve never reaches 1/2)."""
    iss = model.issues
    created = iss.view("day_created")
    new = created >= 0
    if not new.any():
        return None
    solved = (iss.view("status") == RESOLVED)[new]
    duration = np.where(solved, iss.view("day_resolved")[new], model.day) - created[new]
    return km_median(duration, solved)


def ordering_fulfilment(model) -> float | None:
    """Share of scheduled placements whose pair includes a department the firm requested."""
    ordered = [a for a in model.placements if a.requested]
    if not ordered:
        return None
    dept = model.cadres.dept
    return float(np.mean([bool(set(dept[list(a.cadres)].tolist()) & set(a.requested)) for a in ordered]))


def cost_and_net_measures(model) -> dict:
    """The v2 keys: the program's cost and capacity lost, deadweight, ordering, new-issue speed."""
    from .processes.costs import Costs

    costs = model.submodels.get("costs")
    if isinstance(costs, Costs):
        cost, lost = round(costs.program_cost_yuan(model), 2), round(costs.capacity_lost_cadre_days(model), 2)
    else:  # knocked out: nothing accounted
        cost, lost = None, None
    return {
        "program_cost_yuan": cost,
        "cadre_days_placed": int(model.counters.cadre_days),
        "ordinary_capacity_lost_cadre_days": lost,
        "program_policies_known_before": int(model.counters.program_policies_known_before),
        "ordering_fulfilment": ordering_fulfilment(model),
        "median_days_to_resolve_new": km_median_new_issues(model),
    }


def summarize(model) -> dict:
    c = model.counters
    iss = model.issues
    status = iss.view("status")
    resolved_in_run = (status == RESOLVED) & (iss.view("day_resolved") != NO_DAY)
    waits = (iss.view("day_resolved") - np.maximum(iss.view("day_created"), 0))[resolved_in_run]
    closed = [a for a in model.placements if a.closed]
    first_sensitive = first_sensitive_days(model)
    out = {
        "scenario": model.scenario_name,
        "seed": int(model.seed),
        "days": int(model.day),
        "n_cadres": int(model.cadres.n),
        "n_enterprises": int(model.firms.n),
        "cadres_placed": cadres_placed(model),
        "placements": len(model.placements),
        "enterprises_served": int(model.firm_ever_placed.sum()),
        "program_issues_resolved": program_resolved(model),
        "program_policies_matched": int(c.program_policies),
        "program_subsidy_yuan": round(float(c.program_subsidy_yuan), 2),
        "program_loans_yuan": round(float(c.program_loans_yuan), 2),
        "program_hires": int(c.program_hires),
        "issues_created": int(iss.n),
        "issues_disclosed": int((status > LATENT).sum()),
        "issues_resolved_total": int(c.issues_resolved_by_channel.sum()),
        "legacy_issues_resolved": int(c.legacy_resolved),
        "median_days_to_resolve": float(np.median(waits)) if len(waits) else None,
        "mean_owner_trust": float(model.firms.trust.mean()),
        "strong_tie_share": strong_tie_share(model),
        "clear_index": clear_index(model),
        "integrity_incidents": int(c.incidents),
        "integrity_incidents_program": int(c.incidents_program),
        "integrity_detected": int(c.detected),
        "five_ones_completion": float(np.mean([five_ones_done(model, a) for a in closed])) if closed else 0.0,
        "mean_cadre_attitude": float(model.cadres.attitude.mean()),
        "mean_department_speed": float(model.dept_speed.mean()),
        "owner_meeting_attendance": c.meeting_owner_attended / c.meeting_invitations if c.meeting_invitations else 0.0,
        "owner_attendance_via_cadre": c.attended_via_cadre / c.invitations_via_cadre
        if c.invitations_via_cadre
        else 0.0,
        "absence_rate": c.absent_days / c.cadre_days if c.cadre_days else 0.0,
        "median_first_sensitive_disclosure_day": float(np.median(first_sensitive)) if first_sensitive else None,
        "policies_matched_total": int(c.policies_total),
        "subsidy_yuan_total": round(float(c.subsidy_yuan_total), 2),
        "loans_yuan_total": round(float(c.loans_yuan_total), 2),
        "hires_total": int(c.hires_total),
        "ordinary_resolved_per_unplaced_firm": float(model.firm_ordinary_resolved[~model.firm_ever_placed].mean())
        if (~model.firm_ever_placed).any()
        else None,
        "mean_evaluation_score": float(np.mean([a.evaluation for a in closed if a.evaluation]))
        if any(a.evaluation for a in closed)
        else None,
        # --- v2: mindset, careers and turnover ---
        "cadres_hired": int(c.cadres_hired),
        "cadres_left": int(c.cadres_left),
        "cadres_promoted": int(c.cadres_promoted),
        "mean_attitude_never_placed": mean_attitude_never_placed(model),
        # --- v2: costs, net effects, ordering ---
        **cost_and_net_measures(model),
        # --- v2: avoidance and consequences ---
        "cadres_sanctioned": cadres_sanctioned(model),
        "mean_perceived_risk": mean_perceived_risk(model),
    }
    assert tuple(out) == SUMMARY_KEYS
    return out


DAILY_REPORTERS = {
    "day": lambda m: m.day,
    "active_placements": lambda m: len(m.active),
    "cadres_placed": cadres_placed,
    "issues_resolved_total": lambda m: int(m.counters.issues_resolved_by_channel.sum()),
    "issues_resolved_program": program_resolved,
    "issues_resolved_ordinary": lambda m: int(m.counters.issues_resolved_by_channel[CH_SELF]),
    "legacy_issues_resolved": lambda m: m.counters.legacy_resolved,
    "open_issues": lambda m: int(np.count_nonzero(m.issues.view("status") < RESOLVED)),
    "program_policies_matched": lambda m: m.counters.program_policies,
    "program_subsidy_yuan": lambda m: m.counters.program_subsidy_yuan,
    "program_loans_yuan": lambda m: m.counters.program_loans_yuan,
    "program_hires": lambda m: m.counters.program_hires,
    "mean_owner_trust": lambda m: mean_of(m.firms.trust),
    "strong_tie_share": strong_tie_share,
    "n_ties": lambda m: m.ties.n_live,
    "integrity_incidents": lambda m: m.counters.incidents,
    "clear_index": clear_index,
    "mean_cadre_attitude": lambda m: mean_of(m.cadres.attitude),
    "mean_department_speed": lambda m: mean_of(m.dept_speed),
    # --- v2: mindset, careers and turnover ---
    "mean_attitude_never_placed": mean_attitude_never_placed,
    "cadres_hired": lambda m: m.counters.cadres_hired,
    # --- v2: avoidance and consequences (the scandal cycle) ---
    "integrity_detected": lambda m: m.counters.detected,
    "mean_perceived_risk": lambda m: mean_perceived_risk(m),
    "perceived_risk_from_detections": lambda m: perceived_risk_from_detections(m),
}


def display_width(text: str) -> int:
    """Terminal columns of ``text``: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, right: bool = False) -> str:
    """``text`` filled with spaces to ``width`` terminal columns (CJK-aware), left- or right-aligned."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def format_summary(summary: dict, lang: str = "en") -> str:
    """One line per summary key: label, value (registry format, ``lang``), key."""
    return format_side_by_side([summary], lang)


def format_side_by_side(summaries: list[dict], lang: str = "en") -> str:
    """A table: one row per summary key (label, one value per run, key), one column per run."""
    keys = list(summaries[0])
    labels = [label(k, lang) for k in keys]
    width = max(map(display_width, labels))
    cols = [[format_value(k, s[k], lang) for k in keys] for s in summaries]
    colw = [max(display_width(x) for x in col) for col in cols]
    lines = []
    for i, k in enumerate(keys):
        values = "  ".join(pad(col[i], w, right=True) for col, w in zip(cols, colw, strict=True))
        lines.append(f"{pad(labels[i], width)}  {values}  {k}")
    return "\n".join(lines)
