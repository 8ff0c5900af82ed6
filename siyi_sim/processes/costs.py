"""Costs submodel (process 7, accounting): what the program takes from the district.

A placed cadre is away from the department for every placement day, whether at the firm or
shirking; after return, follow-up of a backlog and contacts with tied firms take time too, as do
the policy desk and the half day of training before a placement. All of it is cadre time the
department's ordinary work loses (``ordinary_capacity_lost_cadre_days``), valued at civil-service
pay (``costs.cadre_day_yuan``); the meal subsidy (``costs.meal_subsidy_yuan_per_firm``) is paid
per firm placement. Subsidies and loans the program connects are transfers (government to firm,
or credit to be repaid), not welfare, and are not netted against this cost.

Time shares are accounted at their expected value (no random draws), so costs never shift a
stream: follow-up is ``placement.follow_up_effort`` of a day per cadre with an open owned issue;
each live (cadre, firm) backlog pair meets on ``integrity.follow_up_contact_days_per_month`` days
a month, each contact ``costs.tie_contact_day_share`` of a day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..catalog import DEPARTMENTS
from ..issues import distinct
from .base import Submodel

if TYPE_CHECKING:
    from ..model import SiyiModel


class Costs(Submodel):
    """Owns the program's running cost account (cadre-days by kind)."""

    name = "costs"
    section = "costs"

    def setup(self, model: SiyiModel) -> None:
        self.followup_days = 0.0
        self.contact_days = 0.0
        self.desk_days = 0.0
        self._cadre_days_seen = 0

    def step(self, model: SiyiModel) -> None:
        placed_today = model.counters.cadre_days - self._cadre_days_seen
        self._cadre_days_seen = model.counters.cadre_days
        q = model.cfg.policies
        if placed_today > 0 and q.desk_enabled:
            self.desk_days += q.desk_chiefs * model.cfg.costs.desk_share_of_chief_day
        iss = model.issues
        owned = iss.owned_open()
        if len(owned) == 0:
            return
        owners = iss.owner_cadre[owned]
        self.followup_days += len(distinct(owners)) * model.cfg.placement.follow_up_effort
        live_pairs = len(distinct(owners * model.firms.n + iss.firm[owned]))
        i = model.cfg.integrity
        contacts = live_pairs * i.follow_up_contact_days_per_month / i.days_per_month
        self.contact_days += contacts * model.cfg.costs.tie_contact_day_share

    # --- views for indicators and for other submodels -----------------------------------------

    def training_days(self, model: SiyiModel) -> float:
        return 2 * len(model.placements) * model.cfg.costs.training_days_per_cadre

    def capacity_lost_cadre_days(self, model: SiyiModel) -> float:
        """Cadre-days the departments' ordinary work lost to the program so far."""
        return (
            model.counters.cadre_days
            + self.followup_days
            + self.contact_days
            + self.desk_days
            + self.training_days(model)
        )

    def program_cost_yuan(self, model: SiyiModel) -> float:
        """Cadre time at civil-service pay plus the meal subsidy per firm placement (transfers excluded)."""
        c = model.cfg.costs
        return (
            self.capacity_lost_cadre_days(model) * c.cadre_day_yuan
            + len(model.placements) * c.meal_subsidy_yuan_per_firm
        )

    def away_by_department(self, model: SiyiModel) -> np.ndarray:
        """Cadres of each department inside a firm today (absent from the department's ordinary work)."""
        away = np.zeros(len(DEPARTMENTS), dtype=np.int64)
        for a in model.active:
            np.add.at(away, model.cadres.dept[list(a.cadres)], 1)
        return away
