"""Placement submodel: batches, enterprise ordering, pairs, the daily work and the close.

Schedule (process 1): a batch opening is a Mesa event. Firms are chosen by "ordering" (点菜:
weight 1 + open issues; each firm names the departments of the issues it is willing to name, and
sometimes a cadre it knows) or at random; pairs are cross-department cadres of those departments.
Work (process 2), per pair and day: check-in (absence risk), co-working and line days (trust),
disclosure, effort on the best unblocked issue, policy review with the desk, a suggestion.
Close (process 3): report, back-to-back evaluation, follow-up backlog, attitude change, owner's
general trust moves toward the best edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..catalog import DEPT
from ..issues import CH_FOLLOW_UP, CH_PLACEMENT, DISCLOSED, IN_PROGRESS, LATENT
from ..networks import cadre_node, firm_node
from . import disclosure, integrity, mindset, policies, resolution
from .trust import daily_update, initial_edge_trust, owner_update, solved_bump

HIGH_FEAR = 0.6
FALLBACK_DEPARTMENTS = (DEPT["human_resources_social_security"], DEPT["tax"], DEPT["market_supervision"])


@dataclass(eq=False)
class Placement:
    """One pair of cadres inside one enterprise for ``length`` days."""

    id: int
    kind: str  # "campaign" or "normalized"
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
    evaluation: tuple[float, float] | None = None
    backlog: list = field(default_factory=list)
    closed: bool = False


class CadrePool:
    """Available cadres, drawn without replacement by department or from anyone."""

    def __init__(self, cadres: np.ndarray, depts: np.ndarray, rng: np.random.Generator):
        order = rng.permutation(cadres)
        self.order = order
        self.taken: set[int] = set()
        self.by_dept: dict[int, list[int]] = {}
        for c in order.tolist():
            self.by_dept.setdefault(int(depts[c]), []).append(c)
        self.dept_of = depts
        self._cursor = 0

    def __len__(self) -> int:
        return len(self.order) - len(self.taken)

    def take(self, dept: int | None = None, not_dept: int | None = None) -> int | None:
        if dept is not None:
            for c in self.by_dept.get(dept, []):
                if c not in self.taken:
                    self.taken.add(c)
                    return c
            return None
        for c in self.order.tolist():
            if c not in self.taken and (not_dept is None or self.dept_of[c] != not_dept):
                self.taken.add(c)
                return c
        return None


# --- process 1: schedule -------------------------------------------------------------------


def schedule_campaign(model) -> None:
    c = model.cfg.campaign
    if not c.enabled:
        return
    model.campaign_placed = np.zeros(model.cadres.n, dtype=bool)
    model.campaign_served = np.zeros(model.firms.n, dtype=bool)
    for b in range(c.n_batches):
        model.at_day(c.first_batch_day + b * c.batch_interval_days, open_campaign_batch, b)


def open_campaign_batch(model, batch: int) -> None:
    busy = cadres_busy(model)
    pool = np.flatnonzero(model.cadres.mandatory & ~model.campaign_placed & ~busy)
    eligible_firms = ~model.firm_hosting & ~model.campaign_served
    placed = place(model, pool, model.cfg.campaign.firms_per_batch, eligible_firms, "campaign", batch + 1)
    for a in placed:
        model.campaign_placed[list(a.cadres)] = True
        model.campaign_served[a.firm] = True


def cadres_busy(model) -> np.ndarray:
    busy = np.zeros(model.cadres.n, dtype=bool)
    for a in model.active:
        busy[list(a.cadres)] = True
    return busy


def place(model, pool: np.ndarray, n_firms: int, eligible_firms: np.ndarray, kind: str, batch: int) -> list[Placement]:
    """Select firms, form pairs from ``pool`` and start their placements."""
    rng = model.streams["schedule"]
    n_firms = min(n_firms, len(pool) // 2, int(eligible_firms.sum()))
    if n_firms <= 0:
        return []
    firms = select_firms(model, n_firms, eligible_firms, rng)
    firms = firms[rng.random(len(firms)) >= model.cfg.placement.order_withdrawal_prob]
    cadre_pool = CadrePool(pool, model.cadres.dept, rng)
    started = []
    for firm in firms.tolist():
        pair = form_pair(model, firm, cadre_pool, rng)
        if pair is None:
            break
        started.append(start_placement(model, firm, pair, kind, batch))
    return started


def open_issue_counts(model) -> np.ndarray:
    iss = model.issues
    open_ = iss.view("status") < 3
    return np.bincount(iss.view("firm")[open_], minlength=model.firms.n)


def select_firms(model, k: int, eligible: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Ordering: firms with more open difficulties are likelier to order; random: uniform."""
    cands = np.flatnonzero(eligible)
    if model.cfg.placement.matching == "random":
        return rng.choice(cands, k, replace=False)
    w = 1.0 + open_issue_counts(model)[cands]
    return rng.choice(cands, k, replace=False, p=w / w.sum())


def requested_departments(model, firm: int) -> list[int]:
    """Departments a firm names when ordering: those of the open issues it is willing to name."""
    iss = model.issues
    mine = _issues_of(model, firm)
    mine = mine[disclosure.self_raisable(model, mine)]
    depts = np.bincount(iss.dept[mine], minlength=len(DEPT)) if len(mine) else np.zeros(len(DEPT))
    ranked = [int(d) for d in np.argsort(-depts, kind="stable") if depts[d] > 0][:2]
    for d in FALLBACK_DEPARTMENTS:
        if len(ranked) >= 2:
            break
        if d not in ranked:
            ranked.append(d)
    return ranked


def _issues_of(model, firm: int) -> np.ndarray:
    iss = model.issues
    return np.flatnonzero((iss.view("firm") == firm) & (iss.view("status") < 3))


def form_pair(model, firm: int, pool: CadrePool, rng: np.random.Generator) -> tuple[int, int] | None:
    p = model.cfg.placement
    if len(pool) < 2:
        return None
    dept = model.cadres.dept
    if p.matching == "random":
        first = pool.take()
        d1 = int(dept[first])
        second = pool.take(d1) if p.same_department_pairs else pool.take(not_dept=d1)
        return (first, second if second is not None else pool.take())
    d1, d2 = requested_departments(model, firm)
    first = None
    if rng.random() < p.named_cadre_prob:
        best, who = model.ties.best_per_firm(model.day, model.firms.n) if model.ties.n else (None, None)
        named = int(who[firm]) if who is not None else -1
        if named >= 0 and named in pool.by_dept.get(int(dept[named]), []) and named not in pool.taken:
            pool.taken.add(named)
            first = named
    if first is None:
        first = pool.take(d1)
    if first is None:
        first = pool.take()
    d1 = int(dept[first])
    if p.same_department_pairs:
        second = pool.take(d1)
    else:
        second = pool.take(d2) if d2 != d1 else None
        second = second if second is not None else pool.take(not_dept=d1)
    return (first, second if second is not None else pool.take())


def start_placement(model, firm: int, pair: tuple[int, int], kind: str, batch: int) -> Placement:
    cfg = model.cfg
    rng = model.streams["placement"]
    g = float(model.firms.trust[firm])
    fear = float(model.firms.fear[firm])
    rows = []
    for c in pair:
        adversarial = bool(model.firms.enforced_by_dept[firm] == model.cadres.dept[c])
        t0 = initial_edge_trust(g, adversarial, cfg.trust.adversarial_penalty)
        row, created = model.ties.get_or_add(c, firm, t0, model.day, batch, adversarial)
        if created:
            model.trust_graph.add_edge(
                cadre_node(c),
                firm_node(firm),
                kind="tie",
                trust=t0,
                formed_day=model.day,
                last_contact=model.day,
                batch=batch,
                adversarial=adversarial,
            )
        rows.append(row)
    a, b = pair
    model.partner_mask[a] |= 1 << int(model.cadres.dept[b])
    model.partner_mask[b] |= 1 << int(model.cadres.dept[a])
    if not model.trust_graph.has_edge(cadre_node(a), cadre_node(b)):
        model.trust_graph.add_edge(
            cadre_node(a),
            cadre_node(b),
            kind="pair",
            trust=1.0,
            formed_day=model.day,
            last_contact=model.day,
            batch=batch,
            adversarial=False,
        )
    k = model.cadres.policy_knowledge
    k[list(pair)] += cfg.policies.training_knowledge_gain * (1.0 - k[list(pair)])
    latent = _issues_of(model, firm)
    latent = latent[model.issues.status[latent] == LATENT]
    placement = Placement(
        id=len(model.placements),
        kind=kind,
        batch=batch,
        firm=firm,
        cadres=pair,
        ties=np.array(rows, dtype=np.int64),
        start_day=model.day,
        length=cfg.placement.placement_days,
        invited=bool(rng.random() < cfg.shirking.invitation_weight * fear * (1.0 - g)),
        high_fear=fear >= HIGH_FEAR,
        had_sensitive_latent=bool(disclosure.is_sensitive(model, latent).any()),
    )
    model.placements.append(placement)
    model.active.append(placement)
    model.firm_hosting[firm] = True
    model.firm_ever_placed[firm] = True
    model.cadre_ever_placed[list(pair)] = True
    return placement


# --- process 2: placement work -------------------------------------------------------------


def absence_probability(model, attitude: np.ndarray, invited: np.ndarray) -> np.ndarray:
    """base*(1-attitude)*(invitation multiplier)*prod(1-deterrence of each safeguard in force)."""
    s, p = model.cfg.shirking, model.cfg.placement
    deter = 1.0
    for on, d in (
        (p.checkin, s.checkin_deterrence),
        (p.supervision, s.supervision_deterrence),
        (p.evaluation, s.evaluation_deterrence),
    ):
        if on:
            deter *= 1.0 - d
    mult = np.where(invited, s.invitation_multiplier, 1.0)
    return np.clip(s.base_absence * (1.0 - attitude) * mult * deter, 0.0, 1.0)


def work_day(model) -> None:
    act = model.active
    if not act:
        return
    cfg = model.cfg
    rng = model.streams["placement"]
    k = len(act)
    firms = np.array([a.firm for a in act], dtype=np.int64)
    cad = np.array([a.cadres for a in act], dtype=np.int64)
    rows = np.array([a.ties for a in act], dtype=np.int64)
    invited = np.array([a.invited for a in act])[:, None]
    days_done = np.array([a.days_done for a in act])[:, None]
    no_line_yet = np.array([a.line_days.sum() == 0 for a in act])[:, None]

    present = rng.random((k, 2)) >= absence_probability(model, model.cadres.attitude[cad], invited)
    forced_line = cfg.placement.five_ones & no_line_yet & (days_done >= 2)
    on_line = present & ((rng.random((k, 2)) < cfg.trust.line_day_prob) | forced_line)
    t = model.ties.current(model.day, rows.ravel()).reshape(k, 2)
    t = daily_update(t, present, on_line, cfg.trust.alpha, cfg.trust.line_bonus, cfg.trust.gamma)
    model.ties.set_trust(rows.ravel(), t.ravel(), model.day)
    model.counters.cadre_days += 2 * k
    model.counters.absent_days += int((~present).sum())
    integrity.record_contacts(model, cad[present], rows[present])
    for i, a in enumerate(act):
        a.present_days += present[i]
        a.line_days += on_line[i]

    slot = np.full(model.firms.n, -1, dtype=np.int64)
    slot[firms] = np.arange(k)
    firm_trust = np.where(present, t, 0.0).max(axis=1)
    _disclose(model, act, slot, firm_trust)
    _work_issues(model, act, slot, cad, rows, present)
    _review_policies(model, act, cad, present, rng)
    for a in act:
        if rng.random() < cfg.placement.suggestion_prob_per_day:
            a.suggestion = True
        a.days_done += 1


def _disclose(model, act, slot, firm_trust) -> None:
    iss = model.issues
    cand = np.flatnonzero((iss.view("status") == LATENT) & (slot[iss.view("firm")] >= 0))
    if len(cand) == 0:
        return
    told = disclosure.disclose_to_cadres(model, cand, firm_trust[slot[iss.firm[cand]]])
    sensitive = told[disclosure.is_sensitive(model, told)]
    for s in np.unique(slot[iss.firm[sensitive]]).tolist():
        a = act[s]
        if a.first_sensitive_day is None:
            a.first_sensitive_day = a.days_done + 1


def _work_issues(model, act, slot, cad, rows, present) -> None:
    iss = model.issues
    st = iss.view("status")
    cand = np.flatnonzero(((st == DISCLOSED) | (st == IN_PROGRESS)) & (slot[iss.view("firm")] >= 0))
    if len(cand) == 0:
        return
    cand = cand[iss.workable(cand)]
    if len(cand) == 0:
        return
    ks = slot[iss.firm[cand]]
    depts = iss.dept[cand]
    contribution = np.zeros((len(cand), 2))
    pushed = np.zeros(len(cand), dtype=bool)
    for j in (0, 1):
        c = cad[ks, j]
        here = present[ks, j]
        contribution[:, j] = here * model.cadres.competence[c] * resolution.match_factor(model, c, depts)
        pushed |= here & resolution.inside_push(model, c, depts)
    effort = np.where(iss.legacy[cand] & ~pushed, 0.0, contribution.sum(axis=1))
    order = np.lexsort((iss.day_created[cand], -effort, ks))
    first = order[np.unique(ks[order], return_index=True)[1]]  # one issue per pair and day
    first = first[effort[first] > 0]
    chosen, eff, push, share = cand[first], effort[first], pushed[first], contribution[first]
    for i, d in zip(ks[first].tolist(), depts[first].tolist(), strict=True):
        act[i].navigated.add(int(d))
    finished = resolution.apply_effort(model, chosen, eff, push)
    done = resolution.settle(model, finished, CH_PLACEMENT)
    if len(done):
        solved = np.isin(chosen, done)
        for i in ks[first][solved].tolist():
            act[i].solved += 1
        # Trust follows the work: the cadre who did most of it gets the full bump (case 1).
        weight = share[solved] / share[solved].max(axis=1, keepdims=True)
        tie_rows = rows[ks[first][solved]]
        weight = weight * (1.0 + model.cfg.trust.adversarial_help_bonus * model.ties.adversarial[tie_rows])
        t = model.ties.current(model.day, tie_rows.ravel()).reshape(-1, 2)
        gain = np.minimum(model.cfg.trust.beta * weight, 1.0)
        model.ties.set_trust(tie_rows.ravel(), solved_bump(t, gain).ravel(), model.day)


def _review_policies(model, act, cad, present, rng) -> None:
    knowledge = (present * model.cadres.policy_knowledge[cad]).sum(axis=1)
    anyone = present.any(axis=1)
    n_working = int(anyone.sum())  # the desk works through the placed cadres who are there
    for i, a in enumerate(act):
        if not anyone[i]:
            continue
        n = policies.stochastic_round(policies.checks_today(model, float(knowledge[i]), n_working), rng)
        a.policies += policies.review(model, a.firm, n, program=True)


# --- process 3: close ------------------------------------------------------------------------


def close_due(model) -> None:
    due = [a for a in model.active if a.days_done >= a.length]
    if not due:
        return
    for a in due:
        close(model, a)
    model.active = [a for a in model.active if not a.closed]
    mindset.update_department_speed(model)


def close(model, a: Placement) -> None:
    cfg = model.cfg
    rng = model.streams["placement"]
    p = cfg.placement
    a.report = bool(rng.random() < (p.report_prob if p.five_ones else 0.5 * p.report_prob))
    t = model.ties.current(model.day, a.ties)
    if p.evaluation:
        presence = a.present_days / max(a.days_done, 1)
        a.evaluation = tuple(float(0.5 * presence[j] + 0.3 * (a.solved > 0) + 0.2 * t[j]) for j in (0, 1))
    if p.follow_up:
        _hand_over_backlog(model, a)
        if a.policies == 0 and len(policies.open_pairs(model, a.firm)):
            model.policy_followups.append(a)
    for j, c in enumerate(a.cadres):
        own = int(model.cadres.dept[c])
        mindset.after_placement(model, c, int(a.line_days[j]), len(a.navigated - {own}), a.solved)
    f = a.firm
    model.firms.trust[f] = owner_update(model.firms.trust[f], t.max(), cfg.trust.kappa)
    for c, tj in zip(a.cadres, t, strict=True):
        model.trust_graph.edges[cadre_node(c), firm_node(f)]["trust"] = float(tj)
    model.firm_hosting[f] = False
    a.closed = True


def _hand_over_backlog(model, a: Placement) -> None:
    """Disclosed, unresolved issues become the backlog of the better-matched cadre."""
    iss = model.issues
    mine = _issues_of(model, a.firm)
    mine = mine[(iss.status[mine] == DISCLOSED) | (iss.status[mine] == IN_PROGRESS)]
    mine = mine[iss.owner_cadre[mine] < 0]
    if len(mine) == 0:
        return
    cads = np.array(a.cadres)
    depts = iss.dept[mine]
    m0 = resolution.match_factor(model, np.full(len(mine), cads[0]), depts)
    m1 = resolution.match_factor(model, np.full(len(mine), cads[1]), depts)
    iss.owner_cadre[mine] = np.where(m1 > m0, cads[1], cads[0])
    iss.channel[mine] = CH_FOLLOW_UP
    a.backlog.extend(mine.tolist())
