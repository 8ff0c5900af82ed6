"""Experiments at scale: sweeps with common random numbers, a resumable Parquet store, paired
comparisons against a baseline, adaptive replication, and local or Dask execution.

Why a runner of our own: Mesa's ``batch_run`` keeps everything in memory, cannot resume and is
gone in Mesa 4; none of the usual tools pair variants on common random numbers.

Quick start::

    from siyi_sim.experiments import load_plan, run_sweep, load_runs, paired_comparison
    plan = load_plan("experiments/smoke.toml")
    run_sweep(plan, "results/smoke", workers=2)
    table = paired_comparison(load_runs("results/smoke"), baseline="baseline")

One module per job: ``plan`` (TOML file), ``keys`` (run_key, seeds), ``specs`` (validated runs),
``execute`` (one run in a worker), ``store`` (Parquet folder, resume), ``manifest``,
``local``/``dask_backend`` (where runs execute; ``warm`` pre-warms pool workers), ``sweep``
(orchestration), ``adaptive``, ``compare``, ``progress``, ``dryrun``, ``commands`` (the
``siyi sweep``/``siyi compare``/``siyi check`` sub-commands), ``memory`` (will a run fit).
Tests run the store on a synthetic model with known answers (``tests/synthetic.py``). Guide: ``docs/experiments.md``.
"""

from .._lazy import lazy_exports

#: Public names and the module each lives in; imported on first use (PEP 562), so that
#: registering ``siyi sweep`` in the CLI does not import pandas, pyarrow or dask.
_EXPORTS: dict[str, str | None] = {
    "paired_ci": "compare",
    "paired_comparison": "compare",
    "Plan": "plan",
    "load_plan": "plan",
    "parse_plan": "plan",
    "RunSpec": "specs",
    "expand": "specs",
    "ResultStore": "store",
    "load_daily": "store",
    "load_runs": "store",
    "SweepReport": "sweep",
    "run_sweep": "sweep",
}


__getattr__ = lazy_exports(__name__, globals(), _EXPORTS)

__all__ = [
    "Plan",
    "ResultStore",
    "RunSpec",
    "SweepReport",
    "expand",
    "load_daily",
    "load_plan",
    "load_runs",
    "paired_ci",
    "paired_comparison",
    "parse_plan",
    "run_sweep",
]
