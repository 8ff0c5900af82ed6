"""Imported only by the local backend's fork server: one tiny simulation, so that pool workers
are born warm.

The model imports much of scipy and fills caches lazily on its first run (~1.7 s of CPU, more
than a whole default run); done once here, every forked worker inherits it instead of paying it.
Failures are ignored: a worker then just warms up on its first real run.
"""

try:
    from ..api import simulate

    simulate("campaign_2020", 0, 1, {"population.n_cadres": 20, "population.n_enterprises": 10})
except Exception:
    pass
