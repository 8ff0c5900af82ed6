"""Mindset submodel: placed cadres' service attitude rises; departments follow their cadres.

a += (1-a) * min(1, line_day_gain*line_days + navigation_gain*departments_navigated
                  + solved_gain*issues_solved)
speed[d] = speed_base + speed_attitude_weight * mean attitude of department d's cadres
The department's speed is the success chance of an ordinary-channel approach for *every* firm,
which is how the mindset spills over to never-placed firms (P6).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..catalog import DEPARTMENTS
from .base import Submodel

if TYPE_CHECKING:
    from ..model import SiyiModel


class Mindset(Submodel):
    """Owns the cadres' attitude changes and ``dept_speed`` (success chance of an approach)."""

    name = "mindset"
    section = "mindset"

    def setup(self, model: SiyiModel) -> None:
        self.dept_speed = np.zeros(len(DEPARTMENTS))
        self.update_department_speed(model)

    def update_department_speed(self, model: SiyiModel) -> None:
        c = model.cadres
        n = len(DEPARTMENTS)
        mean_att = np.bincount(c.dept, c.attitude, n) / np.maximum(np.bincount(c.dept, minlength=n), 1)
        o = model.cfg.ordinary
        self.dept_speed = np.clip(o.speed_base + o.speed_attitude_weight * mean_att, 0.0, 1.0)

    def after_placement(
        self, model: SiyiModel, cadre: int, line_days: int, departments_navigated: int, solved: int
    ) -> None:
        m = model.cfg.mindset
        gain = min(
            1.0, m.line_day_gain * line_days + m.navigation_gain * departments_navigated + m.solved_gain * solved
        )
        a = model.cadres.attitude[cadre]
        model.cadres.attitude[cadre] = a + (1.0 - a) * gain
