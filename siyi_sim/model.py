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
from .config import Config, apply_overrides
from .events import Event
from .issues import N_CHANNELS, IssueStore
from .metrics import DAILY_REPORTERS, summarize
from .networks import TieTable, build_colleague_graph, build_trust_graph
from .population import build_cadres, build_enterprises, build_initial_issues, build_policies
from .processes.absence import Absence
from .processes.arrivals import Arrivals
from .processes.avoidance import Avoidance
from .processes.base import NullSubmodel, Submodel
from .processes.campaign import Campaign
from .processes.careers import Careers
from .processes.costs import Costs
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
from .scenarios import scenario_config
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
        # careers: monthly events (retire, leave, hire, promote, re-grade, transfer, Party school)
        Careers(),
        # 0. perceived risk of contact fades (avoidance), before anyone engages today
        Avoidance(),
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
        # 7. accounting: the program's cadre time and cost
        Costs(),
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
    # --- v2: careers ---
    cadres_hired: int = 0
    cadres_left: int = 0
    cadres_promoted: int = 0
    # --- v2: costs, net effects, ordering ---
    program_policies_known_before: int = 0


class SiyiModel(Model):
    """Cadres placed inside enterprises ("Four Helps, One Experience").

    Mesa-style: ``SiyiModel()`` is the calibrated ``campaign_2020``; ``SiyiModel(scenario="baseline",
    seed=7, **{"trust.alpha": 0.1})`` a named scenario with overrides (``rng=7`` works as the seed, for
    Mesa's ``batch_run``); an unknown keyword is a ``ValueError``. ``SiyiModel(config, seed)`` runs a
    ready :class:`Config`. The run ends (``running = False``) at its horizon ``run.days``.

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
        seed: int | None = None,
        scenario_name: str | None = None,
        *,
        scenario: str | None = None,
        rng: int | None = None,
        record_events: bool = False,
        submodels: Mapping[str, Submodel] | None = None,
        **overrides: Any,
    ):
        config, scenario_name = _resolve_config(config, scenario, scenario_name, overrides)
        seed = _resolve_seed(seed, rng)
        super().__init__(rng=seed)
        self.cfg = config
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
        self.trust_graph = build_trust_graph([DEPARTMENTS[d] for d in self.cadres.dept.tolist()], self.firms.sector)
        m = self.cfg.mindset
        #: Who talks to whom at work (nodes: cadre ids); peers spread attitudes along it.
        self.colleagues = build_colleague_graph(
            self.cadres.dept, m.colleague_degree, m.colleague_rewire, self.streams["colleagues"]
        )
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
        # one Mesa agent per row (Agent.__init__ registers it); not create_agents, whose AgentSet
        # of the new agents we would not use and which costs a third more
        for i in range(self.cadres.n):
            Cadre(self, i)
        for j in range(self.firms.n):
            Enterprise(self, j)
        self.datacollector = RunCollector(DAILY_REPORTERS)
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
            self.datacollector.add_summary(self.summary())

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
        """The daily series (one row a day), without the run summary on the last record."""
        frame = self.datacollector.get_model_vars_dataframe()[list(DAILY_REPORTERS)]
        return frame.set_index("day") if "day" in frame else frame


class RunCollector(DataCollector):
    """Mesa's DataCollector for the daily series, plus the run summary on the last record.

    Why: Mesa's ``batch_run(..., data_collection_period=-1)`` returns the last record of
    ``model.datacollector`` per run, so the summary keys must be there. Each record also says
    whether the run reached its horizon (``run_complete``); a run cut short by ``max_steps`` has
    ``run_complete=False`` and no summary keys, so it cannot pass for a finished one. Summary keys
    that are also daily series keep the last day's value (money unrounded).
    """

    def __init__(self, daily_reporters: Mapping[str, Callable[[Any], Any]]):
        super().__init__(model_reporters={**daily_reporters, "run_complete": lambda m: m.day + 1 >= m.horizon})
        self._columns = [(self.model_vars[name], reporter) for name, reporter in self.model_reporters.items()]

    def collect(self, model: Any) -> None:
        """One record: what Mesa's ``collect`` stores, without its per-value ``deepcopy`` and type
        dispatch (our reporters are functions of the model returning scalars or None, which a
        later day cannot change)."""
        self._collection_steps.append(model.time)
        for values, reporter in self._columns:
            values.append(reporter(model))

    def add_summary(self, summary: Mapping[str, Any]) -> None:
        n = len(self.model_vars["run_complete"])
        for key, value in summary.items():
            if key not in self.model_vars:
                self.model_vars[key] = [None] * (n - 1) + [value]


def _resolve_config(
    config: Config | None, scenario: str | None, scenario_name: str | None, overrides: Mapping[str, Any]
) -> tuple[Config, str]:
    """Mesa-style construction: a named scenario (default the calibrated ``campaign_2020``) or a
    ready Config, plus dotted-key overrides such as ``**{"trust.alpha": 0.1}``."""
    if config is not None and scenario is not None:
        raise ValueError("give either config or scenario, not both")
    if config is None:
        name = scenario or "campaign_2020"
        return scenario_config(name, dict(overrides)), scenario_name or name
    return (apply_overrides(config, dict(overrides)) if overrides else config), scenario_name or "custom"


def _resolve_seed(seed: Any, rng: Any) -> int:
    """``seed`` or Mesa's ``rng`` (an integer); neither: a fresh seed from the OS, kept in ``model.seed``."""
    if seed is not None and rng is not None and seed != rng:
        raise ValueError(f"seed {seed!r} and rng {rng!r} disagree: give one")
    value = seed if seed is not None else rng
    if value is None:
        value = int(np.random.SeedSequence().entropy) % 2**63  # type: ignore[arg-type]
    from .api import check_seed  # api imports this module

    return check_seed(value)


__all__ = ["Counters", "NullSubmodel", "SiyiModel", "Submodel", "default_submodels"]
