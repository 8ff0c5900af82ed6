"""Inspections submodel (process 5): enforcement departments inspect firms; fear rises.

Inspections arrive as a Poisson stream (``inspection_rate_per_firm_year``) at random firms, each
by a random enforcement department, which becomes the firm's enforcement history (an
adversarial edge for that department's cadres); the owner's fear += gain*(1-fear).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..catalog import ENFORCEMENT_DEPARTMENTS
from ..events import Inspection
from .base import Submodel

if TYPE_CHECKING:
    from ..model import SiyiModel


class Inspections(Submodel):
    name = "inspections"
    section = "background"

    def step(self, model: SiyiModel) -> None:
        rng = model.streams["inspections"]
        f = model.firms
        b = model.cfg.background
        k = rng.poisson(f.n * b.inspection_rate_per_firm_year / 365.0)
        if k == 0:
            return
        firms = rng.integers(0, f.n, k)
        depts = rng.choice(np.array(ENFORCEMENT_DEPARTMENTS), k)
        self.inspect(model, firms, depts)

    def inspect(self, model: SiyiModel, firms: np.ndarray, departments: np.ndarray) -> None:
        """Inspections of ``firms`` by ``departments`` today (public: an intervention)."""
        f = model.firms
        f.enforced_by_dept[firms] = departments
        f.fear[firms] += model.cfg.background.inspection_fear_gain * (1.0 - f.fear[firms])
        if model.events is not None:
            model.events.extend(
                Inspection(model.day, int(j), int(d)) for j, d in zip(firms.tolist(), departments.tolist(), strict=True)
            )
