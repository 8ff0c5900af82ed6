"""Integrity submodel ("clear", 清): improper-exchange risk on close contacts and approaches.

Program contact day:   p = p0 * closeness * (1-integrity) * (1-safeguards)
Ordinary approach:     p = ordinary_p0 * (1 - mean integrity of the department)
safeguards = 1 - (1-meal_subsidy_effect)*(1-no_special_arrangement_effect) when on, else 0.
The supervision group checks placements: it detects a program exchange with
``supervision_detect_prob``; ordinary-channel exchanges go undetected in the model.
Other submodels report contacts and approaches; the daily step (process 6) assesses today's
program contacts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..catalog import DEPARTMENTS
from ..events import ImproperExchange
from ..streams import APPROACH_INTEGRITY, keyed_uniforms
from .base import Submodel

if TYPE_CHECKING:
    from ..model import SiyiModel


class Integrity(Submodel):
    """Owns today's program contacts, the firms with an incident and departments' integrity."""

    name = "integrity"
    section = "integrity"

    def setup(self, model: SiyiModel) -> None:
        n = len(DEPARTMENTS)
        c = model.cadres
        self.dept_integrity = np.bincount(c.dept, c.integrity, n) / np.maximum(np.bincount(c.dept, minlength=n), 1)
        self.firm_incident = np.zeros(model.firms.n, dtype=bool)
        self.contacts: list[tuple[np.ndarray, np.ndarray]] = []  # today's (cadres, tie rows)

    def safeguard_level(self, model: SiyiModel) -> float:
        i = model.cfg.integrity
        if not model.cfg.placement.safeguards:
            return 0.0
        return 1.0 - (1.0 - i.meal_subsidy_effect) * (1.0 - i.no_special_arrangement_effect)

    def record_contacts(self, model: SiyiModel, cadres: np.ndarray, tie_rows: np.ndarray) -> None:
        """Queue today's program contact days; they are assessed in :meth:`step`."""
        if len(cadres):
            self.contacts.append((np.asarray(cadres), np.asarray(tie_rows)))

    def record_approaches(self, model: SiyiModel, issues: np.ndarray) -> None:
        """Approaches of the ordinary channel today (issue ids); keyed draws, as the approaches."""
        if len(issues) == 0:
            return
        p = model.cfg.integrity.ordinary_p0 * (1.0 - self.dept_integrity[model.issues.dept[issues]])
        hit = keyed_uniforms(model.issue_key, model.day, APPROACH_INTEGRITY, issues) < p
        self._incidents(model, model.issues.firm[issues[hit]], None)

    def step(self, model: SiyiModel) -> None:
        """Assess today's program contacts (process 6)."""
        if not self.contacts:
            return
        cadres = np.concatenate([c for c, _ in self.contacts])
        rows = np.concatenate([r for _, r in self.contacts])
        self.contacts.clear()
        rng = model.streams["integrity"]
        closeness = model.ties.current(model.day, rows)
        p = (
            model.cfg.integrity.p0
            * closeness
            * (1.0 - model.cadres.integrity[cadres])
            * (1.0 - self.safeguard_level(model))
        )
        hit = rng.random(len(rows)) < p
        self._incidents(model, model.ties.firm[rows[hit]], cadres[hit])

    def _incidents(self, model: SiyiModel, firms: np.ndarray, cadres: np.ndarray | None) -> None:
        """Book exchanges at ``firms``; ``cadres`` is given for program contacts, None for approaches."""
        k = len(firms)
        if k == 0:
            return
        program = cadres is not None
        c = model.counters
        c.incidents += k
        if program:
            c.incidents_program += k
        self.firm_incident[firms] = True
        detected = np.zeros(k, dtype=bool)
        if program and model.cfg.placement.supervision:
            detected = model.streams["integrity"].random(k) < model.cfg.integrity.supervision_detect_prob
            c.detected += int(detected.sum())
        if model.events is not None:
            who = [None] * k if cadres is None else [int(x) for x in cadres]
            model.events.extend(
                ImproperExchange(model.day, int(f), w, program, bool(d))
                for f, w, d in zip(firms.tolist(), who, detected.tolist(), strict=True)
            )
