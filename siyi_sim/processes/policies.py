"""Policies submodel: firms know only some of their eligible policies; placed cadres find the rest.

A placed pair reviews the firm's eligible-but-unclaimed policies with the policy desk
(``desk_chiefs * desk_queries_per_chief_day`` checks a day shared by all active placements) or,
without it, from their own knowledge (``review_per_cadre_day * knowledge``). A claim succeeds with
p = claim_success_base*(1-paperwork) + claim_help_bonus (help from the cadre); firms also file
known policies themselves with hazard ``self_uptake_per_year`` and no help (the daily step).
Half a day of training before a placement raises the cadres' policy knowledge.
A program claim of a policy the firm already knew of is counted as known-before (deadweight: the
firm might have filed it itself), so program counts can be read net.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..events import PolicyClaimed
from ..population import CLAIMED, FAILED, KNOWN
from .base import Submodel

if TYPE_CHECKING:
    from ..model import SiyiModel


def stochastic_round(x: float, rng: np.random.Generator) -> int:
    whole = int(x)
    return whole + int(rng.random() < x - whole)


class PolicyMatching(Submodel):
    """Claims of eligible policies, with a cadre's help or by the firm itself."""

    name = "policies"
    section = "policies"

    def train(self, model: SiyiModel, cadres: list[int]) -> None:
        """Policy training before a placement."""
        k = model.cadres.policy_knowledge
        k[cadres] += model.cfg.policies.training_knowledge_gain * (1.0 - k[cadres])

    def open_pairs(self, model: SiyiModel, firm: int) -> np.ndarray:
        """The firm's eligible policies not yet claimed or failed (pair indices)."""
        pol = model.policies
        lo, hi = pol.firm_ptr[firm], pol.firm_ptr[firm + 1]
        rows = np.arange(lo, hi)
        return rows[pol.pair_status[rows] <= KNOWN]

    def review(self, model: SiyiModel, firm: int, n_checks: int, program: bool) -> int:
        """Go through up to ``n_checks`` open eligible policies of a firm and claim them with help."""
        if n_checks <= 0:
            return 0
        rows = self.open_pairs(model, firm)[:n_checks]
        return self.claim(model, rows, helped=True, program=program)

    def claim(
        self, model: SiyiModel, rows: np.ndarray, helped: bool, program: bool, rng: np.random.Generator | None = None
    ) -> int:
        if len(rows) == 0:
            return 0
        q = model.cfg.policies
        pol = model.policies
        pids = pol.pair_policy[rows]
        known_before = pol.pair_status[rows] == KNOWN
        p = q.claim_success_base * (1.0 - pol.paperwork[pids]) + (q.claim_help_bonus if helped else 0.0)
        ok = (rng or model.streams["policies"]).random(len(rows)) < np.clip(p, 0.0, 1.0)
        pol.pair_status[rows] = np.where(ok, CLAIMED, FAILED)
        benefit = float(pol.benefit_yuan[pids[ok]].sum())
        c = model.counters
        c.policies_total += int(ok.sum())
        c.subsidy_yuan_total += benefit
        if program:
            c.program_policies += int(ok.sum())
            c.program_subsidy_yuan += benefit
            c.program_policies_known_before += int((ok & known_before).sum())  # deadweight: it knew already
        if model.events is not None:
            model.events.extend(
                PolicyClaimed(model.day, int(pol.pair_firm[r]), int(q_), int(r), bool(y), float(b), program)
                for r, q_, y, b in zip(
                    rows.tolist(),
                    pids.tolist(),
                    ok.tolist(),
                    np.where(ok, pol.benefit_yuan[pids], 0.0).tolist(),
                    strict=True,
                )
            )
        return int(ok.sum())

    def checks_today(self, model: SiyiModel, present_knowledge: float, n_active: int) -> float:
        """Policy checks a placement gets today: its share of the desk plus the cadres' own."""
        q = model.cfg.policies
        own = q.review_per_cadre_day * present_knowledge
        if q.desk_enabled and n_active:
            return own + q.desk_chiefs * q.desk_queries_per_chief_day / n_active
        return own

    def step(self, model: SiyiModel) -> None:
        """Firms file known, unclaimed policies on their own (ordinary channel, no help)."""
        pol = model.policies
        q = model.cfg.policies
        if len(pol.pair_status) == 0 or q.self_uptake_per_year <= 0:
            return
        rng = model.streams["self_uptake"]
        # Expected filings per day are small: draw how many, then which known pairs.
        known = np.flatnonzero(pol.pair_status == KNOWN)
        if len(known) == 0:
            return
        k = rng.binomial(len(known), min(1.0, q.self_uptake_per_year / 365.0))
        if k:
            self.claim(model, rng.choice(known, k, replace=False), helped=False, program=False, rng=rng)
