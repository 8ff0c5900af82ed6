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


def stochastic_round(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each ``x`` rounded up with probability equal to its fractional part (one draw per element)."""
    whole = x.astype(np.int64)
    return whole + (rng.random(len(x)) < x - whole)


SHORT = 7  # numpy sums up to 7 floats one after another; longer sums are pairwise


def segment_sums(values: np.ndarray, seg: np.ndarray, n_seg: int) -> np.ndarray:
    """Sum of ``values`` per segment (``seg`` sorted), each bit-identical to ``values[segment].sum()``."""
    if n_seg == 1:
        return np.array([values.sum()])
    counts = np.bincount(seg, minlength=n_seg)
    start = np.cumsum(counts) - counts
    pos = np.arange(len(values)) - start[seg]
    short = counts[seg] <= SHORT
    table = np.zeros((n_seg, SHORT))
    table[seg[short], pos[short]] = values[short]
    sums = table[:, 0].copy()
    for j in range(1, SHORT):  # column by column: each segment summed in order, as numpy does
        sums += table[:, j]
    for s in np.flatnonzero(counts > SHORT).tolist():
        sums[s] = values[start[s] : start[s] + counts[s]].sum()
    return sums


def add_in_order(total: float, parts: list[float]) -> float:
    """``total`` plus each part in turn (not ``sum``, which compensates and so rounds differently)."""
    for x in parts:
        total += x
    return total


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

    def review_firms(self, model: SiyiModel, firms: np.ndarray, n_checks: np.ndarray, program: bool) -> np.ndarray:
        """``review`` of several distinct firms at once, with the same draws and results as reviewing
        them one after another in the given order (a firm's claims touch only its own rows).
        Returns the successful claims per firm."""
        if len(np.unique(firms)) != len(firms):
            raise ValueError("firms must be distinct: a firm's second review would see its first one's claims")
        rows, seg = self._first_open_pairs(model, firms, n_checks)
        ok = self._claim_segments(model, rows, seg, len(firms), helped=True, program=program)
        return np.bincount(seg[ok], minlength=len(firms))

    def _first_open_pairs(
        self, model: SiyiModel, firms: np.ndarray, n_checks: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Up to ``n_checks[i]`` open pairs of each ``firms[i]`` (as ``open_pairs``), concatenated in
        the firms' order, with the index ``i`` of the firm each row belongs to."""
        pol = model.policies
        lo, hi = pol.firm_ptr[firms], pol.firm_ptr[firms + 1]
        length = hi - lo
        seg = np.repeat(np.arange(len(firms)), length)
        rows = np.arange(int(length.sum())) + np.repeat(lo - (np.cumsum(length) - length), length)
        open_ = pol.pair_status[rows] <= KNOWN
        rows, seg = rows[open_], seg[open_]
        rank = np.arange(len(rows)) - np.searchsorted(seg, seg)  # position among the firm's open pairs
        keep = rank < n_checks[seg]
        return rows[keep], seg[keep]

    def claim(
        self, model: SiyiModel, rows: np.ndarray, helped: bool, program: bool, rng: np.random.Generator | None = None
    ) -> int:
        """File claims for the pair ``rows``; returns how many succeed."""
        ok = self._claim_segments(model, rows, np.zeros(len(rows), dtype=np.int64), 1, helped, program, rng)
        return int(ok.sum())

    def _claim_segments(
        self,
        model: SiyiModel,
        rows: np.ndarray,
        seg: np.ndarray,
        n_seg: int,
        helped: bool,
        program: bool,
        rng: np.random.Generator | None = None,
    ) -> np.ndarray:
        """Claims of ``rows``, grouped into ``n_seg`` consecutive claims by ``seg`` (sorted): one draw
        over all rows, and the yuan totals added claim by claim so the float sums match separate calls."""
        if len(rows) == 0:
            return np.zeros(0, dtype=bool)
        q = model.cfg.policies
        pol = model.policies
        pids = pol.pair_policy[rows]
        known_before = pol.pair_status[rows] == KNOWN
        p = q.claim_success_base * (1.0 - pol.paperwork[pids]) + (q.claim_help_bonus if helped else 0.0)
        ok = (rng or model.streams["policies"]).random(len(rows)) < np.clip(p, 0.0, 1.0)
        pol.pair_status[rows] = np.where(ok, CLAIMED, FAILED)
        benefits = segment_sums(pol.benefit_yuan[pids[ok]], seg[ok], n_seg).tolist()
        c = model.counters
        c.policies_total += int(ok.sum())
        c.subsidy_yuan_total = add_in_order(c.subsidy_yuan_total, benefits)
        if program:
            c.program_policies += int(ok.sum())
            c.program_subsidy_yuan = add_in_order(c.program_subsidy_yuan, benefits)
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
        return ok

    def checks_today(self, model: SiyiModel, present_knowledge: np.ndarray, n_active: int) -> np.ndarray:
        """Policy checks each placement gets today: its share of the desk plus its present cadres' own."""
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
