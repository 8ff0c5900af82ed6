"""Analysis of sweep results: figures, the HTML policy brief, and sensitivity analysis.

Layering: reads what ``siyi_sim.experiments`` stores (``load_runs``, ``paired_comparison``) and
replays single runs through ``siyi_sim.api``; never imports the CLI.

Quick start::

    from siyi_sim.analysis import open_results, figures, write_brief
    results = open_results("results/smoke")
    fig = figures.clear_close_quadrant(results.runs)
    write_brief("results/smoke", "briefs/smoke")      # briefs/smoke/brief.html

Modules: ``style`` (one look), ``figures`` (each returns a Figure), ``results`` (open a results
directory, replay a run), ``brief`` (HTML), ``sensitivity`` (SALib Morris/Sobol on the sweep
runner), ``commands`` (``siyi brief`` / ``siyi sensitivity``).
"""

from importlib import import_module

#: Public names and their modules, imported on first use (PEP 562): registering ``siyi brief``
#: in the CLI must not import matplotlib and pandas.
_EXPORTS = {
    "Results": "results",
    "check_replay": "results",
    "open_results": "results",
    "replay": "results",
    "write_brief": "brief",
    "run_sensitivity": "sensitivity",
    "figures": None,
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'siyi_sim.analysis' has no attribute {name!r}")
    module = _EXPORTS[name]
    value = import_module(f".{name}", __name__) if module is None else getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
