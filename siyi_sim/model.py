"""The Mesa model: the shared world, the RNG streams, the schedule and the day's submodels.

``SiyiModel`` holds what several submodels share (population arrays, issues, ties and graphs,
RNG streams, running counters); every mechanism is a submodel in ``processes/`` that owns its
own state. The day (ODD "Process overview and scheduling") is :func:`default_submodels` stepped
in order. Day ``d`` is processed by the ``d+1``-th call of ``step()``; batch openings, cohorts
and meetings are Mesa events at time ``d + 0.5``, so they run at the start of their day
(process 1, "schedule").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from mesa import Model
from mesa.datacollection import DataCollector
from mesa.time import Schedule

from .agents import Cadre, Enterprise
from .catalog import DEPARTMENTS
from .config import Config
from .events import Event
from .issues import N_CHANNELS, IssueStore
from .metrics import DAILY_REPORTERS, summarize
from .networks import TieTable, build_trust_graph
from .population import build_cadres, build_enterprises, build_initial_issues, build_policies
from .processes.absence import Absence
from .processes.arrivals import Arrivals
from .processes.base import NullSubmodel, Submodel
from .processes.campaign import Campaign
from .processes.disclosure import Disclosure
from .processes.finance import Finance
from .processes.followup import FollowUp
from .processes.inspections import Inspections
from .processes.integrity import Integrity
from .processes.meetings import Meetings
from .processes.mindset import Mindset
from .processes.normalized import Cohorts
from .processes.ordinary import OrdinaryChannel
from .processes.placement import Placement, Placements
from .processes.policies import PolicyMatching
from .processes.resolution import Resolution
from .processes.trust import Trust
from .streams import spawn_streams

S = TypeVar("S", bound=Submodel)


def default_submodels() -> list[Submodel]:
    """Every submodel, in the order of the day (set up in this order, stepped in this order)."""
    return [
        # mechanisms other submodels call; no daily step of their own
        Trust(),
        Disclosure(),
        Resolution(),
        Absence(),
        Mindset(),
        # 1. schedule: Mesa events at the start of a day (batches, cohorts, meetings)
        Campaign(),
        Cohorts(),
        Meetings(),
        # 2-3. placement work (check-in, trust, disclosure, effort, policies), then close
        Placements(),
        # 4. follow-up of backlogs and first-call issues
        FollowUp(),
        # 5. background: new issues, ordinary channel, self-filed policies, inspections, job fair
        Arrivals(),
        OrdinaryChannel(),
        PolicyMatching(),
        Inspections(),
        Finance(),
        # 6. integrity: today's program contacts assessed
        Integrity(),
    ]


@dataclass
class Counters:
    """Running totals for the summary and the daily series (written by several submodels)."""

    issues_resolved_by_channel: np.ndarray = field(default_factory=lambda: np.zeros(N_CHANNELS, dtype=np.int64))
    legacy_resolved: int = 0
    program_policies: int = 0
    program_subsidy_yuan: float = 0.0
    subsidy_yuan_total: float = 0.0
    policies_total: int = 0
    program_loans_yuan: float = 0.0
    loans_yuan_total: float = 0.0
    program_hires: int = 0
    hires_total: int = 0
    incidents: int = 0
    incidents_program: int = 0
    detected: int = 0
    meeting_invitations: int = 0
    meeting_owner_attended: int = 0
    invitations_via_cadre: int = 0
    attended_via_cadre: int = 0
    cadre_days: int = 0
    absent_days: int = 0


class SiyiModel(Model):
    """Cadres placed inside enterprises ("Four Helps, One Experience").

    ``record_events=True`` makes the model log typed events (``siyi_sim.events``) in
    ``model.events``; ``submodels={"meetings": NullSubmodel()}`` swaps submodels by name before
    setup (a knock-out).

    >>> from siyi_sim.scenarios import scenario_config
    >>> m = SiyiModel(scenario_config("baseline", days=3), seed=1)
    >>> m.run_to_end(); m.day
    3
    """

    def __init__(
        self,
        config: Config | None = None,
        seed: int = 0,
        scenario_name: str = "custom",
        *,
        record_events: bool = False,
        submodels: Mapping[str, Submodel] | None = None,
    ):
        super().__init__(rng=seed)
        self.cfg = config or Config()
        self.seed = seed
        self.scenario_name = scenario_name
        self.streams = spawn_streams(self.rng)
        self.issue_key = self.streams["ordinary"].integers(0, 2**63, dtype=np.uint64)  # keyed draws
        pop_rng = self.streams["population"]
        # --- the shared world ---
        self.cadres = build_cadres(self.cfg, pop_rng)
        self.firms = build_enterprises(self.cfg, pop_rng)
        self.issues: IssueStore = build_initial_issues(self.cfg, self.firms, pop_rng)
        self.policies = build_policies(self.cfg, self.firms, pop_rng)
        self.initial_issue_count = self.issues.n
        self.ties = TieTable(self.cfg.trust.tie_decay_per_day)
        self.trust_graph = build_trust_graph([DEPARTMENTS[d] for d in self.cadres.dept], self.firms.sector)
        self.partner_mask = np.zeros(self.cadres.n, dtype=np.int64)  # bit d: cadre has a pair tie into dept d
        self.firm_ordinary_resolved = np.zeros(self.firms.n, dtype=np.int64)  # P6 spillover
        self.counters = Counters()
        self.events: list[Event] | None = [] if record_events else None
        self.day = 0
        self.horizon = self.cfg.run.days
        self._callbacks: list[Callable[[], Any]] = []
        # --- the submodels, in the order of the day ---
        self.submodels: dict[str, Submodel] = {s.name: s for s in default_submodels()}
        for name, replacement in (submodels or {}).items():
            if name not in self.submodels:
                raise ValueError(f"unknown submodel {name!r} in submodels (known: {', '.join(self.submodels)})")
            self.submodels[name] = replacement
        Cadre.create_agents(self, self.cadres.n, index=list(range(self.cadres.n)))
        Enterprise.create_agents(self, self.firms.n, index=list(range(self.firms.n)))
        self.datacollector = DataCollector(model_reporters=DAILY_REPORTERS)
        for submodel in self.submodels.values():
            submodel.setup(self)
        self.running = True

    def step(self) -> None:
        """One day: each submodel in order (process 1 ran as events before this), then the data."""
        for submodel in self.submodels.values():
            submodel.step(self)
        self.datacollector.collect(self)  # 7. data
        self.day += 1
        if self.day >= self.horizon:
            self.running = False

    def run_to_end(self) -> None:
        while self.running:
            self.step()

    # --- submodels ------------------------------------------------------------------------------

    def submodel(self, kind: type[S]) -> S:
        """The submodel of class ``kind`` (looked up by its name); a knocked-out one raises."""
        found = self.submodels[kind.name]
        if not isinstance(found, kind):
            raise TypeError(f"submodel {kind.name!r} is {type(found).__name__}, which other submodels cannot call")
        return found

    def replace_submodel(self, name: str, replacement: Submodel) -> Submodel:
        """Swap submodel ``name`` for ``replacement`` (set up now); return the old one.

        For a daily submodel (e.g. ``ordinary``, ``inspections``, ``finance`` with an empty job
        fair): events scheduled by the old one's setup still fire, so to knock out ``campaign``,
        ``normalized`` or ``meetings`` pass ``submodels=`` to the constructor instead.
        """
        if name not in self.submodels:
            raise ValueError(f"unknown submodel {name!r} (known: {', '.join(self.submodels)})")
        old = self.submodels[name]
        replacement.setup(self)
        self.submodels[name] = replacement
        return old

    # --- scheduling helpers (process 1) --------------------------------------------------------

    def at_day(self, day: int, function: Callable[..., Any], *args: Any) -> None:
        """Run ``function(self, *args)`` at the start of ``day`` (before that day's processes)."""
        if day < self.horizon:
            callback = partial(function, self, *args)
            self._callbacks.append(callback)  # Mesa holds event functions weakly
            self.schedule_event(callback, at=day + 0.5)

    def every(self, interval_days: int, first_day: int, function: Callable[..., Any]) -> None:
        """Run ``function(self)`` at the start of ``first_day`` and every ``interval_days`` after."""
        callback = partial(function, self)
        self._callbacks.append(callback)
        self.schedule_recurring(callback, Schedule(interval=interval_days, start=first_day + 0.5))

    # --- read-only views for indicators and observers -----------------------------------------

    @property
    def placements(self) -> list[Placement]:
        """Every placement so far (owned by the ``placement`` submodel)."""
        return self.submodel(Placements).placements

    @property
    def active(self) -> list[Placement]:
        return self.submodel(Placements).active

    @property
    def firm_ever_placed(self) -> np.ndarray:
        return self.submodel(Placements).firm_ever_placed

    @property
    def cadre_ever_placed(self) -> np.ndarray:
        return self.submodel(Placements).cadre_ever_placed

    @property
    def dept_speed(self) -> np.ndarray:
        """Success chance of an ordinary approach per department (owned by ``mindset``)."""
        return self.submodel(Mindset).dept_speed

    @property
    def firm_incident(self) -> np.ndarray:
        """Firms with an improper exchange so far (owned by ``integrity``)."""
        return self.submodel(Integrity).firm_incident

    def summary(self) -> dict:
        return summarize(self)

    def daily_frame(self) -> pd.DataFrame:
        frame = self.datacollector.get_model_vars_dataframe()
        return frame.set_index("day") if "day" in frame else frame


__all__ = ["Counters", "NullSubmodel", "SiyiModel", "Submodel", "default_submodels"]
