"""Many independent runs for calibration and validation, on the experiments runner.

Calibration and validation need results *in task order* (the fit pairs each summary with its
candidate; validation splits runs by arm), while the runner hands them back as they finish. This
adapter tags every task with its position and sorts the results back, so both get the local
process pool (forkserver, one BLAS thread per worker) and Dask from ``experiments.make_backend``
without a pool of their own. Runs are seeded, so which worker ran what never changes a number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


def _indexed(item: tuple[int, Callable[[Any], Any], Any]) -> tuple[int, Any]:
    index, fn, task = item
    return index, fn(task)


def run_in_order(
    fn: Callable[[Any], Any],
    tasks: Sequence[Any],
    workers: int = 1,
    backend: str = "local",
    scheduler: str | None = None,
) -> list[Any]:
    """``[fn(t) for t in tasks]``, run on ``backend`` with ``workers``; ``fn`` must be a module-level function."""
    from ..experiments.sweep import make_backend

    if not tasks:
        return []
    if backend == "local":
        workers = min(workers, len(tasks)) if isinstance(workers, int) and not isinstance(workers, bool) else workers
    results: list[Any] = [None] * len(tasks)
    with make_backend(backend, workers, scheduler) as engine:
        for index, value in engine.map_unordered(_indexed, ((i, fn, t) for i, t in enumerate(tasks))):
            results[index] = value
    return results
