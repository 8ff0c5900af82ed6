"""One validated parameter set for siyi_sim.

Every parameter is a field with a default, a unit, an allowed range and a one-line reason
(``Field(description=...)``). Scenarios (``scenarios.py``) are named overrides of this one set,
addressed with dotted keys such as ``trust.alpha``.  Errors a user can cause are raised as
``ValueError`` with a sentence that names the bad key and value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

Distribution = Literal["uniform", "loguniform", "integer"]
#: ``(low, high, distribution, reason)``: the prior of a parameter we do not know.
UncertainSpec = tuple[float, float, Distribution, str]
#: ``(low, high, reason)`` for a numeric lever, ``(value, value, ..., reason)`` for a categorical one;
#: ``Flag(..., lever=reason)`` for a boolean one.
LeverSpec = tuple[Any, ...]


def _extra(unit: str, uncertain: UncertainSpec | None, lever: LeverSpec | None) -> dict[str, Any]:
    """Field metadata: unit, and the uncertainty or lever declaration (read by ``siyi_sim.uncertainty``)."""
    extra: dict[str, Any] = {"unit": unit}
    if uncertain is not None:
        low, high, distribution, why = uncertain
        extra["uncertain"] = {"low": low, "high": high, "distribution": distribution, "reason": why}
    if lever is not None:
        *spec, why = lever
        extra["lever"] = {"spec": list(spec), "reason": why}
    return extra


def P(
    default, lo, hi, unit: str, reason: str, *, uncertain: UncertainSpec | None = None, lever: LeverSpec | None = None
):
    """A numeric parameter: default, inclusive range [lo, hi], unit and reason.

    ``uncertain=(low, high, distribution, reason)`` declares it an uncertainty with that prior;
    ``lever=(low, high, reason)`` declares it a policy choice over that range.
    """
    return Field(default, ge=lo, le=hi, description=reason, json_schema_extra=_extra(unit, uncertain, lever))


def Flag(default: bool, reason: str, *, lever: str | None = None):
    """A boolean switch; ``lever=reason`` declares it a policy choice (both values)."""
    spec = None if lever is None else (False, True, lever)
    return Field(default, description=reason, json_schema_extra=_extra("bool", None, spec))


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)


class RunParams(Section):
    days: int = P(365, 1, 36500, "days", "Horizon; one step is one day, day 0 is 1 January 2020.")


class PopulationParams(Section):
    n_cadres: int = P(
        1500, 20, 2_000_000, "cadres", "District-level cadres incl. invited bank/utility staff (MODEL.md §2)."
    )
    n_enterprises: int = P(3000, 10, 5_000_000, "firms", "Enterprises in the district (MODEL.md §2).")
    share_small_micro: float = P(0.8, 0.0, 1.0, "share", "Most private firms are small or micro (FACTS.md).")
    share_outside_park: float = P(0.35, 0.0, 1.0, "share", "Firms in towns, outside the industrial park.")
    old_firm_cutoff_year: int = P(2005, 1980, 2020, "year", "Firms founded before this predate current land-use rules.")
    legacy_chain_prob: float = P(
        0.5, 0.0, 1.0, "probability", "Old firm outside the park carries a permit<-EIA<-land-use chain (case 1)."
    )
    legacy_single_prob: float = P(
        0.15,
        0.0,
        1.0,
        "probability",
        "Any firm carries a stand-alone legacy issue (e.g. property certificate, case 2).",
    )
    initial_issues_per_firm: float = P(
        1.4,
        0.0,
        20.0,
        "issues/firm",
        "Mean latent difficulties a firm carries at the start (Poisson).",
        uncertain=(
            0.4,
            2.0,
            "uniform",
            "Calibrated stock of latent difficulties (0.87) is only identified through issues resolved; unobserved.",
        ),
    )
    owner_trust_mean: float = P(
        0.35, 0.01, 0.99, "[0,1]", "'Clear but not close': owners keep distance from government."
    )
    owner_fear_mean: float = P(0.35, 0.01, 0.99, "[0,1]", "Fear of 'being settled with later' (case 4).")
    liaison_mean_small: float = P(
        0.2,
        0.0,
        1.0,
        "[0,1]",
        "Micro firms lack staff who know how to deal with government (small and medium in between, by log size).",
    )
    liaison_mean_large: float = P(0.6, 0.0, 1.0, "[0,1]", "Large firms have government-affairs staff.")
    policy_awareness_mean: float = P(
        0.35, 0.0, 1.0, "share", "Share of eligible policies a firm knows of (many new rules in 2020)."
    )
    prior_enforcement_share: float = P(
        0.12, 0.0, 1.0, "share", "Firms fined before by an enforcement department (adversarial history)."
    )
    hiring_gap_share: float = P(0.55, 0.0, 1.0, "share", "Firms short of workers (e.g. ageing skilled workers).")
    hiring_gap_mean: float = P(
        34.0, 0.0, 1000.0, "workers", "Mean unfilled positions of a firm with a gap (geometric)."
    )
    credit_need_share: float = P(0.3, 0.0, 1.0, "share", "Firms needing credit in 2020.")
    credit_need_median_yuan: float = P(330_000.0, 0.0, 1e9, "yuan", "Median credit need (lognormal).")
    credit_need_sigma: float = P(
        0.6,
        0.0,
        3.0,
        "log-sd",
        "Spread of credit needs within a size class (the classes add log-sd 0.40 between them).",
    )
    patentable_share: float = P(0.15, 0.0, 1.0, "share", "Firms with unfiled patentable technology (case 3).")
    cadre_age_mean: float = P(38.0, 22.0, 60.0, "years", "Age structure of district cadres.")
    cadre_age_sd: float = P(9.0, 0.0, 20.0, "years", "Age structure of district cadres.")
    share_division_rank: float = P(0.12, 0.0, 1.0, "share", "Division-level cadres.")
    share_section_rank: float = P(0.45, 0.0, 1.0, "share", "Section chiefs and deputies (all mandatory in 2020).")
    competence_mean: float = P(0.7, 0.05, 1.0, "[0,1]", "Problem-solving effectiveness of a cadre-day.")
    attitude_mean: float = P(0.3, 0.01, 0.99, "[0,1]", "Service attitude before the program: 'cold and rigid'.")
    integrity_mean: float = P(
        0.85, 0.01, 0.99, "[0,1]", "Most cadres are clean; (1-integrity) scales improper-exchange risk."
    )
    policy_knowledge_mean: float = P(0.25, 0.0, 1.0, "[0,1]", "Cadres know few of the new policies before training.")
    bank_utility_share: float = P(0.08, 0.0, 0.5, "share", "Cadres from invited banks and utilities.")
    fined_fear_rise: float = P(
        0.3, 0.0, 1.0, "share", "A past fine makes the owner warier: fear += rise*(1-fear) (case 1)."
    )
    fined_trust_cut: float = P(0.3, 0.0, 1.0, "share", "A past fine cuts the owner's general trust by this share.")
    legacy_chain_fined_prob: float = P(
        0.5, 0.0, 1.0, "probability", "A firm with a permit chain was fined for discharging without a permit (case 1)."
    )
    first_founding_year: int = P(1985, 1900, 2019, "year", "Oldest founding year of a firm (uniform up to start_year).")
    start_year: int = P(2020, 1901, 2100, "year", "Calendar year of day 0; firms were founded before it.")
    liaison_sd: float = P(0.15, 0.0, 1.0, "[0,1]", "Spread of liaison capacity around the size class mean.")


class PolicyParams(Section):
    n_policies: int = P(182, 0, 100_000, "policies", "182 preferential policies collected (FACTS.md).")
    n_policy_departments: int = P(18, 1, 20, "departments", "Policies came from 18 departments.")
    eligibility_prob: float = P(
        0.06,
        0.0,
        1.0,
        "probability",
        "Chance a firm of a policy's size class, sector and flag meets its remaining criteria.",
        uncertain=(
            0.02,
            0.12,
            "loguniform",
            "Calibrated (0.052) to matched policies, but who meets the criteria is never reported; ~2x either way.",
        ),
    )
    small_only_share: float = P(
        0.4, 0.0, 1.0, "share", "Policies for small and micro firms only (many 2020 relief rules)."
    )
    sector_share: float = P(0.5, 0.0, 1.0, "share", "Share of the 8 sectors a policy covers.")
    benefit_median_yuan: float = P(62_000.0, 0.0, 1e9, "yuan", "Median benefit of a policy claim (lognormal, skewed).")
    benefit_sigma: float = P(0.8, 0.0, 3.0, "log-sd", "Skew of policy benefits; mean is median*exp(sigma^2/2).")
    paperwork_mean: float = P(0.5, 0.0, 1.0, "[0,1]", "Mean paperwork difficulty of a policy claim.")
    claim_success_base: float = P(0.6, 0.0, 1.0, "probability", "Claim success with no paperwork and no help.")
    claim_help_bonus: float = P(0.3, 0.0, 1.0, "probability", "Extra success when a cadre helps with the paperwork.")
    self_uptake_per_year: float = P(
        0.6, 0.0, 52.0, "claims/year", "Hazard that a firm files a known, unclaimed policy itself."
    )
    desk_enabled: bool = Flag(
        True,
        "18 section chiefs form a policy-matching desk for placed cadres.",
        lever="The policy-matching desk of section chiefs on or off.",
    )
    desk_chiefs: int = P(18, 0, 1000, "chiefs", "Size of the policy desk (FACTS.md).")
    desk_queries_per_chief_day: float = P(4.0, 0.0, 100.0, "queries/day", "Firm-policy checks one chief can run a day.")
    review_per_cadre_day: float = P(
        0.25, 0.0, 20.0, "checks/day", "Policy checks a cadre manages alone per unit of policy knowledge."
    )
    training_knowledge_gain: float = P(0.25, 0.0, 1.0, "[0,1]", "Half a day of policy training before placement.")


class TrustParams(Section):
    alpha: float = P(
        0.08,
        0.0,
        1.0,
        "1/day",
        "Daily trust gain from presence: t += alpha(1-t)(1+line_bonus*on_line).",
        uncertain=(
            0.04,
            0.16,
            "uniform",
            "Speed of trust from presence is inferred from cases (a week to trust, P3), not measured.",
        ),
    )
    line_bonus: float = P(1.0, 0.0, 10.0, "multiplier", "Working on the production line builds trust faster (case 4).")
    line_day_prob: float = P(0.3, 0.0, 1.0, "probability", "Chance a present cadre works on the line on a given day.")
    beta: float = P(
        0.12,
        0.0,
        1.0,
        "per issue",
        "Trust gain per issue solved: t += beta(1-t) (scaled by share of work in a placement).",
        uncertain=(
            0.06,
            0.24,
            "uniform",
            "Trust gained per solved issue has no measurement; half to double the default.",
        ),
    )
    adversarial_help_bonus: float = P(
        3.0,
        0.0,
        10.0,
        "multiplier",
        "Help from the office that fined the firm surprises: beta*(1+bonus) on adversarial ties (case 1).",
    )
    gamma: float = P(
        0.06,
        0.0,
        1.0,
        "1/day",
        "Trust loss per absent day: t -= gamma*t.",
        uncertain=(0.03, 0.12, "uniform", "How fast trust fades when a cadre is absent is not observed."),
    )
    kappa: float = P(0.5, 0.0, 1.0, "share", "Owner's general trust after placement: g += kappa(max_edge_t - g).")
    adversarial_penalty: float = P(
        0.5, 0.0, 1.0, "share", "Edge with an enforcement history starts at g*(1-penalty) ('cat and mouse')."
    )
    tie_decay_per_day: float = P(0.0015, 0.0, 1.0, "1/day", "Ties fade without contact: t *= (1-decay)^days.")
    contact_refresh: float = P(0.05, 0.0, 1.0, "per contact", "A follow-up or tie contact: t += refresh(1-t).")
    strong_tie_threshold: float = P(0.6, 0.0, 1.0, "[0,1]", "Tie strength counted as 'close' (MODEL.md §6).")
    tie_first_call_threshold: float = P(
        0.55, 0.0, 1.0, "[0,1]", "Owner calls a cadre first with new issues above this trust (case 1)."
    )
    # --- v2: avoidance and consequences ---
    ordinary_served_gain: float = P(
        0.06,
        0.0,
        1.0,
        "per approach",
        "A solved approach raises the owner's general trust, g += gain(1-g); with the cut, keeps 2020 trust level.",
    )
    ordinary_refused_cut: float = P(
        0.022,
        0.0,
        1.0,
        "per approach",
        "An approach turned away ('cold and rigid') lowers the owner's general trust: g -= cut*g.",
    )


class DisclosureParams(Section):
    fear_weight: float = P(
        0.25,
        0.0,
        1.0,
        "trust units",
        "Fear raises every disclosure threshold by fear_weight*fear.",
        uncertain=(
            0.1,
            0.45,
            "uniform",
            "How much fear of being settled with later holds back disclosure is qualitative (case 4).",
        ),
    )
    noise_sd: float = P(0.05, 0.0, 1.0, "trust units", "Day-to-day noise on a disclosure threshold.")
    sensitivity_scale: float = P(1.0, 0.0, 3.0, "multiplier", "Scales the per-type sensitivities of ISSUE_TYPES.")
    self_raise_margin: float = P(
        0.1,
        0.0,
        1.0,
        "trust units",
        "Firms raise an issue themselves only if general trust exceeds its threshold minus this.",
    )


class ResolutionParams(Section):
    effort_scale: float = P(1.0, 0.01, 100.0, "multiplier", "Scales the per-type effort (cadre-days) of ISSUE_TYPES.")
    own_department_match: float = P(
        1.0, 0.0, 1.0, "multiplier", "A cadre of the responsible department works at full effect."
    )
    tied_department_match: float = P(
        0.6, 0.0, 1.0, "multiplier", "A cadre whose partner is of that department knows whom to call."
    )
    other_department_match: float = P(
        0.25, 0.0, 1.0, "multiplier", "A cadre of another department mostly runs errands."
    )
    legacy_effort_multiplier: float = P(
        20.0,
        1.0,
        1000.0,
        "multiplier",
        "Outside the legacy procedure an old-firm issue takes this many times the usual work: no rule covers it.",
    )
    legacy_procedure_effort_days: float = P(
        1.0, 0.0, 100.0, "cadre-days", "Effort of a legacy issue once pushed from inside through the procedure."
    )
    legacy_ordinary_success: float = P(
        0.002, 0.0, 1.0, "probability/approach", "Legacy issues 'almost never move' through ordinary channels."
    )
    legacy_procedure: bool = Flag(
        True,
        "Departments that run the legacy procedure cap a pushed legacy issue at its effort (cases 1, 2); "
        "off: even a pushed issue takes the full legacy effort.",
    )


class OrdinaryChannelParams(Section):
    approach_hazard_per_day: float = P(
        0.012,
        0.0,
        1.0,
        "1/day",
        "Base daily hazard that a firm takes an open issue to a department itself.",
        uncertain=(
            0.004,
            0.036,
            "loguniform",
            "How often firms go to departments themselves is not recorded; sets the counterfactual.",
        ),
    )
    liaison_weight: float = P(
        2.0, 0.0, 20.0, "multiplier", "hazard *= 1 + liaison_weight*liaison: firms with liaison staff go more."
    )
    trust_weight: float = P(
        1.0, 0.0, 20.0, "multiplier", "hazard *= trust_weight*general_trust + trust_offset: distrust keeps owners away."
    )
    speed_base: float = P(
        0.08, 0.0, 1.0, "probability", "Success chance of one approach at a department of attitude 0."
    )
    speed_attitude_weight: float = P(
        0.6, 0.0, 1.0, "probability", "speed = speed_base + weight*mean attitude of the department's cadres."
    )
    trust_offset: float = P(
        0.5,
        0.0,
        20.0,
        "multiplier",
        "hazard *= trust_weight*general_trust + offset: even an owner with no trust goes sometimes.",
    )


class FinanceParams(Section):
    loan_share_of_need: float = P(0.8, 0.0, 1.0, "share", "Share of the credit need a resolved loan issue delivers.")
    jobfair_fill_per_day: float = P(
        0.04, 0.0, 1.0, "1/day", "Share of the remaining hiring gap filled per day once in the job-fair pool."
    )
    jobfair_days: int = P(120, 1, 3650, "days", "The recruitment pool places workers for this long.")
    credit_need_lifetime_days: float = P(
        365.0,
        1.0,
        36500.0,
        "days",
        "Mean life of an unmet credit need: firms find credit elsewhere or drop the project within about a year.",
    )
    credit_expiry_interval_days: int = P(
        30, 1, 365, "days", "Unmet credit needs are aged once a month (cost follows months, not firm-days)."
    )


class ShirkingParams(Section):
    base_absence: float = P(
        0.25, 0.0, 1.0, "probability/day", "Absence risk of a cadre with attitude 0 and no deterrence."
    )
    invitation_multiplier: float = P(2.0, 1.0, 10.0, "multiplier", "Owner's 'you need not come' raises absence risk.")
    invitation_weight: float = P(0.8, 0.0, 1.0, "probability", "P(invitation) = weight*fear*(1-trust) on day 1.")
    checkin_deterrence: float = P(0.4, 0.0, 1.0, "share", "Daily location check-in cuts absence by this share.")
    supervision_deterrence: float = P(0.3, 0.0, 1.0, "share", "Random phone/on-site checks cut absence by this share.")
    evaluation_deterrence: float = P(
        0.3, 0.0, 1.0, "share", "Back-to-back evaluation to the Organization Department cuts absence."
    )


class IntegrityParams(Section):
    p0: float = P(
        0.02,
        0.0,
        1.0,
        "probability/day",
        "Improper-exchange base risk per close contact day: p0*closeness*(1-integrity)*(1-safeguards).",
        uncertain=(
            0.005,
            0.08,
            "loguniform",
            "Improper exchanges are rarely detected; their base rate is unknown within an order of magnitude.",
        ),
    )
    ordinary_p0: float = P(
        0.03, 0.0, 1.0, "probability/approach", "Base risk of an improper exchange when a firm approaches a department."
    )
    meal_subsidy_effect: float = P(
        0.6, 0.0, 1.0, "share", "District pays 500 yuan per firm for meals: no meals from the firm."
    )
    no_special_arrangement_effect: float = P(
        0.5, 0.0, 1.0, "share", "No lodging/transport/special arrangements from the firm."
    )
    supervision_detect_prob: float = P(0.3, 0.0, 1.0, "probability", "Supervision checks detect an improper exchange.")
    follow_up_contact_days_per_month: float = P(
        2.0, 0.0, 31.0, "days/month", "Contact days on a live tie that carry integrity risk after placement."
    )
    days_per_month: float = P(
        30.0, 28.0, 31.0, "days", "Month length that turns contact days per month into a daily chance."
    )
    # --- v2: avoidance and consequences ---
    ordinary_detect_prob: float = P(
        0.1,
        0.0,
        1.0,
        "probability",
        "District discipline inspection detects an improper exchange on an ordinary approach.",
    )
    sanction_days: int = P(
        180, 0, 3650, "days", "A sanctioned cadre is kept out of placements and firm contacts this long."
    )
    sanction_attitude_cut: float = P(0.3, 0.0, 1.0, "share", "A sanction makes the cadre passive: attitude a -= cut*a.")
    detected_trust_cut: float = P(
        0.2, 0.0, 1.0, "share", "A detected exchange cuts the firm owner's general trust: g -= cut*g."
    )


class MindsetParams(Section):
    line_day_gain: float = P(
        0.03,
        0.0,
        1.0,
        "per line day",
        "Attitude a += gain(1-a) per production-line day (case 5).",
        uncertain=(
            0.01,
            0.06,
            "uniform",
            "Attitude change per production-line day is described (case 5), not measured.",
        ),
    )
    navigation_gain: float = P(
        0.05, 0.0, 1.0, "per department", "Attitude gain per department navigated for the firm (case 5)."
    )
    solved_gain: float = P(0.02, 0.0, 1.0, "per issue", "Attitude gain per issue solved.")
    decay_per_year: float = P(
        0.5,
        0.0,
        10_000.0,
        "1/year",
        "Attitude decays toward the department's pre-program norm, a-norm shrinking by exp(-rate*t): "
        "habits of the office wear a placement's lessons down (half-life ~1.4 years at 0.5).",
    )
    peer_influence: float = P(
        1.0,
        0.0,
        100.0,
        "1/year",
        "Colleagues pull a cadre's attitude toward their mean, a += (1-exp(-rate*t))(mean-a): "
        "how a returned cadre's way of working spreads in the office.",
    )
    peer_interval_days: int = P(30, 1, 365, "days", "Peer influence is applied monthly (a slow process).")
    colleague_degree: int = P(
        6, 2, 100, "colleagues", "Close colleagues of a cadre in the department's small-world graph (even)."
    )
    colleague_rewire: float = P(
        0.1, 0.0, 1.0, "probability", "Watts-Strogatz rewiring: some close colleagues sit outside the own section."
    )
    capacity_elasticity: float = P(
        1.0,
        0.0,
        5.0,
        "exponent",
        "speed *= (share of the department's cadres present)^elasticity: a cadre placed full-time is away.",
    )


class PlacementParams(Section):
    """Levers of a placement, shared by the campaign and the normalised mechanism."""

    placement_days: int = P(
        15,
        1,
        365,
        "days",
        "Full-time for half a month (FACTS.md).",
        lever=(5, 60, "Length of a placement: half a month in 2020; shorter or longer stays are the design choice."),
    )
    matching: Literal["ordering", "random"] = Field(
        default="ordering",
        description="Enterprise 'ordering' (demand-driven) or random matching.",
        json_schema_extra=_extra(
            "choice", None, ("ordering", "random", "Targeting rule: firms order a pair, or random.")
        ),
    )
    same_department_pairs: bool = Flag(
        False,
        "Both cadres of a pair from one department (lever variant).",
        lever="Pair composition: mixed departments (2020) or both from one department.",
    )
    named_cadre_min_trust: float = P(
        0.55,
        0.0,
        1.0,
        "[0,1]",
        "When ordering, an owner names the cadre he trusts most if his tie is at least this strong (as a first call).",
    )
    follow_up: bool = Flag(True, "Unfinished items followed up after return, until done.")
    follow_up_effort: float = P(
        0.15,
        0.0,
        1.0,
        "share of a day",
        "Effort a returned cadre gives each day to the backlog.",
        lever=(0.0, 0.5, "Effort returned cadres give the backlog: none to half a day."),
    )
    checkin: bool = Flag(True, "Daily DingTalk location check-in and WeChat work reports.")
    supervision: bool = Flag(True, "Supervision group makes random phone or on-site checks.")
    evaluation: bool = Flag(True, "Back-to-back evaluation by the firm, sent to the Organization Department.")
    safeguards: bool = Flag(
        True,
        "Meal subsidy and no-special-arrangement rules.",
        lever="Meal subsidy and no-special-arrangement rules on or off.",
    )
    five_ones: bool = Flag(True, "The 'five ones' task list (>=1 line day, suggestion, report...).")
    suggestion_engagement_days: float = P(
        3.0,
        0.0,
        100.0,
        "attitude-weighted cadre-days",
        "A pair makes its suggestion once present days weighted by attitude add up to this (about a week at 0.3).",
    )
    report_min_presence: float = P(
        0.5, 0.0, 1.0, "share of days", "A cadre who was present at least this share of days writes the report."
    )
    report_min_attitude_without_five_ones: float = P(
        0.4,
        0.0,
        1.0,
        "[0,1]",
        "Without the task list only a cadre this willing writes a report unasked ('cold and rigid' ones do not).",
    )
    evaluation_presence_weight: float = P(
        0.5, 0.0, 1.0, "weight", "Back-to-back evaluation score: weight of the share of days present."
    )
    evaluation_solved_weight: float = P(
        0.3, 0.0, 1.0, "weight", "Evaluation score: weight of 'solved at least one issue'."
    )
    evaluation_trust_weight: float = P(
        0.2, 0.0, 1.0, "weight", "Evaluation score: weight of the owner's trust in the cadre."
    )
    high_fear_threshold: float = P(
        0.6, 0.0, 1.0, "[0,1]", "Owners at or above this fear count as high-fear (pattern P3: a week to trust)."
    )
    order_withdrawal_prob: float = P(
        0.008, 0.0, 1.0, "probability", "A firm that ordered withdraws before its batch (closure, stoppage)."
    )


class CampaignParams(Section):
    enabled: bool = Flag(True, "Run the 2020 batch campaign.")
    n_batches: int = P(
        10, 0, 1000, "batches", "10 batches in 2020 (FACTS.md).", lever=(1, 24, "Batches per year: 10 in 2020.")
    )
    firms_per_batch: int = P(
        50,
        0,
        100_000,
        "firms",
        "50 enterprises per batch, one pair each.",
        lever=(10, 200, "Firms (pairs) per batch: 50 in 2020."),
    )
    first_batch_day: int = P(116, 0, 36500, "day", "Started 26 April 2020 (day 116 of the year).")
    batch_interval_days: int = P(24, 1, 3650, "days", "Batches spread over 2020; batch 2 late May.")


class NormalizedParams(Section):
    enabled: bool = Flag(
        False, "Cadres promoted, re-graded, transferred or hired in month m, or in the Party school, go in m+1."
    )
    start_day: int = P(0, 0, 36500, "day", "First day on which cohorts are counted.")
    month_days: int = P(30, 1, 365, "days", "Length of a month for cohorts.")
    min_months_between: int = P(
        12, 0, 600, "months", "A cadre placed within this many months is not placed again (one round a year)."
    )


class BackgroundParams(Section):
    issue_rate_per_firm_year: float = P(0.9, 0.0, 50.0, "issues/firm/year", "New difficulties arise (Poisson).")
    inspection_rate_per_firm_year: float = P(0.1, 0.0, 50.0, "1/firm/year", "Enforcement inspections.")
    inspection_fear_gain: float = P(0.1, 0.0, 1.0, "share", "fear += gain(1-fear) after an inspection.")
    meeting_interval_days: int = P(30, 1, 3650, "days", "District calls firm heads to a meeting monthly.")
    meeting_invitees: int = P(100, 0, 1_000_000, "firms", "Firms invited per meeting.")
    owner_attend_midpoint_trust: float = P(
        0.5,
        0.0,
        1.0,
        "[0,1]",
        "Trust in whoever invites at which half the owners come in person (deputies otherwise, case 6).",
    )
    owner_attend_trust_spread: float = P(
        0.1,
        0.001,
        1.0,
        "trust units",
        "Logistic spread of attendance around the midpoint: 0.25 attend at general trust 0.39, 0.88 at tie 0.7.",
    )


class CostParams(Section):
    """What the program costs the district (v2): cadre time valued at pay, plus the meal subsidy."""

    cadre_day_yuan: float = P(
        480.0,
        0.0,
        10_000.0,
        "yuan/cadre-day",
        "District civil-service pay: about 120,000 yuan a year with employer contributions over 250 working days.",
    )
    meal_subsidy_yuan_per_firm: float = P(
        500.0, 0.0, 100_000.0, "yuan/placement", "The district pays each enterprise 500 yuan for the cadres' meals."
    )
    training_days_per_cadre: float = P(
        0.5, 0.0, 30.0, "cadre-days", "Half a day of (mostly policy) training before each placement (FACTS.md)."
    )
    desk_share_of_chief_day: float = P(
        0.5,
        0.0,
        1.0,
        "share of a day",
        "Share of a desk chief's working day taken by the policy desk on days a placement is under way.",
    )
    tie_contact_day_share: float = P(
        0.25, 0.0, 1.0, "share of a day", "Time of one follow-up or tie contact with a firm (a visit or a call)."
    )


class FirmSizeParams(Section):
    """Size classes of firms (v2): micro, small, medium, large scale needs, issues and liaison staff."""

    micro_share_of_small_micro: float = P(
        0.7,
        0.0,
        1.0,
        "share",
        "Most small and micro private firms are micro (under 20 staff in industry; 2018 economic census).",
    )
    large_share_of_medium_large: float = P(
        0.2, 0.0, 1.0, "share", "Few of a district's larger firms are large (over 1,000 staff in industry)."
    )
    scale_micro: float = P(
        0.3, 0.01, 100.0, "relative size", "Staff of a micro firm relative to a small one (~10 vs 30)."
    )
    scale_small: float = P(1.0, 0.01, 100.0, "relative size", "The reference class.")
    scale_medium: float = P(4.0, 0.01, 100.0, "relative size", "Staff of a medium firm relative to a small one.")
    scale_large: float = P(15.0, 0.01, 100.0, "relative size", "Staff of a large firm relative to a small one.")
    need_elasticity: float = P(
        0.5,
        0.0,
        2.0,
        "elasticity",
        "Hiring gaps that reach the job fair grow less than proportionally with size: larger firms also "
        "recruit through their own HR channels (scale**e, mean over firms kept).",
    )
    credit_elasticity: float = P(
        0.35,
        0.0,
        2.0,
        "elasticity",
        "Unmet credit need grows weakly with size: larger firms borrow from their house banks, so what "
        "reaches the program is mostly small firms' inclusive (普惠) credit (scale**e, mean over firms kept).",
    )
    issue_elasticity: float = P(
        0.3,
        0.0,
        2.0,
        "elasticity",
        "Issue arrival grows weakly with size: one licence per firm, more dealings per larger firm.",
    )


class CareersParams(Section):
    """Retirements, exits, hires, promotions, re-grades, transfers and the Party-school class."""

    enabled: bool = Flag(True, "Cadres retire, leave, are hired, promoted and transferred (monthly).")
    step_days: int = P(30, 1, 365, "days", "Career events are drawn monthly.")
    promotion_rate: float = P(0.08, 0.0, 1.0, "1/year", "Annual rate of promotion/appointment.")
    regrade_rate: float = P(0.06, 0.0, 1.0, "1/year", "Annual rate of promotion in grade (re-grading).")
    transfer_rate: float = P(0.05, 0.0, 1.0, "1/year", "Annual rate of lateral transfers to another department.")
    promotion_transfer_prob: float = P(
        0.3, 0.0, 1.0, "probability", "A promotion moves the cadre to a post in another department."
    )
    party_school_rate: float = P(0.03, 0.0, 1.0, "1/year", "Annual share sent to the main Party-school class.")
    exit_rate: float = P(0.03, 0.0, 1.0, "1/year", "Cadres leave before retirement (moves out, private sector).")
    retirement_age: float = P(60.0, 40.0, 70.0, "years", "Statutory retirement age of cadres.")
    hire_age_mean: float = P(26.0, 18.0, 50.0, "years", "New civil servants are young (graduate entry).")
    hire_age_sd: float = P(3.0, 0.0, 15.0, "years", "Spread of hiring ages.")
    evaluation_weight: float = P(
        1.0,
        0.0,
        20.0,
        "multiplier",
        "Promotion rate *= 1 + weight*last back-to-back evaluation score: the score goes to the "
        "Organization Department and feeds selection.",
    )


class AvoidanceParams(Section):
    """Avoidance (避嫌): cadres keep away from firms as long as contact looks risky."""

    enabled: bool = Flag(True, "Cadres weigh the perceived risk of contact with firms (避嫌) before engaging.")
    initial_risk_mean: float = P(
        0.5, 0.01, 0.99, "[0,1]", "Enforcement officers 'avoided firms to avoid suspicion' (seed): cadres start wary."
    )
    initial_risk_concentration: float = P(
        6.0, 0.5, 1000.0, "Beta concentration", "Spread of the initial perceived risk across cadres (Beta)."
    )
    service_weight: float = P(
        0.5,
        0.0,
        1.0,
        "share",
        "Approach success = speed*(1 - weight*dept mean risk)/(1 - weight*initial_risk_mean): speed is as observed.",
    )
    first_call_weight: float = P(
        0.6, 0.0, 1.0, "share", "A tied cadre answers an owner's first call with P = 1 - weight*risk."
    )
    invite_weight: float = P(
        0.6, 0.0, 1.0, "share", "A tied cadre invites the owner to a meeting himself with P = 1 - weight*risk."
    )
    exchange_weight: float = P(
        0.5, 0.0, 1.0, "share", "Enforcement deters: approach exchange risk *= 1 - weight*(dept chill + alert)."
    )
    cure_per_day: float = P(
        0.03, 0.0, 1.0, "per day", "Each rule-bound placement day present lowers the cadre's habitual risk r -= cure*r."
    )
    cure_checkin_share: float = P(
        0.4, 0.0, 1.0, "share", "Share of the cure due to the official check-in (the contact is on record)."
    )
    cure_safeguards_share: float = P(
        0.6, 0.0, 1.0, "share", "Share of the cure due to the meal subsidy and no-special-arrangement rules."
    )
    dept_rise_per_detection: float = P(
        0.3, 0.0, 1.0, "share", "A detection chills the cadre's department: chill += rise*(1-chill)."
    )
    district_rise_per_detection: float = P(
        0.02, 0.0, 1.0, "share", "Any detection alerts the whole district: alert += rise*(1-alert)."
    )
    memory_days: float = P(
        180.0, 1.0, 36500.0, "days", "Chill and alert fade with this e-folding time (campaign-style enforcement)."
    )


SECTIONS: dict[str, type[Section]] = {
    "run": RunParams,
    "population": PopulationParams,
    "policies": PolicyParams,
    "trust": TrustParams,
    "disclosure": DisclosureParams,
    "resolution": ResolutionParams,
    "ordinary": OrdinaryChannelParams,
    "finance": FinanceParams,
    "shirking": ShirkingParams,
    "integrity": IntegrityParams,
    "mindset": MindsetParams,
    "placement": PlacementParams,
    "campaign": CampaignParams,
    "normalized": NormalizedParams,
    "background": BackgroundParams,
    "careers": CareersParams,
    "costs": CostParams,
    "firm_size": FirmSizeParams,
    "avoidance": AvoidanceParams,
}


class Config(BaseModel):
    """The whole parameter set; one instance per run."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    run: RunParams = RunParams()
    population: PopulationParams = PopulationParams()
    policies: PolicyParams = PolicyParams()
    trust: TrustParams = TrustParams()
    disclosure: DisclosureParams = DisclosureParams()
    resolution: ResolutionParams = ResolutionParams()
    ordinary: OrdinaryChannelParams = OrdinaryChannelParams()
    finance: FinanceParams = FinanceParams()
    shirking: ShirkingParams = ShirkingParams()
    integrity: IntegrityParams = IntegrityParams()
    mindset: MindsetParams = MindsetParams()
    placement: PlacementParams = PlacementParams()
    campaign: CampaignParams = CampaignParams()
    normalized: NormalizedParams = NormalizedParams()
    background: BackgroundParams = BackgroundParams()
    careers: CareersParams = CareersParams()
    costs: CostParams = CostParams()
    firm_size: FirmSizeParams = FirmSizeParams()
    avoidance: AvoidanceParams = AvoidanceParams()

    def flat(self) -> dict[str, Any]:
        """All parameters as ``{"section.key": value}``."""
        return {f"{s}.{k}": v for s in SECTIONS for k, v in getattr(self, s).model_dump().items()}


@dataclass(frozen=True)
class ParamInfo:
    """One parameter as users see it; ``effective`` is the value scenarios run with."""

    key: str
    default: Any
    unit: str
    range: str
    reason: str
    effective: Any = None
    calibrated: bool = False


def _range_of(field) -> str:
    lo = hi = None
    for m in field.metadata:
        lo = getattr(m, "ge", lo)
        hi = getattr(m, "le", hi)
    if lo is not None or hi is not None:
        return f"[{lo}, {hi}]"
    ann = field.annotation
    if ann is bool:
        return "{true, false}"
    args = getattr(ann, "__args__", None)
    return "{" + ", ".join(map(str, args)) + "}" if args else "any"


def parameter_table(calibrated: Mapping[str, Any] | None = None) -> list[ParamInfo]:
    """One row per parameter: dotted key, default, unit, range, reason, and the effective value.

    ``calibrated`` (``scenarios.CALIBRATED``, passed in because scenarios import this module)
    holds the fitted values every scenario applies over the defaults; without it the effective
    value is the default.
    """
    calibrated = calibrated or {}
    rows = []
    for sname, scls in SECTIONS.items():
        for fname, field in scls.model_fields.items():
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            key = f"{sname}.{fname}"
            fitted = key in calibrated
            rows.append(
                ParamInfo(
                    key,
                    field.default,
                    str(extra.get("unit", "")),
                    _range_of(field),
                    field.description or "",
                    calibrated[key] if fitted else field.default,
                    fitted,
                )
            )
    return rows


def known_keys() -> set[str]:
    return {row.key for row in parameter_table()}


def _resolve_key(key: str) -> tuple[str, str]:
    """Map 'section.key' (or a bare key that is unique across sections) to (section, key)."""
    if "." in key:
        section, _, name = key.partition(".")
        if section in SECTIONS and name in SECTIONS[section].model_fields:
            return section, name
        raise ValueError(f"unknown parameter '{key}' (see `siyi params`)")
    owners = [s for s, cls in SECTIONS.items() if key in cls.model_fields]
    if len(owners) == 1:
        return owners[0], key
    if owners:
        raise ValueError(f"parameter '{key}' is ambiguous; use one of {', '.join(f'{s}.{key}' for s in owners)}")
    raise ValueError(f"unknown parameter '{key}' (see `siyi params`)")


def _describe(err: ValidationError, key: str, value: Any) -> str:
    first = err.errors()[0]
    return f"invalid value {value!r} for '{key}': {first['msg'].lower()}"


def apply_overrides(config: Config, overrides: dict[str, Any]) -> Config:
    """Return a new Config with ``{"section.key": value}`` overrides validated and applied."""
    data = config.model_dump()
    for key, value in overrides.items():
        section, name = _resolve_key(key)
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"invalid value {value!r} for '{section}.{name}': must be finite")
        data[section][name] = value
        try:
            SECTIONS[section].model_validate(data[section], strict=False)
        except ValidationError as err:
            raise ValueError(_describe(err, f"{section}.{name}", value)) from None
    return Config.model_validate(data)


def parse_value(text: str) -> Any:
    """Parse a ``--set`` value: bool, int, float or bare string."""
    low = text.strip().lower()
    if low in ("true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text.strip()


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse ``section.key=value`` as given to ``--set``."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise ValueError(f"malformed --set '{text}': expected section.key=value")
    return key.strip(), parse_value(value)
