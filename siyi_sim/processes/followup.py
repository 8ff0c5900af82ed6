"""Follow-up and ties (process 4): returned cadres keep working their backlog; trusted ties
bring new issues to "their" cadre first.

Backlog effort per owner-day = follow_up_effort * competence * match, shared equally among the
owner's unblocked backlog issues; legacy issues still need the owner's inside push. A cadre with a live
backlog contacts the firm on ``follow_up_contact_days_per_month`` days a month (of
``integrity.days_per_month`` days), which refreshes the tie (and carries integrity risk). A
sanctioned cadre neither works his backlog nor contacts firms until the sanction ends (``integrity``).
Five-ones policy items left open are reviewed one check a day with probability ``follow_up_effort``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..issues import CH_FOLLOW_UP, CH_TIE, distinct
from .base import Submodel
from .integrity import Integrity
from .policies import PolicyMatching
from .resolution import Resolution
from .trust import Trust

if TYPE_CHECKING:
    from ..model import SiyiModel


def tie_rows(model: SiyiModel, cadres: np.ndarray, firms: np.ndarray) -> np.ndarray:
    """Rows of the existing (cadre, firm) ties (pairs without a tie are left out)."""
    index = model.ties.index
    rows = [index.get((int(c), int(f)), -1) for c, f in zip(cadres.tolist(), firms.tolist(), strict=True)]
    out = np.array(rows, dtype=np.int64)
    return out[out >= 0]


class FollowUp(Submodel):
    """Backlogs of returned cadres and first-call issues; owns the open five-ones policy items."""

    name = "followup"
    section = "placement"

    def setup(self, model: SiyiModel) -> None:
        self.policy_followups: list[Any] = []  # closed placements with no policy claimed yet

    def hand_over(self, model: SiyiModel, issues: np.ndarray, owners: np.ndarray, route: int = CH_FOLLOW_UP) -> None:
        """``issues`` become the backlog of ``owners`` (one per issue): a closing placement's open
        issues (``CH_FOLLOW_UP``) or new issues an owner brings to his trusted cadre (``CH_TIE``)."""
        model.issues.set_owner(issues, owners)
        model.issues.channel[issues] = route

    def add_policy_followup(self, placement: Any) -> None:
        """A closed placement whose firm still has open eligible policies and none claimed."""
        self.policy_followups.append(placement)

    def step(self, model: SiyiModel) -> None:
        iss = model.issues
        owned = iss.owned_open()
        owned = owned[~model.submodel(Integrity).sanctioned(model)[iss.owner_cadre[owned]]]
        if len(owned):
            self._work(model, owned)
        self._policy_followups(model)

    def _work(self, model: SiyiModel, owned: np.ndarray) -> None:
        iss = model.issues
        rng = model.streams["followup"]
        resolution = model.submodel(Resolution)
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
                self._credit(model, resolution.settle(model, done[iss.channel[done] == route], route))
        # Contacts: each (owner, firm) with a live backlog meets on some days.
        n_firms = model.firms.n
        pairs = distinct(owners_all * n_firms + firms_all)
        i = model.cfg.integrity
        meet = pairs[rng.random(len(pairs)) < i.follow_up_contact_days_per_month / i.days_per_month]
        rows = tie_rows(model, meet // n_firms, meet % n_firms)
        if len(rows):
            model.submodel(Trust).contact(model, rows)
            model.submodel(Integrity).record_contacts(model, model.ties.cadre[rows], rows)

    def _credit(self, model: SiyiModel, settled: np.ndarray) -> None:
        if len(settled) == 0:
            return
        rows = tie_rows(model, model.issues.owner_cadre[settled], model.issues.firm[settled])
        if len(rows):
            n = np.bincount(rows)  # tie rows and their counts, as np.unique(rows, return_counts=True)
            uniq = np.flatnonzero(n)
            model.submodel(Trust).solutions(model, uniq, n[uniq])

    def _policy_followups(self, model: SiyiModel) -> None:
        if not self.policy_followups:
            return
        rng = model.streams["followup"]
        policies = model.submodel(PolicyMatching)
        keep = []
        for a in self.policy_followups:
            if rng.random() < model.cfg.placement.follow_up_effort:
                a.policies += policies.review(model, a.firm, 1, program=True)
            if a.policies == 0 and len(policies.open_pairs(model, a.firm)):
                keep.append(a)
        self.policy_followups = keep
