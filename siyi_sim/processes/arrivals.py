"""Arrivals submodel (process 5): new issues arise, and owners with a trusted cadre call him first.

New difficulties arrive as a Poisson stream (``issue_rate_per_firm_year``) at firms drawn in
proportion to their size-class issue factor (``firm_size``), with type weights of ``ISSUE_TYPES``;
a new loan or hiring issue adds to the firm's credit need or hiring gap (scaled by its size
class). A new issue at a firm with a tie of trust >= ``tie_first_call_threshold`` goes to that
cadre first (case 1), unless the firm hosts a pair now (the pair hears it first).
The cadre answers only if he is not under a sanction and not avoiding the firm (``avoidance``:
P = 1 - first_call_weight * his perceived risk); an unanswered call leaves the issue with the owner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..catalog import ISSUE, ISSUE_TYPES
from ..events import FirstCall, IssueArose
from ..issues import CH_TIE, distinct
from ..population import add_issues, credit_need_draw, hiring_gap_draw
from .avoidance import Avoidance
from .base import Submodel
from .disclosure import Disclosure
from .followup import FollowUp
from .integrity import Integrity
from .placement import Placements
from .trust import Trust

if TYPE_CHECKING:
    from ..model import SiyiModel

ALL_TYPES = np.arange(len(ISSUE_TYPES))
ARRIVAL_P = np.array([t.arrival_weight for t in ISSUE_TYPES]) / sum(t.arrival_weight for t in ISSUE_TYPES)
#: The CDF ``Generator.choice(ALL_TYPES, k, p=ARRIVAL_P)`` builds on every call (cumsum, then
#: divided by its last value); searching it with ``random(k)`` gives the same types from the same draws.
ARRIVAL_CDF = ARRIVAL_P.cumsum()
ARRIVAL_CDF /= ARRIVAL_CDF[-1]


def draw_types(rng: np.random.Generator, k: int) -> np.ndarray:
    """``k`` issue types with probabilities ``ARRIVAL_P``: ``rng.choice(ALL_TYPES, k, p=ARRIVAL_P)``
    without its per-call validation of ``p``."""
    return ARRIVAL_CDF.searchsorted(rng.random(k), side="right")


def strongest_ties(model: SiyiModel, firms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``model.ties.best_per_firm`` read at ``firms`` only (a day's few new issues): per firm, the
    current trust of its strongest live tie and that tie's cadre (0 and -1 without one; of equal
    ties the later row wins, as there). Sorts only these firms' ties, not every tie every day.

    Returns arrays over all firms, filled at ``firms``.
    """
    ties, n_firms = model.ties, model.firms.n
    wanted = np.zeros(n_firms, dtype=bool)
    wanted[firms] = True
    rows = np.flatnonzero(wanted[ties.firm[: ties.n]] & ~ties.ended[: ties.n])
    t = ties.current(model.day, rows)
    order = np.argsort(t, kind="stable")  # ascending: the last write per firm is its maximum
    rows, t = rows[order], t[order]
    best = np.zeros(n_firms)
    who = np.full(n_firms, -1, dtype=np.int64)
    best[ties.firm[rows]] = t
    who[ties.firm[rows]] = ties.cadre[rows]
    return best, who


class Arrivals(Submodel):
    name = "arrivals"
    section = "background"

    def setup(self, model: SiyiModel) -> None:
        # Larger firms meet more difficulties (``firm_size.issue_elasticity``): firm of each arrival
        # drawn by inverse CDF of the size weights, O(k log n) a day.
        w = model.firms.issue_factor
        self.firm_cdf = np.cumsum(w) / w.sum() if len(w) else np.empty(0)

    def step(self, model: SiyiModel) -> None:
        rng = model.streams["arrivals"]
        f = model.firms
        k = rng.poisson(f.n * model.cfg.background.issue_rate_per_firm_year / 365.0)
        if k == 0:
            return
        firms = np.minimum(np.searchsorted(self.firm_cdf, rng.random(k), side="right"), f.n - 1)
        types = draw_types(rng, k)
        loan = firms[types == ISSUE["loan"]]
        np.add.at(f.credit_need_yuan, loan, credit_need_draw(model.cfg, f.credit_factor[loan], rng))
        hiring = firms[types == ISSUE["hiring"]]
        np.add.at(f.hiring_gap, hiring, hiring_gap_draw(model.cfg, f.need_factor[hiring], rng))
        idx = add_issues(model.cfg, model.issues, rng, firms, types, model.day)
        if model.events is not None:
            model.events.extend(
                IssueArose(model.day, int(i), int(j), ISSUE_TYPES[t].name)
                for i, j, t in zip(idx.tolist(), firms.tolist(), types.tolist(), strict=True)
            )
        self.first_call(model, idx)

    def first_call(self, model: SiyiModel, issues: np.ndarray) -> None:
        """Owners with a trusted cadre bring the new ``issues`` to that cadre first (case 1).

        Public so that an observer who adds an issue to a firm can let the owner route it.
        """
        ties = model.ties
        if ties.n == 0:
            return
        firms = model.issues.firm[issues]
        best, who = strongest_ties(model, firms)
        hosting = model.submodel(Placements).firm_hosting
        trusted = (best[firms] >= model.cfg.trust.tie_first_call_threshold) & ~hosting[firms]
        idx, firms = issues[trusted], firms[trusted]
        if len(idx) == 0:
            return
        callee = who[firms]
        answered = (
            model.submodel(Avoidance).answers(model, callee) & ~model.submodel(Integrity).sanctioned(model)[callee]
        )
        idx, firms = idx[answered], firms[answered]
        if len(idx) == 0:
            return
        disclosure = model.submodel(Disclosure)
        told = idx[best[firms] >= disclosure.threshold(model, idx)]
        iss = model.issues
        disclosure.disclose(model, told, CH_TIE)
        model.submodel(FollowUp).hand_over(model, told, who[iss.firm[told]], CH_TIE)
        if model.events is not None:
            model.events.extend(
                FirstCall(model.day, int(i), int(iss.firm[i]), int(iss.owner_cadre[i])) for i in told.tolist()
            )
        rows = np.array(
            [
                ties.index[(int(c), int(f))]
                for c, f in zip(iss.owner_cadre[told].tolist(), iss.firm[told].tolist(), strict=True)
            ],
            dtype=np.int64,
        )
        if len(rows):
            model.submodel(Trust).contact(model, distinct(rows))
