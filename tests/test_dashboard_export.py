"""The dashboard's export buttons: the current run's summary (CSV, JSON), daily series and trust graph."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pandas as pd
import pytest

pytest.importorskip("solara")

from siyi_sim.dashboard.export import EXPORTS, export_bytes, run_export
from siyi_sim.dashboard.session import Session

TINY = {"population.n_cadres": 200, "population.n_enterprises": 400, "campaign.first_batch_day": 3}


@pytest.fixture(scope="module")
def session() -> Session:
    session = Session.compare("campaign_2020", "baseline", seed=3, fixed=TINY)
    session.step(40)
    return session


def test_summary_exports_describe_the_run_on_screen(session):
    run = session.runs[0]
    summary = json.loads(export_bytes(session, 0, "summary.json"))
    assert (summary["scenario"], summary["seed"], summary["day"]) == ("campaign_2020", 3, 40)
    assert summary["summary"] == json.loads(json.dumps(dict(run.model.summary()) | {"day": 40}))
    rows = dict(csv.reader(io.StringIO(export_bytes(session, 0, "summary.csv").decode())))
    assert rows.pop("key") == "value"
    assert set(rows) == set(summary["summary"])
    assert float(rows["issues_resolved_total"]) == summary["summary"]["issues_resolved_total"] > 0


def test_daily_export_holds_every_day_so_far(session):
    daily = pd.read_csv(io.BytesIO(export_bytes(session, 1, "daily.csv")))
    assert len(daily) == 40
    assert list(daily.columns[1:]) == list(session.runs[1].model.daily_frame().columns)


def test_trust_graph_export_is_graphml_with_the_placed_ties(session):
    graph = nx.read_graphml(io.BytesIO(export_bytes(session, 0, "trust_graph.graphml")))
    baseline = nx.read_graphml(io.BytesIO(export_bytes(session, 1, "trust_graph.graphml")))
    assert graph.number_of_edges() > baseline.number_of_edges()  # campaign cadres have met firms


def test_every_listed_export_exists_and_unknown_ones_are_refused(session):
    for what, _ in EXPORTS:
        assert run_export(session.runs[0], what)
    with pytest.raises(ValueError, match=r"unknown export 'x\.pdf'"):
        run_export(session.runs[0], "x.pdf")
