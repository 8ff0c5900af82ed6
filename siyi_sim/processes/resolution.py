"""Resolution submodel: effort on unblocked issues, legacy procedure, and what a solution brings.

effort/day of a cadre = competence * match, match = own department (1.0) > cadre with a pair tie
into the department (0.6) > other (0.25). A legacy issue carries ``legacy_effort_multiplier``
times the usual effort (no rule covers it). With an "inside push" (a cadre of the responsible
department, or tied to it) at a department that runs the legacy procedure
(``LEGACY_PROCEDURE_DEPARTMENTS``, switch ``legacy_procedure``) its remaining effort is capped at
``legacy_procedure_effort_days``; without a push, effort still counts but against the full legacy
effort; through ordinary channels legacy issues almost never move.
Prerequisites first: only issues whose prerequisites are resolved receive effort.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..catalog import DEPARTMENTS, ISSUE, LEGACY_PROCEDURE_DEPARTMENTS
from ..events import IssueResolved
from ..issues import CH_SELF, CHANNEL_NAMES, PROGRAM_CHANNELS
from .base import Submodel
from .finance import Finance

if TYPE_CHECKING:
    from ..model import SiyiModel

#: Per department: does it run the legacy procedure for old firms (cases 1, 2)?
RUNS_LEGACY_PROCEDURE = np.isin(np.arange(len(DEPARTMENTS)), LEGACY_PROCEDURE_DEPARTMENTS)
LOAN, HIRING = ISSUE["loan"], ISSUE["hiring"]


def match_factor(model: SiyiModel, cadres: np.ndarray, depts: np.ndarray) -> np.ndarray:
    """Element-wise match of cadre ``cadres[i]`` working on an issue of department ``depts[i]``."""
    r = model.cfg.resolution
    own = model.cadres.dept[cadres] == depts
    tied = ((model.partner_mask[cadres] >> depts.astype(np.int64)) & 1).astype(bool)
    return np.where(own, r.own_department_match, np.where(tied, r.tied_department_match, r.other_department_match))


def inside_push(model: SiyiModel, cadres: np.ndarray, depts: np.ndarray) -> np.ndarray:
    """Can cadre ``cadres[i]`` push a legacy issue of ``depts[i]`` from inside (own or tied department)?"""
    own = model.cadres.dept[cadres] == depts
    tied = ((model.partner_mask[cadres] >> depts.astype(np.int64)) & 1).astype(bool)
    return own | tied


class Resolution(Submodel):
    """Effort, the legacy procedure and settling a solved issue (the only writer of resolutions)."""

    name = "resolution"
    section = "resolution"

    def match_factor(self, model: SiyiModel, cadres: np.ndarray, depts: np.ndarray) -> np.ndarray:
        return match_factor(model, cadres, depts)

    def inside_push(self, model: SiyiModel, cadres: np.ndarray, depts: np.ndarray) -> np.ndarray:
        return inside_push(model, cadres, depts)

    def start(self, model: SiyiModel, issue_idx: np.ndarray) -> None:
        """Disclosed issues someone starts working on (an approach or effort) are in progress."""
        model.issues.start(issue_idx)

    def apply_effort(
        self, model: SiyiModel, issue_idx: np.ndarray, effort: np.ndarray, pushed: np.ndarray
    ) -> np.ndarray:
        """Spend effort on issues; a pushed legacy issue takes only the procedure's effort.

        Returns the issues whose remaining effort reached zero.
        """
        iss = model.issues
        legacy = iss.legacy[issue_idx]
        via_procedure = legacy & pushed & RUNS_LEGACY_PROCEDURE[iss.dept[issue_idx]]
        if not model.cfg.resolution.legacy_procedure:
            via_procedure[:] = False
        if via_procedure.any():
            cap = model.cfg.resolution.legacy_procedure_effort_days
            rows = issue_idx[via_procedure]
            iss.effort_left[rows] = np.minimum(iss.effort_left[rows], cap)
        worked = issue_idx[effort > 0]
        iss.start(worked)
        iss.effort_left[issue_idx] -= effort
        return issue_idx[(effort > 0) & (iss.effort_left[issue_idx] <= 1e-12)]

    def settle(self, model: SiyiModel, issue_idx: np.ndarray, channel: int) -> np.ndarray:
        """Resolve issues through ``channel`` and book what the solution brings (loans, hires)."""
        if len(issue_idx) == 0:
            return issue_idx
        iss = model.issues
        done = iss.resolve(issue_idx, model.day, channel)
        if len(done) == 0:
            return done
        c = model.counters
        c.issues_resolved_by_channel[channel] += len(done)
        c.legacy_resolved += int(np.count_nonzero(iss.legacy[done]))
        firms = iss.firm[done]
        if channel == CH_SELF:
            np.add.at(model.firm_ordinary_resolved, firms, 1)
        if model.events is not None:
            model.events.extend(
                IssueResolved(model.day, int(i), int(f), CHANNEL_NAMES[channel])
                for i, f in zip(done.tolist(), firms.tolist(), strict=True)
            )
        self._deliver(model, firms, iss.type[done], channel in PROGRAM_CHANNELS)
        return done

    def _deliver(self, model: SiyiModel, firms: np.ndarray, types: np.ndarray, program: bool) -> None:
        """Loans and job-fair entries of the solved loan and hiring issues (most days have none)."""
        loans = firms[types == LOAN]
        hiring = firms[types == HIRING]
        if len(loans) or len(hiring):
            finance = model.submodel(Finance)
            if len(loans):
                finance.pay_loans(model, loans, program)
            if len(hiring):
                finance.enter_jobfair(model, hiring, program)
