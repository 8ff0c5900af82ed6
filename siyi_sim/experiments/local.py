"""The embedded default backend: this machine's cores, no server.

``workers = 1`` runs in the sweep process itself (no start-up, no pickling: the honest 1-core
baseline). ``workers = N > 1`` runs N pool processes while the sweep process only hands out runs
and stores results: measured on 2 cores, 64 runs took 29.6 s this way against 34.4 s when the
sweep process also ran models (its own result I/O then delayed refilling the pool), against
54.7 s with one worker. On Linux pool workers come from a ``forkserver`` that imported siyi_sim
once and ran one tiny simulation (``warm``: the model's lazy imports cost more than a whole run).
Plain ``fork`` is unsafe because numpy and pyarrow have already started threads in this process,
and ``spawn`` would re-import everything in every worker. The pool always has ``2 x N`` runs
queued, so a worker never waits; memory stays flat for sweeps of any length and an interrupted
sweep loses at most the queued runs' work.

No process outlives its sweep, whatever ends the sweep (``kill -9`` included). Each worker holds
the read end of a "lifeline" pipe whose only write end is in the sweep process; a thread in the
worker waits on it and ends the worker when it closes, which the kernel does the moment the
sweep dies. (A parent-death signal would not do: a worker's parent is the fork server, and the
fork server itself lives until its last worker has gone.) With the workers gone, the fork server
and the resource tracker see their own pipes close and exit, so nothing keeps the sweep's stdout
open. When the sweep stops on an error, Ctrl+C or SIGTERM, running workers are terminated
instead of being waited for.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

_END = object()


class LocalBackend:
    name = "local"

    def __init__(self, workers: int = 1):
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"invalid --workers {workers!r}: must be a positive integer")
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._lifeline: tuple[Any, Any] | None = None

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, "workers": self.workers}

    def __enter__(self) -> LocalBackend:
        if self.workers > 1:
            warm_up()
            ctx = _context()
            self._lifeline = ctx.Pipe(duplex=False)  # (read end for the workers, write end kept here)
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=ctx,
                initializer=follow_sweep,
                initargs=(self._lifeline[0],),
            )
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            if exc_type is not None:  # failed or interrupted: do not wait for the runs in progress
                _terminate_workers(pool)
            pool.shutdown(wait=True, cancel_futures=True)
        if self._lifeline is not None:
            for end in self._lifeline:
                end.close()
            self._lifeline = None

    def map_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """Yield ``fn(item)`` for every item as each finishes; the first error stops the rest."""
        todo = iter(items)
        if self._pool is None:
            for item in todo:
                yield fn(item)
            return
        pending: set[Future] = set()
        try:
            while True:
                while len(pending) < 2 * self.workers:  # keep every worker busy
                    item = next(todo, _END)
                    if item is _END:
                        break
                    pending.add(self._pool.submit(fn, item))
                if not pending:
                    return
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        finally:
            for future in pending:
                future.cancel()


def _terminate_workers(pool: ProcessPoolExecutor) -> None:
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.terminate()


def follow_sweep(lifeline) -> None:
    """Pool-worker initializer: end this worker as soon as the sweep's end of ``lifeline`` closes.

    Ctrl+C is left to the sweep process, which terminates its workers itself; a worker that
    also caught it would print a traceback of its own.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def wait_for_sweep_end() -> None:
        with contextlib.suppress(EOFError, OSError):
            lifeline.recv_bytes()  # nothing is ever sent: this returns only by EOF
        os._exit(1)

    threading.Thread(target=wait_for_sweep_end, name="siyi-lifeline", daemon=True).start()


def _context():
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(
            ["siyi_sim", "siyi_sim.experiments.execute", "siyi_sim.experiments.local", "siyi_sim.experiments.warm"]
        )
        return ctx
    return multiprocessing.get_context("spawn")


ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def warm_up() -> None:
    """Start the fork server now (it imports the model in the background).

    Its numpy is told to use one BLAS thread, as Dask does for its workers: N worker processes
    with N BLAS threads each would fight over N cores.
    """
    ctx = _context()
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        saved = {k: os.environ.get(k) for k in ONE_THREAD}
        os.environ.update(ONE_THREAD)
        try:
            forkserver.ensure_running()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
