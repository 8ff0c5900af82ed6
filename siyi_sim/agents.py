"""Cadre and Enterprise: thin Mesa agents over the model's state arrays.

State lives in numpy arrays indexed by ``index`` (so a day is a few vectorised operations); an
agent is a named view of one row, for inspection, notebooks and the dashboard.
"""

from __future__ import annotations

from mesa import Agent

from .catalog import DEPARTMENTS, SIZE_CLASSES


class Cadre(Agent):
    """A district cadre (or invited bank/utility staff)."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index

    @property
    def department(self) -> str:
        return DEPARTMENTS[int(self.model.cadres.dept[self.index])]

    @property
    def attitude(self) -> float:
        return float(self.model.cadres.attitude[self.index])

    @property
    def integrity(self) -> float:
        return float(self.model.cadres.integrity[self.index])

    @property
    def placements(self) -> list:
        return [p for p in self.model.placements if self.index in p.cadres]

    @property
    def backlog(self) -> int:
        """Open follow-up or tie issues this cadre owns."""
        iss = self.model.issues
        return int(((iss.view("owner_cadre") == self.index) & (iss.view("status") < 3)).sum())


class Enterprise(Agent):
    """A firm and its owner."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index

    @property
    def size_class(self) -> str:
        return SIZE_CLASSES[int(self.model.firms.size_class[self.index])]

    @property
    def owner_trust(self) -> float:
        return float(self.model.firms.trust[self.index])

    @property
    def fear(self) -> float:
        return float(self.model.firms.fear[self.index])

    @property
    def outside_park(self) -> bool:
        return bool(self.model.firms.outside_park[self.index])
