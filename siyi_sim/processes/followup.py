"""Follow-up and ties (process 4): returned cadres keep working their backlog; trusted ties
bring new issues to "their" cadre first.

Backlog effort per owner-day = follow_up_effort * competence * match, shared equally among the
owner's unblocked backlog issues; legacy issues still need the owner's inside push. A cadre with a live
backlog contacts the firm on ``follow_up_contact_days_per_month`` days a month, which refreshes
the tie (and carries integrity risk). Five-ones policy items left open are reviewed one check a
day with probability ``follow_up_effort``.
"""

from __future__ import annotations

import numpy as np

from ..issues import CH_FOLLOW_UP, CH_TIE, DISCLOSED, RESOLVED
from . import integrity, policies, resolution


def work_backlog(model) -> None:
    iss = model.issues
    owner = iss.view("owner_cadre")
    st = iss.view("status")
    owned = np.flatnonzero((owner >= 0) & (st >= DISCLOSED) & (st < RESOLVED))
    if len(owned):
        _work(model, owned)
    _policy_followups(model)


def _work(model, owned: np.ndarray) -> None:
    iss = model.issues
    rng = model.streams["followup"]
    owners_all = iss.owner_cadre[owned]
    firms_all = iss.firm[owned]
    workable = owned[iss.workable(owned)]
    if len(workable):
        c = iss.owner_cadre[workable]
        load = np.bincount(c)
        d = iss.dept[workable]
        effort = (
            model.cfg.placement.follow_up_effort
            / load[c]
            * model.cadres.competence[c]
            * resolution.match_factor(model, c, d)
        )
        done = resolution.apply_effort(model, workable, effort, resolution.inside_push(model, c, d))
        for route in (CH_FOLLOW_UP, CH_TIE):
            _bump(model, resolution.settle(model, done[iss.channel[done] == route], route))
    # Contacts: each (owner, firm) with a live backlog meets on some days.
    n_firms = model.firms.n
    pairs = np.unique(owners_all * n_firms + firms_all)
    meet = pairs[rng.random(len(pairs)) < model.cfg.integrity.follow_up_contact_days_per_month / 30.0]
    rows = _tie_rows(model, meet // n_firms, meet % n_firms)
    if len(rows):
        model.ties.touch(rows, model.day, model.cfg.trust.contact_refresh)
        integrity.record_contacts(model, model.ties.cadre[rows], rows)


def _tie_rows(model, cadres: np.ndarray, firms: np.ndarray) -> np.ndarray:
    index = model.ties.index
    rows = [index.get((int(c), int(f)), -1) for c, f in zip(cadres.tolist(), firms.tolist(), strict=True)]
    rows = np.array(rows, dtype=np.int64)
    return rows[rows >= 0]


def _bump(model, settled: np.ndarray) -> None:
    if len(settled) == 0:
        return
    rows = _tie_rows(model, model.issues.owner_cadre[settled], model.issues.firm[settled])
    if len(rows):
        uniq, n = np.unique(rows, return_counts=True)
        resolution.bump_trust_for_solved(model, uniq, n)


def _policy_followups(model) -> None:
    if not model.policy_followups:
        return
    rng = model.streams["followup"]
    keep = []
    for a in model.policy_followups:
        if rng.random() < model.cfg.placement.follow_up_effort:
            a.policies += policies.review(model, a.firm, 1, program=True)
        if a.policies == 0 and len(policies.open_pairs(model, a.firm)):
            keep.append(a)
    model.policy_followups = keep
