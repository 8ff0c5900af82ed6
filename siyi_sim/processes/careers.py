"""Careers submodel: retirements and exits, hires, promotions, re-grades, transfers, Party school.

Once a month (``careers.step_days``), each cadre not away on a placement:
- leaves at ``retirement_age`` or with ``exit_rate * dt``; a young general-rank hire with the
  pre-program ("cold") attitude takes the slot (arrays keep their size, the slot's state is reset,
  the slot's Mesa agent is replaced; the leaver's ties end through ``trust``, the backlog is
  released; the hire sits among the post's colleagues);
- is promoted with ``promotion_rate * dt * (1 + evaluation_weight * last evaluation score)`` (rank
  rises; the back-to-back score placements record is used up), and then moves department with
  ``promotion_transfer_prob``; is re-graded with ``regrade_rate * dt``; is transferred with
  ``transfer_rate * dt`` (colleague graph rewired); is sent to the Party-school class with
  ``party_school_rate * dt``.
Every uniform is drawn for every slot every month (fixed shapes), so paired scenarios on one seed
meet the same career draws. The normalised mechanism (``normalized``) places who had such an event
in the previous month (``cadres.last_move_day``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..agents import Cadre
from ..catalog import INVITED_DEPARTMENTS, POLICY_DEPARTMENTS
from ..events import CareerMove, Promotion
from ..issues import RESOLVED
from ..population import NEVER, draw_hires, mandatory_of
from .avoidance import Avoidance
from .base import Submodel
from .mindset import Mindset
from .trust import Trust

if TYPE_CHECKING:
    from ..model import SiyiModel
    from .placement import Placement

KINDS = ("promoted", "regraded", "transferred", "party_school", "left", "hired")


class Careers(Submodel):
    """Owns the monthly career events and records what placements tell about cadres."""

    name = "careers"
    section = "careers"

    def setup(self, model: SiyiModel) -> None:
        self.agent_of = {a.index: a for a in model.agents_by_type[Cadre]} if Cadre in model.agents_by_type else {}
        c = self.params(model)
        if c.enabled:
            model.every(c.step_days, 0, self.month)

    # --- what placements record ------------------------------------------------------------------

    def record_start(self, model: SiyiModel, cadres: tuple[int, int]) -> None:
        model.cadres.last_placed_day[list(cadres)] = model.day

    def record_evaluation(self, model: SiyiModel, placement: Placement) -> None:
        """The back-to-back evaluation scores go to the Organization Department (promotion)."""
        if placement.evaluation is not None:
            model.cadres.evaluation[list(placement.cadres)] = placement.evaluation

    # --- the month ----------------------------------------------------------------------------

    def promotion_probability(self, model: SiyiModel, dt_years: float) -> np.ndarray:
        c = self.params(model)
        score = np.nan_to_num(model.cadres.evaluation, nan=0.0)
        return c.promotion_rate * dt_years * (1.0 + c.evaluation_weight * score)

    def month(self, model: SiyiModel) -> None:
        p = self.params(model)
        cad = model.cadres
        n = cad.n
        dt = p.step_days / 365.0
        u = model.streams["careers"].random((7, n))
        cad.age += dt
        from .placement import Placements  # placement imports this module

        free = ~model.submodel(Placements).busy_cadres(model)
        leaving = free & ((cad.age >= p.retirement_age) | (u[0] < p.exit_rate * dt))
        stay = free & ~leaving
        promoted = stay & (u[1] < self.promotion_probability(model, dt))
        regraded = stay & ~promoted & (u[2] < p.regrade_rate * dt)
        movable = ~np.isin(cad.dept, INVITED_DEPARTMENTS)  # bank/utility staff stay in their institution
        transferred = stay & movable & ((promoted & (u[3] < p.promotion_transfer_prob)) | (u[4] < p.transfer_rate * dt))
        school = stay & (u[5] < p.party_school_rate * dt)

        cad.rank[promoted] = np.maximum(cad.rank[promoted] - 1, 0)
        cad.evaluation[promoted] = np.nan
        cad.grade[regraded] += 1
        self._transfer(model, np.flatnonzero(transferred), u[6])
        cad.last_move_day[promoted | regraded | transferred | school] = model.day
        model.counters.cadres_promoted += int(promoted.sum())
        if model.events is not None:
            model.events.extend(Promotion(model.day, int(i), int(cad.rank[i])) for i in np.flatnonzero(promoted))
            for kind, who in (("regraded", regraded), ("transferred", transferred), ("party_school", school)):
                model.events.extend(CareerMove(model.day, int(i), kind, int(cad.dept[i])) for i in np.flatnonzero(who))
        self._replace(model, np.flatnonzero(leaving))
        cad.mandatory[:] = mandatory_of(cad.dept, cad.rank, cad.age)

    def _transfer(self, model: SiyiModel, who: np.ndarray, u: np.ndarray) -> None:
        if len(who) == 0:
            return
        cad = model.cadres
        rng = model.streams["colleagues"]
        degree = model.cfg.mindset.colleague_degree
        moves = []
        for i in who.tolist():
            others = [d for d in POLICY_DEPARTMENTS if d != cad.dept[i]]
            cad.dept[i] = others[min(int(u[i] * len(others)), len(others) - 1)]
            members = np.flatnonzero(cad.dept == cad.dept[i])
            members = members[members != i]
            moves.append((i, rng.choice(members, min(degree, len(members)), replace=False)))
        model.submodel(Mindset).transfer_all(model, moves)

    def _replace(self, model: SiyiModel, slots: np.ndarray) -> None:
        """Leavers go (ties end, backlog released); hires take their slots."""
        if len(slots) == 0:
            return
        cad = model.cadres
        model.submodel(Trust).end_cadre_ties(model, slots)
        iss = model.issues
        owned = np.flatnonzero(np.isin(iss.view("owner_cadre"), slots) & (iss.view("status") < RESOLVED))
        iss.owner_cadre[owned] = -1  # nobody follows these up now; the firm may go itself
        if model.events is not None:
            model.events.extend(CareerMove(model.day, int(i), "left", int(cad.dept[i])) for i in slots.tolist())
        new = draw_hires(model.cfg, cad.dept[slots], model.streams["hires"])
        for name, values in new.items():
            getattr(cad, name)[slots] = values
        cad.grade[slots] = 0
        cad.hired_day[slots] = model.day
        cad.last_placed_day[slots] = NEVER
        cad.last_move_day[slots] = model.day  # newly hired: next month's cohort
        cad.evaluation[slots] = np.nan
        avoidance = model.submodels.get("avoidance")
        if isinstance(avoidance, Avoidance):  # a hire has not been cured of avoidance by anyone
            avoidance.hire(model, slots, model.streams["hires"])
        slot_refilled = getattr(model.submodels.get("placement"), "slot_refilled", None)
        if slot_refilled is not None:  # a hire has not been placed, whoever held the slot
            slot_refilled(slots)
        sanctioned_until = getattr(model.submodels.get("integrity"), "sanctioned_until", None)
        if isinstance(sanctioned_until, np.ndarray):
            sanctioned_until[slots] = -1  # a sanction ends with the sanctioned cadre's career here
        for i in slots.tolist():
            old = self.agent_of.pop(i, None)
            if old is not None:
                old.remove()
            self.agent_of[i] = Cadre(model, i)
        model.counters.cadres_left += len(slots)
        model.counters.cadres_hired += len(slots)
        if model.events is not None:
            model.events.extend(CareerMove(model.day, int(i), "hired", int(cad.dept[i])) for i in slots.tolist())
