"""Meetings submodel: periodic district meetings (a start-of-day event every
``meeting_interval_days``): does the owner come, or a deputy?

An invitation comes through a cadre when the owner's strongest tie reaches
``tie_first_call_threshold`` (it also refreshes that tie, case 6); otherwise from the district
office. The owner comes in person (not a deputy) with a chance that follows his trust in whoever
invites -- the tie's trust, or his general trust in government:
P = logistic((trust - owner_attend_midpoint_trust) / owner_attend_trust_spread).
The cadre invites the owner himself only if he is not under a sanction and not avoiding the firm
(``avoidance``: P = 1 - invite_weight * his perceived risk).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

from ..events import MeetingAttended
from .avoidance import Avoidance
from .base import Submodel
from .integrity import Integrity
from .trust import Trust

if TYPE_CHECKING:
    from ..model import SiyiModel


def attendance_probability(model: SiyiModel, inviter_trust: np.ndarray) -> np.ndarray:
    """Chance the owner comes in person, given his trust in whoever invites him (case 6)."""
    b = model.cfg.background
    return expit((inviter_trust - b.owner_attend_midpoint_trust) / b.owner_attend_trust_spread)


class Meetings(Submodel):
    name = "meetings"
    section = "background"

    def setup(self, model: SiyiModel) -> None:
        every = model.cfg.background.meeting_interval_days
        model.every(every, every - 1, self.hold)

    def hold(self, model: SiyiModel) -> None:
        b = model.cfg.background
        rng = model.streams["meetings"]
        n = min(b.meeting_invitees, model.firms.n)
        if n == 0:
            return
        invitees = rng.choice(model.firms.n, n, replace=False)
        if model.ties.n:
            best, who = model.ties.best_per_firm(model.day, model.firms.n)
            via = best[invitees] >= model.cfg.trust.tie_first_call_threshold
            inviter = who[invitees[via]]
            via[via] = (
                model.submodel(Avoidance).invites(model, inviter)
                & ~model.submodel(Integrity).sanctioned(model)[inviter]
            )
        else:
            via = np.zeros(n, dtype=bool)
        # Attendance: the owner's trust in whoever invites (the cadre's tie, or the district office).
        inviter_trust = model.firms.trust[invitees].copy()
        if via.any():
            inviter_trust[via] = best[invitees[via]]
        attended = rng.random(n) < attendance_probability(model, inviter_trust)
        c = model.counters
        c.meeting_invitations += n
        c.meeting_owner_attended += int(attended.sum())
        c.invitations_via_cadre += int(via.sum())
        c.attended_via_cadre += int((attended & via).sum())
        if model.events is not None:
            model.events.extend(
                MeetingAttended(model.day, int(j), bool(a), bool(v))
                for j, a, v in zip(invitees.tolist(), attended.tolist(), via.tolist(), strict=True)
            )
        if via.any():
            rows = np.array([model.ties.index[(int(who[j]), int(j))] for j in invitees[via].tolist()], dtype=np.int64)
            model.submodel(Trust).contact(model, rows)
