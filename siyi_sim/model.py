"""The Mesa model: owns the RNG streams, the state arrays, the graphs and the schedule.

It only orders the processes of MODEL.md §3; each mechanism lives in ``processes/``. Day ``d``
is processed by the ``d+1``-th call of ``step()``; batch openings and monthly events are Mesa
events at time ``d + 0.5``, so they run at the start of their day (process 1, "schedule").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd
from mesa import Model
from mesa.datacollection import DataCollector
from mesa.time import Schedule

from .agents import Cadre, Enterprise
from .catalog import DEPARTMENTS
from .config import Config
from .issues import IssueStore
from .metrics import DAILY_REPORTERS, summarize
from .networks import TieTable, build_trust_graph
from .population import build_cadres, build_enterprises, build_initial_issues, build_policies
from .processes import background, finance, followup, integrity, meetings, mindset, normalized, placement
from .streams import spawn_streams


@dataclass
class Counters:
    """Running totals for the summary and the daily series."""

    issues_resolved_by_channel: np.ndarray = field(default_factory=lambda: np.zeros(5, dtype=np.int64))
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

    >>> from siyi_sim.scenarios import scenario_config
    >>> m = SiyiModel(scenario_config("baseline", days=3), seed=1)
    >>> m.run_to_end(); m.day
    3
    """

    def __init__(self, config: Config | None = None, seed: int = 0, scenario_name: str = "custom"):
        super().__init__(rng=seed)
        self.cfg = config or Config()
        self.seed = seed
        self.scenario_name = scenario_name
        self.streams = spawn_streams(self.rng)
        self.issue_key = self.streams["ordinary"].integers(0, 2**63, dtype=np.uint64)  # keyed draws
        pop_rng = self.streams["population"]
        self.cadres = build_cadres(self.cfg, pop_rng)
        self.firms = build_enterprises(self.cfg, pop_rng)
        self.issues: IssueStore = build_initial_issues(self.cfg, self.firms, pop_rng)
        self.policies = build_policies(self.cfg, self.firms, pop_rng)
        self.initial_issue_count = self.issues.n
        self.ties = TieTable(self.cfg.trust.tie_decay_per_day)
        self.trust_graph = build_trust_graph([DEPARTMENTS[d] for d in self.cadres.dept], self.firms.sector)
        self.partner_mask = np.zeros(self.cadres.n, dtype=np.int64)  # bit d: cadre has a pair tie into dept d
        self.dept_speed = np.zeros(len(DEPARTMENTS))
        self.dept_integrity = np.bincount(self.cadres.dept, self.cadres.integrity, len(DEPARTMENTS)) / np.maximum(
            np.bincount(self.cadres.dept, minlength=len(DEPARTMENTS)), 1
        )
        mindset.update_department_speed(self)
        self.counters = Counters()
        self.firm_incident = np.zeros(self.firms.n, dtype=bool)
        self.firm_ordinary_resolved = np.zeros(self.firms.n, dtype=np.int64)  # P6 spillover
        self.firm_ever_placed = np.zeros(self.firms.n, dtype=bool)
        self.cadre_ever_placed = np.zeros(self.cadres.n, dtype=bool)
        self.placements: list[placement.Placement] = []
        self.active: list[placement.Placement] = []
        self.firm_hosting = np.zeros(self.firms.n, dtype=bool)
        self.jobfair = finance.JobFair()
        self.policy_followups: list[placement.Placement] = []
        self.contacts: list[tuple[np.ndarray, np.ndarray]] = []  # today's program contacts (cadres, tie rows)
        self.day = 0
        self._callbacks: list = []
        self.horizon = self.cfg.run.days
        Cadre.create_agents(self, self.cadres.n, index=list(range(self.cadres.n)))
        Enterprise.create_agents(self, self.firms.n, index=list(range(self.firms.n)))
        self.datacollector = DataCollector(model_reporters=DAILY_REPORTERS)
        placement.schedule_campaign(self)
        normalized.schedule(self)
        meeting_every = self.cfg.background.meeting_interval_days
        self.every(meeting_every, meeting_every - 1, meetings.hold_meeting)
        self.running = True

    def at_day(self, day: int, function, *args) -> None:
        """Run ``function(self, *args)`` at the start of ``day`` (before that day's processes)."""
        if day < self.horizon:
            callback = partial(function, self, *args)
            self._callbacks.append(callback)  # Mesa holds event functions weakly
            self.schedule_event(callback, at=day + 0.5)

    def every(self, interval_days: int, first_day: int, function) -> None:
        """Run ``function(self)`` at the start of ``first_day`` and every ``interval_days`` after."""
        callback = partial(function, self)
        self._callbacks.append(callback)
        self.schedule_recurring(callback, Schedule(interval=interval_days, start=first_day + 0.5))

    def step(self) -> None:
        """One day, in the order of MODEL.md §3 (process 1 ran as events before this)."""
        placement.work_day(self)  # 2. placement work
        placement.close_due(self)  # 3. close placements
        followup.work_backlog(self)  # 4. follow-up and ties
        background.step(self)  # 5. background
        integrity.step(self)  # 6. integrity
        self.datacollector.collect(self)  # 7. data
        self.day += 1
        if self.day >= self.horizon:
            self.running = False

    def run_to_end(self) -> None:
        while self.running:
            self.step()

    def summary(self) -> dict:
        return summarize(self)

    def daily_frame(self) -> pd.DataFrame:
        frame = self.datacollector.get_model_vars_dataframe()
        return frame.set_index("day") if "day" in frame else frame
