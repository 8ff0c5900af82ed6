"""Trust and issue graphs evolve during the run and round-trip through GraphML."""

import networkx as nx
import numpy as np
from conftest import SMALL

from siyi_sim.model import SiyiModel
from siyi_sim.networks import TieTable, export_graphs
from siyi_sim.scenarios import scenario_config


def test_graphml_round_trip_at_any_day(tmp_path):
    model = SiyiModel(scenario_config("campaign_2020", SMALL), seed=3)
    for _ in range(140):  # mid-campaign: batch 1 closed, batch 2 running
        model.step()
    trust_path, issue_path = export_graphs(model, tmp_path)
    trust = nx.read_graphml(trust_path)
    issues = nx.read_graphml(issue_path)
    assert trust.number_of_nodes() == model.trust_graph.number_of_nodes()
    assert trust.number_of_edges() == model.trust_graph.number_of_edges() > 0
    for u, v, data in model.trust_graph.edges(data=True):
        assert abs(trust.edges[u, v]["trust"] - data["trust"]) < 1e-12
        assert trust.edges[u, v]["kind"] == data["kind"]
    assert issues.number_of_nodes() == model.issues.n
    assert issues.number_of_edges() == model.issues.graph.number_of_edges() > 0
    assert {d["status"] for _, d in issues.nodes(data=True)} >= {"latent", "resolved"}


def test_graphs_grow_during_the_run():
    model = SiyiModel(scenario_config("campaign_2020", SMALL), seed=3)
    sizes = []
    for day in range(365):
        model.step()
        if day in (100, 200, 364):
            sizes.append((model.trust_graph.number_of_edges(), model.issues.graph.number_of_nodes()))
    assert sizes[0][0] < sizes[1][0] < sizes[2][0]
    assert sizes[0][1] < sizes[1][1] < sizes[2][1]


def test_trust_graph_has_pairs_and_adversarial_flags(campaign_run):
    g = campaign_run.model.trust_graph
    kinds = {d["kind"] for _, _, d in g.edges(data=True)}
    assert kinds == {"tie", "pair"}
    assert any(d.get("adversarial") for _, _, d in g.edges(data=True))
    pair_edges = sum(1 for _, _, d in g.edges(data=True) if d["kind"] == "pair")
    hired = campaign_run.model.cadres.hired_day
    # a leaver's pair ties end with the career (model v2): count pairs whose cadres both still serve
    kept = sum(all(hired[c] < a.start_day for c in a.cadres) for a in campaign_run.model.placements)
    assert pair_edges == kept > 0.9 * campaign_run.summary["placements"]


def test_issue_graph_prerequisites_are_legacy_chains(campaign_run):
    g = campaign_run.model.issues.graph
    for u, v in g.edges:
        assert g.nodes[u]["legacy"] and g.nodes[v]["legacy"]
        assert (g.nodes[u]["type"], g.nodes[v]["type"]) in {("land_use", "eia"), ("eia", "discharge_permit")}
    assert nx.is_directed_acyclic_graph(g)


def test_best_tie_per_firm_is_the_strongest_live_one_and_the_latest_of_equals():
    ties = TieTable(decay_per_day=0.0)
    for cadre, firm, trust in [
        (0, 0, 0.4),
        (1, 0, 0.7),
        (2, 0, 0.7),
        (3, 1, 0.9),
        (4, 1, 0.2),
        (5, 2, 0.3),
        (6, 3, 0.5),
    ]:
        ties.get_or_add(cadre, firm, trust, day=0, batch=0, adversarial=False)
    ties.end(np.array([3, 6]))  # cadres 3 and 6 left: their ties end and name nobody
    best, who = ties.best_per_firm(day=5, n_firms=5)
    assert best.tolist() == [0.7, 0.2, 0.3, 0.0, 0.0]
    assert who.tolist() == [2, 4, 5, -1, -1]  # firm 0: two ties of 0.7, the later one; firm 4: no tie
