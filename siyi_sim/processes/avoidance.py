"""Avoidance submodel (避嫌): cadres keep away from firms while contact looks risky, and the cure.

The seed explains "clear but not close" by avoidance: enforcement officers "avoided firms to avoid
suspicion". Each cadre perceives a risk of contact with firms,

    risk_c = clip(habit_c + chill[dept_c] + alert, 0, 1)

- ``habit`` starts as Beta(``initial_risk_mean``) and falls with legitimate, rule-bound contact:
  each day present on a placement, habit -= cure_per_day * cover * habit, where cover =
  cure_checkin_share * [check-in] + cure_safeguards_share * [meal subsidy and no special
  arrangement] (the 2020 rules that make contact safe).
- ``chill`` (per department) rises on a detected exchange of one of its cadres, and ``alert``
  (district-wide) on any detection (campaign-style enforcement); both fade with ``memory_days``.

Risk lowers willingness to engage, ``1 - weight * risk`` (``avoidance.enabled`` off: 1): the
department's service of an ordinary approach (department mean risk; relative to service at
``initial_risk_mean``, the pre-program level the ordinary speeds describe), a cadre answering a tied
owner's first call, a cadre inviting a tied owner to a meeting. Enforcement (chill + alert, not
the habit: a cadre cured of avoidance is not thereby less clean) also deters improper exchanges
on ordinary approaches.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..catalog import DEPARTMENTS
from ..metrics import mean_of
from ..population import beta_with_mean
from .base import Submodel

if TYPE_CHECKING:
    from ..model import SiyiModel


class Avoidance(Submodel):
    """Owns each cadre's habitual risk, the departments' chill and the district's alert."""

    name = "avoidance"
    section = "avoidance"

    def setup(self, model: SiyiModel) -> None:
        a = model.cfg.avoidance
        n = model.cadres.n
        rng = model.streams["avoidance"]
        self.habit = beta_with_mean(rng, a.initial_risk_mean, n, a.initial_risk_concentration) if n else np.zeros(0)
        self.chill = np.zeros(len(DEPARTMENTS))
        self.alert = 0.0

    def hire(self, model: SiyiModel, slots: np.ndarray, rng: np.random.Generator) -> None:
        """New hires take leavers' slots with the district's pre-program habit (no cure inherited)."""
        a = model.cfg.avoidance
        self.habit[slots] = beta_with_mean(rng, a.initial_risk_mean, len(slots), a.initial_risk_concentration)

    def step(self, model: SiyiModel) -> None:
        """Detections fade: chill and alert decay with ``memory_days`` (start of the day's work)."""
        fade = math.exp(-1.0 / model.cfg.avoidance.memory_days)
        self.chill *= fade
        self.alert *= fade

    # --- state ---------------------------------------------------------------------------------

    def risk(self, model: SiyiModel, cadres: np.ndarray | None = None) -> np.ndarray:
        """Perceived risk of the ``cadres`` (all cadres if None), in [0, 1]."""
        idx = slice(None) if cadres is None else cadres
        dept = model.cadres.dept[idx]
        return np.clip(self.habit[idx] + self.chill[dept] + self.alert, 0.0, 1.0)

    def department_risk(self, model: SiyiModel) -> np.ndarray:
        """Mean perceived risk of each department's cadres (0 for a department without cadres)."""
        n = len(DEPARTMENTS)
        dept = model.cadres.dept
        return np.bincount(dept, self.risk(model), n) / np.maximum(np.bincount(dept, minlength=n), 1)

    def climate(self, model: SiyiModel, depts: np.ndarray) -> np.ndarray:
        """The part of perceived risk that detections put there: department chill + district alert."""
        return np.clip(self.chill[depts] + self.alert, 0.0, 1.0)

    def mean_risk(self, model: SiyiModel) -> float:
        return mean_of(self.risk(model)) if model.cadres.n else 0.0

    def mean_climate(self, model: SiyiModel) -> float:
        """Cadres' mean :meth:`climate` (the scandal cycle's share of avoidance)."""
        return mean_of(self.climate(model, model.cadres.dept)) if model.cadres.n else 0.0

    # --- willingness to engage (1 = unaffected) -------------------------------------------------

    def willingness(self, model: SiyiModel, weight: float, risk: np.ndarray | float) -> Any:
        """``1 - weight * risk``, or 1 when avoidance is switched off."""
        if not model.cfg.avoidance.enabled:
            return np.ones_like(risk, dtype=float)
        return 1.0 - weight * np.asarray(risk, dtype=float)

    def service_factor(self, model: SiyiModel, depts: np.ndarray) -> np.ndarray:
        """Factor on the success chance of ordinary approaches to ``depts``.

        ``ordinary.speed_*`` describe service as it was observed before the program, when cadres'
        mean perceived risk was ``initial_risk_mean``: the factor is 1 at that risk, above 1 when
        risk falls (or avoidance is off), below 1 when it rises.
        """
        a = model.cfg.avoidance
        observed = 1.0 - a.service_weight * a.initial_risk_mean
        return self.willingness(model, a.service_weight, self.department_risk(model)[depts]) / observed

    def exchange_factor(self, model: SiyiModel, depts: np.ndarray) -> np.ndarray:
        """Factor on the exchange risk of ordinary approaches to ``depts`` (enforcement deters)."""
        return self.willingness(model, model.cfg.avoidance.exchange_weight, self.climate(model, depts))

    def answers(self, model: SiyiModel, cadres: np.ndarray) -> np.ndarray:
        """Which of the ``cadres`` answer a tied owner's first call today (one draw each)."""
        p = self.willingness(model, model.cfg.avoidance.first_call_weight, self.risk(model, cadres))
        return model.streams["avoidance"].random(len(cadres)) < p

    def invites(self, model: SiyiModel, cadres: np.ndarray) -> np.ndarray:
        """Which of the ``cadres`` invite their tied owner to a meeting themselves (one draw each)."""
        p = self.willingness(model, model.cfg.avoidance.invite_weight, self.risk(model, cadres))
        return model.streams["avoidance"].random(len(cadres)) < p

    # --- what moves risk ------------------------------------------------------------------------

    def after_placement(self, model: SiyiModel, cadres: tuple[int, int], present_days: np.ndarray) -> None:
        """The cure: rule-bound days on a placement make contact look safe."""
        a, p = model.cfg.avoidance, model.cfg.placement
        cover = a.cure_checkin_share * p.checkin + a.cure_safeguards_share * p.safeguards
        keep = (1.0 - min(1.0, a.cure_per_day * cover)) ** np.asarray(present_days, dtype=float)
        idx = np.asarray(cadres, dtype=np.int64)
        self.habit[idx] = self.habit[idx] * keep

    def detected(self, model: SiyiModel, depts: np.ndarray) -> None:
        """Detected exchanges by cadres of ``depts`` (one entry per detection) chill those
        departments and alert the district."""
        a = model.cfg.avoidance
        for d in np.asarray(depts, dtype=np.int64).tolist():
            self.chill[d] += a.dept_rise_per_detection * (1.0 - self.chill[d])
            self.alert += a.district_rise_per_detection * (1.0 - self.alert)
