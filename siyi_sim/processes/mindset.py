"""Mindset submodel: attitudes with memory and peers; departments serve as their present cadres do.

After a placement:  a += (1-a) * min(1, line_day_gain*line_days + navigation_gain*departments_navigated
                                        + solved_gain*issues_solved)
Each day:           a = norm[d] + (a - norm[d]) * exp(-decay_per_year/365)   (memory fades)
Each month:         a += (1 - exp(-peer_influence*dt)) * (mean attitude of colleagues - a)
speed[d] = (speed_base + speed_attitude_weight * mean attitude of d's cadres who serve today)
           * (share of d's cadres who serve today) ** capacity_elasticity

``norm[d]`` is the department's pre-program institutional norm: the mean attitude of its cadres
at day 0 ("cold and rigid", before any placement). Cadres who serve are those in the office: not
away on a placement, not under a sanction (if the integrity submodel keeps sanctions). So a
placement's gain reaches never-placed firms only through the department's cadres: the returned
cadre and the colleagues the cadre influences (colleague graph ``model.colleagues``, mirrored as an
edge array for the monthly vectorised update), net of
the capacity lost while cadres are away.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..catalog import DEPARTMENTS
from ..networks import colleague_mean, edge_array, rewire_colleague
from .base import Submodel

if TYPE_CHECKING:
    from ..model import SiyiModel


class Mindset(Submodel):
    """Owns the cadres' attitude changes, the department norms and ``dept_speed``."""

    name = "mindset"
    section = "mindset"

    def setup(self, model: SiyiModel) -> None:
        c, m = model.cadres, model.cfg.mindset
        n_dept = len(DEPARTMENTS)
        size = np.bincount(c.dept, minlength=n_dept)
        #: Pre-program norm of each department (mean attitude at day 0).
        self.norm = np.bincount(c.dept, c.attitude, n_dept) / np.maximum(size, 1)
        self.daily_keep = float(np.exp(-m.decay_per_year / 365.0))
        self.peer_step = float(1.0 - np.exp(-m.peer_influence * m.peer_interval_days / 365.0))
        #: ``model.colleagues`` as an edge array, kept in step with it by :meth:`transfer_all`.
        self.colleague_edges = edge_array(model.colleagues)
        self.dept_speed = np.zeros(n_dept)
        self.update_department_speed(model, np.ones(c.n, dtype=bool))  # day 0: everyone in the office
        if self.peer_step > 0:
            model.every(m.peer_interval_days, m.peer_interval_days, self.peer_month)

    # --- who serves, and how fast departments are --------------------------------------------

    def serving(self, model: SiyiModel) -> np.ndarray:
        """Cadres in the office today: not away on a placement, not sanctioned."""
        from .placement import Placements  # placement imports this module

        away = model.submodel(Placements).busy_cadres(model)
        sanctioned = getattr(model.submodels.get("integrity"), "sanctioned", None)
        if callable(sanctioned):
            away = away | np.asarray(sanctioned(model), dtype=bool)
        return ~away

    def update_department_speed(self, model: SiyiModel, here: np.ndarray | None = None) -> None:
        """Speed of each department from the cadres ``here`` (default: those serving today)."""
        c = model.cadres
        n = len(DEPARTMENTS)
        here = self.serving(model) if here is None else here
        size = np.bincount(c.dept, minlength=n)
        present = np.bincount(c.dept, here, n)
        mean_att = np.bincount(c.dept, c.attitude * here, n) / np.maximum(present, 1)
        capacity = np.where(size > 0, present / np.maximum(size, 1), 1.0)
        o, m = model.cfg.ordinary, model.cfg.mindset
        speed = (o.speed_base + o.speed_attitude_weight * mean_att) * capacity**m.capacity_elasticity
        self.dept_speed = np.clip(speed, 0.0, 1.0)

    def step(self, model: SiyiModel) -> None:
        """Memory fades toward the department norm; speed follows today's present cadres."""
        c = model.cadres
        if self.daily_keep < 1.0:
            norm = self.norm[c.dept]
            c.attitude[:] = norm + (c.attitude - norm) * self.daily_keep
        self.update_department_speed(model)

    # --- peers ---------------------------------------------------------------------------------

    def peer_month(self, model: SiyiModel) -> None:
        """Colleagues pull each cadre toward their mean attitude (vectorised over the edge list)."""
        a = model.cadres.attitude
        mean, has = colleague_mean(self.colleague_edges, a)
        a += self.peer_step * np.where(has, mean - a, 0.0)

    def transfer(self, model: SiyiModel, cadre: int, new_colleagues: np.ndarray) -> None:
        """A transferred cadre leaves the old colleagues and joins ``new_colleagues``."""
        self.transfer_all(model, [(cadre, new_colleagues)])

    def transfer_all(self, model: SiyiModel, moves: list[tuple[int, np.ndarray]]) -> None:
        """Transfers ``(cadre, new colleagues)`` one after another (a month's), with one rewrite of
        the edge mirror instead of one per transfer: the same rows in the same order."""
        if not moves:
            return
        for cadre, new_colleagues in moves:
            rewire_colleague(model.colleagues, cadre, new_colleagues)
        moved = np.array([cadre for cadre, _ in moves], dtype=np.int64)
        turn = np.full(model.cadres.n, -1)  # position of each cadre's transfer in ``moves`` (-1: none)
        turn[moved] = np.arange(len(moves))
        e = self.colleague_edges
        kept = e[(turn[e[:, 0]] < 0) & (turn[e[:, 1]] < 0)]  # old rows of nobody who moved
        new = [np.asarray(colleagues, dtype=np.int64) for _, colleagues in moves]
        cadre_of = np.repeat(moved, [len(c) for c in new])
        colleague = np.concatenate(new)
        # a new row survives unless it reaches the cadre itself or one transferred later this month
        added = turn[colleague] < turn[cadre_of]
        self.colleague_edges = np.concatenate([kept, np.column_stack([cadre_of[added], colleague[added]])])

    # --- placements ----------------------------------------------------------------------------

    def after_placement(
        self, model: SiyiModel, cadre: int, line_days: int, departments_navigated: int, solved: int
    ) -> None:
        m = model.cfg.mindset
        gain = min(
            1.0, m.line_day_gain * line_days + m.navigation_gain * departments_navigated + m.solved_gain * solved
        )
        a = model.cadres.attitude[cadre]
        model.cadres.attitude[cadre] = a + (1.0 - a) * gain
