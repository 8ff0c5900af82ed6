"""Campaign submodel (process 1): the 2020 batches.

``n_batches`` batches, ``batch_interval_days`` apart from ``first_batch_day``; each batch opening
is a Mesa event at the start of its day. A batch places pairs of mandatory cadres not yet placed
in the campaign (and not in a placement now) in up to ``firms_per_batch`` firms that were not
served yet and host no pair now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .base import Submodel
from .placement import Placements

if TYPE_CHECKING:
    from ..model import SiyiModel


class Campaign(Submodel):
    """Owns who the campaign placed and which firms it served."""

    name = "campaign"
    section = "campaign"

    def setup(self, model: SiyiModel) -> None:
        c = model.cfg.campaign
        self.placed = np.zeros(model.cadres.n, dtype=bool)
        self.served = np.zeros(model.firms.n, dtype=bool)
        if not c.enabled:
            return
        for b in range(c.n_batches):
            model.at_day(c.first_batch_day + b * c.batch_interval_days, self.open_batch, b)

    def open_batch(self, model: SiyiModel, batch: int) -> None:
        placements = model.submodel(Placements)
        busy = placements.busy_cadres(model)
        may_go = model.cadres.mandatory & ~self.placed & ~busy
        pool = np.flatnonzero(may_go)
        eligible_firms = ~placements.firm_hosting & ~self.served
        placed = placements.place(
            model, pool, model.cfg.campaign.firms_per_batch, eligible_firms, "campaign", batch + 1, nameable=may_go
        )
        for a in placed:
            self.placed[list(a.cadres)] = True
            self.served[a.firm] = True
