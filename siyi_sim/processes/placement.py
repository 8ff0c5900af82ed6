"""Placement submodel: enterprise ordering, pairs, the daily work and the close.

Who is placed when is decided by the schedule submodels (``campaign``, ``normalized``), which
call :meth:`Placements.place`. Firms are chosen by "ordering" (点菜: weight 1 + open issues; each
firm names the two departments of the issues it is willing to name, and the cadre it trusts most
if that tie reaches ``named_cadre_min_trust``) or at random. Under ordering a named cadre who is
free (the schedule's rules allow placing him now, he is not in a placement, not sanctioned) is
always placed, even from outside the batch's pool, and the pair covers a requested department whenever a
cadre of one is in the pool; random matching pairs any two cadres of different departments.
Work (process 2), per pair and day: check-in (absence risk), co-working and line days (trust),
disclosure, effort on the best unblocked issue, policy review with the desk; the pair's suggestion
comes once its attitude-weighted present days reach ``suggestion_engagement_days``.
Close (process 3): the report (written by a cadre present often enough -- and, without the task
list, willing enough), back-to-back evaluation (kept per cadre), follow-up backlog, attitude
change, owner's general trust moves toward the best edge.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..catalog import DEPT, FALLBACK_DEPARTMENTS
from ..events import PlacementClosed, PlacementStarted
from ..issues import CH_PLACEMENT, DISCLOSED, IN_PROGRESS, LATENT, RESOLVED
from . import disclosure as disclosure_events
from .absence import Absence
from .avoidance import Avoidance
from .base import Submodel
from .careers import Careers
from .disclosure import Disclosure
from .followup import FollowUp
from .integrity import Integrity
from .mindset import Mindset
from .policies import PolicyMatching, stochastic_round
from .resolution import Resolution
from .trust import Trust

if TYPE_CHECKING:
    from ..model import SiyiModel


@dataclass(eq=False)
class Placement:
    """One pair of cadres inside one enterprise for ``length`` days."""

    id: int
    kind: str  # "campaign", "normalized" or an observer's label ("case")
    batch: int
    firm: int
    cadres: tuple[int, int]
    ties: np.ndarray
    start_day: int
    length: int
    invited: bool
    high_fear: bool
    had_sensitive_latent: bool
    days_done: int = 0
    present_days: np.ndarray = field(default_factory=lambda: np.zeros(2, dtype=np.int64))
    line_days: np.ndarray = field(default_factory=lambda: np.zeros(2, dtype=np.int64))
    solved: int = 0
    policies: int = 0
    suggestion: bool = False
    report: bool = False
    first_sensitive_day: int | None = None
    navigated: set = field(default_factory=set)
    evaluation: tuple[float, ...] | None = None
    backlog: list = field(default_factory=list)
    closed: bool = False
    requested: tuple[int, ...] = ()  # departments the firm asked for (scheduled placements)
    engagement: float = 0.0  # present cadre-days weighted by attitude (the suggestion)


@dataclass(frozen=True)
class ActiveTable:
    """Fixed columns of the active placements, in ``Placements.active`` order."""

    ids: np.ndarray
    firms: np.ndarray
    cadres: np.ndarray  # (k, 2)
    ties: np.ndarray  # (k, 2) tie rows of the two cadres with the firm's owner
    invited: np.ndarray  # (k, 1)


class CadrePool:
    """Available cadres, drawn without replacement by department or from anyone.

    Draws go through each list in order; a cursor per list skips its taken head once, so a batch's
    draws cost about the pool's size, not the pool's size per draw.
    """

    def __init__(self, cadres: np.ndarray, depts: np.ndarray, rng: np.random.Generator):
        order = rng.permutation(cadres)
        self.order = order
        self.taken: set[int] = set()
        self.outside: set[int] = set()  # named cadres taken from outside the pool
        entries = list(zip(order.tolist(), depts[order].tolist(), strict=True))  # (cadre, department)
        self._lists: dict[int | None, list[tuple[int, int]]] = {None: entries}  # in pool order; None: anyone
        for c, d in entries:
            self._lists.setdefault(d, []).append((c, d))
        self._members = {c for c, _ in entries}
        self._cursor: dict[int | None, int] = {}  # per list, the first entry that may be untaken

    def __len__(self) -> int:
        return len(self.order) - len(self.taken)

    def take_named(self, cadre: int, free: np.ndarray) -> int | None:
        """A cadre the firm asked for by name: placed if ``free`` (in the pool or not)."""
        if cadre < 0 or cadre in self.taken or cadre in self.outside or not free[cadre]:
            return None
        (self.taken if cadre in self._members else self.outside).add(cadre)
        return cadre

    def take(self, dept: int | None = None, not_dept: int | None = None) -> int | None:
        """The first untaken cadre of ``dept`` (or of anyone not of ``not_dept``), in pool order."""
        entries = self._lists.get(dept, [])
        i = self._cursor.get(dept, 0)
        while i < len(entries) and entries[i][0] in self.taken:
            i += 1
        self._cursor[dept] = i
        for c, d in itertools.islice(entries, i, None):
            if c not in self.taken and (dept is not None or d != not_dept):
                self.taken.add(c)
                return c
        return None


def firm_slots(model: SiyiModel, firms: np.ndarray | list[int]) -> np.ndarray:
    """Per firm of the district, its position in ``firms`` (distinct), or -1 if not among them."""
    slot = np.full(model.firms.n, -1, dtype=np.int64)
    slot[firms] = np.arange(len(firms))
    return slot


def open_issues_of(model: SiyiModel, firm: int) -> np.ndarray:
    return model.issues.open_of_firm(firm)


class Placements(Submodel):
    """Owns every placement, the active ones, and which firms host or ever hosted a pair."""

    name = "placement"
    section = "placement"

    def setup(self, model: SiyiModel) -> None:
        self.placements: list[Placement] = []
        self.active: list[Placement] = []
        self.firm_hosting = np.zeros(model.firms.n, dtype=bool)
        self.firm_ever_placed = np.zeros(model.firms.n, dtype=bool)
        self.cadre_ever_placed = np.zeros(model.cadres.n, dtype=bool)  # the slot's current holder
        self.placed_cadres_left = 0  # placed cadres whose slot was since refilled by a hire
        self.cadre_busy = np.zeros(model.cadres.n, dtype=bool)
        # Present and line days of every placement, one row each: a placement's ``present_days``
        # and ``line_days`` are views of its row, so the daily work updates all pairs at once.
        self._present = np.zeros((0, 2), dtype=np.int64)
        self._line = np.zeros((0, 2), dtype=np.int64)
        self._table: ActiveTable | None = None

    def slot_refilled(self, slots: np.ndarray) -> None:
        """Hires took these slots: the leavers stay counted as placed persons, the hires start unplaced."""
        self.placed_cadres_left += int(np.count_nonzero(self.cadre_ever_placed[slots]))
        self.cadre_ever_placed[slots] = False

    def cadres_placed(self) -> int:
        """Persons placed at least once in the run, including those who have since left."""
        return self.placed_cadres_left + int(np.count_nonzero(self.cadre_ever_placed))

    # --- process 1: who goes where (called by the schedule submodels) ----------------------

    def busy_cadres(self, model: SiyiModel) -> np.ndarray:
        """Cadres in an active placement now (a copy the caller may change)."""
        return self.cadre_busy.copy()

    def place(
        self,
        model: SiyiModel,
        pool: np.ndarray,
        n_firms: int,
        eligible_firms: np.ndarray,
        kind: str,
        batch: int,
        nameable: np.ndarray | None = None,
    ) -> list[Placement]:
        """Select up to ``n_firms`` firms, form pairs from ``pool`` and start their placements.

        ``nameable`` (boolean per cadre) is whom the schedule's own rules allow it to place now; a
        firm's named cadre is honoured only if free: nameable, not in a placement, not sanctioned.
        Default: anyone not in a placement and not sanctioned (an observer's direct placement).
        """
        rng = model.streams["schedule"]
        sanctioned = model.submodel(Integrity).sanctioned(model)
        pool = pool[~sanctioned[pool]]  # sanctioned cadres stay home
        n_firms = min(n_firms, len(pool) // 2, int(eligible_firms.sum()))
        if n_firms <= 0:
            return []
        firms = self.select_firms(model, n_firms, eligible_firms, rng)
        firms = firms[rng.random(len(firms)) >= model.cfg.placement.order_withdrawal_prob]
        cadre_pool = CadrePool(pool, model.cadres.dept, rng)
        named = self.named_cadres(model)
        free = ~self.busy_cadres(model) & ~sanctioned
        if nameable is not None:
            free &= nameable
        order = firms.tolist()
        requested = self.requested_departments_of(model, firms)
        pairs = self.form_pairs(model, order, cadre_pool, requested, named, free)
        sensitive = self.sensitive_latent(model, order).tolist()  # starting a placement changes no issue
        started = []  # pairs may run out before the firms do
        for firm, wanted, pair, had_sensitive in zip(order, requested, pairs, sensitive, strict=False):
            placement = self._start_pair(
                model, firm, self._checked_pair(model, firm, pair), kind, batch, None, had_sensitive
            )
            placement.requested = tuple(wanted)
            started.append(placement)
        return started

    def named_cadres(self, model: SiyiModel) -> np.ndarray:
        """Per firm, the cadre its owner names when ordering (-1: none): his most trusted cadre, if
        that tie reaches ``placement.named_cadre_min_trust``."""
        named = np.full(model.firms.n, -1, dtype=np.int64)
        if model.ties.n == 0 or model.cfg.placement.matching != "ordering":
            return named
        best, who = model.ties.best_per_firm(model.day, model.firms.n)
        ok = (best >= model.cfg.placement.named_cadre_min_trust) & (who >= 0)
        named[ok] = who[ok]
        return named

    def open_issue_counts(self, model: SiyiModel) -> np.ndarray:
        iss = model.issues
        open_ = iss.view("status") < RESOLVED
        return np.bincount(iss.view("firm")[open_], minlength=model.firms.n)

    def select_firms(self, model: SiyiModel, k: int, eligible: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Ordering: firms with more open difficulties are likelier to order; random: uniform."""
        cands = np.flatnonzero(eligible)
        if model.cfg.placement.matching == "random":
            return rng.choice(cands, k, replace=False)
        w = 1.0 + self.open_issue_counts(model)[cands]
        return rng.choice(cands, k, replace=False, p=w / w.sum())

    def requested_departments(self, model: SiyiModel, firm: int) -> list[int]:
        """Departments a firm names when ordering: those of the open issues it is willing to name."""
        return self.requested_departments_of(model, np.array([firm], dtype=np.int64))[0]

    def requested_departments_of(self, model: SiyiModel, firms: np.ndarray) -> list[list[int]]:
        """``requested_departments`` of each of the distinct ``firms``, from one pass over the issues."""
        iss = model.issues
        slot = firm_slots(model, firms)
        mine = np.flatnonzero((iss.view("status") < RESOLVED) & (slot[iss.view("firm")] >= 0))
        mine = mine[model.submodel(Disclosure).self_raisable(model, mine)]
        counts = np.zeros((len(firms), len(DEPT)), dtype=np.int64)
        np.add.at(counts, (slot[iss.firm[mine]], iss.dept[mine]), 1)
        return [self._two_departments(row) for row in counts]

    @staticmethod
    def _two_departments(counts: np.ndarray) -> list[int]:
        """The two departments with most issues (ties: lower id), topped up from the fallbacks."""
        ranked = [int(d) for d in np.argsort(-counts, kind="stable") if counts[d] > 0][:2]
        for d in FALLBACK_DEPARTMENTS:
            if len(ranked) >= 2:
                break
            if d not in ranked:
                ranked.append(d)
        return ranked

    def form_pairs(
        self,
        model: SiyiModel,
        firms: list[int],
        pool: CadrePool,
        requested: list[list[int]],
        named: np.ndarray,
        free: np.ndarray,
    ) -> list[tuple[int, int]]:
        """Pairs for ``firms`` in order (fewer if the pool runs out).

        Ordering works in two passes, so that one firm does not take a second scarce cadre before
        another firm got its first: (1) each firm gets its named cadre if he is ``free``, else a
        cadre of its requested departments, in the firm's order; (2) each firm gets its second
        cadre, of its other requested department if one is left, else of another department (a
        firm with no requested cadre left takes anyone first). A firm is left without a requested
        department only when no cadre of one is free. Random matching: any two of different
        departments.
        """
        p = model.cfg.placement
        dept = model.cadres.dept
        firsts: list[int | None] = [None] * len(firms)
        seconds: list[int | None] = [None] * len(firms)
        if p.matching == "ordering":
            for i, firm in enumerate(firms):
                first = pool.take_named(int(named[firm]), free)
                for d in requested[i]:
                    if first is None:
                        first = pool.take(d)
                firsts[i] = first
                if first is not None and p.same_department_pairs:  # its colleague comes along at once
                    seconds[i] = pool.take(int(dept[first]))
        pairs = []
        for i in range(len(firms)):
            first = firsts[i] if firsts[i] is not None else pool.take()
            if first is None:
                break
            d1 = int(dept[first])
            second = seconds[i]
            if p.same_department_pairs:
                second = second if second is not None else pool.take(d1)
            elif p.matching == "ordering":
                for d in requested[i]:
                    if second is None and d != d1:
                        second = pool.take(d)
            second = second if second is not None or p.same_department_pairs else pool.take(not_dept=d1)
            second = second if second is not None else pool.take()
            if second is None:
                break
            pairs.append((first, second))
        return pairs

    def place_pair(
        self,
        model: SiyiModel,
        firm: int,
        cadres: tuple[int, int],
        kind: str = "case",
        batch: int = 1,
        invited: bool | None = None,
    ) -> Placement:
        """Start a placement of the two ``cadres`` in ``firm`` today (an intervention).

        Schedules call it for the pairs they form; observers (case replays, the P2 experiment)
        call it to place a chosen pair. The cadres must be two distinct cadres not in a placement
        now, and the firm must not host a pair now. ``invited`` forces the owner's "you need not
        come" (True) or its absence (False); it is drawn either way, so the streams stay aligned.
        """
        pair = self._checked_pair(model, firm, cadres)
        return self._start_pair(model, firm, pair, kind, batch, invited, bool(self.sensitive_latent(model, [firm])[0]))

    def _checked_pair(self, model: SiyiModel, firm: int, cadres: tuple[int, int]) -> tuple[int, int]:
        """The two cadres as ints, if they and the firm may start a placement now."""
        a, b = int(cadres[0]), int(cadres[1])
        if a == b or not (0 <= a < model.cadres.n and 0 <= b < model.cadres.n):
            raise ValueError(f"cadres {cadres!r} must be two distinct cadre ids below {model.cadres.n}")
        if not 0 <= firm < model.firms.n:
            raise ValueError(f"firm {firm!r} is not a firm id below {model.firms.n}")
        if self.firm_hosting[firm]:
            raise ValueError(f"firm {firm} hosts a pair already")
        if self.cadre_busy[a] or self.cadre_busy[b]:
            raise ValueError(f"cadres {cadres!r}: one of them is in a placement now")
        return a, b

    def sensitive_latent(self, model: SiyiModel, firms: list[int]) -> np.ndarray:
        """Per firm (distinct), whether it holds a sensitive issue not yet disclosed (one pass)."""
        iss = model.issues
        slot = firm_slots(model, firms)
        latent = np.flatnonzero((iss.view("status") == LATENT) & (slot[iss.view("firm")] >= 0))
        sensitive = latent[model.submodel(Disclosure).is_sensitive(model, latent)]
        has = np.zeros(len(firms), dtype=bool)
        has[slot[iss.firm[sensitive]]] = True
        return has

    def _start_pair(
        self,
        model: SiyiModel,
        firm: int,
        pair: tuple[int, int],
        kind: str,
        batch: int,
        invited: bool | None,
        had_sensitive_latent: bool,
    ) -> Placement:
        """Start the placement (``place_pair`` after its checks)."""
        cfg = model.cfg
        rng = model.streams["placement"]
        g = float(model.firms.trust[firm])
        fear = float(model.firms.fear[firm])
        rows = model.submodel(Trust).open_placement_ties(model, firm, pair, batch)
        model.submodel(PolicyMatching).train(model, list(pair))
        drawn = bool(rng.random() < model.submodel(Absence).invitation_probability(model, fear, g))
        placement = Placement(
            id=len(self.placements),
            kind=kind,
            batch=batch,
            firm=firm,
            cadres=pair,
            ties=rows,
            start_day=model.day,
            length=cfg.placement.placement_days,
            invited=drawn if invited is None else invited,
            high_fear=fear >= cfg.placement.high_fear_threshold,
            had_sensitive_latent=had_sensitive_latent,
        )
        placement.present_days, placement.line_days = self._day_count_rows(placement.id)
        self.placements.append(placement)
        self.active.append(placement)
        self._table = None
        self.cadre_busy[list(pair)] = True
        self.firm_hosting[firm] = True
        self.firm_ever_placed[firm] = True
        self.cadre_ever_placed[list(pair)] = True
        model.submodel(Careers).record_start(model, pair)
        if model.events is not None:
            model.events.append(PlacementStarted(model.day, placement.id, firm, pair, kind, batch))
        return placement

    def _day_count_rows(self, pid: int) -> tuple[np.ndarray, np.ndarray]:
        """Views of placement ``pid``'s present and line days; the arrays double when full (and
        every earlier placement's views are pointed at the new ones)."""
        if pid >= len(self._present):
            size = max(64, 2 * len(self._present))
            self._present = np.concatenate([self._present, np.zeros((size - len(self._present), 2), np.int64)])
            self._line = np.concatenate([self._line, np.zeros((size - len(self._line), 2), np.int64)])
            for a in self.placements:
                a.present_days, a.line_days = self._present[a.id], self._line[a.id]
        return self._present[pid], self._line[pid]

    def _active_table(self) -> ActiveTable:
        """The active placements' fixed columns, rebuilt only when a placement starts or closes."""
        if self._table is None:
            act = self.active
            self._table = ActiveTable(
                ids=np.array([a.id for a in act], dtype=np.int64),
                firms=np.array([a.firm for a in act], dtype=np.int64),
                cadres=np.array([a.cadres for a in act], dtype=np.int64).reshape(-1, 2),
                ties=np.array([a.ties for a in act], dtype=np.int64).reshape(-1, 2),
                invited=np.array([a.invited for a in act], dtype=bool)[:, None],
            )
        return self._table

    # --- processes 2 and 3: the day's work, then the close ------------------------------------

    def step(self, model: SiyiModel) -> None:
        self.work_day(model)
        self.close_due(model)

    def work_day(self, model: SiyiModel) -> None:
        act = self.active
        if not act:
            return
        cfg = model.cfg
        rng = model.streams["placement"]
        k = len(act)
        table = self._active_table()
        firms, cad, rows, invited = table.firms, table.cadres, table.ties, table.invited
        days_done = np.array([a.days_done for a in act])[:, None]
        no_line_yet = (self._line[table.ids].sum(axis=1) == 0)[:, None]

        absent_p = model.submodel(Absence).probability(model, model.cadres.attitude[cad], invited)
        present = (rng.random((k, 2)) >= absent_p) & ~model.submodel(Integrity).sanctioned(model)[cad]
        forced_line = cfg.placement.five_ones & no_line_yet & (days_done >= 2)
        on_line = present & ((rng.random((k, 2)) < cfg.trust.line_day_prob) | forced_line)
        t = model.submodel(Trust).placement_day(model, rows, present, on_line)
        model.counters.cadre_days += 2 * k
        model.counters.absent_days += int((~present).sum())
        model.submodel(Integrity).record_contacts(model, cad[present], rows[present])
        self._present[table.ids] += present
        self._line[table.ids] += on_line

        slot = firm_slots(model, firms)
        at_hosts = slot[model.issues.view("firm")] >= 0  # issues of the firms hosting a pair
        firm_trust = np.where(present, t, 0.0).max(axis=1)
        self._disclose(model, act, slot, at_hosts, firm_trust)
        self._work_issues(model, act, slot, at_hosts, cad, rows, present)
        self._review_policies(model, act, firms, cad, present, rng)
        engagement = (present * model.cadres.attitude[cad]).sum(axis=1)
        for a, e in zip(act, engagement.tolist(), strict=True):
            a.engagement += e
            a.suggestion = a.suggestion or a.engagement >= cfg.placement.suggestion_engagement_days
            a.days_done += 1

    def _disclose(
        self, model: SiyiModel, act: list[Placement], slot: np.ndarray, at_hosts: np.ndarray, firm_trust: np.ndarray
    ) -> None:
        iss = model.issues
        cand = np.flatnonzero((iss.view("status") == LATENT) & at_hosts)
        if len(cand) == 0:
            return
        disclosure = model.submodel(Disclosure)
        told = disclosure.to_placed_pairs(model, cand, firm_trust[slot[iss.firm[cand]]])
        if model.events is not None:
            day_in = [act[s].days_done + 1 for s in slot[iss.firm[told]].tolist()]
            disclosure_events.record(model, told, CH_PLACEMENT, np.array(day_in, dtype=np.int64))
        sensitive = told[disclosure.is_sensitive(model, told)]
        for s in np.unique(slot[iss.firm[sensitive]]).tolist():
            a = act[s]
            if a.first_sensitive_day is None:
                a.first_sensitive_day = a.days_done + 1

    def _work_issues(
        self,
        model: SiyiModel,
        act: list[Placement],
        slot: np.ndarray,
        at_hosts: np.ndarray,
        cad: np.ndarray,
        rows: np.ndarray,
        present: np.ndarray,
    ) -> None:
        iss = model.issues
        st = iss.view("status")
        cand = np.flatnonzero(((st == DISCLOSED) | (st == IN_PROGRESS)) & at_hosts)
        if len(cand) == 0:
            return
        cand = cand[iss.workable(cand)]
        if len(cand) == 0:
            return
        resolution = model.submodel(Resolution)
        ks = slot[iss.firm[cand]]
        depts = iss.dept[cand]
        contribution = np.zeros((len(cand), 2))
        pushed = np.zeros(len(cand), dtype=bool)
        for j in (0, 1):
            c = cad[ks, j]
            here = present[ks, j]
            contribution[:, j] = here * model.cadres.competence[c] * resolution.match_factor(model, c, depts)
            pushed |= here & resolution.inside_push(model, c, depts)
        effort = contribution.sum(axis=1)  # unpushed legacy issues count against their full legacy effort
        stuck = iss.legacy[cand] & ~pushed  # worked only when nothing else is (no rule covers it)
        order = np.lexsort((iss.day_created[cand], -effort, stuck, ks))
        by_pair = ks[order]  # sorted: the pair is the primary key
        first = order[np.r_[True, by_pair[1:] != by_pair[:-1]]]  # one issue per pair and day: its best
        first = first[effort[first] > 0]
        chosen, eff, push, share = cand[first], effort[first], pushed[first], contribution[first]
        for i, d in zip(ks[first].tolist(), depts[first].tolist(), strict=True):
            act[i].navigated.add(int(d))
        finished = resolution.apply_effort(model, chosen, eff, push)
        done = resolution.settle(model, finished, CH_PLACEMENT)
        if len(done):
            is_done = np.zeros(iss.n, dtype=bool)
            is_done[done] = True
            solved = is_done[chosen]
            for i in ks[first][solved].tolist():
                act[i].solved += 1
            # Trust follows the work: the cadre who did most of it gets the full bump (case 1).
            model.submodel(Trust).placement_solutions(model, rows[ks[first][solved]], share[solved])

    def _review_policies(
        self,
        model: SiyiModel,
        act: list[Placement],
        firms: np.ndarray,
        cad: np.ndarray,
        present: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        """Each pair with someone present reviews its firm's policies with the desk (one batch)."""
        policies = model.submodel(PolicyMatching)
        knowledge = (present * model.cadres.policy_knowledge[cad]).sum(axis=1)
        working = np.flatnonzero(present.any(axis=1))  # the desk works through the placed cadres who are there
        n_checks = stochastic_round(policies.checks_today(model, knowledge[working], len(working)), rng)
        found = policies.review_firms(model, firms[working], n_checks, program=True)
        for i, n in zip(working.tolist(), found.tolist(), strict=True):
            act[i].policies += n

    def close_due(self, model: SiyiModel) -> None:
        due = [a for a in self.active if a.days_done >= a.length]
        if not due:
            return
        firms = [a.firm for a in due]
        # The follow-up backlogs, found at once: closing one placement changes no other firm's issues.
        worked = self._worked_issues_of(model, firms) if model.cfg.placement.follow_up else [None] * len(due)
        for a, issues in zip(due, worked, strict=True):
            self.close(model, a, issues)
        self.active = [a for a in self.active if not a.closed]
        self._table = None
        model.submodel(Mindset).update_department_speed(model)

    def _worked_issues_of(self, model: SiyiModel, firms: list[int]) -> list[np.ndarray]:
        """Per firm (distinct), its disclosed or in-progress issues, in index order (one pass)."""
        iss = model.issues
        slot = firm_slots(model, firms)
        st = iss.view("status")
        worked = np.flatnonzero(((st == DISCLOSED) | (st == IN_PROGRESS)) & (slot[iss.view("firm")] >= 0))
        owner_slot = slot[iss.firm[worked]]
        by_firm = worked[np.argsort(owner_slot, kind="stable")]
        return np.split(by_firm, np.cumsum(np.bincount(owner_slot, minlength=len(firms)))[:-1])

    def close(self, model: SiyiModel, a: Placement, worked: np.ndarray | None = None) -> None:
        """Close placement ``a`` (``worked``: its firm's disclosed or in-progress issues, if known)."""
        p = model.cfg.placement
        presence = a.present_days / max(a.days_done, 1)
        writers = presence >= p.report_min_presence
        if not p.five_ones:  # no task list: only a willing cadre writes one unasked
            writers &= model.cadres.attitude[list(a.cadres)] >= p.report_min_attitude_without_five_ones
        a.report = bool(writers.any())
        t = model.ties.current(model.day, a.ties)
        if p.evaluation:
            a.evaluation = tuple(
                float(
                    p.evaluation_presence_weight * presence[j]
                    + p.evaluation_solved_weight * (a.solved > 0)
                    + p.evaluation_trust_weight * t[j]
                )
                for j in (0, 1)
            )
            model.submodel(Careers).record_evaluation(model, a)
        if p.follow_up:
            self._hand_over_backlog(model, a, worked)
            if a.policies == 0 and len(model.submodel(PolicyMatching).open_pairs(model, a.firm)):
                model.submodel(FollowUp).add_policy_followup(a)
        mindset = model.submodel(Mindset)
        for j, c in enumerate(a.cadres):
            own = int(model.cadres.dept[c])
            mindset.after_placement(model, c, int(a.line_days[j]), len(a.navigated - {own}), a.solved)
        model.submodel(Trust).close_placement(model, a.firm, a.cadres, t)
        model.submodel(Avoidance).after_placement(model, a.cadres, a.present_days)
        self.firm_hosting[a.firm] = False
        self.cadre_busy[list(a.cadres)] = False
        a.closed = True
        if model.events is not None:
            model.events.append(PlacementClosed(model.day, a.id, a.firm, a.solved, a.policies, a.report))

    def _hand_over_backlog(self, model: SiyiModel, a: Placement, worked: np.ndarray | None = None) -> None:
        """Disclosed, unresolved issues nobody owns become the backlog of the better-matched cadre."""
        iss = model.issues
        if worked is None:
            worked = self._worked_issues_of(model, [a.firm])[0]
        mine = worked[iss.owner_cadre[worked] < 0]
        if len(mine) == 0:
            return
        resolution = model.submodel(Resolution)
        cads = np.array(a.cadres)
        depts = iss.dept[mine]
        m0 = resolution.match_factor(model, np.full(len(mine), cads[0]), depts)
        m1 = resolution.match_factor(model, np.full(len(mine), cads[1]), depts)
        model.submodel(FollowUp).hand_over(model, mine, np.where(m1 > m0, cads[1], cads[0]))
        a.backlog.extend(mine.tolist())
