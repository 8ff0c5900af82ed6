"""Builds the district: departments, cadres, enterprises, their issues and the policy list.

Everything is drawn from the ``population`` stream only, so the same seed gives the same firms,
cadres and issues in every scenario (common random numbers for paired comparisons).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .catalog import (
    ENFORCEMENT_DEPARTMENTS,
    INVITED_DEPARTMENTS,
    ISSUE,
    ISSUE_TYPES,
    N_SECTORS,
    POLICY_DEPARTMENTS,
    TYPE_EFFORT_DAYS,
    TYPE_SENSITIVITY,
)
from .config import Config
from .issues import IssueStore

RANK_DIVISION, RANK_SECTION, RANK_GENERAL = 0, 1, 2
#: ``last_placed_day`` / ``last_move_day`` of a cadre who was never placed / never moved.
NEVER = -(10**9)
#: Types drawn at random; loan and hiring issues come from a firm's credit need and hiring gap.
RANDOM_TYPES = np.array([i for i, t in enumerate(ISSUE_TYPES) if t.name not in ("loan", "hiring", "patent_ip")])


def beta_with_mean(rng: np.random.Generator, mean: float, n: int, concentration: float = 6.0) -> np.ndarray:
    """Beta draws with the given mean; concentration a+b sets the spread."""
    mean = float(np.clip(mean, 1e-3, 1 - 1e-3))
    return rng.beta(mean * concentration, (1 - mean) * concentration, n)


@dataclass
class Cadres:
    """One row per cadre slot. Sizes are fixed: a hire takes the slot of a leaver (``careers``)."""

    dept: np.ndarray
    age: np.ndarray
    rank: np.ndarray
    mandatory: np.ndarray
    competence: np.ndarray
    attitude: np.ndarray
    integrity: np.ndarray
    policy_knowledge: np.ndarray
    grade: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # re-grades so far
    hired_day: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # NEVER: at day 0
    last_placed_day: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # start day
    last_move_day: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # career event
    evaluation: np.ndarray = field(default_factory=lambda: np.zeros(0))  # last back-to-back score (nan: none)

    def __post_init__(self) -> None:
        n = len(self.dept)
        for name, fill, dtype in (
            ("grade", 0, np.int64),
            ("hired_day", NEVER, np.int64),
            ("last_placed_day", NEVER, np.int64),
            ("last_move_day", NEVER, np.int64),
            ("evaluation", np.nan, np.float64),
        ):
            if len(getattr(self, name)) != n:
                setattr(self, name, np.full(n, fill, dtype=dtype))

    @property
    def n(self) -> int:
        return len(self.dept)

    @property
    def original(self) -> np.ndarray:
        """Slots still held by the cadre who held them at day 0 (nobody hired into them)."""
        return self.hired_day == NEVER

    @property
    def never_placed(self) -> np.ndarray:
        """Cadres (current holders of each slot) never placed in an enterprise."""
        return self.last_placed_day == NEVER


@dataclass
class Enterprises:
    size_class: np.ndarray
    sector: np.ndarray
    founding_year: np.ndarray
    outside_park: np.ndarray
    trust: np.ndarray  # owner's general trust in government
    fear: np.ndarray
    liaison: np.ndarray
    awareness: np.ndarray
    enforced_by_dept: np.ndarray  # -1: no enforcement history
    hiring_gap: np.ndarray  # workers
    credit_need_yuan: np.ndarray
    patentable: np.ndarray
    need_factor: np.ndarray  # size-class scale of the hiring gap (mean 1 over the class shares)
    credit_factor: np.ndarray  # size-class scale of the credit need (mean 1 over the class shares)
    issue_factor: np.ndarray  # size-class scale of issue arrival (mean 1 over the class shares)

    @property
    def n(self) -> int:
        return len(self.sector)


@dataclass
class Policies:
    dept: np.ndarray
    benefit_yuan: np.ndarray
    paperwork: np.ndarray
    small_only: np.ndarray  # policy covers small and micro firms only
    sectors: np.ndarray  # (policy, sector) coverage
    requires: np.ndarray  # index into POLICY_FLAGS
    # eligibility as (firm, policy) pairs sorted by firm; firm_ptr[j]:firm_ptr[j+1] are firm j's
    pair_firm: np.ndarray
    pair_policy: np.ndarray
    pair_status: np.ndarray  # 0 unknown, 1 known, 2 claimed, 3 claim failed
    firm_ptr: np.ndarray


UNKNOWN, KNOWN, CLAIMED, FAILED = 0, 1, 2, 3
#: What a policy may require of a firm besides size and sector, and how often (job-stabilisation
#: subsidies need staff to keep, credit policies a credit need, IP policies a patentable product).
POLICY_FLAGS = ("none", "hiring_gap", "credit_need", "patentable")
POLICY_FLAG_SHARES = (0.6, 0.15, 0.15, 0.1)


def build_cadres(cfg: Config, rng: np.random.Generator) -> Cadres:
    p = cfg.population
    n = p.n_cadres
    invited = rng.random(n) < p.bank_utility_share
    dept = np.where(invited, rng.choice(np.array(INVITED_DEPARTMENTS), n), rng.choice(np.array(POLICY_DEPARTMENTS), n))
    age = np.clip(rng.normal(p.cadre_age_mean, p.cadre_age_sd, n), 22, 60)
    u = rng.random(n)
    rank = np.where(
        u < p.share_division_rank,
        RANK_DIVISION,
        np.where(u < p.share_division_rank + p.share_section_rank, RANK_SECTION, RANK_GENERAL),
    )
    mandatory = mandatory_of(dept, rank, age)
    return Cadres(
        dept=dept.astype(np.int64),
        age=age,
        rank=rank.astype(np.int8),
        mandatory=mandatory,
        competence=beta_with_mean(rng, p.competence_mean, n, 10.0),
        attitude=beta_with_mean(rng, p.attitude_mean, n, 8.0),
        integrity=beta_with_mean(rng, p.integrity_mean, n, 12.0),
        policy_knowledge=beta_with_mean(rng, p.policy_knowledge_mean, n, 6.0)
        if p.policy_knowledge_mean > 0
        else np.zeros(n),
    )


def mandatory_of(dept: np.ndarray, rank: np.ndarray, age: np.ndarray) -> np.ndarray:
    """Who must take part (the rest are invited): invited bank/utility staff, division-rank cadres
    under 40, section-rank cadres, and general staff under 35 (FACTS.md)."""
    invited = np.isin(dept, INVITED_DEPARTMENTS)
    return (
        invited
        | ((rank == RANK_DIVISION) & (age < 40))
        | (rank == RANK_SECTION)
        | ((rank == RANK_GENERAL) & (age < 35))
    )


def draw_hires(cfg: Config, dept: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Attributes of new hires into departments ``dept``: young, general rank, with the
    pre-program ("cold") attitude and the district's usual competence, integrity and knowledge."""
    p, c = cfg.population, cfg.careers
    n = len(dept)
    age = np.clip(rng.normal(c.hire_age_mean, c.hire_age_sd, n), 18, c.retirement_age - 1)
    rank = np.full(n, RANK_GENERAL, dtype=np.int8)
    return {
        "age": age,
        "rank": rank,
        "mandatory": mandatory_of(dept, rank, age),
        "competence": beta_with_mean(rng, p.competence_mean, n, 10.0),
        "attitude": beta_with_mean(rng, p.attitude_mean, n, 8.0),
        "integrity": beta_with_mean(rng, p.integrity_mean, n, 12.0),
        "policy_knowledge": beta_with_mean(rng, p.policy_knowledge_mean, n, 6.0)
        if p.policy_knowledge_mean > 0
        else np.zeros(n),
    }


MICRO, SMALL, MEDIUM, LARGE = 0, 1, 2, 3


def size_class_shares(cfg: Config) -> np.ndarray:
    """Share of firms in each size class (micro, small, medium, large)."""
    p, z = cfg.population, cfg.firm_size
    sm, big = p.share_small_micro, 1.0 - p.share_small_micro
    micro = z.micro_share_of_small_micro
    large = z.large_share_of_medium_large
    return np.array([sm * micro, sm * (1 - micro), big * (1 - large), big * large])


def size_scales(cfg: Config) -> np.ndarray:
    """Relative size (staff) of each class; small = 1."""
    z = cfg.firm_size
    return np.array([z.scale_micro, z.scale_small, z.scale_medium, z.scale_large])


def size_factor(cfg: Config, elasticity: float) -> np.ndarray:
    """Per-class factor ``scale**elasticity``, normalised to mean 1 over the class shares, so a
    district-wide total (hiring gaps, credit needs, issues) keeps its meaning and only its spread
    across firms changes."""
    f = size_scales(cfg) ** elasticity
    return f / float(size_class_shares(cfg) @ f)


def liaison_means(cfg: Config) -> np.ndarray:
    """Mean liaison capacity per class: from ``liaison_mean_small`` (micro) to ``liaison_mean_large``
    (large), linear in log size (government-affairs staff come with size)."""
    p = cfg.population
    logs = np.log(size_scales(cfg))
    span = logs[LARGE] - logs[MICRO]
    pos = np.clip((logs - logs[MICRO]) / span, 0.0, 1.0) if span > 0 else np.linspace(0.0, 1.0, 4)
    return p.liaison_mean_small + (p.liaison_mean_large - p.liaison_mean_small) * pos


def build_enterprises(cfg: Config, rng: np.random.Generator) -> Enterprises:
    p = cfg.population
    n = p.n_enterprises
    small = rng.random(n) < p.share_small_micro
    z = cfg.firm_size
    size_class = np.where(
        small,
        np.where(rng.random(n) < z.micro_share_of_small_micro, MICRO, SMALL),
        np.where(rng.random(n) < z.large_share_of_medium_large, LARGE, MEDIUM),
    )
    need_factor = size_factor(cfg, z.need_elasticity)[size_class]
    credit_factor = size_factor(cfg, z.credit_elasticity)[size_class]
    issue_factor = size_factor(cfg, z.issue_elasticity)[size_class]
    founding_year = rng.integers(p.first_founding_year, p.start_year, n)
    outside_park = rng.random(n) < p.share_outside_park
    enforced = rng.random(n) < p.prior_enforcement_share
    enforced_by = np.where(enforced, rng.choice(np.array(ENFORCEMENT_DEPARTMENTS), n), -1)
    fear = beta_with_mean(rng, p.owner_fear_mean, n)
    fear = np.where(enforced, fear + p.fined_fear_rise * (1 - fear), fear)
    gap = np.where(rng.random(n) < p.hiring_gap_share, hiring_gap_draw(cfg, need_factor, rng), 0)
    credit = np.where(rng.random(n) < p.credit_need_share, credit_need_draw(cfg, credit_factor, rng), 0.0)
    liaison_mean = liaison_means(cfg)[size_class]
    return Enterprises(
        size_class=size_class.astype(np.int8),
        sector=rng.integers(0, N_SECTORS, n),
        founding_year=founding_year,
        outside_park=outside_park,
        trust=beta_with_mean(rng, p.owner_trust_mean, n) * (1 - p.fined_trust_cut * enforced),
        fear=fear,
        liaison=np.clip(liaison_mean + p.liaison_sd * rng.standard_normal(n), 0, 1),
        awareness=beta_with_mean(rng, p.policy_awareness_mean, n) if p.policy_awareness_mean > 0 else np.zeros(n),
        enforced_by_dept=enforced_by.astype(np.int64),
        hiring_gap=gap.astype(np.int64),
        credit_need_yuan=credit,
        patentable=rng.random(n) < p.patentable_share,
        need_factor=need_factor,
        credit_factor=credit_factor,
        issue_factor=issue_factor,
    )


def hiring_gap_draw(cfg: Config, need_factor: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Unfilled positions of firms with a gap: geometric with mean ``hiring_gap_mean * need_factor``."""
    mean = np.maximum(cfg.population.hiring_gap_mean * need_factor, 1.0)
    return rng.geometric(1.0 / mean)


def credit_need_draw(cfg: Config, credit_factor: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Credit need in yuan: lognormal with median ``credit_need_median_yuan * credit_factor``."""
    p = cfg.population
    draw = np.exp(p.credit_need_sigma * rng.standard_normal(len(credit_factor)))
    return p.credit_need_median_yuan * credit_factor * draw


def issue_effort(cfg: Config, types: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return cfg.resolution.effort_scale * TYPE_EFFORT_DAYS[types] * rng.gamma(4.0, 0.25, len(types))


def issue_sensitivity(cfg: Config, types: np.ndarray) -> np.ndarray:
    return cfg.disclosure.sensitivity_scale * TYPE_SENSITIVITY[types]


def add_issues(
    cfg: Config, store: IssueStore, rng: np.random.Generator, firms, types, day, legacy=False, prereq=None
) -> np.ndarray:
    """Append issues; a legacy issue carries ``legacy_effort_multiplier`` times the usual effort
    until the legacy procedure takes it (see ``processes/resolution.py``)."""
    types = np.asarray(types, dtype=np.int64)
    effort = issue_effort(cfg, types, rng) * (cfg.resolution.legacy_effort_multiplier if legacy else 1.0)
    return store.add(firms, types, effort, legacy, issue_sensitivity(cfg, types), day, prereq)


def build_initial_issues(cfg: Config, firms: Enterprises, rng: np.random.Generator) -> IssueStore:
    """Latent issues at day 0: random difficulties, needs (loan, hiring, patent), legacy chains."""
    p = cfg.population
    n = firms.n
    store = IssueStore(capacity=int(n * (p.initial_issues_per_firm + 3)) + 64)
    weights = np.array([ISSUE_TYPES[t].arrival_weight for t in RANDOM_TYPES])
    counts = rng.poisson(p.initial_issues_per_firm * firms.issue_factor)
    owners = np.repeat(np.arange(n), counts)
    types = rng.choice(RANDOM_TYPES, len(owners), p=weights / weights.sum())
    add_issues(cfg, store, rng, owners, types, -rng.integers(1, 730, len(owners)))
    for name, has in (
        ("loan", firms.credit_need_yuan > 0),
        ("hiring", firms.hiring_gap > 0),
        ("patent_ip", firms.patentable),
    ):
        who = np.flatnonzero(has)
        add_issues(cfg, store, rng, who, np.full(len(who), ISSUE[name]), -rng.integers(1, 365, len(who)))
    # Legacy chains: permit <- EIA <- land use, for old firms outside the park (case 1).
    old_outside = (firms.founding_year < p.old_firm_cutoff_year) & firms.outside_park
    chain = np.flatnonzero(old_outside & (rng.random(n) < p.legacy_chain_prob))
    age_days = -rng.integers(3 * 365, 8 * 365, len(chain))
    land = add_issues(cfg, store, rng, chain, np.full(len(chain), ISSUE["land_use"]), age_days, legacy=True)
    eia = add_issues(cfg, store, rng, chain, np.full(len(chain), ISSUE["eia"]), age_days, legacy=True, prereq=land)
    add_issues(
        cfg, store, rng, chain, np.full(len(chain), ISSUE["discharge_permit"]), age_days, legacy=True, prereq=eia
    )
    # Old permit-chain firms were typically fined for discharging without a permit (case 1).
    fined = chain[rng.random(len(chain)) < p.legacy_chain_fined_prob]
    first_fine = fined[firms.enforced_by_dept[fined] < 0]  # others already carry the effect
    firms.fear[first_fine] += p.fined_fear_rise * (1 - firms.fear[first_fine])
    firms.trust[first_fine] *= 1 - p.fined_trust_cut
    firms.enforced_by_dept[fined] = ISSUE_TYPES[ISSUE["discharge_permit"]].department
    # Stand-alone legacy issues (property certificates without construction approvals, case 2).
    single = np.flatnonzero(rng.random(n) < p.legacy_single_prob)
    kinds = rng.choice(np.array([ISSUE["property_certificate"], ISSUE["construction_approval"]]), len(single))
    add_issues(cfg, store, rng, single, kinds, -rng.integers(2 * 365, 10 * 365, len(single)), legacy=True)
    return store


def build_policies(cfg: Config, firms: Enterprises, rng: np.random.Generator) -> Policies:
    """182 policies with owner department, skewed benefit, paperwork and eligibility criteria.

    A firm is eligible for a policy when its size class and sector are covered, it has the flag
    the policy requires (a hiring gap, a credit need or patentable technology, if any), and it
    meets the remaining criteria, drawn with ``eligibility_prob``.
    """
    q = cfg.policies
    m = q.n_policies
    depts = np.array(POLICY_DEPARTMENTS[: q.n_policy_departments])
    small_only = rng.random(m) < q.small_only_share
    sectors = rng.random((m, N_SECTORS)) < q.sector_share
    requires = rng.choice(len(POLICY_FLAGS), m, p=POLICY_FLAG_SHARES)
    flags = np.stack([np.ones(firms.n, bool), firms.hiring_gap > 0, firms.credit_need_yuan > 0, firms.patentable])
    size_ok = ~small_only[None, :] | (firms.size_class <= 1)[:, None]
    eligible = size_ok & sectors.T[firms.sector] & flags[requires].T & (rng.random((firms.n, m)) < q.eligibility_prob)
    pair_firm, pair_policy = np.nonzero(eligible)  # row-major: sorted by firm
    known = rng.random(len(pair_firm)) < firms.awareness[pair_firm]
    return Policies(
        dept=rng.choice(depts, m) if m else np.empty(0, dtype=np.int64),
        benefit_yuan=q.benefit_median_yuan * np.exp(q.benefit_sigma * rng.standard_normal(m)),
        paperwork=beta_with_mean(rng, q.paperwork_mean, m)
        if 0 < q.paperwork_mean < 1
        else np.full(m, q.paperwork_mean),
        small_only=small_only,
        sectors=sectors,
        requires=requires,
        pair_firm=pair_firm.astype(np.int64),
        pair_policy=pair_policy.astype(np.int64),
        pair_status=np.where(known, KNOWN, UNKNOWN).astype(np.int8),
        firm_ptr=np.searchsorted(pair_firm, np.arange(firms.n + 1)).astype(np.int64),
    )


__all__ = [
    "CLAIMED",
    "FAILED",
    "KNOWN",
    "NEVER",
    "UNKNOWN",
    "Cadres",
    "Enterprises",
    "Policies",
    "build_cadres",
    "build_enterprises",
    "build_initial_issues",
    "build_policies",
    "draw_hires",
    "mandatory_of",
]
