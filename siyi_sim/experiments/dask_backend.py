"""Dask distributed backend: a LocalCluster, or a running scheduler with workers anywhere.

Workers only compute and send results back; the client (this process) writes the store, so
workers need the same siyi_sim version but no shared disk. Runs are independent and seeded, so
results do not depend on which worker ran what. Connection problems become one-line errors
within ``connect_timeout`` seconds, before anything is written.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any


def _worker_version() -> str:
    import siyi_sim

    return siyi_sim.__version__


def _close_half_built_client(err: BaseException, client_class: Any) -> None:
    """Close the client a failed ``Client(...)`` left behind, while its event loop still runs.

    Left alone, it is closed only at interpreter exit, when its loop is gone: ten seconds of
    waiting and an "Exception ignored in Client.__del__" traceback after our one-line error.
    """
    tb = err.__traceback__
    while tb is not None:
        half_built = tb.tb_frame.f_locals.get("self")
        if isinstance(half_built, client_class):
            with contextlib.suppress(Exception):  # a client that never connected: nothing to save
                half_built.close(timeout=2)
            return
        tb = tb.tb_next


class DaskBackend:
    name = "dask"

    def __init__(
        self,
        workers: int = 1,
        scheduler: str | None = None,
        connect_timeout: float = 5.0,
        worker_wait: float = 30.0,
        check_package: bool = True,
    ):
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"invalid --workers {workers!r}: must be a positive integer")
        self.workers = workers
        self.scheduler = scheduler
        self.connect_timeout = connect_timeout
        self.worker_wait = worker_wait
        self.check_package = check_package
        self.client: Any = None  # distributed.Client once entered
        self._cluster: Any = None  # distributed.LocalCluster when no scheduler was given

    def describe(self) -> dict[str, Any]:
        info: dict[str, Any] = {"backend": self.name, "scheduler": self.scheduler or "LocalCluster"}
        if self.client is not None:
            info["workers"] = len(self.client.nthreads())
        else:
            info["workers"] = self.workers
        return info

    def __enter__(self) -> DaskBackend:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ValueError(
                "--backend dask needs dask[distributed]; install it with `pip install 'dask[distributed]'`"
            ) from None
        if self.scheduler:
            self.client = self._connect(Client)
        else:
            self._cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self.client = Client(self._cluster, set_as_default=False)
        return self

    def _connect(self, Client):
        address = self.scheduler
        try:
            client = Client(address, timeout=self.connect_timeout, set_as_default=False)
        except Exception as err:  # distributed raises OSError, TimeoutError or ValueError here
            _close_half_built_client(err, Client)
            detail = " ".join(str(err).split()) or err.__class__.__name__
            raise ValueError(
                f"cannot reach Dask scheduler {address!r} within {self.connect_timeout:g} s: {detail[:200]}"
            ) from None
        try:
            client.wait_for_workers(1, timeout=self.worker_wait)
        except Exception:
            client.close()
            raise ValueError(
                f"Dask scheduler {address!r} has no workers (waited {self.worker_wait:g} s); "
                f"start some with `dask worker {address}`"
            ) from None
        if self.check_package:
            import siyi_sim

            try:
                versions = client.run(_worker_version)
            except Exception as err:
                client.close()
                raise ValueError(
                    f"Dask workers at {address!r} cannot import siyi_sim ({' '.join(str(err).split())[:200]}); "
                    "install it on every worker"
                ) from None
            wrong = {w: v for w, v in versions.items() if v != siyi_sim.__version__}
            if wrong:
                client.close()
                worker, version = next(iter(wrong.items()))
                raise ValueError(
                    f"Dask worker {worker} has siyi_sim {version}, this client {siyi_sim.__version__}; "
                    "install the same version everywhere"
                )
        return client

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def map_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        from distributed import as_completed

        todo = iter(items)
        first = []
        window, checked = self._window(), time.monotonic()
        for item in todo:
            first.append(self._submit(fn, item))
            if len(first) >= window:
                break
        if not first:
            return
        queue = as_completed(first, loop=self.client.loop)
        in_flight = len(first)
        try:
            for future in queue:
                result = future.result()
                future.release()
                in_flight -= 1
                if time.monotonic() - checked > 5:  # workers may join (e.g. Slurm jobs starting)
                    window, checked = self._window(), time.monotonic()
                while in_flight < window:
                    nxt = next(todo, None)
                    if nxt is None:
                        break
                    queue.add(self._submit(fn, nxt))
                    in_flight += 1
                yield result
        finally:
            remaining = list(queue.futures) if hasattr(queue, "futures") else []
            if remaining:
                self.client.cancel(remaining)

    def _window(self) -> int:
        """Two runs in flight per worker thread: no idle worker, bounded memory."""
        return max(4, 2 * (sum(self.client.nthreads().values()) or self.workers))

    def _submit(self, fn, item):
        key = getattr(item, "run_key", None)
        return self.client.submit(fn, item, pure=False, key=f"siyi-run-{key}" if key else None)
