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

from .._lazy import lazy_exports

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


__getattr__ = lazy_exports(__name__, globals(), _EXPORTS)
