"""Integrity submodel ("clear", 清): improper-exchange risk on close contacts and approaches,
and the consequences of a detected exchange.

Program contact day:   p = p0 * closeness * (1-integrity) * (1-safeguards)
Ordinary approach:     p = ordinary_p0 * (1 - mean integrity of the department)
                           * (1 - avoidance.exchange_weight * (department chill + district alert))
safeguards = 1 - (1-meal_subsidy_effect)*(1-no_special_arrangement_effect) when on, else 0.
The supervision group checks placements: it detects a program exchange with
``supervision_detect_prob``; district discipline inspection detects an ordinary-channel exchange
with ``ordinary_detect_prob`` (the cadre is one of the department's cadres, drawn at random).
A detection sanctions the cadre (kept out of placements and firm contacts for ``sanction_days``,
attitude a -= sanction_attitude_cut*a), chills the cadre's department and alerts the district
(``avoidance``), and cuts the firm owner's general trust by ``detected_trust_cut`` (``trust``).
Other submodels report contacts and approaches; the daily step (process 6) assesses today's
program contacts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..catalog import DEPARTMENTS
from ..events import ImproperExchange, Sanctioned
from ..streams import APPROACH_INTEGRITY, keyed_uniforms
from .avoidance import Avoidance
from .base import Submodel
from .trust import Trust

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
        self.sanctioned_until = np.full(model.cadres.n, -1, dtype=np.int64)  # last day of a sanction
        self.sanctions = 0

    def sanctioned(self, model: SiyiModel) -> np.ndarray:
        """Cadres under a sanction today: out of placements and firm contacts."""
        return self.sanctioned_until >= model.day

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
        depts = model.issues.dept[issues]
        p = (
            model.cfg.integrity.ordinary_p0
            * (1.0 - self.dept_integrity[depts])
            * model.submodel(Avoidance).exchange_factor(model, depts)
        )
        hit = keyed_uniforms(model.issue_key, model.day, APPROACH_INTEGRITY, issues) < p
        self._incidents(model, model.issues.firm[issues[hit]], None, depts[hit])

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
        self._incidents(model, model.ties.firm[rows[hit]], cadres[hit], model.cadres.dept[cadres[hit]])

    def _incidents(self, model: SiyiModel, firms: np.ndarray, cadres: np.ndarray | None, depts: np.ndarray) -> None:
        """Book exchanges at ``firms``; ``cadres`` is given for program contacts, None for approaches
        (then the department ``depts`` of each approach is known, not the cadre)."""
        k = len(firms)
        if k == 0:
            return
        program = cadres is not None
        c = model.counters
        c.incidents += k
        if program:
            c.incidents_program += k
        self.firm_incident[firms] = True
        i = model.cfg.integrity
        rng = model.streams["integrity"]
        detected = np.zeros(k, dtype=bool)
        if program and model.cfg.placement.supervision:
            detected = rng.random(k) < i.supervision_detect_prob
        elif not program and i.ordinary_detect_prob > 0:
            detected = rng.random(k) < i.ordinary_detect_prob
        c.detected += int(detected.sum())
        if detected.any():
            who = cadres[detected] if cadres is not None else self._handler(model, depts[detected], rng)
            self._consequences(model, firms[detected], who)
        if model.events is not None:
            named: list[int | None] = [None] * k if cadres is None else [int(x) for x in cadres]
            model.events.extend(
                ImproperExchange(model.day, int(f), w, program, bool(d))
                for f, w, d in zip(firms.tolist(), named, detected.tolist(), strict=True)
            )

    def _handler(self, model: SiyiModel, depts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The cadre behind a detected ordinary-channel exchange: one of the department's cadres
        (-1 if the department has none)."""
        out = np.full(len(depts), -1, dtype=np.int64)
        for j, d in enumerate(depts.tolist()):
            staff = np.flatnonzero(model.cadres.dept == d)
            if len(staff):
                out[j] = staff[rng.integers(len(staff))]
        return out

    def _consequences(self, model: SiyiModel, firms: np.ndarray, cadres: np.ndarray) -> None:
        """A detected exchange: the cadre is sanctioned, his department chilled, the district
        alerted, and the firm owner's trust in government cut."""
        i = model.cfg.integrity
        who = cadres[cadres >= 0]
        if len(who):
            self.sanctioned_until[who] = model.day + i.sanction_days
            self.sanctions += len(who)
            model.cadres.attitude[who] *= 1.0 - i.sanction_attitude_cut
            model.submodel(Avoidance).detected(model, model.cadres.dept[who])
        model.submodel(Trust).cut_general(model, firms, i.detected_trust_cut)
        if model.events is not None:
            model.events.extend(
                Sanctioned(model.day, int(c), int(f), model.day + i.sanction_days)
                for c, f in zip(cadres.tolist(), firms.tolist(), strict=True)
                if c >= 0
            )
