"""Typed events: what a model records when it is built with ``record_events=True``.

Observers (case replays, validation, notebooks) read ``model.events`` instead of reaching into
submodels. With recording off ``model.events`` is ``None`` and no event is ever built, so
observation costs nothing in an ordinary run. Every event carries the ``day`` it happened on;
ids are indices into the model's arrays (``firm`` into ``model.firms``, ``cadre`` into
``model.cadres``, ``issue`` into ``model.issues``, ``placement`` into ``model.placements``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Event:
    day: int


@dataclass(frozen=True, slots=True)
class PlacementStarted(Event):
    placement: int
    firm: int
    cadres: tuple[int, int]
    kind: str
    batch: int


@dataclass(frozen=True, slots=True)
class PlacementClosed(Event):
    placement: int
    firm: int
    solved: int
    policies: int
    report: bool


@dataclass(frozen=True, slots=True)
class IssueArose(Event):
    """A new difficulty arises at a firm (background arrivals; still latent)."""

    issue: int
    firm: int
    type: str


@dataclass(frozen=True, slots=True)
class IssueDisclosed(Event):
    """An owner tells an issue: to a placed pair (``placement``), to his trusted cadre (``tie``)
    or to a department he approaches himself (``self``)."""

    issue: int
    firm: int
    channel: str
    day_in_placement: int | None = None


@dataclass(frozen=True, slots=True)
class IssueResolved(Event):
    issue: int
    firm: int
    channel: str


@dataclass(frozen=True, slots=True)
class OrdinaryApproach(Event):
    """A firm takes an open issue to the responsible department itself (ordinary channel)."""

    issue: int
    firm: int
    department: int


@dataclass(frozen=True, slots=True)
class FirstCall(Event):
    """An owner brings a new issue to the cadre he trusts first (case 1)."""

    issue: int
    firm: int
    cadre: int


@dataclass(frozen=True, slots=True)
class ImproperExchange(Event):
    """An improper exchange: on a program contact (``cadre`` known) or an ordinary approach."""

    firm: int
    cadre: int | None
    program: bool
    detected: bool


@dataclass(frozen=True, slots=True)
class Sanctioned(Event):
    """A detected improper exchange sanctions ``cadre`` (at ``firm``) until day ``until``."""

    cadre: int
    firm: int
    until: int


@dataclass(frozen=True, slots=True)
class MeetingAttended(Event):
    """A firm invited to a district meeting: did the owner (not a deputy) come?"""

    firm: int
    owner_attended: bool
    via_cadre: bool


@dataclass(frozen=True, slots=True)
class PolicyClaimed(Event):
    """A claim of an eligible policy (``pair`` is the row in ``model.policies.pair_*``)."""

    firm: int
    policy: int
    pair: int
    success: bool
    yuan: float
    program: bool


@dataclass(frozen=True, slots=True)
class LoanPaid(Event):
    firm: int
    yuan: float
    program: bool


@dataclass(frozen=True, slots=True)
class WorkersHired(Event):
    """Workers the job fair placed with a firm today."""

    firm: int
    workers: int
    program: bool


@dataclass(frozen=True, slots=True)
class Inspection(Event):
    firm: int
    department: int


@dataclass(frozen=True, slots=True)
class Promotion(Event):
    cadre: int
    rank: int


@dataclass(frozen=True, slots=True)
class CareerMove(Event):
    """A career event other than a promotion: regraded, transferred, party_school, left, hired."""

    cadre: int
    kind: str
    department: int


__all__ = [
    "CareerMove",
    "Event",
    "FirstCall",
    "ImproperExchange",
    "Inspection",
    "IssueArose",
    "IssueDisclosed",
    "IssueResolved",
    "LoanPaid",
    "MeetingAttended",
    "OrdinaryApproach",
    "PlacementClosed",
    "PlacementStarted",
    "PolicyClaimed",
    "Promotion",
    "Sanctioned",
    "WorkersHired",
]
