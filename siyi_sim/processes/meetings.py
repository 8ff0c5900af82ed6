"""Meetings submodel: periodic district meetings (a start-of-day event every
``meeting_interval_days``): does the owner come, or a deputy?

P(owner attends) = owner_attend_base, + owner_attend_via_cadre when the invitation comes through
a cadre the owner trusts (tie >= tie_first_call_threshold), which also refreshes that tie (case 6).
The cadre invites the owner himself only if he is not under a sanction and not avoiding the firm
(``avoidance``: P = 1 - invite_weight * his perceived risk).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..events import MeetingAttended
from .avoidance import Avoidance
from .base import Submodel
from .integrity import Integrity
from .trust import Trust

if TYPE_CHECKING:
    from ..model import SiyiModel


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
        attended = rng.random(n) < np.clip(b.owner_attend_base + via * b.owner_attend_via_cadre, 0, 1)
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
