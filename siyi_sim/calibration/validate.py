"""Validation: measure patterns P1–P8 (docs/validation.md) on seeds not used to fit.

Each pattern is measured from the real mechanisms on seeds ``1..N`` (the calibration fits on
``FIT_SEEDS`` = 1001.., so these are out-of-sample), and reported with what was measured, the
target, the seeds and pass/fail:

- **P1 aggregates**: mean of ``campaign_2020`` over the seeds within +-10 % of each 2020 total.
- **P2 stuck chains**: a counterfactual on the *same firms*: firms with an open permit <- EIA <-
  land-use chain get an ecology + planning pair on day 0, a pair of other departments (tax +
  commerce: no inside push), or nothing (same seed, same world). Per chain, "permit issued within
  2 years" is compared between arms on the same firm: the responsible pair must solve more chains
  than no placement *and* than the control pair (paired t-interval over chains above zero). The
  thresholds compare mechanisms; Kaplan–Meier medians of days to the permit are reported.
- **P3 a week to trust**: median day (1..15) of the first sensitive disclosure in high-fear
  placements (fear >= 0.6), pooled over seeds, within [5, 10], at most 25 % of them before day 5,
  and at least one day later than in the other placements (it is fear that makes them wait).
- **P4 owners show up**: the meetings stream invites the same firms on the same days in
  ``campaign_2020`` and ``baseline`` with the same draws, so each invitation of a firm the campaign
  placed is paired with the same invitation in ``baseline``: owners of placed firms must come in
  person more often (paired t-interval over invitations above zero), and owners invited through
  their cadre more often than never-placed owners in the same runs. Attendance follows the owner's
  trust in whoever invites, so the pattern holds only if placements build that trust.
- **P5 clear and close**: paired by seed, the campaign raises closeness against ``baseline`` (share
  of firms with a strong tie and mean owner trust: 95 % interval of the difference above 0), its
  excess of integrity incidents over ``baseline`` stays within an equivalence margin (upper end of
  the interval <= ``P5_EQUIVALENCE_SHARE`` of the baseline mean), and ``no_safeguards`` has more
  incidents than the campaign (interval above 0).
- **P6 mindset spillover**: against the same seed's ``baseline``, placed cadres' attitude, the
  attitude of cadres *never placed* (through colleagues) and the ordinary-channel solutions of
  firms *never placed* (net of the capacity lost while cadres are away) all rise, each with a 95 %
  t-interval of the paired differences above 0.
- **P7 avoidance explains the baseline**: ``baseline`` with ``avoidance.enabled=false`` against
  ``baseline`` on the same seeds: without avoidance owners trust government more and more issues
  are solved (both paired intervals above 0).
- **P8 scandal cycle without safeguards**: paired with ``campaign_2020``, ``no_safeguards`` has more
  incidents and more detections, and from the day its detections first exceed the campaign's,
  the perceived risk that detections put there is higher and fewer issues are resolved a day (means
  over those days of the daily series, paired intervals above / below 0; the owner-trust gap is
  reported: it points the same way but moves too slowly to be resolved in a year). The risk is the detection-driven
  part (department chill + district alert): the total also rises because without the safeguards
  placements cure less, which is not the scandal cycle.

Every run is in the calibrated world (the values of ``data/calibration_2020.json``, which
``scenario_config`` applies under every scenario; ``run_measured`` applies them explicitly too),
so every comparison is on the same firms, cadres and policies. ``measure_all`` runs all arms of all
seeds on the experiments runner (``runs.run_in_order``: local pool or Dask, results in task order).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ..analysis.stats import Interval, km_median, paired_difference, t_interval
from ..catalog import DEPT, ISSUE
from ..events import IssueResolved, MeetingAttended, PlacementStarted
from ..issues import RESOLVED
from ..metrics import first_sensitive_days, label
from .calibrate import TARGETS, TOLERANCE, mean_totals, relative_errors
from .runs import run_in_order

P3_WINDOW = (5.0, 10.0)
P3_MIN_FEAR_DELAY = 1.0  # days: it is fear that delays (other owners open up sooner)
P3_MAX_EARLY_SHARE = 0.25  # 'only after about a week': few open up in the first 4 days
#: P5: incidents "at baseline level" = the campaign's excess over baseline is at most this share of
#: the baseline's incidents (upper end of the paired 95 % interval): an equivalence margin on an
#: outcome, not a restated parameter.
P5_EQUIVALENCE_SHARE = 0.2
#: Daily series the patterns read (P8: the scandal cycle).
DAILY_MEASURES = (
    "mean_owner_trust",
    "mean_perceived_risk",
    "perceived_risk_from_detections",
    "integrity_detected",
    "issues_resolved_total",
)
P2_YEARS = 2
#: A smaller district for the P2 counterfactual (2-year runs): the chains are firm-level.
P2_POPULATION = {"population.n_cadres": 500, "population.n_enterprises": 1000}
P2_PAIRS = 15
RESPONSIBLE_PAIR = ("ecology_environment", "planning_natural_resources")
CONTROL_PAIR = ("tax", "commerce")


@dataclass
class PatternResult:
    pattern: str
    name: str
    passed: bool
    measured: dict[str, Any]
    target: str
    seeds: list[int]

    def line(self, lang: str = "en") -> str:
        """One line: pattern, verdict, name, what was measured, the target (``lang`` en or zh)."""
        zh = lang == "zh"
        flag = ("通过" if self.passed else "未通过") if zh else ("PASS" if self.passed else "FAIL")
        name = PATTERN_NAMES_ZH.get(self.pattern, self.name) if zh else self.name
        if self.pattern == "P1":
            shown = ", ".join(
                f"{label(k, lang) if zh else k}={_short(self.measured[k])} ({e:+.1f}%)"
                for k, e in self.measured["relative_error_pct"].items()
            )
        else:
            shown = ", ".join(f"{k}={_short(v)}" for k, v in self.measured.items() if not isinstance(v, list | dict))
        return f"{self.pattern} {flag}  {name}: {shown}  [{'目标' if zh else 'target'}: {self.target}]"


#: Pattern names in Chinese, in the source article's words where it has them (清亲, 四帮一体验).
PATTERN_NAMES_ZH = {
    "P1": "总量：再现2020年“四帮一体验”的各项数字",
    "P2": "多年卡壳的历史遗留问题（证照链）",
    "P3": "约一周建立信任，敏感问题才说出口",
    "P4": "经干部邀请，企业主本人参会",
    "P5": "既“清”又“亲”",
    "P6": "服务意识外溢到未进驻的干部和企业",
    "P7": "避嫌解释了“清而不亲”",
    "P8": "没有保障措施时的查处与疏远循环",
}


def summary_line(results: list[PatternResult], seeds: int, lang: str = "en") -> str:
    passed = sum(r.passed for r in results)
    if lang == "zh":
        return f"{passed}/{len(results)} 个模式通过（种子 1..{seeds}）"
    return f"{passed}/{len(results)} patterns pass (seeds 1..{seeds})"


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 1e3 else f"{v:,.0f}"
    return str(v)


def world_overrides() -> dict[str, Any]:
    """The calibrated world parameters (applied to baseline too, for paired comparisons)."""
    from ..scenarios import CALIBRATED

    return dict(CALIBRATED)


# --- one run with the extra measures the patterns need ---------------------------------------


def run_measured(scenario: str, seed: int, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run a scenario and return its summary plus pattern measures (picklable)."""
    from ..model import SiyiModel
    from ..scenarios import scenario_config

    cfg = scenario_config(scenario, {**world_overrides(), **(overrides or {})})
    model = SiyiModel(cfg, seed=seed, scenario_name=scenario, record_events=True)
    attitude0 = model.cadres.attitude.copy()
    model.run_to_end()
    events = model.events or []
    meetings = [e for e in events if isinstance(e, MeetingAttended)]
    started = [e for e in events if isinstance(e, PlacementStarted)]
    self_solved = [e.firm for e in events if isinstance(e, IssueResolved) and e.channel == "self"]
    firm_ever_placed = np.zeros(model.firms.n, dtype=bool)
    firm_ever_placed[[e.firm for e in started]] = True
    daily = model.daily_frame()
    return {
        "meeting_log": {  # one row per invitation, in order (paired across scenarios of a seed)
            "firm": np.array([e.firm for e in meetings], dtype=np.int64),
            "attended": np.array([e.owner_attended for e in meetings], dtype=bool),
            "via_cadre": np.array([e.via_cadre for e in meetings], dtype=bool),
        },
        "daily": {k: daily[k].to_numpy(dtype=float) for k in DAILY_MEASURES},
        "summary": model.summary(),
        "first_sensitive_high": first_sensitive_days(model, high_fear=True),
        "first_sensitive_low": first_sensitive_days(model, high_fear=False),
        "high_fear_placements": sum(a.high_fear for a in model.placements),
        "meetings": {
            "invited": len(meetings),
            "attended": sum(e.owner_attended for e in meetings),
            "via_cadre": sum(e.via_cadre for e in meetings),
            "attended_via_cadre": sum(e.owner_attended and e.via_cadre for e in meetings),
        },
        "placed_cadres": np.unique(np.array([c for e in started for c in e.cadres], dtype=np.int64)),
        "attitude_start": attitude0,
        "attitude_end": model.cadres.attitude.copy(),
        "cadre_original": model.cadres.original.copy(),
        "cadre_never_placed": model.cadres.never_placed.copy(),
        "firm_ever_placed": firm_ever_placed,
        "self_solved_per_firm": np.bincount(np.array(self_solved, dtype=np.int64), minlength=model.firms.n),
    }


# --- P2: the legacy-chain counterfactual ------------------------------------------------------


def chain_permits(model) -> tuple[np.ndarray, np.ndarray]:
    """(firms, permit issue ids) of open permit <- EIA <- land-use chains."""
    iss = model.issues
    t = iss.view("type")
    permit = np.flatnonzero(
        (t == ISSUE["discharge_permit"])
        & iss.view("legacy")
        & (iss.view("prereq") >= 0)
        & (iss.view("status") < RESOLVED)
    )
    return iss.firm[permit], permit


def place_pairs(model, firms: Sequence[int] | np.ndarray, departments: tuple[str, str], batch: int = 1) -> list:
    """Start a pair of the given departments in each firm now (cadres not already placed), through
    the placement submodel's public intervention ``place_pair``."""
    from ..processes.placement import Placements

    placements = model.submodel(Placements)
    busy = placements.busy_cadres(model)
    free = {d: [int(c) for c in np.flatnonzero((model.cadres.dept == DEPT[d]) & ~busy)] for d in departments}
    started = []
    for f in firms:
        if not all(free[d] for d in departments):
            break
        a, b = (free[d].pop(0) for d in departments)
        started.append(placements.place_pair(model, int(f), (a, b), "case", batch))
    return started


ARMS = {"none": None, "responsible_pair": RESPONSIBLE_PAIR, "control_pair": CONTROL_PAIR}


def legacy_chain_counterfactual(
    seed: int,
    n_pairs: int = P2_PAIRS,
    days: int = P2_YEARS * 365,
    overrides: dict[str, Any] | None = None,
    arms: Sequence[str] = tuple(ARMS),
) -> dict[str, Any]:
    """The same chain firms with an ecology+planning pair, a control pair, or no placement."""
    from ..model import SiyiModel
    from ..scenarios import scenario_config

    cfg = scenario_config("baseline", {**world_overrides(), **P2_POPULATION, "run.days": days, **(overrides or {})})
    out: dict[str, Any] = {}
    for arm in arms:
        departments = ARMS[arm]
        model = SiyiModel(cfg, seed=seed, scenario_name=f"p2_{arm}")
        firms, permits = chain_permits(model)
        firms, permits = firms[:n_pairs], permits[:n_pairs]
        if departments:
            placed = place_pairs(model, firms, departments)
            firms, permits = firms[: len(placed)], permits[: len(placed)]
        age_days = -model.issues.day_created[permits]
        model.run_to_end()
        solved = model.issues.status[permits] == RESOLVED
        day = np.where(solved, model.issues.day_resolved[permits] + 1, np.inf)  # days since day 0
        out[arm] = {
            "firms": firms.tolist(),
            "days_to_permit": [None if not np.isfinite(d) else int(d) for d in day],
            "chain_age_days": age_days.tolist(),
        }
    return out


def _median_days(days: Sequence[float | None]) -> float:
    """Median with open chains as +inf (so the median is inf if more than half stay open)."""
    vals = np.array([np.inf if d is None else d for d in days], dtype=float)
    return float(np.median(vals)) if len(vals) else math.nan


# --- the patterns -----------------------------------------------------------------------------


#: The runs every validation needs, per seed: three scenarios, the P2 counterfactual and the P7
#: counterfactual (baseline without avoidance).
VALIDATION_ARMS = ("campaign_2020", "baseline", "no_safeguards", "p2_counterfactual", "baseline_no_avoidance")
#: Arms that are a scenario with overrides: arm -> (scenario, overrides).
ARM_RUNS: dict[str, tuple[str, dict[str, Any]]] = {"baseline_no_avoidance": ("baseline", {"avoidance.enabled": False})}


def _measure(job: tuple[str, int]) -> dict[str, Any]:
    """One validation run (module-level, so the runner's workers can unpickle it)."""
    arm, seed = job
    if arm == "p2_counterfactual":
        return legacy_chain_counterfactual(seed)
    scenario, overrides = ARM_RUNS.get(arm, (arm, {}))
    return run_measured(scenario, seed, overrides)


def measure_all(
    seeds: Sequence[int], workers: int = 2, backend: str = "local", scheduler: str | None = None
) -> list[PatternResult]:
    """Run every arm on every seed on the experiments runner, then measure P1–P8."""
    seeds = [int(s) for s in seeds]
    jobs = [(arm, s) for arm in VALIDATION_ARMS for s in seeds]
    results = run_in_order(_measure, jobs, workers, backend, scheduler)
    n = len(seeds)
    campaign, baseline, nosafe, p2, base_off = (results[i * n : (i + 1) * n] for i in range(len(VALIDATION_ARMS)))
    return [
        p1_aggregates(campaign, seeds),
        p2_stuck_chains(p2, seeds),
        p3_week_to_trust(campaign, seeds),
        p4_owners_show_up(campaign, baseline, seeds),
        p5_clear_and_close(campaign, baseline, nosafe, seeds),
        p6_mindset_spillover(campaign, baseline, seeds),
        p7_avoidance_explains_baseline(baseline, base_off, seeds),
        p8_scandal_cycle(campaign, nosafe, seeds),
    ]


def p1_aggregates(campaign: list[dict], seeds: list[int]) -> PatternResult:
    means = mean_totals([r["summary"] for r in campaign])
    rel = relative_errors(means)
    measured: dict[str, Any] = {k: round(v, 2) for k, v in means.items()}
    measured["relative_error_pct"] = {k: round(100 * v, 1) for k, v in rel.items()}
    target = "mean within +-10% of " + ", ".join(f"{k}={v:,.0f}" for k, v in TARGETS.items())
    return PatternResult(
        "P1",
        "aggregates (campaign_2020 vs the 2020 totals)",
        all(abs(r) <= TOLERANCE for r in rel.values()),
        measured,
        target,
        seeds,
    )


def _solved_within(days: Sequence[int | None], horizon: int) -> np.ndarray:
    return np.array([d is not None and d <= horizon for d in days], dtype=float)


def _km_median_days(days: Sequence[int | None], horizon: int) -> float:
    """Kaplan–Meier median days to the permit, open chains censored at the horizon (inf: not reached)."""
    if not days:
        return math.nan
    solved = np.array([d is not None for d in days])
    duration = np.array([d if d is not None else horizon for d in days], dtype=float)
    return km_median(duration, solved)


def _paired_by_firm(p2: list[dict], arm: str, reference: str, horizon: int) -> np.ndarray:
    """Per chain (same seed, same firm): solved within the horizon in ``arm`` minus in ``reference``."""
    diffs = []
    for r in p2:
        if arm not in r or reference not in r:
            continue
        ref = dict(zip(r[reference]["firms"], _solved_within(r[reference]["days_to_permit"], horizon), strict=True))
        mine = zip(r[arm]["firms"], _solved_within(r[arm]["days_to_permit"], horizon), strict=True)
        diffs += [solved - ref[f] for f, solved in mine if f in ref]
    return np.array(diffs, dtype=float)


def _above_zero(diffs: np.ndarray) -> tuple[float, float]:
    """(mean, lower 95 % t-bound) of paired differences."""
    if len(diffs) == 0:
        return math.nan, math.nan
    ci = t_interval(diffs)
    return ci.mean, ci.low  # NaN below two chains


def p2_stuck_chains(p2: list[dict], seeds: list[int]) -> PatternResult:
    horizon = P2_YEARS * 365

    def pooled(arm: str, key: str = "days_to_permit") -> list:
        return [d for r in p2 if arm in r for d in r[arm][key]]

    none, pair, ctrl, ages = (
        pooled("none"),
        pooled("responsible_pair"),
        pooled("control_pair"),
        pooled("none", "chain_age_days"),
    )
    vs_none = _above_zero(_paired_by_firm(p2, "responsible_pair", "none", horizon))
    vs_ctrl = _above_zero(_paired_by_firm(p2, "responsible_pair", "control_pair", horizon))
    measured = {
        "chains": len(none),
        "chain_age_years_at_start_median": round(float(np.median(ages)) / 365, 1) if ages else None,
        "share_solved_2y_no_placement": round(float(_solved_within(none, horizon).mean()), 3) if none else None,
        "share_solved_2y_responsible_pair": round(float(_solved_within(pair, horizon).mean()), 3) if pair else None,
        "share_solved_2y_control_pair": round(float(_solved_within(ctrl, horizon).mean()), 3) if ctrl else None,
        "km_median_days_no_placement": _km_median_days(none, horizon),
        "km_median_days_responsible_pair": _km_median_days(pair, horizon),
        "km_median_days_control_pair": _km_median_days(ctrl, horizon),
        "pair_minus_none_mean": round(vs_none[0], 3),
        "pair_minus_none_ci_low": round(vs_none[1], 3),
        "pair_minus_control_mean": round(vs_ctrl[0], 3),
        "pair_minus_control_ci_low": round(vs_ctrl[1], 3),
    }
    passed = bool(vs_none[1] > 0 and vs_ctrl[1] > 0)
    return PatternResult(
        "P2",
        "stuck chains (same firms, with/without an ecology+planning pair)",
        passed,
        measured,
        "per chain, permit within 2 years: responsible pair minus no placement, and minus a control pair of other "
        "departments, both with paired 95% lower bound > 0",
        seeds,
    )


def p3_week_to_trust(campaign: list[dict], seeds: list[int]) -> PatternResult:
    high = [d for r in campaign for d in r["first_sensitive_high"]]
    low = [d for r in campaign for d in r["first_sensitive_low"]]
    n_high = sum(r["high_fear_placements"] for r in campaign)
    median = float(np.median(high)) if high else math.nan
    measured = {
        "median_first_sensitive_day_high_fear": median,
        "high_fear_placements": n_high,
        "high_fear_disclosing": len(high),
        "share_disclosing_on_day_1": round(float(np.mean(np.array(high) == 1)), 3) if high else None,
        "median_first_sensitive_day_low_fear": float(np.median(low)) if low else None,
    }
    lo, hi = P3_WINDOW
    low_median = float(np.median(low)) if low else math.nan
    early = float(np.mean(np.array(high) < lo)) if high else math.nan
    measured["share_before_day_5"] = round(early, 3)
    passed = bool(lo <= median <= hi and early <= P3_MAX_EARLY_SHARE and median - low_median >= P3_MIN_FEAR_DELAY)
    target = (
        f"high-fear median day of first sensitive disclosure in [{lo:g}, {hi:g}] of 15, "
        f"at most {P3_MAX_EARLY_SHARE:.0%} before day {lo:g}, "
        f"and >= {P3_MIN_FEAR_DELAY:g} day later than other owners"
    )
    return PatternResult("P3", "a week to trust (high-fear owners)", passed, measured, target, seeds)


def p4_owners_show_up(campaign: list[dict], baseline: list[dict], seeds: list[int]) -> PatternResult:
    diffs, via_att, never_att = [], [], []
    for c, b in zip(campaign, baseline, strict=True):
        lc, lb = c["meeting_log"], b["meeting_log"]
        if len(lc["firm"]) != len(lb["firm"]) or not np.array_equal(lc["firm"], lb["firm"]):
            raise ValueError("P4 needs the same invitations in both arms (same seeds, same meetings stream)")
        placed = c["firm_ever_placed"][lc["firm"]]
        diffs.append(lc["attended"][placed].astype(float) - lb["attended"][placed].astype(float))
        via_att.append(lc["attended"][lc["via_cadre"]])
        never_att.append(lc["attended"][~placed])
    d = np.concatenate(diffs) if diffs else np.empty(0)
    via = np.concatenate(via_att) if via_att else np.empty(0, dtype=bool)
    never = np.concatenate(never_att) if never_att else np.empty(0, dtype=bool)
    ci = t_interval(d)
    rate_via = float(via.mean()) if len(via) else math.nan
    rate_never = float(never.mean()) if len(never) else math.nan
    base_inv = sum(len(r["meeting_log"]["firm"]) for r in baseline)
    base_att = sum(int(r["meeting_log"]["attended"].sum()) for r in baseline)
    measured = {
        "invitations_to_placed_firms": ci.n,
        "placed_owner_attendance_rise": round(ci.mean, 4) if ci.n else None,
        "placed_owner_attendance_rise_ci_low": round(ci.low, 4) if ci.n >= 2 else None,
        "invitations_via_cadre": len(via),
        "attendance_via_cadre": round(rate_via, 3) if len(via) else None,
        "attendance_never_placed": round(rate_never, 3) if len(never) else None,
        "attendance_baseline": round(base_att / base_inv, 3) if base_inv else None,
    }
    passed = bool(ci.n >= 2 and ci.low > 0 and len(via) > 0 and rate_via > rate_never)
    return PatternResult(
        "P4",
        "owners show up (invited through their cadre)",
        passed,
        measured,
        "owners of placed firms attend more than the same invitations in baseline (paired 95% lower bound > 0); "
        "via-cadre attendance above never-placed owners' in the same runs",
        seeds,
    )


def _mean(runs: list[dict], key: str) -> float:
    return float(np.mean([r["summary"][key] for r in runs]))


def _paired(runs: list[dict], reference: list[dict], key: str) -> Interval:
    """Paired 95 % t-interval of summary ``key``: ``runs[i] - reference[i]`` (same seed)."""
    return paired_difference([r["summary"][key] for r in runs], [r["summary"][key] for r in reference])


def _shown(interval: Interval) -> str:
    """'mean [low, high]' of a paired 95 % interval, for the report and the table."""
    return f"{interval.mean:+.4g} [{interval.low:+.4g}, {interval.high:+.4g}]"


def p5_clear_and_close(
    campaign: list[dict], baseline: list[dict], nosafe: list[dict], seeds: list[int]
) -> PatternResult:
    """Closer with the 2020 safeguards while incidents stay at baseline level; without them, more."""
    ties = _paired(campaign, baseline, "strong_tie_share")
    trust = _paired(campaign, baseline, "mean_owner_trust")
    excess = _paired(campaign, baseline, "integrity_incidents")
    unsafe = _paired(nosafe, campaign, "integrity_incidents")
    inc_b = _mean(baseline, "integrity_incidents")
    margin = P5_EQUIVALENCE_SHARE * inc_b
    measured = {
        "strong_tie_share_campaign": round(_mean(campaign, "strong_tie_share"), 4),
        "mean_owner_trust_campaign": round(_mean(campaign, "mean_owner_trust"), 4),
        "mean_owner_trust_baseline": round(_mean(baseline, "mean_owner_trust"), 4),
        "incidents_baseline": inc_b,
        "incidents_campaign": _mean(campaign, "integrity_incidents"),
        "incidents_no_safeguards": _mean(nosafe, "integrity_incidents"),
        "equivalence_margin_incidents": round(margin, 2),
        "clear_index_campaign": round(_mean(campaign, "clear_index"), 4),
        "clear_index_no_safeguards": round(_mean(nosafe, "clear_index"), 4),
        "paired_strong_tie_share_campaign_minus_baseline": _shown(ties),
        "paired_owner_trust_campaign_minus_baseline": _shown(trust),
        "paired_incidents_campaign_minus_baseline": _shown(excess),
        "paired_incidents_no_safeguards_minus_campaign": _shown(unsafe),
    }
    passed = bool(ties.low > 0 and trust.low > 0 and excess.high <= margin and unsafe.low > 0)
    target = (
        "paired 95% intervals: closeness (strong ties, owner trust) campaign - baseline > 0; incidents "
        f"campaign - baseline <= {P5_EQUIVALENCE_SHARE:.0%} of baseline incidents; incidents no_safeguards - "
        "campaign > 0"
    )
    return PatternResult("P5", "clear and close", passed, measured, target, seeds)


def _spillover_by_seed(campaign: list[dict], baseline: list[dict]) -> dict[str, list[float]]:
    """Per seed, campaign minus the same seed's baseline: attitude at the end of placed and of
    never-placed cadres (slots held by the same person in both runs), and ordinary-channel
    solutions of firms that never hosted a pair."""
    out: dict[str, list[float]] = {"placed": [], "never": [], "firms": []}
    for c, b in zip(campaign, baseline, strict=True):
        both = c["cadre_original"] & b["cadre_original"]
        for key, who in (("placed", both & ~c["cadre_never_placed"]), ("never", both & c["cadre_never_placed"])):
            gap = c["attitude_end"][who] - b["attitude_end"][who]
            out[key].append(float(gap.mean()) if who.any() else math.nan)
        never_firm = ~c["firm_ever_placed"]
        out["firms"].append(
            float(c["self_solved_per_firm"][never_firm].sum() - b["self_solved_per_firm"][never_firm].sum())
        )
    return out


def p6_mindset_spillover(campaign: list[dict], baseline: list[dict], seeds: list[int]) -> PatternResult:
    """Placed cadres' attitude rises, never-placed cadres' attitude and never-placed firms'
    ordinary-channel solutions rise, each against the paired baseline (95 % t-interval above 0):
    through peers and returning cadres, net of the capacity lost while cadres are away."""
    by_seed = _spillover_by_seed(campaign, baseline)
    placed, never, firms = (t_interval(by_seed[k]) for k in ("placed", "never", "firms"))
    measured = {
        "placed_cadre_attitude_vs_baseline": round(placed.mean, 4),
        "placed_cadre_attitude_ci_low": round(placed.low, 4),
        "never_placed_cadre_attitude_vs_baseline": round(never.mean, 5),
        "never_placed_cadre_attitude_ci_low": round(never.low, 5),
        "never_placed_firm_ordinary_solved_vs_baseline": round(firms.mean, 2),
        "never_placed_firm_ordinary_solved_ci_low": round(firms.low, 2),
        "department_speed_campaign": round(_mean(campaign, "mean_department_speed"), 4),
        "department_speed_baseline": round(_mean(baseline, "mean_department_speed"), 4),
    }
    passed = bool(placed.low > 0 and never.low > 0 and firms.low > 0)
    target = (
        "paired with the same seed's baseline, 95 % intervals above 0 for: placed cadres' attitude, never-placed "
        "cadres' attitude (peers), never-placed firms' ordinary-channel solutions (net of capacity away)"
    )
    return PatternResult("P6", "mindset spillover (peers, returning cadres)", passed, measured, target, seeds)


def p7_avoidance_explains_baseline(baseline: list[dict], base_off: list[dict], seeds: list[int]) -> PatternResult:
    """Without avoidance the baseline is closer: owners trust more and more issues are solved."""
    trust = _paired(base_off, baseline, "mean_owner_trust")
    solved = _paired(base_off, baseline, "issues_resolved_total")
    measured = {
        "mean_owner_trust_baseline": round(_mean(baseline, "mean_owner_trust"), 4),
        "mean_owner_trust_without_avoidance": round(_mean(base_off, "mean_owner_trust"), 4),
        "issues_resolved_baseline": _mean(baseline, "issues_resolved_total"),
        "issues_resolved_without_avoidance": _mean(base_off, "issues_resolved_total"),
        "mean_perceived_risk_baseline": round(_mean(baseline, "mean_perceived_risk"), 4),
        "incidents_baseline": _mean(baseline, "integrity_incidents"),
        "incidents_without_avoidance": _mean(base_off, "integrity_incidents"),
        "paired_owner_trust_off_minus_on": _shown(trust),
        "paired_issues_resolved_off_minus_on": _shown(solved),
    }
    passed = bool(trust.low > 0 and solved.low > 0)
    target = "baseline without avoidance - baseline, paired 95% intervals: owner trust > 0 and issues resolved > 0"
    return PatternResult("P7", "avoidance explains the baseline (clear but not close)", passed, measured, target, seeds)


def scandal_window(unsafe: dict, safe: dict) -> np.ndarray:
    """Days from the first on which ``unsafe``'s cumulative detections exceed ``safe``'s (empty if never)."""
    excess = unsafe["daily"]["integrity_detected"] - safe["daily"]["integrity_detected"]
    after = np.flatnonzero(excess > 0)
    return np.arange(after[0], len(excess)) if len(after) else np.arange(0)


def _daily(run: dict, key: str) -> np.ndarray:
    """A daily series of a measured run; ``issues_resolved_per_day`` from the cumulative count."""
    if key == "issues_resolved_per_day":
        return np.diff(run["daily"]["issues_resolved_total"], prepend=0.0)
    return run["daily"][key]


def _window_gap(unsafe: list[dict], safe: list[dict], key: str) -> list[float]:
    """Per seed: mean over the scandal window of the daily ``key`` of ``unsafe`` minus ``safe`` (NaN: no window)."""
    gaps = []
    for u, s in zip(unsafe, safe, strict=True):
        days = scandal_window(u, s)
        gap = _daily(u, key)[days] - _daily(s, key)[days]
        gaps.append(float(gap.mean()) if len(days) else math.nan)
    return gaps


def p8_scandal_cycle(campaign: list[dict], nosafe: list[dict], seeds: list[int]) -> PatternResult:
    """Without safeguards: more incidents and detections, then more avoidance and less closeness."""
    incidents = _paired(nosafe, campaign, "integrity_incidents")
    detected = _paired(nosafe, campaign, "integrity_detected")
    zeros = [0.0] * len(seeds)
    risk = paired_difference(_window_gap(nosafe, campaign, "perceived_risk_from_detections"), zeros)
    total_risk = paired_difference(_window_gap(nosafe, campaign, "mean_perceived_risk"), zeros)
    served = paired_difference(_window_gap(nosafe, campaign, "issues_resolved_per_day"), zeros)
    trust = paired_difference(_window_gap(nosafe, campaign, "mean_owner_trust"), zeros)
    starts = [int(w[0]) for w in (scandal_window(u, s) for u, s in zip(nosafe, campaign, strict=True)) if len(w)]
    measured = {
        "incidents_campaign": _mean(campaign, "integrity_incidents"),
        "incidents_no_safeguards": _mean(nosafe, "integrity_incidents"),
        "detected_campaign": _mean(campaign, "integrity_detected"),
        "detected_no_safeguards": _mean(nosafe, "integrity_detected"),
        "cadres_sanctioned_no_safeguards": _mean(nosafe, "cadres_sanctioned"),
        "seeds_with_excess_detections": len(starts),
        "median_first_excess_detection_day": float(np.median(starts)) if starts else None,
        "paired_incidents_no_safeguards_minus_campaign": _shown(incidents),
        "paired_detected_no_safeguards_minus_campaign": _shown(detected),
        "paired_perceived_risk_from_detections_after_detections": _shown(risk),
        "paired_perceived_risk_after_detections": _shown(total_risk),
        "paired_issues_resolved_per_day_after_detections": _shown(served),
        "paired_owner_trust_after_detections": _shown(trust),
    }
    passed = bool(
        incidents.low > 0
        and detected.low > 0
        and risk.n == len(seeds)
        and risk.low > 0
        and served.n == len(seeds)
        and served.high < 0
    )
    target = (
        "no_safeguards - campaign_2020, paired 95% intervals: incidents > 0, detections > 0; from the first day "
        "detections exceed the campaign's (every seed), daily perceived risk from detections > 0 and issues "
        "resolved per day < 0 (owner trust reported)"
    )
    return PatternResult("P8", "scandal cycle without safeguards", passed, measured, target, seeds)


def validate(
    seeds: int | Sequence[int] = 10, workers: int = 2, backend: str = "local", scheduler: str | None = None
) -> list[PatternResult]:
    """Measure P1–P8 on seeds ``1..seeds`` (or the given list)."""
    seed_list = list(range(1, int(seeds) + 1)) if isinstance(seeds, int) else list(seeds)
    if not seed_list:
        raise ValueError("validate needs at least one seed")
    return measure_all(seed_list, workers, backend, scheduler)


def _plain(value: Any) -> Any:
    """JSON-safe: numpy scalars to Python, non-finite floats to the strings 'inf'/'nan'."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return "inf" if value > 0 else "-inf" if value < 0 else "nan"
    return value


def as_json(results: list[PatternResult]) -> dict[str, Any]:
    """``{"patterns": [{"pattern", "name", "passed", "measured", "target", "seeds"}, ...]}``."""
    return {"patterns": [_plain(asdict(r)) for r in results]}


def markdown_table(report: dict[str, Any]) -> str:
    """The ``as_json`` report as a Markdown table (for docs/validation.md)."""
    lines = ["| pattern | passed | measured | target |", "| --- | --- | --- | --- |"]
    for p in report["patterns"]:
        shown = "; ".join(
            f"{k} = {_short(v) if not isinstance(v, dict) else ', '.join(f'{a} {b:+g} %' for a, b in v.items())}"
            for k, v in p["measured"].items()
            if not isinstance(v, list)
        )
        lines.append(f"| {p['pattern']} {p['name']} | {'yes' if p['passed'] else '**no**'} | {shown} | {p['target']} |")
    seeds = report["patterns"][0]["seeds"] if report["patterns"] else []
    lines.append("")
    lines.append(f"Seeds: {', '.join(map(str, seeds))}.")
    return "\n".join(lines)


MARKDOWN_TAG = "siyi validate --markdown"


def validation_markdown(results: list[PatternResult]) -> str:
    """The generated section of docs/validation.md: the table, the seeds and the calibration used."""
    from .calibrate import read_calibration

    record = read_calibration()
    passed = sum(r.passed for r in results)
    return (
        markdown_table(as_json(results))
        + f"\n\n{passed}/{len(results)} patterns pass. Measured with `siyi validate --markdown` on the "
        f"calibration of {record['date'][:10]} (behaviour fingerprint `{record['model_fingerprint']}`)."
    )
