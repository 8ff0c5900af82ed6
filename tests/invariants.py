"""Invariants of MODEL.md §7, as one checker used by several tests."""

import itertools

import numpy as np

from siyi_sim.events import CareerMove, PlacementStarted
from siyi_sim.issues import LATENT, NO_DAY, RESOLVED


def placed_persons(events) -> tuple[set[tuple[int, int]], dict[int, int]]:
    """Persons placed, as (slot, how many holders had left the slot before), from the event log;
    and each slot's count of leavers at the end (its current holder's number)."""
    leavers: dict[int, int] = {}
    persons: set[tuple[int, int]] = set()
    for e in events:
        if isinstance(e, CareerMove) and e.kind == "left":
            leavers[e.cadre] = leavers.get(e.cadre, 0) + 1
        elif isinstance(e, PlacementStarted):
            persons.update((c, leavers.get(c, 0)) for c in e.cadres)
    return persons, leavers


def check_invariants(model) -> None:
    s = model.summary()
    iss = model.issues
    status, prereq = iss.view("status"), iss.view("prereq")
    # Trust and attitudes stay in [0, 1].
    assert np.all((model.firms.trust >= 0) & (model.firms.trust <= 1))
    assert np.all((model.cadres.attitude >= 0) & (model.cadres.attitude <= 1))
    if model.ties.n:
        t = model.ties.current(model.day)
        assert np.all((t >= 0) & (t <= 1))
    # No issue is resolved before its prerequisites (strictly earlier day).
    done = np.flatnonzero((status == RESOLVED) & (prereq >= 0))
    assert np.all(status[prereq[done]] == RESOLVED)
    assert np.all(iss.day_resolved[prereq[done]] < iss.day_resolved[done])
    # resolved <= disclosed <= created; a resolved issue was disclosed first.
    resolved = status == RESOLVED
    assert np.all(iss.view("day_disclosed")[resolved] != NO_DAY)
    assert np.all(iss.view("day_disclosed")[resolved] <= iss.view("day_resolved")[resolved])
    assert s["issues_resolved_total"] <= s["issues_disclosed"] <= s["issues_created"]
    assert s["issues_resolved_total"] == int(resolved.sum())
    assert int((status > LATENT).sum()) == s["issues_disclosed"]
    # Program counts <= totals; money and head counts non-negative.
    assert s["program_issues_resolved"] <= s["issues_resolved_total"]
    assert s["program_policies_matched"] <= s["policies_matched_total"]
    assert s["program_subsidy_yuan"] <= s["subsidy_yuan_total"] + 1e-6
    assert s["program_loans_yuan"] <= s["loans_yuan_total"] + 1e-6
    assert s["program_hires"] <= s["hires_total"]
    for key in (
        "program_subsidy_yuan",
        "program_loans_yuan",
        "program_hires",
        "subsidy_yuan_total",
        "loans_yuan_total",
        "hires_total",
    ):
        assert s[key] >= 0
    assert 0 <= s["clear_index"] <= 1 and 0 <= s["strong_tie_share"] <= 1
    # Each placement: one enterprise, two distinct cadres; no firm or cadre in two at once.
    spans_by_firm, spans_by_cadre = {}, {}
    for a in model.placements:
        assert len(set(a.cadres)) == 2
        span = (a.start_day, a.start_day + a.length)
        spans_by_firm.setdefault(a.firm, []).append(span)
        for c in a.cadres:
            spans_by_cadre.setdefault(c, []).append(span)
    for spans in (*spans_by_firm.values(), *spans_by_cadre.values()):
        spans.sort()
        for (_, e0), (s1, _) in itertools.pairwise(spans):
            assert s1 >= e0, "overlapping placements"
