"""What the dashboard's export buttons download: the current run as files a reader can reuse.

The summary (CSV and JSON, with scenario, seed, day and overrides), the daily series (CSV) and
the cadre–firm trust graph (GraphML, as ``siyi run --out`` writes it), all taken from the live
model under the session's lock, so they describe exactly the day on screen.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from typing import Any

from .session import Run, Session

#: (file suffix, MIME type) of every export, in button order.
EXPORTS: tuple[tuple[str, str], ...] = (
    ("summary.csv", "text/csv"),
    ("summary.json", "application/json"),
    ("daily.csv", "text/csv"),
    ("trust_graph.graphml", "application/xml"),
)


def _summary(run: Run) -> dict[str, Any]:
    summary = dict(run.model.summary())
    summary["day"] = run.day
    return summary


def _json_safe(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def run_export(run: Run, what: str) -> bytes:
    """The bytes of export ``what`` (one of :data:`EXPORTS`' suffixes) for ``run`` as it stands."""
    if what == "summary.csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["key", "value"])
        for key, value in _summary(run).items():
            writer.writerow([key, _json_safe(value)])
        return out.getvalue().encode("utf-8")
    if what == "summary.json":
        record = {
            "scenario": run.scenario,
            "seed": run.seed,
            "day": run.day,
            "horizon_days": run.horizon,
            "overrides": run.overrides,
            "summary": {key: _json_safe(value) for key, value in _summary(run).items()},
        }
        return (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    if what == "daily.csv":
        return run.model.daily_frame().to_csv(index_label="day_index").encode("utf-8")
    if what == "trust_graph.graphml":
        import networkx as nx

        from ..networks import sync_trust_graph

        return ("\n".join(nx.generate_graphml(sync_trust_graph(run.model))) + "\n").encode("utf-8")
    raise ValueError(f"unknown export {what!r} (known: {', '.join(name for name, _ in EXPORTS)})")


def export_bytes(session: Session, index: int, what: str) -> bytes:
    """Export ``what`` of the session's run ``index``, taken while no step is in progress."""
    with session.lock:
        return run_export(session.runs[index], what)


def export_data_url(session: Session, index: int, what: str, mime: str) -> tuple[str, str]:
    """(file name, ``data:`` URL) of export ``what`` for the session's run ``index``, for a download link."""
    with session.lock:
        run = session.runs[index]
        data, name = run_export(run, what), f"{run.scenario}_seed{run.seed}_day{run.day}_{what}"
    return name, f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
