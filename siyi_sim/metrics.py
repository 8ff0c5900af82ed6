"""Run summary and daily reporters (MODEL.md §6).

``program_*`` counts only what placed cadres delivered (channels placement, follow_up, tie).
``clear_index`` = share of enterprises with no improper exchange in the run (1 = fully clear).
``strong_tie_share`` = share of enterprises with a cadre tie of trust >= strong_tie_threshold.
Nothing in a summary depends on time or machine.
"""

from __future__ import annotations

import numpy as np

from .issues import CH_SELF, LATENT, NO_DAY, PROGRAM_CHANNELS, RESOLVED

#: The 2020 headline totals of FACTS.md as summary keys: calibration targets and pattern P1.
FACTS_2020: dict[str, float] = {
    "cadres_placed": 992,
    "program_issues_resolved": 914,
    "program_policies_matched": 873,
    "program_subsidy_yuan": 79.15e6,
    "program_loans_yuan": 54.49e6,
    "program_hires": 4741,
}

SUMMARY_KEYS: tuple[str, ...] = (
    "scenario",
    "seed",
    "days",
    "n_cadres",
    "n_enterprises",
    "cadres_placed",
    "placements",
    "enterprises_served",
    "program_issues_resolved",
    "program_policies_matched",
    "program_subsidy_yuan",
    "program_loans_yuan",
    "program_hires",
    "issues_created",
    "issues_disclosed",
    "issues_resolved_total",
    "legacy_issues_resolved",
    "median_days_to_resolve",
    "mean_owner_trust",
    "strong_tie_share",
    "clear_index",
    "integrity_incidents",
    "integrity_incidents_program",
    "integrity_detected",
    "five_ones_completion",
    "mean_cadre_attitude",
    "mean_department_speed",
    "owner_meeting_attendance",
    "owner_attendance_via_cadre",
    "absence_rate",
    "median_first_sensitive_disclosure_day",
    "policies_matched_total",
    "subsidy_yuan_total",
    "loans_yuan_total",
    "hires_total",
    "ordinary_resolved_per_unplaced_firm",
    "mean_evaluation_score",
)


def program_resolved(model) -> int:
    return int(sum(model.counters.issues_resolved_by_channel[ch] for ch in PROGRAM_CHANNELS))


def strong_tie_share(model) -> float:
    if model.ties.n == 0:
        return 0.0
    best, _ = model.ties.best_per_firm(model.day, model.firms.n)
    return float((best >= model.cfg.trust.strong_tie_threshold).mean())


def clear_index(model) -> float:
    return float(1.0 - model.firm_incident.mean())


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
        "cadres_placed": int(model.cadre_ever_placed.sum()),
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
    }
    assert tuple(out) == SUMMARY_KEYS
    return out


DAILY_REPORTERS = {
    "day": lambda m: m.day,
    "active_placements": lambda m: len(m.active),
    "cadres_placed": lambda m: int(m.cadre_ever_placed.sum()),
    "issues_resolved_total": lambda m: int(m.counters.issues_resolved_by_channel.sum()),
    "issues_resolved_program": program_resolved,
    "issues_resolved_ordinary": lambda m: int(m.counters.issues_resolved_by_channel[CH_SELF]),
    "legacy_issues_resolved": lambda m: m.counters.legacy_resolved,
    "open_issues": lambda m: int((m.issues.view("status") < RESOLVED).sum()),
    "program_policies_matched": lambda m: m.counters.program_policies,
    "program_subsidy_yuan": lambda m: m.counters.program_subsidy_yuan,
    "program_loans_yuan": lambda m: m.counters.program_loans_yuan,
    "program_hires": lambda m: m.counters.program_hires,
    "mean_owner_trust": lambda m: float(m.firms.trust.mean()),
    "strong_tie_share": strong_tie_share,
    "n_ties": lambda m: m.ties.n,
    "integrity_incidents": lambda m: m.counters.incidents,
    "clear_index": clear_index,
    "mean_cadre_attitude": lambda m: float(m.cadres.attitude.mean()),
    "mean_department_speed": lambda m: float(m.dept_speed.mean()),
}


def _fmt(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        if value.is_integer():
            return f"{value:,.0f}"
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def format_summary(summary: dict) -> str:
    width = max(map(len, summary))
    return "\n".join(f"{k:<{width}}  {_fmt(v)}" for k, v in summary.items())


def format_side_by_side(summaries: list[dict]) -> str:
    """A table: one row per summary key, one column per run."""
    keys = list(summaries[0])
    width = max(map(len, keys))
    cols = [[_fmt(s[k]) for k in keys] for s in summaries]
    colw = [max(len(x) for x in col) for col in cols]
    lines = []
    for i, k in enumerate(keys):
        lines.append(f"{k:<{width}}  " + "  ".join(f"{col[i]:>{w}}" for col, w in zip(cols, colw, strict=True)))
    return "\n".join(lines)
