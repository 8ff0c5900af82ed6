"""siyi_sim: an agent-based model of the "Four Helps, One Experience" (四帮一体验) program.

Quick start::

    import siyi_sim
    summary = siyi_sim.run("campaign_2020", seed=1)
    result = siyi_sim.simulate("baseline", seed=1)   # summary, daily series, model

Names are imported lazily (PEP 562) so that ``siyi scenarios`` or ``siyi --help`` do not pay for
importing Mesa and pandas.
"""

from ._lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    "run": "api",
    "simulate": "api",
    "RunResult": "api",
    "Config": "config",
    "parameter_table": "config",
    "SUMMARY_KEYS": "metrics",
    "SCENARIOS": "scenarios",
    "scenario_config": "scenarios",
}

__all__ = [*_EXPORTS, "__version__"]
__getattr__ = lazy_exports(__name__, globals(), _EXPORTS)


def __dir__():
    return sorted(__all__)
