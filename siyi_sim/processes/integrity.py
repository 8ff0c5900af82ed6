"""Integrity submodel ("clear", 清): improper-exchange risk on close contacts and approaches.

Program contact day:   p = p0 * closeness * (1-integrity) * (1-safeguards)
Ordinary approach:     p = ordinary_p0 * (1 - mean integrity of the department)
safeguards = 1 - (1-meal_subsidy_effect)*(1-no_special_arrangement_effect) when on, else 0.
The supervision group checks placements: it detects a program exchange with
``supervision_detect_prob``; ordinary-channel exchanges go undetected in the model.
"""

from __future__ import annotations

import numpy as np

from ..streams import APPROACH_INTEGRITY, keyed_uniforms


def safeguard_level(model) -> float:
    i = model.cfg.integrity
    if not model.cfg.placement.safeguards:
        return 0.0
    return 1.0 - (1.0 - i.meal_subsidy_effect) * (1.0 - i.no_special_arrangement_effect)


def record_contacts(model, cadres: np.ndarray, tie_rows: np.ndarray) -> None:
    """Queue today's program contact days; they are assessed in :func:`step`."""
    if len(cadres):
        model.contacts.append((np.asarray(cadres), np.asarray(tie_rows)))


def record_approaches(model, issues: np.ndarray) -> None:
    """Approaches of the ordinary channel today (issue ids); keyed draws, as the approaches."""
    if len(issues) == 0:
        return
    p = model.cfg.integrity.ordinary_p0 * (1.0 - model.dept_integrity[model.issues.dept[issues]])
    hit = keyed_uniforms(model.issue_key, model.day, APPROACH_INTEGRITY, issues) < p
    _incidents(model, model.issues.firm[issues[hit]], program=False)


def step(model) -> None:
    """Assess today's program contacts (process 6)."""
    if not model.contacts:
        return
    cadres = np.concatenate([c for c, _ in model.contacts])
    rows = np.concatenate([r for _, r in model.contacts])
    model.contacts.clear()
    rng = model.streams["integrity"]
    closeness = model.ties.current(model.day, rows)
    p = model.cfg.integrity.p0 * closeness * (1.0 - model.cadres.integrity[cadres]) * (1.0 - safeguard_level(model))
    hit = rng.random(len(rows)) < p
    _incidents(model, model.ties.firm[rows[hit]], program=True)


def _incidents(model, firms: np.ndarray, program: bool) -> None:
    k = len(firms)
    if k == 0:
        return
    c = model.counters
    c.incidents += k
    if program:
        c.incidents_program += k
    model.firm_incident[firms] = True
    if program and model.cfg.placement.supervision:
        c.detected += int((model.streams["integrity"].random(k) < model.cfg.integrity.supervision_detect_prob).sum())
