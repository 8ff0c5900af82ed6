"""Interactive dashboard: watch and steer a run in the browser (Solara).

``siyi dashboard`` serves :mod:`siyi_sim.dashboard.app`. The model-facing logic lives in
:mod:`.session` (plain Python, testable without a browser), the ECharts chart options in :mod:`.charts`, the
Solara components in :mod:`.app` and the launcher in :mod:`.server`.
"""
