"""Normalised placements: "promoted last month, placed next month".

Each month, every cadre joins the month's cohort with probability
(promotion + regrade + transfer_in + party_school annual rates) * month_days/365; a promotion
raises rank. The cohort is placed in pairs at the start of the next month (same placement rules).
"""

from __future__ import annotations

import numpy as np

from . import placement


def schedule(model) -> None:
    n = model.cfg.normalized
    if not n.enabled:
        return
    model.every(n.month_days, n.start_day, draw_cohort)


def draw_cohort(model) -> None:
    n = model.cfg.normalized
    rng = model.streams["normalized"]
    per_month = n.month_days / 365.0
    c = model.cadres
    promoted = rng.random(c.n) < n.promotion_rate * per_month
    other = rng.random(c.n) < (n.regrade_rate + n.transfer_in_rate + n.party_school_rate) * per_month
    c.rank[promoted] = np.maximum(c.rank[promoted] - 1, 0)
    cohort = np.flatnonzero(promoted | other)
    month = int(model.day // n.month_days)
    model.at_day(model.day + n.month_days, place_cohort, cohort, month)


def place_cohort(model, cohort: np.ndarray, month: int) -> None:
    busy = placement.cadres_busy(model)
    pool = cohort[~busy[cohort]]
    placement.place(model, pool, len(pool) // 2, ~model.firm_hosting, "normalized", -(month + 1))
