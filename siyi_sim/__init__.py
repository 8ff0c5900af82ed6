"""siyi_sim: an agent-based model of the "Four Helps, One Experience" (四帮一体验) program.

Quick start::

    import siyi_sim
    summary = siyi_sim.run("campaign_2020", seed=1)
    result = siyi_sim.simulate("baseline", seed=1)   # summary, daily series, model

Names are imported lazily (PEP 562) so that ``siyi scenarios`` or ``siyi --help`` do not pay for
importing Mesa and pandas.
"""

from importlib import import_module

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


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'siyi_sim' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
