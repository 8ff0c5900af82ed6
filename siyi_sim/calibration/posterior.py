"""Posterior calibration: ABC-SMC (pyabc) of the declared uncertainties against the six 2020 totals.

Why ABC: the model has no likelihood, only simulations; pyabc's sequential Monte Carlo is a
maintained implementation that shrinks the acceptance threshold generation by generation and
returns weighted particles. Its ``MappingSampler`` takes any ``map``, so the simulations run on the
experiments backend (``make_backend``: the local process pool or Dask) like every other batch.

Distance (noise-aware): each total's deviation is divided by ``sqrt(sd_seed^2 + (rel * target)^2)``,
where ``sd_seed`` is the seed-to-seed sd of that total measured in pilot runs at the calibrated
values and ``rel`` a relative tolerance (the published totals are rounded and one seed is one
possible 2020); the distance is the root mean square over the six totals. Each simulation uses a
seed from the fit pool; the posterior predictive check uses seeds outside it.

The result is one JSON file (``siyi-posterior/1``): particles, weights and provenance (targets,
priors, seeds, population sizes, acceptance thresholds, date, model fingerprint). It never
replaces ``calibration_2020.json``: the scenarios keep their calibrated point values; ensembles draw
from the posterior (``siyi explore --posterior FILE``).
"""

from __future__ import annotations

import functools
import json
import logging
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..uncertainty import UNCERTAINTIES, uncertainty_keys

FORMAT = "siyi-posterior/1"
SCENARIO = "campaign_2020"
POSTERIOR_FILE = Path(__file__).resolve().parent.parent / "data" / "posterior_2020.json"
DEFAULT_OUT = Path("results") / "posterior_2020.json"
FIT_SEEDS = tuple(range(3001, 3033))  # simulations draw their seed from this pool
PILOT_SEEDS = tuple(range(3001, 3007))  # seed noise at the calibrated values (a subset of the pool)
PREDICTIVE_SEED_BASE = 7001  # the predictive check uses seeds 7001.. (not in the fit pool)
RELATIVE_TOLERANCE = 0.03


@dataclass(frozen=True)
class AbcSettings:
    """Sizes of an ABC-SMC fit; the defaults finish in a few minutes on 2 cores."""

    population_size: int = 20
    generations: int = 3
    min_epsilon: float = 1.0  # stop when the RMS of noise-scaled deviations is within ~1 noise sd
    predictive_draws: int = 8
    seed: int = 1
    days: int | None = None
    overrides: dict[str, Any] = field(default_factory=dict)  # applied to every run (tests: a small district)
    keys: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for name in ("population_size", "generations", "predictive_draws"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"invalid {name} {value!r}: must be a positive integer")
        if not (isinstance(self.min_epsilon, (int, float)) and math.isfinite(self.min_epsilon)) or self.min_epsilon < 0:
            raise ValueError(f"invalid min_epsilon {self.min_epsilon!r}: must be a non-negative number")
        for key in self.overrides:
            if key in (self.keys or UNCERTAINTIES):
                raise ValueError(f"overrides fix {key!r}, which the posterior fits")


@dataclass(frozen=True)
class Posterior:
    """Weighted particles (one column per dotted key) and the record they came with."""

    particles: pd.DataFrame
    weights: np.ndarray
    record: dict[str, Any]

    def resample(self, n: int, seed: int) -> pd.DataFrame:
        """``n`` particles picked in proportion to their weights (with repetition)."""
        rng = np.random.default_rng(seed)
        picks = rng.choice(len(self.particles), size=n, p=self.weights / self.weights.sum())
        return self.particles.iloc[picks].reset_index(drop=True)


def _targets() -> dict[str, float]:
    from ..metrics import FACTS_2020

    return dict(FACTS_2020)


def _totals(task: tuple[int, dict[str, Any], int | None, dict[str, Any]]) -> dict[str, float]:
    """The six totals of one campaign run (module level: runs in pool and Dask workers)."""
    from ..api import simulate

    seed, values, days, overrides = task
    result = simulate(SCENARIO, seed, days, {**overrides, **values})
    return {k: float(result.summary[k]) for k in _targets()}


def _abc_model(parameter, *, names: dict[str, str], days: int | None, overrides: dict[str, Any]) -> dict[str, float]:
    """pyabc's model: parameters -> totals, on a seed from the fit pool (pyabc reseeds numpy per task)."""
    values = {}
    for short, key in names.items():
        value = float(parameter[short])
        values[key] = round(value) if UNCERTAINTIES[key].distribution == "integer" else value
    seed = int(FIT_SEEDS[np.random.randint(len(FIT_SEEDS))])
    return _totals((seed, values, days, overrides))


def noise_distance(x: dict, x0: dict, *, scales: dict[str, float]) -> float:
    """Root mean square of (simulated - observed) / scale over the totals."""
    return float(math.sqrt(sum(((x[k] - x0[k]) / s) ** 2 for k, s in scales.items()) / len(scales)))


def noise_scales(pilot: Sequence[dict[str, float]], targets: dict[str, float], rel: float) -> dict[str, float]:
    """Per total ``sqrt(sd_seed^2 + (rel*target)^2)``: seed noise plus the totals' own imprecision."""
    out = {}
    for key, target in targets.items():
        values = np.array([p[key] for p in pilot], dtype=float)
        sd = float(values.std(ddof=1)) if values.size > 1 else 0.0
        out[key] = math.sqrt(sd**2 + (rel * abs(target)) ** 2) or 1.0
    return out


def _prior(keys: Sequence[str]):
    import pyabc

    rvs = {}
    for i, key in enumerate(keys):
        u = UNCERTAINTIES[key]
        if u.distribution == "loguniform":
            rvs[f"p{i}"] = pyabc.RV("loguniform", u.low, u.high)
        elif u.distribution == "integer":
            rvs[f"p{i}"] = pyabc.RV("randint", int(u.low), int(u.high) + 1)
        else:
            rvs[f"p{i}"] = pyabc.RV("uniform", u.low, u.high - u.low)
    return pyabc.Distribution(**rvs)


def fit_posterior(
    settings: AbcSettings | None = None,
    workers: int = 2,
    backend: str = "local",
    scheduler: str | None = None,
) -> Posterior:
    """Run ABC-SMC on the experiments backend and return the weighted particles with provenance."""
    import pyabc

    from ..experiments.sweep import make_backend
    from ..scenarios import CALIBRATED
    from .calibrate import model_fingerprint
    from .runs import run_in_order

    settings = settings or AbcSettings()
    keys = uncertainty_keys(list(settings.keys) if settings.keys else None)
    targets = _targets()
    runner: dict[str, Any] = {"workers": workers, "backend": backend, "scheduler": scheduler}
    pilot = run_in_order(_totals, [(s, {}, settings.days, settings.overrides) for s in PILOT_SEEDS], **runner)
    scales = noise_scales(pilot, targets, RELATIVE_TOLERANCE)
    names = {f"p{i}": key for i, key in enumerate(keys)}
    model = functools.partial(_abc_model, names=names, days=settings.days, overrides=dict(settings.overrides))
    distance = functools.partial(noise_distance, scales=scales)
    logging.getLogger("ABC").setLevel(logging.WARNING)
    for name in ("ABC.Sampler", "ABC.History", "ABC.Epsilon", "ABC.Distance", "ABC.Population"):
        logging.getLogger(name).setLevel(logging.WARNING)
    np.random.seed(settings.seed)  # pyabc's own proposals use the global numpy stream
    with make_backend(backend, workers, scheduler) as engine, tempfile.TemporaryDirectory() as tmp:

        def map_(fn, items):
            return list(engine.map_unordered(fn, list(items)))

        abc = pyabc.ABCSMC(
            model,
            _prior(keys),
            distance,
            population_size=settings.population_size,
            sampler=pyabc.sampler.MappingSampler(map_=map_),
        )
        abc.new("sqlite:///" + os.path.join(tmp, "abc.db"), targets)
        history = abc.run(minimum_epsilon=settings.min_epsilon, max_nr_populations=settings.generations)
        frame, weights = history.get_distribution(m=0, t=history.max_t)
        populations = history.get_all_populations()
        per_population = history.get_nr_particles_per_population()
        total_simulations = int(history.total_nr_simulations)
    particles = frame.rename(columns=names)[keys].reset_index(drop=True)
    weights = np.asarray(weights, dtype=float)
    weights = weights / weights.sum()
    record: dict[str, Any] = {
        "format": FORMAT,
        "scenario": SCENARIO,
        "method": "ABC-SMC (pyabc.ABCSMC, MappingSampler on the experiments backend), noise-scaled RMS distance",
        "targets": targets,
        "priors": {k: {kk: v for kk, v in vars(UNCERTAINTIES[k]).items() if kk != "key"} for k in keys},
        "base_values": {k: v for k, v in CALIBRATED.items() if k not in keys},
        "overrides": dict(settings.overrides),
        "days": settings.days,
        "distance": {"relative_tolerance": RELATIVE_TOLERANCE, "scales": scales},
        "seeds": {
            "fit_pool": list(FIT_SEEDS),
            "pilot": list(PILOT_SEEDS),
            "abc_seed": settings.seed,
        },
        "population_size": settings.population_size,
        "generations": [
            {
                "t": int(row.t),
                "epsilon": float(row.epsilon),
                "particles": int(per_population.get(row.t, 0)),
                "simulations": int(row.samples),
            }
            for row in populations.itertuples()
            if row.t >= 0
        ],
        "min_epsilon": settings.min_epsilon,
        "total_simulations": total_simulations,
        "pyabc_version": pyabc.__version__,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "model_fingerprint": model_fingerprint(),
        "particles": particles.to_dict("records"),
        "weights": weights.tolist(),
    }
    posterior = Posterior(particles, weights, record)
    record["predictive"] = predictive_check(posterior, settings, **runner)
    return posterior


def predictive_check(
    posterior: Posterior,
    settings: AbcSettings,
    workers: int = 2,
    backend: str = "local",
    scheduler: str | None = None,
) -> dict[str, Any]:
    """The 2020 totals under posterior draws, each on a seed the fit never used."""
    from .runs import run_in_order

    draws = posterior.resample(settings.predictive_draws, settings.seed)
    seeds = [PREDICTIVE_SEED_BASE + i for i in range(len(draws))]
    tasks = [
        (s, row, settings.days, settings.overrides) for s, row in zip(seeds, draws.to_dict("records"), strict=True)
    ]
    runs = run_in_order(_totals, tasks, workers, backend, scheduler)
    totals = {}
    for key, target in _targets().items():
        values = np.array([r[key] for r in runs], dtype=float)
        low, high = (float(q) for q in np.quantile(values, [0.05, 0.95]))
        totals[key] = {
            "target": target,
            "mean": float(values.mean()),
            "q05": low,
            "q95": high,
            "relative_error": float((values.mean() - target) / target),
            "target_in_90": bool(low <= target <= high),
        }
    return {"seeds": seeds, "draws": len(draws), "totals": totals}


def write_posterior(posterior: Posterior, path: str | os.PathLike) -> Path:
    from ..io import atomic_write_text

    path = Path(path)
    atomic_write_text(path, json.dumps(posterior.record, indent=1, default=_jsonable) + "\n")
    return path


def _jsonable(value):
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def load_posterior(path: str | os.PathLike = POSTERIOR_FILE) -> Posterior:
    """Read a posterior file; a missing, malformed or foreign file is one ``ValueError``."""
    where = str(path)
    try:
        record = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ValueError(f"posterior file {where!r} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise ValueError(f"cannot read posterior file {where!r}: {' '.join(str(err).split())}") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise ValueError(f"{where!r} is not a posterior file (format {FORMAT!r})")
    particles, weights = record.get("particles"), record.get("weights")
    if not isinstance(particles, list) or not particles or not all(isinstance(p, dict) for p in particles):
        raise ValueError(f"posterior file {where!r} has no particles")
    frame = pd.DataFrame(particles)
    unknown = [k for k in frame.columns if k not in UNCERTAINTIES]
    if unknown:
        raise ValueError(f"posterior file {where!r} has particles for undeclared parameter {unknown[0]!r}")
    try:
        w = np.asarray(weights, dtype=float)
        values = frame.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"posterior file {where!r} holds non-numeric particles or weights") from None
    if w.shape != (len(frame),) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError(f"posterior file {where!r}: weights must be one non-negative number per particle")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"posterior file {where!r} holds non-finite particle values")
    return Posterior(frame, w / w.sum(), record)


def marginal_figure(posterior: Posterior, path: str | os.PathLike) -> Path:
    """Weighted marginal histograms of every fitted parameter over its prior range (PNG)."""
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..io import atomic_write_bytes

    keys = list(posterior.particles.columns)
    cols = min(3, len(keys))
    rows = math.ceil(len(keys) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 2.4 * rows), squeeze=False)
    for ax, key in zip(axes.ravel(), keys, strict=False):
        u = UNCERTAINTIES[key]
        log = u.distribution == "loguniform"
        edges = np.geomspace(u.low, u.high, 13) if log else np.linspace(u.low, u.high, 13)
        ax.hist(posterior.particles[key], bins=edges, weights=posterior.weights, color="#4477aa")
        ax.axhline(1 / 12, color="grey", lw=1, ls="--", label="prior")
        if log:
            ax.set_xscale("log")
            ticks = [u.low, math.sqrt(u.low * u.high), u.high]
            ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
            ax.set_xticks(ticks, [f"{t:.3g}" for t in ticks])
        ax.set_title(key, fontsize=9)
        ax.set_yticks([])
    for ax in axes.ravel()[len(keys) :]:
        ax.axis("off")
    fig.suptitle("Posterior marginals (ABC-SMC, 2020 totals); dashed: flat prior", fontsize=10)
    fig.tight_layout()
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    atomic_write_bytes(Path(path), buffer.getvalue())
    return Path(path)


def summary_table(posterior: Posterior) -> pd.DataFrame:
    """Weighted median and 5-95 % range of every parameter, beside its prior."""
    rows = []
    order = None
    for key in posterior.particles.columns:
        values = posterior.particles[key].to_numpy(dtype=float)
        order = np.argsort(values)
        cum = np.cumsum(posterior.weights[order])
        q = {name: float(values[order][np.searchsorted(cum, p * cum[-1])]) for name, p in QUANTILES.items()}
        u = UNCERTAINTIES[key]
        rows.append({"parameter": key, "prior": f"[{u.low:g}, {u.high:g}] {u.distribution}", **q})
    return pd.DataFrame(rows)


QUANTILES = {"q05": 0.05, "median": 0.5, "q95": 0.95}


REPORT_TAG = "siyi calibrate --posterior --report"
FIGURE_NAME = "posterior_marginals.png"


def posterior_markdown(posterior: Posterior, figure: str = f"img/{FIGURE_NAME}") -> str:
    """The generated part of docs/calibration.md: marginals, thresholds and the predictive check."""
    record = posterior.record
    table = summary_table(posterior)
    w = posterior.weights
    ess = float(1.0 / np.sum(w**2)) if len(w) else 0.0
    lines = [
        f"ABC-SMC ({record.get('pyabc_version', '?')}), {record.get('population_size')} particles, "
        f"{len(record.get('generations', []))} generations, {record.get('total_simulations')} simulations, "
        f"effective sample size {ess:.1f}; fitted {record.get('date', '?')[:10]}, model fingerprint "
        f"`{record.get('model_fingerprint', '?')}`.",
        "",
        f"![Marginal posteriors]({figure})",
        "",
        "| parameter | prior | 5 % | median | 95 % |",
        "|---|---|---|---|---|",
    ]
    for _, r in table.iterrows():
        lines.append(f"| `{r['parameter']}` | {r['prior']} | {r['q05']:.4g} | {r['median']:.4g} | {r['q95']:.4g} |")
    lines += ["", "| generation | threshold (noise-scaled RMS) | particles | simulations |", "|---|---|---|---|"]
    for g in record.get("generations", []):
        lines.append(f"| {g['t']} | {g['epsilon']:.3f} | {g['particles']} | {g['simulations']} |")
    predictive = record.get("predictive", {})
    if predictive:
        seeds = predictive.get("seeds", [])
        span = f"{seeds[0]}..{seeds[-1]}" if seeds else "?"
        lines += [
            "",
            f"Posterior predictive check: {predictive.get('draws')} posterior draws on seeds {span} "
            "(not used in the fit).",
            "",
            "| total | 2020 | predictive mean | 90 % range | inside |",
            "|---|---|---|---|---|",
        ]
        for key, t in predictive.get("totals", {}).items():
            lines.append(
                f"| `{key}` | {t['target']:,.0f} | {t['mean']:,.0f} | [{t['q05']:,.0f}, {t['q95']:,.0f}] | "
                f"{'yes' if t['target_in_90'] else 'no'} |"
            )
    return "\n".join(lines)
