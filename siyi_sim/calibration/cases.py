"""Case replays: the seed's cases (FACTS.md) as constructed situations run through the real
mechanisms.

A replay builds a small district in the calibrated world (no campaign), picks one firm without
difficulties of its own and gives it the case's state (age, location, enforcement history,
owner's trust and fear, its issues with their prerequisites), then places a pair with the
placement submodel's public intervention ``place_pair`` and steps the model day by day.
Everything that happens afterwards — disclosure, effort, the legacy procedure, claims, loans,
job fair, first calls — is the model's own processes, read back from its event log
(``record_events=True``); the counterfactual is the same firm, same seed, without the pair.

>>> from siyi_sim.calibration.cases import run_case
>>> out = run_case("zhongchuan")                      # doctest: +SKIP
>>> out["checks"]["permit_within_placement"]          # doctest: +SKIP
True

Cases: ``zhongchuan`` (permit <- EIA <- land-use chain, stuck for years, solved in days by an
ecology + planning pair through the legacy procedure; the owner later calls the pair first),
``quanzheng`` (high-fear owner, "no difficulties" on day 1, opens up after about a week of line
work: loan and child's schooling), ``yuanxiu`` (policy list reviewed item by item: job
subsidy, rent waiver, patents).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..catalog import DEPARTMENTS, DEPT, ISSUE, ISSUE_TYPES
from ..events import (
    FirstCall,
    IssueArose,
    IssueDisclosed,
    IssueResolved,
    LoanPaid,
    OrdinaryApproach,
    PolicyClaimed,
    WorkersHired,
)
from ..issues import LATENT, RESOLVED, STATUS_NAMES
from ..population import CLAIMED, FAILED, UNKNOWN, add_issues
from ..processes.arrivals import Arrivals
from ..processes.placement import Placements

CASE_POPULATION = {"population.n_cadres": 300, "population.n_enterprises": 600}


@dataclass(frozen=True)
class Case:
    name: str
    title: str
    build: Callable[[int], dict[str, Any]]


# --- construction helpers ---------------------------------------------------------------------


def case_model(seed: int, days: int, overrides: dict[str, Any] | None = None):
    """A small district in the calibrated world, no campaign, ``days`` long."""
    from ..model import SiyiModel
    from ..scenarios import CALIBRATED, scenario_config

    cfg = scenario_config("baseline", {**CALIBRATED, **CASE_POPULATION, "run.days": days, **(overrides or {})})
    return SiyiModel(cfg, seed=seed, scenario_name="case", record_events=True)


def blank_firm(model) -> int:
    """The first firm that carries no issue, credit need, hiring gap or patent of its own."""
    has_issue = np.bincount(model.issues.view("firm"), minlength=model.firms.n) > 0
    f = model.firms
    free = np.flatnonzero(
        ~has_issue & (f.credit_need_yuan == 0) & (f.hiring_gap == 0) & ~f.patentable & (f.enforced_by_dept < 0)
    )
    if len(free) == 0:
        raise RuntimeError("no blank firm in the case district")
    return int(free[0])


def set_firm(model, firm: int, **state: Any) -> None:
    for key, value in state.items():
        getattr(model.firms, key)[firm] = value


def add_issue(
    model, firm: int, type_name: str, day_created: int, legacy: bool = False, prereq: int | None = None
) -> int:
    """Add one latent issue to ``firm`` through the population's own constructor."""
    rng = model.streams["population"]
    idx = add_issues(
        model.cfg,
        model.issues,
        rng,
        [firm],
        [ISSUE[type_name]],
        [day_created],
        legacy=legacy,
        prereq=None if prereq is None else [prereq],
    )
    return int(idx[0])


def cadre_of(model, department: str, exclude: tuple[int, ...] = ()) -> int:
    ids = [int(c) for c in np.flatnonzero(model.cadres.dept == DEPT[department]) if int(c) not in exclude]
    if not ids:
        raise RuntimeError(f"no cadre of {department} in the case district")
    return ids[0]


def place(model, firm: int, cadres: tuple[int, int], invited: bool | None = None):
    """Place the pair ``cadres`` in ``firm`` today through the placement submodel's intervention."""
    return model.submodel(Placements).place_pair(model, firm, cadres, "case", 1, invited=invited)


def events_of(model, kind: type, firm: int, since: int = 0) -> list:
    """Events of type ``kind`` at ``firm`` logged from position ``since`` of ``model.events``."""
    return [e for e in model.events[since:] if isinstance(e, kind) and getattr(e, "firm", None) == firm]


class Diary:
    """Steps the model and writes what happened to one firm, day by day, from the event log."""

    def __init__(self, model, firm: int, placement=None):
        self.model, self.firm, self.placement = model, firm, placement
        self.lines: list[str] = []
        self._seen = len(model.events)
        self._present = np.zeros(2, dtype=np.int64)
        self._line = np.zeros(2, dtype=np.int64)

    def say(self, text: str) -> None:
        self.lines.append(text)

    def _issue_name(self, i: int) -> str:
        iss = self.model.issues
        return ISSUE_TYPES[int(iss.type[i])].name + (" (legacy)" if iss.legacy[i] else "")

    def _news(self) -> list[str]:
        """What happened at the firm since the last call, in the order of the day."""
        m = self.model
        new = [e for e in m.events[self._seen :] if getattr(e, "firm", None) == self.firm]
        self._seen = len(m.events)
        events: list[str] = []
        arose = {e.issue for e in new if isinstance(e, IssueArose)}
        resolved = {e.issue: e.channel for e in new if isinstance(e, IssueResolved)}
        told = {e.issue for e in new if isinstance(e, IssueDisclosed)}
        for i in sorted(arose | set(resolved) | told):
            if i in arose:
                events.append(f"new issue {self._issue_name(i)} arises")
            if i in resolved:
                events.append(f"{self._issue_name(i)} RESOLVED via {resolved[i]}")
            elif i in told:
                events.append(f"owner tells {self._issue_name(i)}")
        loans = sum(e.yuan for e in new if isinstance(e, LoanPaid) and e.program)
        claims = [e for e in new if isinstance(e, PolicyClaimed) and e.program and e.success]
        hires = sum(e.workers for e in new if isinstance(e, WorkersHired) and e.program)
        if loans:
            events.append(f"loan paid {loans:,.0f} yuan")
        if claims:
            events.append(f"{len(claims)} policy claim(s) succeed, {sum(e.yuan for e in claims):,.0f} yuan")
        if hires:
            events.append(f"{hires} worker(s) hired via the job fair")
        return events

    def step(self, quiet: bool = False) -> list[str]:
        m = self.model
        day = m.day
        m.step()
        events = self._news()
        a = self.placement
        if (a is not None and not a.closed) or (a is not None and a.closed and a.days_done == day - a.start_day + 1):
            present = a.present_days - self._present
            line = a.line_days - self._line
            self._present, self._line = a.present_days.copy(), a.line_days.copy()
            t = m.ties.current(m.day, a.ties)
            who = " ".join(
                f"{DEPARTMENTS[int(m.cadres.dept[c])].split('_')[0]}:"
                f"{'line' if ln else ('in' if p else 'ABSENT')} t={tt:.2f}"
                for c, p, ln, tt in zip(a.cadres, present, line, t, strict=True)
            )
            if a.days_done <= a.length and (a.days_done == day - a.start_day + 1):
                text = f"day {a.days_done:2d}: {who}" + (
                    "; " + "; ".join(events) if events else "; owner: no difficulties" if a.days_done == 1 else ""
                )
                self.say(text)
                return events
        if events and not quiet:
            self.say(f"(day {day}) " + "; ".join(events))
        return events

    def run_until(self, day: int, quiet: bool = False) -> None:
        while self.model.running and self.model.day < day:
            self.step(quiet)


def _issue_line(model, i: int) -> dict[str, Any]:
    iss = model.issues
    return {
        "type": ISSUE_TYPES[int(iss.type[i])].name,
        "legacy": bool(iss.legacy[i]),
        "status": STATUS_NAMES[int(iss.status[i])],
        "day_resolved": int(iss.day_resolved[i]) if iss.status[i] == RESOLVED else None,
    }


# --- zhongchuan -------------------------------------------------------------------------------


def _zhongchuan_world(seed: int, days: int):
    """Zhongchuan Tech: founded 1999, in a town, fined by ecology in 2017, permit chain since."""
    model = case_model(seed, days)
    f = blank_firm(model)
    set_firm(
        model,
        f,
        founding_year=1999,
        outside_park=True,
        size_class=1,
        enforced_by_dept=DEPT["ecology_environment"],
        trust=0.45,
        fear=0.4,
        liaison=0.2,
        hiring_gap=12,
        credit_need_yuan=400_000.0,
    )
    since_2017 = -3 * 365
    land = add_issue(model, f, "land_use", since_2017, legacy=True)
    eia = add_issue(model, f, "eia", since_2017, legacy=True, prereq=land)
    permit = add_issue(model, f, "discharge_permit", since_2017, legacy=True, prereq=eia)
    hiring = add_issue(model, f, "hiring", -60)
    loan = add_issue(model, f, "loan", -60)
    return model, f, {"land_use": land, "eia": eia, "permit": permit, "hiring": hiring, "loan": loan}


def _zhongchuan(seed: int) -> dict[str, Any]:
    # counterfactual: three more years without placement
    stuck, f0, ids0 = _zhongchuan_world(seed, 3 * 365)
    approaches = _count_approaches(stuck, f0)
    permit_open_3y = stuck.issues.status[ids0["permit"]] != RESOLVED
    # with the pair: the ecology cadre (from the office that fined the firm) + planning
    model, f, ids = _zhongchuan_world(seed, 365)
    eco = cadre_of(model, "ecology_environment")
    plan = cadre_of(model, "planning_natural_resources")
    a = place(model, f, (eco, plan))
    diary = Diary(model, f, a)
    diary.say(
        f"Zhongchuan Tech (firm {f}): founded 1999, outside the park, fined 2017 by ecology; "
        "chain permit <- EIA <- land use open since 2017."
    )
    diary.say(
        "Without placement (same firm, same seed, 3 more years): "
        f"permit {'still open' if permit_open_3y else 'resolved'}; the owner approached departments {approaches} times."
    )
    diary.say(f"Pair: ecology cadre {eco} (adversarial edge: same office that fined the firm) + planning cadre {plan}.")
    diary.run_until(a.length)
    trust_end = [round(float(x), 3) for x in model.ties.current(model.day, a.ties)]
    iss = model.issues
    permit_day = int(iss.day_resolved[ids["permit"]]) + 1 if iss.status[ids["permit"]] == RESOLVED else None
    # later: a new difficulty (a utilities problem) arises; the first-call rule routes it
    diary.run_until(75, quiet=True)
    new = add_issue(model, f, "utilities", model.day)
    since = len(model.events)
    model.submodel(Arrivals).first_call(model, np.array([new]))
    calls = [e.cadre for e in events_of(model, FirstCall, f, since) if e.issue == new]
    called = calls[0] if calls else None
    if called is None:
        callee = "nobody: goes to the department himself"
    else:
        role = " (the ecology cadre)" if called == eco else " (the planning cadre)" if called == plan else ""
        callee = f"cadre {called}{role}"
    diary.say(f"day {model.day}: a utilities problem arises; owner calls {callee}.")
    diary.run_until(365, quiet=True)
    summary = model.summary()
    numbers = {
        "firm": f,
        "permit_open_after_3y_without_placement": bool(permit_open_3y),
        "owner_approaches_without_placement": approaches,
        "permit_day_of_placement": permit_day,
        "land_use_day": int(iss.day_resolved[ids["land_use"]]) + 1 if iss.status[ids["land_use"]] == RESOLVED else None,
        "eia_day": int(iss.day_resolved[ids["eia"]]) + 1 if iss.status[ids["eia"]] == RESOLVED else None,
        "loan_yuan": summary["program_loans_yuan"],
        "hires_in_year": summary["program_hires"],
        "first_call_cadre": called,
        "ecology_cadre": eco,
        "planning_cadre": plan,
        "trust_end_of_placement": trust_end,
        "issues": {k: _issue_line(model, i) for k, i in ids.items()},
    }
    checks = {
        "stuck_without_placement": bool(permit_open_3y),
        "permit_within_placement": permit_day is not None and permit_day <= a.length,
        "owner_calls_pair_first": called in (eco, plan),
    }
    return {"numbers": numbers, "checks": checks, "story": diary.lines}


def _count_approaches(model, firm: int) -> int:
    """Run ``model`` to its end and count the firm's ordinary-channel approaches in its event log."""
    since = len(model.events)
    model.run_to_end()
    return len(events_of(model, OrdinaryApproach, firm, since))


# --- quanzheng --------------------------------------------------------------------------------


def _quanzheng(seed: int) -> dict[str, Any]:
    # the cadres worked on the production line with the workers: a line day half of the days
    model = case_model(seed, 120, {"trust.line_day_prob": 0.5})
    f = blank_firm(model)
    set_firm(model, f, size_class=1, trust=0.3, fear=0.7, liaison=0.2, credit_need_yuan=500_000.0)
    ids = {"loan": add_issue(model, f, "loan", -90), "child_schooling": add_issue(model, f, "personal_family", -90)}
    hr = cadre_of(model, "human_resources_social_security")
    eco = cadre_of(model, "economy_information")
    a = place(model, f, (hr, eco), invited=True)  # the owner: "you need not come back", a "good" rating anyway
    diary = Diary(model, f, a)
    diary.say(
        f"Quanzheng Electronics (firm {f}): owner trust 0.30, fear 0.70 ('settled with later'); "
        "loan need and a child's schooling, both unspoken."
    )
    diary.say(
        f"Pair: human-resources cadre {hr} + economy cadre {eco}. "
        "Day 1: owner says 'no difficulties', 'you need not come'."
    )
    diary.run_until(a.length)
    trust_end = [round(float(x), 3) for x in model.ties.current(model.day, a.ties)]
    iss = model.issues
    disclosed = {
        k: (int(iss.day_disclosed[i]) - a.start_day + 1 if iss.status[i] > LATENT else None) for k, i in ids.items()
    }
    diary.run_until(120, quiet=False)
    first = min((d for d in disclosed.values() if d is not None), default=None)
    numbers = {
        "firm": f,
        "first_sensitive_disclosure_day": a.first_sensitive_day,
        "loan_disclosed_day": disclosed["loan"],
        "child_schooling_disclosed_day": disclosed["child_schooling"],
        "line_days": a.line_days.tolist(),
        "absent_days": (a.days_done - a.present_days).tolist(),
        "trust_end_of_placement": trust_end,
        "issues": {k: _issue_line(model, i) for k, i in ids.items()},
        "loan_yuan": model.summary()["program_loans_yuan"],
    }
    checks = {
        "silent_on_day_1": first is None or first > 1,
        "opens_up_after_about_a_week": first is not None and 5 <= first <= 11,
        "both_told_within_placement": all(d is not None and d <= a.length for d in disclosed.values()),
    }
    return {"numbers": numbers, "checks": checks, "story": diary.lines}


# --- yuanxiu ----------------------------------------------------------------------------------

#: The case's policy list: name, department, benefit (yuan), paperwork difficulty [0,1].
YUANXIU_POLICIES = (
    ("job-stabilisation subsidy", "human_resources_social_security", 25_000.0, 0.1),
    ("rent waiver, 3 months", "state_assets", 105_000.0, 0.1),
)


def set_firm_policies(model, firm: int, new_policies, other_policy_ids) -> list[int]:
    """Make ``firm`` eligible for exactly the new policies plus ``other_policy_ids``, all unknown
    to the owner. New policies are appended to the catalogue; returns their ids."""
    pol = model.policies
    start = len(pol.benefit_yuan)
    pol.dept = np.concatenate([pol.dept, [DEPT[d] for _, d, _, _ in new_policies]]).astype(np.int64)
    pol.benefit_yuan = np.concatenate([pol.benefit_yuan, [b for _, _, b, _ in new_policies]])
    pol.paperwork = np.concatenate([pol.paperwork, [w for _, _, _, w in new_policies]])
    ids = list(range(start, start + len(new_policies))) + [int(p) for p in other_policy_ids]
    lo, hi = int(pol.firm_ptr[firm]), int(pol.firm_ptr[firm + 1])
    k = len(ids)
    pol.pair_firm = np.concatenate([pol.pair_firm[:lo], np.full(k, firm), pol.pair_firm[hi:]]).astype(np.int64)
    pol.pair_policy = np.concatenate([pol.pair_policy[:lo], ids, pol.pair_policy[hi:]]).astype(np.int64)
    pol.pair_status = np.concatenate([pol.pair_status[:lo], np.full(k, UNKNOWN), pol.pair_status[hi:]]).astype(np.int8)
    pol.firm_ptr[firm + 1 :] += k - (hi - lo)
    return ids


def _yuanxiu(seed: int) -> dict[str, Any]:
    # the desk is shared by the ~50 pairs out at once in a 2020 batch: 1/50 of its 18 chiefs' checks
    model = case_model(seed, 120, {"policies.desk_queries_per_chief_day": 4.0 / 50})
    f = blank_firm(model)
    set_firm(model, f, size_class=1, trust=0.4, fear=0.3, liaison=0.2, awareness=0.0, patentable=True)
    others = [int(p) for p in np.argsort(model.policies.paperwork)[:3]]
    ids = set_firm_policies(model, f, YUANXIU_POLICIES, others)
    names = [n for n, _, _, _ in YUANXIU_POLICIES] + [
        f"policy #{p} ({DEPARTMENTS[int(model.policies.dept[p])]})" for p in others
    ]
    patent = add_issue(model, f, "patent_ip", -200)
    ms = cadre_of(model, "market_supervision")
    org = cadre_of(model, "organization_department")
    a = place(model, f, (ms, org))
    diary = Diary(model, f, a)
    diary.say(
        f"Yuanxiu Tech (firm {f}): eligible for {len(ids)} policies, knows none; patentable technology, never filed."
    )
    diary.say(
        f"Pair: market-supervision cadre {ms} + organization cadre {org}; "
        "printed policy list, item by item with the desk."
    )
    pol = model.policies
    rows = np.arange(pol.firm_ptr[f], pol.firm_ptr[f + 1])
    seen = set()
    for _ in range(a.length):
        diary.step()
        for r, pid, name in zip(rows.tolist(), ids, names, strict=True):
            st = int(pol.pair_status[r])
            if st in (CLAIMED, FAILED) and r not in seen:
                seen.add(r)
                outcome = (
                    f"claimed, {float(pol.benefit_yuan[pid]):,.0f} yuan"
                    if st == CLAIMED
                    else "claim failed (paperwork)"
                )
                diary.say(f"        item '{name}': {outcome}")
    diary.run_until(120)
    status = {
        name: (
            "claimed" if pol.pair_status[r] == CLAIMED else "failed" if pol.pair_status[r] == FAILED else "not reviewed"
        )
        for r, name in zip(rows.tolist(), names, strict=True)
    }
    iss = model.issues
    numbers = {
        "firm": f,
        "policies_reviewed": int((pol.pair_status[rows] >= CLAIMED).sum()),
        "policies_claimed": int((pol.pair_status[rows] == CLAIMED).sum()),
        "subsidy_yuan": model.summary()["program_subsidy_yuan"],
        "policy_items": status,
        "patent_issue": _issue_line(model, patent),
        "patent_help_day": int(iss.day_resolved[patent]) - a.start_day + 1 if iss.status[patent] == RESOLVED else None,
        "patents_filed": "not modelled (the case: 2 invention + 24 utility-model patents)",
    }
    checks = {
        "every_item_reviewed": numbers["policies_reviewed"] == len(ids),
        "subsidy_found": status[YUANXIU_POLICIES[0][0]] == "claimed",
        "rent_waiver_found": status[YUANXIU_POLICIES[1][0]] == "claimed",
        "patent_filing_helped": bool(iss.status[patent] == RESOLVED),
    }
    return {"numbers": numbers, "checks": checks, "story": diary.lines}


CASES: dict[str, Case] = {
    c.name: c
    for c in (
        Case("zhongchuan", "Permit chain stuck for years, solved in days from inside the bureau", _zhongchuan),
        Case("quanzheng", "Trust takes about a week: a high-fear owner opens up", _quanzheng),
        Case("yuanxiu", "Policy list, item by item: subsidy, rent waiver, patents", _yuanxiu),
    )
}


def run_case(name: str, seed: int = 1, verbose: bool = False) -> dict[str, Any]:
    """Replay case ``name``; return ``{"case", "title", "seed", "numbers", "checks", "story"}``."""
    if name not in CASES:
        raise ValueError(f"unknown case '{name}' (known: {', '.join(CASES)})")
    case = CASES[name]
    out = {"case": name, "title": case.title, "seed": int(seed), **case.build(int(seed))}
    out["passed"] = all(out["checks"].values())
    if verbose:
        print(format_case(out))
    return out


def format_case(out: dict[str, Any]) -> str:
    lines = [f"== {out['case']}: {out['title']} (seed {out['seed']})", *out["story"], "-- key numbers"]
    for k, v in out["numbers"].items():
        if k != "issues":
            lines.append(f"   {k}: {v}")
    lines.append("-- as in the seed: " + ", ".join(f"{k}={'yes' if v else 'NO'}" for k, v in out["checks"].items()))
    return "\n".join(lines)
