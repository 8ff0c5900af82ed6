"""Cadre and Enterprise: Mesa agents that are views of one row of the model's state arrays.

State lives in numpy arrays indexed by ``index`` (so a day is a few vectorised operations); an
agent's properties read and write that row, so ``model.agents``, ``model.agents_by_type[Cadre]``
and AgentSet queries (``select``, ``agg``, ``get``, ``groupby``) see the current state:

>>> from siyi_sim.model import SiyiModel
>>> from siyi_sim.scenarios import scenario_config
>>> m = SiyiModel(scenario_config("baseline", {"population.n_cadres": 50, "population.n_enterprises": 40}), seed=1)
>>> cadres = m.agents_by_type[Cadre]
>>> len(cadres.select(lambda c: c.attitude > 0.5)) == int((m.cadres.attitude > 0.5).sum())
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mesa import Agent

from .catalog import DEPARTMENTS, SIZE_CLASSES
from .issues import RESOLVED

if TYPE_CHECKING:
    from .model import SiyiModel

RANK_NAMES = ("division", "section", "general")


class Cadre(Agent):
    """A district cadre (or invited bank/utility staff): row ``index`` of ``model.cadres``."""

    model: SiyiModel

    def __init__(self, model: SiyiModel, index: int):
        super().__init__(model)
        self.index = index

    @property
    def department(self) -> str:
        return DEPARTMENTS[int(self.model.cadres.dept[self.index])]

    @property
    def department_id(self) -> int:
        return int(self.model.cadres.dept[self.index])

    @property
    def rank(self) -> int:
        """0 division, 1 section, 2 general staff (a promotion lowers the number)."""
        return int(self.model.cadres.rank[self.index])

    @property
    def rank_name(self) -> str:
        return RANK_NAMES[self.rank]

    @property
    def age(self) -> float:
        return float(self.model.cadres.age[self.index])

    @property
    def mandatory(self) -> bool:
        """Must take part in the campaign (others are invited)."""
        return bool(self.model.cadres.mandatory[self.index])

    @property
    def competence(self) -> float:
        return float(self.model.cadres.competence[self.index])

    @property
    def attitude(self) -> float:
        return float(self.model.cadres.attitude[self.index])

    @attitude.setter
    def attitude(self, value: float) -> None:
        self.model.cadres.attitude[self.index] = _unit(value, "attitude")

    @property
    def integrity(self) -> float:
        return float(self.model.cadres.integrity[self.index])

    @integrity.setter
    def integrity(self, value: float) -> None:
        self.model.cadres.integrity[self.index] = _unit(value, "integrity")

    @property
    def policy_knowledge(self) -> float:
        return float(self.model.cadres.policy_knowledge[self.index])

    @property
    def ever_placed(self) -> bool:
        return bool(self.model.cadre_ever_placed[self.index])

    @property
    def placements(self) -> list[Any]:
        return [p for p in self.model.placements if self.index in p.cadres]

    @property
    def backlog(self) -> int:
        """Open follow-up or tie issues this cadre owns."""
        iss = self.model.issues
        return int(((iss.view("owner_cadre") == self.index) & (iss.view("status") < RESOLVED)).sum())


class Enterprise(Agent):
    """A firm and its owner: row ``index`` of ``model.firms``."""

    model: SiyiModel

    def __init__(self, model: SiyiModel, index: int):
        super().__init__(model)
        self.index = index

    @property
    def size_class(self) -> str:
        return SIZE_CLASSES[int(self.model.firms.size_class[self.index])]

    @property
    def sector(self) -> int:
        return int(self.model.firms.sector[self.index])

    @property
    def founding_year(self) -> int:
        return int(self.model.firms.founding_year[self.index])

    @property
    def outside_park(self) -> bool:
        return bool(self.model.firms.outside_park[self.index])

    @property
    def owner_trust(self) -> float:
        """The owner's general trust in government."""
        return float(self.model.firms.trust[self.index])

    @owner_trust.setter
    def owner_trust(self, value: float) -> None:
        self.model.firms.trust[self.index] = _unit(value, "owner_trust")

    @property
    def fear(self) -> float:
        """Fear of 'being settled with later'."""
        return float(self.model.firms.fear[self.index])

    @fear.setter
    def fear(self, value: float) -> None:
        self.model.firms.fear[self.index] = _unit(value, "fear")

    @property
    def liaison(self) -> float:
        return float(self.model.firms.liaison[self.index])

    @property
    def enforced_by(self) -> str | None:
        """Department that fined or inspected the firm last, if any."""
        d = int(self.model.firms.enforced_by_dept[self.index])
        return DEPARTMENTS[d] if d >= 0 else None

    @property
    def hiring_gap(self) -> int:
        return int(self.model.firms.hiring_gap[self.index])

    @property
    def credit_need_yuan(self) -> float:
        return float(self.model.firms.credit_need_yuan[self.index])

    @property
    def ever_placed(self) -> bool:
        return bool(self.model.firm_ever_placed[self.index])

    @property
    def open_issues(self) -> int:
        iss = self.model.issues
        return int(((iss.view("firm") == self.index) & (iss.view("status") < RESOLVED)).sum())


def _unit(value: float, name: str) -> float:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    return float(value)
