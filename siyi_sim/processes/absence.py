"""Absence submodel (shirking): will a placed cadre turn up today?

P(absent) = base_absence * (1-attitude) * (invitation_multiplier if invited)
            * prod(1 - deterrence of each safeguard in force: check-in, supervision, evaluation)
P(invited) = invitation_weight * fear * (1 - owner trust), drawn once when the placement starts:
the owner's "you need not come" that makes staying away easy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .base import Submodel

if TYPE_CHECKING:
    from ..model import SiyiModel


class Absence(Submodel):
    """Absence risk of placed cadres; the placement submodel draws with it."""

    name = "absence"
    section = "shirking"

    def invitation_probability(self, model: SiyiModel, fear: float, owner_trust: float) -> float:
        return model.cfg.shirking.invitation_weight * fear * (1.0 - owner_trust)

    def probability(self, model: SiyiModel, attitude: np.ndarray, invited: np.ndarray) -> np.ndarray:
        """Daily absence probability of each cadre (array shapes broadcast)."""
        s, p = model.cfg.shirking, model.cfg.placement
        deter = 1.0
        for on, d in (
            (p.checkin, s.checkin_deterrence),
            (p.supervision, s.supervision_deterrence),
            (p.evaluation, s.evaluation_deterrence),
        ):
            if on:
                deter *= 1.0 - d
        mult = np.where(invited, s.invitation_multiplier, 1.0)
        return np.clip(s.base_absence * (1.0 - attitude) * mult * deter, 0.0, 1.0)
