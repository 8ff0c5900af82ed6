"""Fit five world parameters to the six 2020 totals reported in the source article.

Free parameters (and why these): each one sets the *size of the stock* a placed pair can work on
and has no direct observation in the seed, while the mechanisms (trust, disclosure, resolution,
desk, safeguards) stay as specified so the patterns P2–P6 remain tests, not fits.

=====================================  ===========================  ==========================
parameter                              mainly moves                 why free
=====================================  ===========================  ==========================
``policies.eligibility_prob``          policies connected (873)     eligibility criteria of the
                                                                    182 policies are not reported
``policies.benefit_median_yuan``       subsidy yuan (79.15 M)       benefit per claim unknown
``population.credit_need_median_yuan`` loans yuan (54.49 M)         size of firms' credit needs
``population.hiring_gap_mean``         hires (4,741)                size of hiring gaps
``population.initial_issues_per_firm`` issues solved (914)          latent difficulty stock
=====================================  ===========================  ==========================

Cadres placed (992) is fixed by design (10 batches x 50 firms x 2 cadres, withdrawals) and is
checked, not fitted.

Method (noise-aware response surface): the model is noisy in these parameters (a new
``initial_issues_per_firm`` reshuffles the population draws), so a step-by-step optimiser chases
seed noise. Instead, each round samples a scrambled Sobol design (``scipy.stats.qmc``) of
candidates in a box of log-parameters, runs every candidate on its *own* ``replications`` seeds
(so seed-level noise, such as the 182 policies' benefit draws, averages out over the design rather
than being baked into one set of fit seeds), and regresses log(total) on log(parameters) over all
runs of the round (one local linear surface per total). The calibrated values minimise the surface's
``sum log(total/target)^2`` (``scipy.optimize.least_squares``, bounded). Round 1 uses a wide box
around a proportional first guess, rounds 2 and 3 narrow boxes around the previous solution,
pooled into one local surface; the final
values are then run on ``check_seeds`` fresh seeds (40) to report the fit loss and residuals, and P1
on each of their 10-seed blocks. All fit
seeds start at 1001, disjoint from the validation seeds 1..N.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..analysis.stats import standard_error
from ..io import atomic_write_text
from ..metrics import FACTS_2020
from .runs import run_in_order

#: The six 2020 headline totals of the source article, as run-summary keys.
TARGETS: dict[str, float] = FACTS_2020
LOCAL_HALF_WIDTH = 0.15  # rounds with boxes this narrow share one local surface
TOLERANCE = 0.10  # P1: every total within +-10 % on the mean of 10 seeds
SCENARIO = "campaign_2020"
#: Seeds used to fit; validation uses 1..N, so these must stay outside that range.
FIT_SEEDS: tuple[int, ...] = tuple(range(1001, 1009))  # for ad-hoc evaluate(); fit() draws its own from 1001 on
#: The shipped calibration, which every scenario applies; ``siyi calibrate --install`` replaces it.
CALIBRATION_FILE = Path(__file__).resolve().parent.parent / "data" / "calibration_2020.json"
#: Where ``siyi calibrate`` writes when neither ``--out`` nor ``--install`` is given.
DEFAULT_OUT = Path("results") / "calibration_2020.json"


@dataclass(frozen=True)
class FreeParameter:
    key: str
    lower: float
    upper: float
    target: str  # the total it mainly moves (for the proportional first step)
    linear: bool  # output scales ~linearly with it (first step uses the full ratio)
    why: str


FREE_PARAMETERS: tuple[FreeParameter, ...] = (
    FreeParameter(
        "policies.eligibility_prob",
        0.002,
        0.3,
        "program_policies_matched",
        True,
        "Which firms meet the 182 policies' criteria is not reported; it sets how many policies a pair can connect.",
    ),
    FreeParameter(
        "policies.benefit_median_yuan",
        5_000.0,
        400_000.0,
        "program_subsidy_yuan",
        True,
        "Benefit per claim is not reported; subsidy yuan scale with it.",
    ),
    FreeParameter(
        "population.credit_need_median_yuan",
        30_000.0,
        3_000_000.0,
        "program_loans_yuan",
        True,
        "Size of firms' credit needs is not reported; loan yuan scale with it.",
    ),
    FreeParameter(
        "population.hiring_gap_mean",
        3.0,
        300.0,
        "program_hires",
        True,
        "Size of hiring gaps is not reported; job-fair hires scale with it.",
    ),
    FreeParameter(
        "population.initial_issues_per_firm",
        0.2,
        8.0,
        "program_issues_resolved",
        False,
        "The stock of latent difficulties is not observed; it sets what pairs can find and solve.",
    ),
)


#: Polishing stops once every total is within this log-distance of its target (about +-3 %, the
#: standard error of loans, the noisiest total, on 20 seeds).
POLISH_TOLERANCE_LOG = 0.03
#: Share of a Gauss-Newton step taken: the residuals are seed means, so a full step chases noise.
POLISH_DAMPING = 0.7


def _run_one(task: tuple[str, int, dict[str, Any]]) -> dict:
    from ..api import run

    scenario, seed, overrides = task
    return run(scenario, seed, **overrides)


def run_many(
    tasks: Sequence[tuple[str, int, dict[str, Any]]],
    workers: int = 2,
    backend: str = "local",
    scheduler: str | None = None,
) -> list[dict]:
    """Summaries of (scenario, seed, overrides) tasks, in task order, on the experiments runner."""
    return run_in_order(_run_one, list(tasks), workers, backend, scheduler)


def mean_totals(summaries: Sequence[dict]) -> dict[str, float]:
    return {k: float(np.mean([s[k] for s in summaries])) for k in TARGETS}


def sem_totals(summaries: Sequence[dict]) -> dict[str, float]:
    if len(summaries) < 2:
        return dict.fromkeys(TARGETS, 0.0)
    return {k: standard_error([s[k] for s in summaries]) for k in TARGETS}


def relative_errors(means: dict[str, float]) -> dict[str, float]:
    """(mean - target) / target per total."""
    return {k: (means[k] - v) / v for k, v in TARGETS.items()}


def loss(means: dict[str, float]) -> float:
    """Sum over the six totals of log(mean/target)^2."""
    return float(sum(math.log(max(means[k], 1e-9) / v) ** 2 for k, v in TARGETS.items()))


def evaluate(
    values: dict[str, float],
    seeds: Sequence[int] = FIT_SEEDS,
    workers: int = 2,
    scenario: str = SCENARIO,
    backend: str = "local",
    scheduler: str | None = None,
) -> list[dict]:
    """Summaries of ``scenario`` with ``values`` as overrides, one per seed."""
    return run_many([(scenario, int(s), dict(values)) for s in seeds], workers, backend, scheduler)


def fit(
    rounds: Sequence[tuple[int, float]] = ((16, 0.30), (16, 0.12), (16, 0.06)),
    replications: int = 4,
    check_seeds: Sequence[int] = tuple(range(2001, 2041)),
    workers: int = 2,
    start: dict[str, float] | None = None,
    first_seed: int = 1001,
    log: Callable[[str], None] = print,
    backend: str = "local",
    scheduler: str | None = None,
    polish_steps: int = 4,
    polish_seeds: int = 20,
    polish_first_seed: int = 3001,
) -> dict[str, Any]:
    """Fit the free parameters; return the calibration record (not yet written).

    After the rounds, up to ``polish_steps`` Gauss-Newton steps correct the solution by its mean
    residuals on ``polish_seeds`` fresh seeds each (from ``polish_first_seed``; disjoint from the fit,
    check and validation seeds), using the surface's elasticities.

    ``rounds``: (design points, half-width of the box in log-parameters) per round. The surface
    of a round pools the runs of every round since the first *local* one (half-width <= 0.15),
    so the last rounds refine one local surface with more and more replications.
    """
    from scipy.optimize import least_squares
    from scipy.stats import qmc

    from ..config import Config

    defaults = Config().flat()
    keys = [p.key for p in FREE_PARAMETERS]
    names = list(TARGETS)
    center = {
        p.key: float(start[p.key]) if start and p.key in start else float(defaults[p.key]) for p in FREE_PARAMETERS
    }
    lo_b = np.log([p.lower for p in FREE_PARAMETERS])
    hi_b = np.log([p.upper for p in FREE_PARAMETERS])
    next_seed = first_seed
    X: list[np.ndarray] = []  # log-parameters, one row per run
    Y: list[np.ndarray] = []  # log-totals, one row per run
    used_seeds: list[int] = []

    def run_design(points: np.ndarray) -> None:
        nonlocal next_seed
        tasks = []
        for x in points:
            values = {k: float(np.exp(v)) for k, v in zip(keys, x, strict=True)}
            for _ in range(replications):
                tasks.append((SCENARIO, next_seed, values))
                used_seeds.append(next_seed)
                next_seed += 1
        for (_, _, values), s in zip(tasks, run_many(tasks, workers, backend, scheduler), strict=True):
            X.append(np.log([values[k] for k in keys]))
            Y.append(np.log([max(float(s[k]), 1e-9) for k in names]))

    def surface(first_run: int) -> tuple[np.ndarray, np.ndarray]:
        """log(total) ~ intercept + elasticities . log(parameters), over runs[first_run:]."""
        xs, ys = np.array(X[first_run:]), np.array(Y[first_run:])
        A = np.column_stack([np.ones(len(xs)), xs])
        coef, *_ = np.linalg.lstsq(A, ys, rcond=None)
        resid = ys - A @ coef
        return coef, resid.std(axis=0, ddof=A.shape[1])

    def solve(coef: np.ndarray, x0: np.ndarray) -> np.ndarray:
        logt = np.log([TARGETS[k] for k in names])
        res = least_squares(lambda x: coef[0] + x @ coef[1:] - logt, x0, bounds=(lo_b, hi_b))
        return res.x

    # proportional first guess from the defaults on a few seeds
    x_center = np.log([center[k] for k in keys])
    run_design(x_center[None, :])
    first = {k: float(np.exp(np.mean([y[i] for y in Y]))) for i, k in enumerate(names)}
    for i, p in enumerate(FREE_PARAMETERS):
        ratio = TARGETS[p.target] / max(first[p.target], 1e-9)
        if p.key == "policies.benefit_median_yuan":  # subsidy = policies x benefit
            ratio /= TARGETS["program_policies_matched"] / max(first["program_policies_matched"], 1e-9)
        x_center[i] = float(np.clip(x_center[i] + math.log(ratio), lo_b[i], hi_b[i]))
    log("first guess: " + ", ".join(f"{k}={np.exp(v):.4g}" for k, v in zip(keys, x_center, strict=True)))
    rounds_done = []
    pool_from, previous_local = 0, False
    for r, (n_points, half_width) in enumerate(rounds, start=1):
        sobol = qmc.Sobol(d=len(keys), scramble=True, seed=first_seed + 100 * r)
        unit = sobol.random(n_points)
        points = np.clip(x_center + half_width * (2 * unit - 1), lo_b, hi_b)
        round_start = len(X)
        local = half_width <= LOCAL_HALF_WIDTH
        if not (local and previous_local):
            pool_from = round_start
        previous_local = local
        run_design(points)
        coef, noise = surface(pool_from)  # local rounds only
        x_center = solve(coef, x_center)
        rounds_done.append({"points": n_points, "half_width_log": half_width, "runs_so_far": len(X)})
        log(
            f"round {r}: {len(X)} runs; solution "
            + ", ".join(f"{k}={np.exp(v):.4g}" for k, v in zip(keys, x_center, strict=True))
        )
    # Polish: the pooled surface is linear in log space and the totals are not quite, so correct the
    # solution by its own residuals on fresh seeds (Gauss-Newton steps with the surface's elasticities).
    polish_done = []
    for step in range(polish_steps):
        seeds = range(polish_first_seed + step * polish_seeds, polish_first_seed + (step + 1) * polish_seeds)
        trial = {k: float(np.exp(v)) for k, v in zip(keys, x_center, strict=True)}
        trial_means = mean_totals(evaluate(trial, list(seeds), workers, backend=backend, scheduler=scheduler))
        residual = np.log([max(trial_means[k], 1e-9) / TARGETS[k] for k in names])
        polish_done.append({"seeds": [seeds.start, seeds.stop - 1], "loss": float(residual @ residual)})
        errors = ", ".join(f"{k}={100 * math.expm1(r):+.1f}%" for k, r in zip(names, residual, strict=True))
        log(f"polish {step + 1}: {errors}")
        if np.all(np.abs(residual) <= POLISH_TOLERANCE_LOG):
            break
        step_x, *_ = np.linalg.lstsq(coef[1:].T, -residual, rcond=None)
        x_center = np.clip(x_center + POLISH_DAMPING * step_x, lo_b, hi_b)
    values = {k: _round_value(p, float(np.exp(v))) for p, k, v in zip(FREE_PARAMETERS, keys, x_center, strict=True)}
    check = evaluate(values, check_seeds, workers, backend=backend, scheduler=scheduler)
    means = mean_totals(check)
    log(
        f"check on {len(check_seeds)} fresh seeds: loss {loss(means):.5f}; "
        + ", ".join(f"{k}={100 * e:+.1f}%" for k, e in relative_errors(means).items())
    )
    blocks = check_blocks(check, list(check_seeds))
    log(f"P1 on the check's 10-seed blocks: {sum(b['within_tolerance'] for b in blocks)}/{len(blocks)} pass")
    return {
        "scenario": SCENARIO,
        "values": values,
        "free_parameters": {
            p.key: {"default": defaults[p.key], "lower": p.lower, "upper": p.upper, "why": p.why}
            for p in FREE_PARAMETERS
        },
        "targets": dict(TARGETS),
        "fit": {
            "seeds": used_seeds,
            "check_seeds": list(map(int, check_seeds)),
            "runs": len(X) + len(check) + polish_seeds * len(polish_done),
            "rounds": rounds_done,
            "polish": polish_done,
            "replications_per_candidate": replications,
            "loss": loss(means),
            "loss_definition": "sum over the six totals of log(mean over check seeds / target)^2",
            "means": means,
            "sem": sem_totals(check),
            "check_blocks": blocks,
            "relative_error": relative_errors(means),
            "surface": {
                "intercept": dict(zip(names, coef[0].round(4).tolist(), strict=True)),
                "elasticities": {
                    k: dict(zip(names, coef[1 + i].round(4).tolist(), strict=True)) for i, k in enumerate(keys)
                },
                "residual_sd_log": dict(zip(names, noise.round(4).tolist(), strict=True)),
            },
        },
        "method": (
            "noise-aware response surface: scrambled Sobol designs (scipy.stats.qmc) in log-parameter boxes, "
            f"{replications} own seeds per candidate, linear regression of log(total) on log(parameters) "
            "over the runs of the round (local rounds pooled), least-squares solve of log(total/target) "
            "on the surface (scipy.optimize.least_squares), Gauss-Newton polish steps on fresh seeds; "
            "checked on fresh seeds"
        ),
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "model_fingerprint": model_fingerprint(),
        "software": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": __import__("scipy").__version__,
        },
    }


def _round_value(p: FreeParameter, value: float) -> float:
    """Round to 4 significant digits (the fit is not more precise than that)."""
    return float(f"{value:.4g}")


def check_blocks(summaries: Sequence[dict], seeds: Sequence[int], size: int = 10) -> list[dict[str, Any]]:
    """P1 on each disjoint block of ``size`` check seeds: one fit can pass on one block by luck,
    so the record shows how often a 10-seed mean lands within the tolerance."""
    out = []
    for i in range(0, len(summaries) - size + 1, size):
        rel = relative_errors(mean_totals(summaries[i : i + size]))
        out.append(
            {
                "seeds": [int(seeds[i]), int(seeds[i + size - 1])],
                "relative_error": rel,
                "within_tolerance": all(abs(r) <= TOLERANCE for r in rel.values()),
            }
        )
    return out


def holdout_check(
    values: dict[str, float] | None = None,
    seeds: Sequence[int] = tuple(range(1, 11)),
    workers: int = 2,
    backend: str = "local",
    scheduler: str | None = None,
) -> dict[str, Any]:
    """Mean of ``seeds`` of campaign_2020 (as configured, or with ``values``) against the targets."""
    summaries = evaluate(values or {}, seeds, workers, backend=backend, scheduler=scheduler)
    means = mean_totals(summaries)
    rel = relative_errors(means)
    return {
        "seeds": list(map(int, seeds)),
        "means": means,
        "sem": sem_totals(summaries),
        "relative_error": rel,
        "passed": all(abs(r) <= TOLERANCE for r in rel.values()),
    }


def write_calibration(record: dict[str, Any], path: str | os.PathLike) -> Path:
    """Write the record to ``path`` atomically (the shipped file only if ``path`` is it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    return path


def read_calibration(path: str | os.PathLike = CALIBRATION_FILE) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


REQUIRED_PROVENANCE = ("scenario", "values", "targets", "fit", "method", "date", "model_fingerprint")
#: The fixed reference run behind the fingerprint: a small district whose campaign starts on day 5,
#: so 60 days exercise placement, disclosure, resolution, the desk, the job fair and finance.
REFERENCE_SEED = 20_201
REFERENCE_DAYS = 60
REFERENCE_OVERRIDES: dict[str, Any] = {
    "population.n_cadres": 200,
    "population.n_enterprises": 400,
    "campaign.firms_per_batch": 10,
    "campaign.first_batch_day": 5,
    "campaign.batch_interval_days": 15,
}
#: The outputs hashed: the calibrated totals and the indicators the patterns read. A fixed list,
#: so a new indicator elsewhere does not look like a behaviour change.
FINGERPRINT_SUMMARY_KEYS = (
    *TARGETS,
    "placements",
    "issues_created",
    "issues_disclosed",
    "issues_resolved_total",
    "mean_owner_trust",
    "strong_tie_share",
    "clear_index",
    "integrity_incidents",
    "mean_cadre_attitude",
    "mean_department_speed",
)
FINGERPRINT_DAILY_COLUMNS = (
    "active_placements",
    "cadres_placed",
    "issues_resolved_total",
    "open_issues",
    "mean_owner_trust",
    "n_ties",
    "integrity_incidents",
    "mean_department_speed",
)
FINGERPRINT_METHOD = (
    f"sha256 of the summary ({len(FINGERPRINT_SUMMARY_KEYS)} fixed keys) and daily series "
    f"({len(FINGERPRINT_DAILY_COLUMNS)} fixed columns) of {SCENARIO}, seed {REFERENCE_SEED}, {REFERENCE_DAYS} days, "
    "with the free parameters at their defaults (siyi_sim.calibration.calibrate.model_fingerprint)"
)


def model_fingerprint() -> str:
    """Behaviour fingerprint: a hash of the outputs of one fixed, small reference run.

    It changes when the model *behaves* differently (a mechanism, a default, a scenario's
    definition, the random streams), not when source text is edited, reformatted or moved. The
    free parameters are pinned to their defaults, so the fingerprint does not depend on the
    calibration it is stored in.
    """
    from ..api import simulate
    from ..config import Config

    defaults = Config().flat()
    pinned = {p.key: defaults[p.key] for p in FREE_PARAMETERS}
    result = simulate(SCENARIO, REFERENCE_SEED, REFERENCE_DAYS, {**pinned, **REFERENCE_OVERRIDES})
    summary = {key: result.summary.get(key) for key in FINGERPRINT_SUMMARY_KEYS}
    columns = [c for c in FINGERPRINT_DAILY_COLUMNS if c in result.daily.columns]
    digest = hashlib.sha256(json.dumps(summary, sort_keys=True, default=repr).encode())
    digest.update(result.daily[columns].to_csv(index=False, float_format="%.17g").encode())
    return digest.hexdigest()[:16]


REPORT_TAG = "siyi calibrate --report"


def markdown_tables(record: dict[str, Any]) -> str:
    """Values table and fit/residual table of a calibration record (for docs/calibration.md)."""
    lines = ["| parameter | default | calibrated | bounds |", "| --- | ---: | ---: | --- |"]
    for key, value in record["values"].items():
        fp = record["free_parameters"][key]
        lines.append(f"| `{key}` | {fp['default']:.4g} | **{value:.4g}** | [{fp['lower']:.4g}, {fp['upper']:.4g}] |")
    hold = record.get("holdout", {})
    lines += [
        "",
        f"| total | target | fit check: mean (seeds {_seed_range(record['fit']['check_seeds'])}) | residual "
        f"| hold-out: mean (seeds {_seed_range(hold.get('seeds', []))}) | residual |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, target in record["targets"].items():
        fm, fe = record["fit"]["means"][key], record["fit"]["relative_error"][key]
        hm = hold.get("means", {}).get(key)
        he = hold.get("relative_error", {}).get(key)
        held = "| |" if hm is None else f"| {hm:,.0f} | {100 * he:+.1f} % |"
        lines.append(f"| {key} | {target:,.0f} | {fm:,.0f} | {100 * fe:+.1f} % {held}")
    return "\n".join(lines)


def report_markdown(record: dict[str, Any]) -> str:
    """The generated section of docs/calibration.md: values, residuals, surface and provenance."""
    fit = record["fit"]
    parts = [
        markdown_tables(record),
        "",
        f"Fit: {fit['runs']} runs ({len(fit['seeds'])} fit seeds, {_seed_range(fit['seeds'])}; "
        f"check seeds {_seed_range(fit['check_seeds'])}), loss {fit['loss']:.5f} on the check seeds; "
        f"date {record['date']}; behaviour fingerprint `{record['model_fingerprint']}`.",
    ]
    blocks = fit.get("check_blocks")
    if blocks:
        passed = sum(b["within_tolerance"] for b in blocks)
        worst = {k: max((b["relative_error"][k] for b in blocks), key=abs) for k in record["targets"]}
        parts += [
            "",
            f"P1 on the check seeds' {len(blocks)} disjoint 10-seed blocks: **{passed} of {len(blocks)}** have every "
            f"total within ±{TOLERANCE:.0%}; worst block per total: "
            + ", ".join(f"{k} {100 * e:+.1f} %" for k, e in worst.items())
            + ".",
        ]
    surface = fit.get("surface")
    if surface:
        totals = list(record["targets"])
        parts += [
            "",
            "Elasticities of the fitted surface (d log total / d log parameter) and the seed-to-seed "
            "spread of one run (residual sd of log total):",
            "",
            "| parameter | " + " | ".join(totals) + " |",
            "| --- |" + " ---: |" * len(totals),
        ]
        for key, row in surface["elasticities"].items():
            parts.append(f"| `{key}` | " + " | ".join(f"{round(row[t], 2) + 0.0:+.2f}" for t in totals) + " |")
        spread = surface["residual_sd_log"]
        parts.append("| *residual sd* | " + " | ".join(f"{round(spread[t], 2) + 0.0:.2f}" for t in totals) + " |")
    return "\n".join(parts)


def _seed_range(seeds: Sequence[int]) -> str:
    return f"{min(seeds)}–{max(seeds)}" if seeds else "–"
