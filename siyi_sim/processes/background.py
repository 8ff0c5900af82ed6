"""Background (process 5): new issues, the ordinary channel, self-uptake of policies,
enforcement inspections and job-fair hiring. Vectorised over open issues, so a quiet day costs
little whatever the population.

Ordinary channel: a firm takes an open issue it is willing to name to the department with daily
hazard  h = approach_hazard * (1 + liaison_weight*liaison) * (trust_weight*g + 0.5);
an approach succeeds with the department's service speed (see ``mindset``). Legacy issues
succeed only with ``legacy_ordinary_success`` per approach ("they almost never move").
New issues at a firm with a tie of trust >= ``tie_first_call_threshold`` go to that cadre first.
"""

from __future__ import annotations

import numpy as np

from ..catalog import ENFORCEMENT_DEPARTMENTS, ISSUE, ISSUE_TYPES
from ..issues import CH_SELF, CH_TIE, RESOLVED
from ..population import add_issues
from ..streams import APPROACH, APPROACH_SUCCESS, keyed_uniforms
from . import disclosure, integrity, policies, resolution

ALL_TYPES = np.arange(len(ISSUE_TYPES))
ARRIVAL_P = np.array([t.arrival_weight for t in ISSUE_TYPES]) / sum(t.arrival_weight for t in ISSUE_TYPES)


def step(model) -> None:
    new_issues(model)
    ordinary_channel(model)
    policies.self_uptake(model)
    inspections(model)
    model.jobfair.step(model)


def new_issues(model) -> None:
    rng = model.streams["arrivals"]
    f = model.firms
    k = rng.poisson(f.n * model.cfg.background.issue_rate_per_firm_year / 365.0)
    if k == 0:
        return
    firms = rng.integers(0, f.n, k)
    types = rng.choice(ALL_TYPES, k, p=ARRIVAL_P)
    p = model.cfg.population
    loan = types == ISSUE["loan"]
    f.credit_need_yuan[firms[loan]] += p.credit_need_median_yuan * np.exp(
        p.credit_need_sigma * rng.standard_normal(loan.sum())
    )
    hiring = types == ISSUE["hiring"]
    f.hiring_gap[firms[hiring]] += rng.geometric(1.0 / max(p.hiring_gap_mean, 1.0), hiring.sum())
    idx = add_issues(model.cfg, model.issues, rng, firms, types, model.day)
    _first_call(model, idx)


def _first_call(model, idx: np.ndarray) -> None:
    """Owners with a trusted cadre bring new issues to that cadre first (case 1)."""
    ties = model.ties
    if ties.n == 0:
        return
    best, who = ties.best_per_firm(model.day, model.firms.n)
    firms = model.issues.firm[idx]
    trusted = (best[firms] >= model.cfg.trust.tie_first_call_threshold) & ~model.firm_hosting[
        firms
    ]  # a hosted pair hears it first
    idx, firms = idx[trusted], firms[trusted]
    if len(idx) == 0:
        return
    told = idx[best[firms] >= disclosure.threshold(model, idx)]
    iss = model.issues
    iss.disclose(told, model.day)
    iss.owner_cadre[told] = who[iss.firm[told]]
    iss.channel[told] = CH_TIE
    rows = np.array(
        [
            ties.index[(int(c), int(f))]
            for c, f in zip(iss.owner_cadre[told].tolist(), iss.firm[told].tolist(), strict=True)
        ],
        dtype=np.int64,
    )
    if len(rows):
        ties.touch(np.unique(rows), model.day, model.cfg.trust.contact_refresh)


def ordinary_channel(model) -> None:
    iss = model.issues
    open_ = np.flatnonzero(iss.view("status") < RESOLVED)
    if len(open_) == 0:
        return
    f = model.firms
    o = model.cfg.ordinary
    # Same draw per issue as "u < hazard", but the hazard is computed only where u < max hazard.
    h_max = o.approach_hazard_per_day * (1.0 + o.liaison_weight) * (o.trust_weight + 0.5)
    u = keyed_uniforms(model.issue_key, model.day, APPROACH, open_)
    maybe = u < h_max
    cand, u = open_[maybe], u[maybe]
    firm = iss.firm[cand]
    hazard = (
        o.approach_hazard_per_day * (1.0 + o.liaison_weight * f.liaison[firm]) * (o.trust_weight * f.trust[firm] + 0.5)
    )
    cand = cand[u < hazard]
    cand = cand[iss.workable(cand) & disclosure.self_raisable(model, cand)]
    if len(cand) == 0:
        return
    iss.disclose(cand, model.day)
    iss.start(cand)
    integrity.record_approaches(model, cand)
    p = np.where(iss.legacy[cand], model.cfg.resolution.legacy_ordinary_success, model.dept_speed[iss.dept[cand]])
    solved = cand[keyed_uniforms(model.issue_key, model.day, APPROACH_SUCCESS, cand) < p]
    resolution.settle(model, solved, CH_SELF)


def inspections(model) -> None:
    rng = model.streams["inspections"]
    f = model.firms
    b = model.cfg.background
    k = rng.poisson(f.n * b.inspection_rate_per_firm_year / 365.0)
    if k == 0:
        return
    firms = rng.integers(0, f.n, k)
    f.enforced_by_dept[firms] = rng.choice(np.array(ENFORCEMENT_DEPARTMENTS), k)
    f.fear[firms] += b.inspection_fear_gain * (1.0 - f.fear[firms])
