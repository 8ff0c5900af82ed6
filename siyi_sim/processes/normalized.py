"""Normalised placements (process 1): "promoted last month, placed next month".

At the start of each month (from ``start_day + month_days``) the cohort is every cadre with a
career event in the previous month (``careers``: promoted, re-graded, transferred, newly hired,
or sent to the Party-school class; ``cadres.last_move_day``), less those away on a placement now
and those placed within ``min_months_between`` months. The cohort is placed in pairs at once
(same placement rules). A firm's named cadre is honoured only if he is in the cohort: the
normalised rule decides who is free to go, the firm's request only where he goes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .base import Submodel
from .placement import Placements

if TYPE_CHECKING:
    from ..model import SiyiModel


class Cohorts(Submodel):
    name = "normalized"
    section = "normalized"

    def setup(self, model: SiyiModel) -> None:
        n = model.cfg.normalized
        if n.enabled:
            model.every(n.month_days, n.start_day + n.month_days, self.place_cohort)

    def cohort(self, model: SiyiModel) -> np.ndarray:
        """Cadres with a career event last month, not placed recently and not away now."""
        n = model.cfg.normalized
        c = model.cadres
        moved = (c.last_move_day >= model.day - n.month_days) & (c.last_move_day < model.day)
        recent = model.day - c.last_placed_day < n.min_months_between * n.month_days
        busy = model.submodel(Placements).busy_cadres(model)
        return np.flatnonzero(moved & ~recent & ~busy)

    def place_cohort(self, model: SiyiModel) -> None:
        pool = self.cohort(model)
        month = int(model.day // model.cfg.normalized.month_days) - 1
        placements = model.submodel(Placements)
        in_cohort = np.zeros(model.cadres.n, dtype=bool)
        in_cohort[pool] = True  # a firm may name only a cadre this month's rule places
        placements.place(
            model, pool, len(pool) // 2, ~placements.firm_hosting, "normalized", -(month + 1), nameable=in_cohort
        )
