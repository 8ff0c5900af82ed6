"""Global sensitivity analysis (SALib Morris or Sobol) run on the sweep runner.

Which levers matter? SALib draws points in parameter space; each distinct point becomes a
``[[points]]`` entry of a generated experiment file, run with R replications on the sweep
runner (so it parallelises, resumes after a crash and can use Dask) into ``OUT/sweep``. The
indices are computed on the replication mean of the metric at each point.

Noise awareness: a stochastic model gives different outputs on different seeds at the same
point. Beside the indices we report
- ``seed_variance``: mean within-point variance of the metric across replications (s²);
- ``seed_variance_unshared``: the part of it common random numbers do not cancel (point x seed
  interaction), and ``noise_share`` = that / R over the variance of the point means — how much of
  what the indices "explain" is seed noise (near 0 good, near 1 the indices are noise);
- per-index ``*_seed_sd``: the spread of the index when computed from each replication alone;
- Morris ``mu_star_noise_se``: the seed standard error of each parameter's elementary effects;
  a parameter with mu* within 2 s.e. of 0 is flagged ``below_noise``.
Replications share seeds across points (common random numbers), so a parameter the model
ignores has elementary effects of exactly 0 and ranks last.

Sensitivity of the difference (``versus="baseline"``): every point also runs the baseline on the
same seeds, and the indices explain the *paired effect* ``scenario - baseline`` (per replication,
then averaged) rather than the scenario's level. A parameter that moves both scenarios alike (say,
owners' initial trust) can dominate the level and be irrelevant to the policy's gain; this mode
tells the two apart.

>>> run_sensitivity("morris", ["trust.alpha", "trust.beta"], "mean_owner_trust", "out/sa")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..experiments import load_runs, parse_plan, run_sweep
from ..experiments.plan import plan_header, toml_value
from .style import atomic_write_bytes, metric_label, new_figure, png_bytes, source_note, styled

METHODS = ("morris", "sobol")
DEFAULT_SAMPLES = {"morris": 10, "sobol": 64}
MORRIS_LEVELS = 4
SWEEP_DIR = "sweep"
NOT_METRICS = ("scenario", "seed", "days")


@dataclass(frozen=True)
class ParamSpec:
    key: str
    low: float
    high: float
    integer: bool


@dataclass
class SensitivityResult:
    method: str
    metric: str
    table: pd.DataFrame  # one row per parameter, ranked
    noise: dict[str, float]
    out: Path
    n_points: int
    n_runs: int
    scenario: str = "campaign_2020"
    versus: str | None = None  # set: the indices explain the paired effect scenario - versus


# --- validation ------------------------------------------------------------------------------
def _param_info() -> dict[str, Any]:
    """Parameter rows with their effective values (calibrated where calibrated)."""
    from ..config import parameter_table
    from ..scenarios import CALIBRATED

    return {row.key: row for row in parameter_table(CALIBRATED)}


def _range(text: str) -> tuple[float, float] | None:
    m = re.fullmatch(r"\[\s*([-+0-9.eE]+|None)\s*,\s*([-+0-9.eE]+|None)\s*\]", str(text).strip())
    if not m:
        return None
    lo = -math.inf if m.group(1) == "None" else float(m.group(1))
    hi = math.inf if m.group(2) == "None" else float(m.group(2))
    return lo, hi


def parse_params(spec: str | Sequence[str]) -> list[ParamSpec]:
    """``"a.b,c.d=lo:hi"`` → bounds.

    Default bounds are the *effective* value x [0.5, 1.5] (the calibrated value where the parameter
    is calibrated, since that is what every scenario runs with), clipped to the valid range.
    """
    items = [s.strip() for s in (spec.split(",") if isinstance(spec, str) else spec)]
    items = [s for s in items if s]
    if len(items) < 2:
        raise ValueError("--params needs at least two parameters, comma-separated (e.g. trust.alpha,trust.beta)")
    info = _param_info()
    out: list[ParamSpec] = []
    for item in items:
        key, _, bounds = item.partition("=")
        key = key.strip()
        if key not in info:
            raise ValueError(f"unknown parameter {key!r} in --params (see `siyi params`)")
        if any(p.key == key for p in out):
            raise ValueError(f"parameter {key!r} is listed twice in --params")
        row = info[key]
        default, centre = row.default, row.effective
        if isinstance(default, bool) or not isinstance(default, (int, float)):
            raise ValueError(f"parameter {key!r} is not numeric ({default!r}); sensitivity needs numeric parameters")
        valid = _range(row.range) or (-math.inf, math.inf)
        integer = isinstance(default, int)
        if bounds:
            try:
                lo_text, hi_text = bounds.split(":")
                lo, hi = float(lo_text), float(hi_text)
            except ValueError:
                raise ValueError(f"malformed bounds {item!r} in --params: expected {key}=LOW:HIGH") from None
        else:
            if centre == 0:
                raise ValueError(f"parameter {key!r} is 0 in every scenario; give bounds as {key}=LOW:HIGH")
            lo, hi = sorted((centre * 0.5, centre * 1.5))
            lo, hi = max(lo, valid[0]), min(hi, valid[1])
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
            raise ValueError(f"bounds of {key!r} must be finite with LOW < HIGH, not {lo:g}:{hi:g}")
        if lo < valid[0] or hi > valid[1]:
            raise ValueError(f"bounds {lo:g}:{hi:g} of {key!r} leave its valid range {row.range}")
        if integer and math.floor(hi) - math.ceil(lo) < 1:
            raise ValueError(f"integer parameter {key!r} needs bounds spanning at least two integers")
        out.append(ParamSpec(key, lo, hi, integer))
    return out


def check_metric(metric: str) -> str:
    from ..metrics import SUMMARY_KEYS

    if metric not in SUMMARY_KEYS or metric in NOT_METRICS:
        known = [k for k in SUMMARY_KEYS if k not in NOT_METRICS]
        raise ValueError(f"unknown metric {metric!r} (known: {', '.join(known)})")
    return metric


def _check_samples(method: str, samples: int | None) -> int:
    samples = DEFAULT_SAMPLES[method] if samples is None else samples
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 2:
        raise ValueError(f"invalid --samples {samples!r}: must be an integer >= 2")
    if method == "sobol" and samples & (samples - 1):
        raise ValueError(f"invalid --samples {samples} for sobol: must be a power of 2 (e.g. 64, 128)")
    return samples


# --- design ----------------------------------------------------------------------------------
def problem_of(params: Sequence[ParamSpec]) -> dict[str, Any]:
    return {"num_vars": len(params), "names": [p.key for p in params], "bounds": [[p.low, p.high] for p in params]}


def sample(method: str, params: Sequence[ParamSpec], samples: int, seed: int) -> np.ndarray:
    """SALib design matrix (rows = model evaluations); integer parameters rounded."""
    problem = problem_of(params)
    if method == "morris":
        from SALib.sample import morris

        X = morris.sample(problem, samples, num_levels=MORRIS_LEVELS, seed=seed)
    else:
        from SALib.sample import sobol

        X = sobol.sample(problem, samples, calc_second_order=False, seed=seed)
    for j, p in enumerate(params):
        if p.integer:
            X[:, j] = np.clip(np.round(X[:, j]), math.ceil(p.low), math.floor(p.high))
    return X


def design_plan(
    method: str,
    params: Sequence[ParamSpec],
    metric: str,
    X: np.ndarray,
    reps: int,
    scenario: str,
    days: int | None,
    overrides: dict[str, Any],
    seed: int,
    versus: str | None = None,
) -> tuple[str, np.ndarray]:
    """The experiment text for the sweep runner, and for each row of X its point index.

    With ``versus``, that scenario runs too at every point, on the same seeds (paired).
    """
    unique: dict[tuple, int] = {}
    row_point = np.empty(len(X), dtype=int)
    for i, row in enumerate(X):
        marker = tuple(int(v) if p.integer else float(v) for p, v in zip(params, row, strict=True))
        row_point[i] = unique.setdefault(marker, len(unique))
    scenarios = [versus, scenario] if versus else [scenario]
    name = f"sensitivity-{method}-{metric}" + (f"-vs-{versus}" if versus else "")
    description = f"{method} sensitivity of {metric} to " + ", ".join(p.key for p in params)
    lines = plan_header("sensitivity", name, scenarios, reps, seed, days, overrides, description)
    lines += ["[keep]", f"summary = [{json.dumps(metric)}]"]
    for marker in unique:
        lines.append("[[points]]")
        lines += [f"{json.dumps(p.key)} = {toml_value(v)}" for p, v in zip(params, marker, strict=True)]
    return "\n".join(lines) + "\n", row_point


# --- analysis --------------------------------------------------------------------------------
def paired_runs(runs: pd.DataFrame, metric: str, scenario: str, versus: str) -> pd.DataFrame:
    """Per point and replication, ``scenario - versus`` of ``metric`` (same seed, same parameters).

    The result has the shape of a one-scenario sweep (``point``, ``replication``, ``metric``), so
    the indices and the noise summary below apply to the effect unchanged.
    """
    index = ["point", "replication"]
    policy = runs[runs["scenario"] == scenario].set_index(index)[metric].astype(float)
    base = runs[runs["scenario"] == versus].set_index(index)[metric].astype(float)
    both = policy.index.intersection(base.index)
    return (policy.loc[both] - base.loc[both]).rename(metric).reset_index()


def _indices(method: str, problem: dict, X: np.ndarray, Y: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    if method == "morris":
        from SALib.analyze import morris

        r = morris.analyze(problem, X, Y, num_levels=MORRIS_LEVELS, conf_level=0.95, seed=seed, print_to_console=False)
        return {k: np.asarray(r[k], dtype=float) for k in ("mu", "mu_star", "sigma", "mu_star_conf")}
    from SALib.analyze import sobol

    r = sobol.analyze(problem, Y, calc_second_order=False, conf_level=0.95, seed=seed, print_to_console=False)
    return {k: np.asarray(r[k], dtype=float) for k in ("S1", "S1_conf", "ST", "ST_conf")}


def analyse(
    method: str,
    params: Sequence[ParamSpec],
    X: np.ndarray,
    row_point: np.ndarray,
    runs: pd.DataFrame,
    metric: str,
    seed: int,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Indices on replication means, their seed spread, and the noise summary."""
    values = runs.pivot_table(index="point", columns="replication", values=metric, aggfunc="first", dropna=False)
    values = values.reindex(range(int(row_point.max()) + 1))
    M = values.to_numpy(dtype=float)
    if np.isnan(M).any():
        bad = int(np.isnan(M).sum())
        raise ValueError(
            f"metric {metric!r} is undefined in {bad} runs (e.g. no event of that kind); choose another metric"
        )
    reps = M.shape[1]
    problem = problem_of(params)
    Y = M.mean(axis=1)[row_point]
    main = _indices(method, problem, X, Y, seed)
    table = pd.DataFrame(
        {"parameter": problem["names"], "low": [p.low for p in params], "high": [p.high for p in params], **main}
    )
    seed_var = float(M.var(axis=1, ddof=1).mean()) if reps >= 2 else math.nan
    spread_var = float(M.mean(axis=1).var(ddof=1)) if len(M) >= 2 else math.nan
    unshared = _unshared_variance(M)
    noise = {
        "replications": reps,
        "points": len(M),
        "seed_variance": seed_var,
        "seed_variance_unshared": unshared,
        "variance_of_point_means": spread_var,
        "noise_share": (unshared / reps) / spread_var
        if spread_var > 0
        else (math.nan if math.isnan(unshared) else math.inf),
    }
    key = "mu_star" if method == "morris" else "ST"
    if reps >= 2:
        per_rep = [_indices(method, problem, X, M[:, r][row_point], seed) for r in range(reps)]
        for name in ("mu_star", "sigma") if method == "morris" else ("S1", "ST"):
            table[f"{name}_seed_sd"] = np.std([d[name] for d in per_rep], axis=0, ddof=1)
    if method == "morris":
        se = _elementary_effect_noise(params, X, M[row_point])
        table["mu_star_noise_se"] = se
        table["below_noise"] = table["mu_star"] <= 2 * se if reps >= 2 else False
    table = table.sort_values([key, "parameter"], ascending=[False, True], kind="stable").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table, noise


def _unshared_variance(M: np.ndarray) -> float:
    """Point x seed interaction variance: the seed noise that common random numbers do not cancel.

    ``M[p, r]`` minus point means and replication means (two-way ANOVA residual). A seed that
    shifts every point alike (shared noise) does not blur comparisons between points.
    """
    P, R = M.shape
    if P < 2 or R < 2:
        return math.nan
    resid = M - M.mean(axis=1, keepdims=True) - M.mean(axis=0, keepdims=True) + M.mean()
    return float((resid**2).sum() / ((P - 1) * (R - 1)))


def _elementary_effect_noise(params: Sequence[ParamSpec], X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Standard error, from seeds, of each parameter's replication-mean elementary effects.

    Morris rows come in trajectories of D+1 points, each step moving one parameter. For step
    ``k`` moving parameter ``j`` by ``d`` (share of its range), ``EE_r = (Y[k+1, r] - Y[k, r]) / d``
    in replication r. se_j = sqrt(mean over j's steps of var_r(EE_r) / R). Paired within a
    replication, this is the noise common random numbers leave; a parameter whose mu* is within
    2 se of 0 is flagged ``below_noise``.
    """
    D, R = len(params), Y.shape[1]
    if R < 2:
        return np.full(D, np.nan)
    span = np.array([p.high - p.low for p in params])
    variances: list[list[float]] = [[] for _ in range(D)]
    for start in range(0, len(X) - D, D + 1):
        for k in range(D):
            diff = (X[start + k + 1] - X[start + k]) / span
            j = int(np.argmax(np.abs(diff)))
            if diff[j] == 0:
                continue
            ee = (Y[start + k + 1] - Y[start + k]) / diff[j]
            variances[j].append(float(ee.var(ddof=1)))
    return np.array([math.sqrt(np.mean(v) / R) if v else math.nan for v in variances])


# --- figure ----------------------------------------------------------------------------------
def sensitivity_figure(
    table: pd.DataFrame, method: str, metric: str, noise: dict[str, float] | None = None, what: str | None = None
):
    """Morris: mu* bars with noise floor, and mu* against sigma. Sobol: S1 and ST bars."""
    t = table.iloc[::-1]
    y = np.arange(len(t))
    with styled():
        if method == "morris":
            fig, (ax, ax2) = new_figure(12.0, 0.45 * len(t) + 2.6, ncols=2, width_ratios=[1.3, 1])
            xerr = t["mu_star_conf"].to_numpy()
            ax.barh(y, t["mu_star"], color="#2166ac", alpha=0.85)
            ax.errorbar(t["mu_star"], y, xerr=xerr, fmt="none", color="black", capsize=3, label="95% bootstrap CI")
            if "mu_star_seed_sd" in t:
                ax.errorbar(
                    t["mu_star"],
                    y + 0.25,
                    xerr=t["mu_star_seed_sd"],
                    fmt="none",
                    color="#e08214",
                    capsize=2,
                    label="spread of mu* across seeds (sd)",
                )
            if "mu_star_noise_se" in t:
                ax.scatter(
                    2 * t["mu_star_noise_se"],
                    y,
                    marker="|",
                    s=260,
                    linewidths=2.2,
                    color="#b2182b",
                    zorder=4,
                    label="noise level: 2 x seed s.e. (CRN-paired)",
                )
            ax.set_yticks(y, t["parameter"])
            ax.grid(axis="y", visible=False)
            ax.set_xlabel(f"mu*: mean |elementary effect| ({metric} per normalised step)")
            ax.set_title("Ranking: which levers move the outcome")
            ax.legend(loc="lower right")
            ax2.scatter(t["mu_star"], t["sigma"], color="#2166ac", s=40, zorder=3)
            for _, r in t.iterrows():
                ax2.annotate(
                    r["parameter"], (r["mu_star"], r["sigma"]), xytext=(4, 3), textcoords="offset points", fontsize=8.5
                )
            ax2.margins(x=0.35, y=0.15)
            ax2.set_xlabel("mu* (importance)")
            ax2.set_ylabel("sigma (non-linearity / interactions)")
            ax2.set_title("Effect against interaction")
        else:
            fig, ax = new_figure(9.5, 0.5 * len(t) + 2.4)
            ax.barh(
                y + 0.2, t["S1"], height=0.38, xerr=t["S1_conf"], color="#92c5de", capsize=3, label="first order S1"
            )
            ax.barh(
                y - 0.2, t["ST"], height=0.38, xerr=t["ST_conf"], color="#2166ac", capsize=3, label="total order ST"
            )
            ax.axvline(0, color="black", lw=1)
            ax.set_yticks(y, t["parameter"])
            ax.grid(axis="y", visible=False)
            ax.set_xlabel("share of output variance (Sobol index)")
            ax.set_title("Ranking: which levers move the outcome")
            ax.legend(loc="lower right")
        fig.suptitle(f"{method.capitalize()} sensitivity of {what or metric_label(metric)}")
        if noise:
            source_note(
                fig,
                f"{noise['points']} points x {noise['replications']} replications (same seeds at every point). "
                f"Share of the spread between points due to seed noise: {noise['noise_share']:.3g}.",
            )
    return fig


# --- entry point -----------------------------------------------------------------------------
def run_sensitivity(
    method: str,
    params: str | Sequence[str],
    metric: str,
    out: str | Path,
    samples: int | None = None,
    reps: int = 2,
    scenario: str = "campaign_2020",
    days: int | None = None,
    overrides: dict[str, Any] | None = None,
    seed: int = 0,
    workers: int = 1,
    backend: str = "local",
    scheduler: str | None = None,
    progress: bool | None = None,
    versus: str | None = None,
    run_fn=None,
) -> SensitivityResult:
    """Sample, run on the sweep runner into ``out/sweep`` (resumable), analyse, write the results.

    With ``versus`` (e.g. ``"baseline"``) the indices are those of the paired effect
    ``scenario - versus`` of ``metric``, both run at every point on the same seeds. ``run_fn``
    replaces the model (tests use a synthetic one with known indices); runs are then not validated.

    Files in ``out``: ``sensitivity.csv`` (ranking table), ``sensitivity.png``, ``sensitivity.json``
    (method, problem, noise, provenance) and the sweep directory.
    """
    from ..scenarios import SCENARIOS

    if method not in METHODS:
        raise ValueError(f"unknown method {method!r} (use morris or sobol)")
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r} (known: {', '.join(SCENARIOS)})")
    if versus is not None and versus not in SCENARIOS:
        raise ValueError(f"unknown versus scenario {versus!r} (known: {', '.join(SCENARIOS)})")
    if versus is not None and versus == scenario:
        raise ValueError(f"versus scenario {versus!r} is the scenario itself; its paired effect is 0")
    specs = parse_params(params)
    check_metric(metric)
    samples = _check_samples(method, samples)
    if isinstance(reps, bool) or not isinstance(reps, int) or reps < 1:
        raise ValueError(f"invalid --reps {reps!r}: must be an integer >= 1")
    overrides = dict(overrides or {})
    clash = [p.key for p in specs if p.key in overrides]
    if clash:
        raise ValueError(f"parameter {clash[0]!r} is both varied (--params) and fixed (--set)")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {str(out)!r} exists and is not a directory")
    X = sample(method, specs, samples, seed)
    text, row_point = design_plan(method, specs, metric, X, reps, scenario, days, overrides, seed, versus)
    plan = parse_plan(text, source_path="sensitivity design")  # names the source in error messages
    report = run_sweep(
        plan,
        out / SWEEP_DIR,
        workers=workers,
        backend=backend,
        scheduler=scheduler,
        progress=progress,
        run_fn=run_fn,
        validate=run_fn is None,
    )
    runs = load_runs(out / SWEEP_DIR)
    if versus is not None:
        runs = paired_runs(runs, metric, scenario, versus)
    table, noise = analyse(method, specs, X, row_point, runs, metric, seed)
    what = f"{metric_label(metric)}: {scenario} - {versus} (paired)" if versus else None
    manifest = json.loads((out / SWEEP_DIR / "manifest.json").read_text(encoding="utf-8"))
    record = {
        "method": method,
        "metric": metric,
        "scenario": scenario,
        "versus": versus,
        "explained": f"{scenario} - {versus} (paired on seeds)" if versus else scenario,
        "days": days,
        "overrides": overrides,
        "samples": samples,
        "replications": reps,
        "sample_seed": seed,
        "morris_levels": MORRIS_LEVELS if method == "morris" else None,
        "problem": problem_of(specs),
        "evaluations": len(X),
        "distinct_points": int(row_point.max() + 1),
        "noise": noise,
        "ranking": table.to_dict("records"),
        "sweep": {
            "dir": SWEEP_DIR,
            "design_hash": manifest["experiment"]["design_hash"],
            "package": manifest.get("package"),
            "runs": report.planned,
        },
    }
    atomic_write_bytes(out / "sensitivity.csv", table.to_csv(index=False).encode())
    atomic_write_bytes(out / "sensitivity.png", png_bytes(sensitivity_figure(table, method, metric, noise, what)))
    atomic_write_bytes(out / "sensitivity.json", (json.dumps(record, indent=2, default=_jsonable) + "\n").encode())
    return SensitivityResult(
        method, metric, table, noise, out, int(row_point.max() + 1), report.planned, scenario, versus
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return str(value)


def format_table(result: SensitivityResult) -> str:
    t = result.table
    cols = ["rank", "parameter"] + [c for c in t.columns if c not in ("rank", "parameter", "low", "high")]
    n = result.noise
    what = f"the paired effect {result.scenario} - {result.versus} on " if result.versus else ""
    lines = [
        f"{result.method} sensitivity of {what}{result.metric}: "
        f"{result.n_points} points x {n['replications']} replications = {result.n_runs} runs"
    ]
    lines.append(t[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    lines.append(
        f"seed variance within a point {n['seed_variance']:.4g}, of which not shared across points "
        f"(what common random numbers leave) {n['seed_variance_unshared']:.4g}; "
        f"variance of point means {n['variance_of_point_means']:.4g}; noise share {n['noise_share']:.3g}"
    )
    if "below_noise" in result.table and result.table["below_noise"].any():
        lines.append(
            "below_noise: mu* within 2 seed standard errors of 0 — indistinguishable from seed noise (add --reps)"
        )
    lines.append(f"wrote {result.out}/sensitivity.csv, sensitivity.png, sensitivity.json")
    return "\n".join(lines)
