"""Normalised placements (process 1): "promoted last month, placed next month".

Each month, every cadre joins the month's cohort with probability
(promotion + regrade + transfer_in + party_school annual rates) * month_days/365; a promotion
raises rank (a smaller rank number: division 0 < section 1 < general 2). The cohort is placed
in pairs at the start of the next month (same placement rules).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..events import Promotion
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
            model.every(n.month_days, n.start_day, self.draw_cohort)

    def draw_cohort(self, model: SiyiModel) -> None:
        n = model.cfg.normalized
        rng = model.streams["normalized"]
        per_month = n.month_days / 365.0
        c = model.cadres
        promoted = rng.random(c.n) < n.promotion_rate * per_month
        other = rng.random(c.n) < (n.regrade_rate + n.transfer_in_rate + n.party_school_rate) * per_month
        c.rank[promoted] = np.maximum(c.rank[promoted] - 1, 0)
        if model.events is not None:
            model.events.extend(Promotion(model.day, int(i), int(c.rank[i])) for i in np.flatnonzero(promoted))
        cohort = np.flatnonzero(promoted | other)
        month = int(model.day // n.month_days)
        model.at_day(model.day + n.month_days, self.place_cohort, cohort, month)

    def place_cohort(self, model: SiyiModel, cohort: np.ndarray, month: int) -> None:
        placements = model.submodel(Placements)
        busy = placements.busy_cadres(model)
        pool = cohort[~busy[cohort]]
        placements.place(model, pool, len(pool) // 2, ~placements.firm_hosting, "normalized", -(month + 1))
