"""The common interface of a submodel, and the null submodel used for knock-outs.

A submodel is one mechanism of the ODD description: it reads its config section, owns its own
state, sets itself up once (``setup``, where it may schedule Mesa events) and does its share of
each day (``step``). :class:`~siyi_sim.model.SiyiModel` holds the shared world and steps its
ordered list of submodels; other submodels reach a submodel through ``model.submodel(Kind)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from ..model import SiyiModel


class Submodel:
    """One mechanism: ``name``, its config ``section``, ``setup(model)`` and ``step(model)``."""

    #: Key of the submodel in ``model.submodels`` (unique).
    name: ClassVar[str] = ""
    #: Name of its section of :class:`~siyi_sim.config.Config` (``None``: it has none).
    section: ClassVar[str | None] = None

    def params(self, model: SiyiModel) -> Any:
        """This submodel's config section."""
        return getattr(model.cfg, self.section or "")

    def setup(self, model: SiyiModel) -> None:
        """Create own state and schedule events; called once, in list order, before day 0."""

    def step(self, model: SiyiModel) -> None:
        """Do this submodel's part of the current day (most services have none)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class NullSubmodel(Submodel):
    """Does nothing: swap it in for a submodel to knock out its mechanism.

    Only submodels that no other submodel calls can be knocked out this way (``meetings``,
    ``inspections``, ``ordinary``, ``followup``, ``campaign``, ``normalized``, ...); a submodel
    that others call (``trust``, ``integrity``) raises a ``TypeError`` when it is looked up.
    """

    def __init__(self, name: str = ""):
        self.replaces = name

    def __repr__(self) -> str:
        return f"NullSubmodel(replaces={self.replaces!r})"
