"""The trust network: a table of cadre–firm ties (hot path) mirrored in an ``nx.Graph``.

Tie trust decays lazily: a tie stores the trust at its last contact, and its current value is
``trust * (1 - decay) ** (day - last_contact)``; a contact refreshes it. So idle ties cost nothing
per day. The ``nx.Graph`` gains a node per agent at start and an edge per tie or pair when they
form; :func:`sync_trust_graph` writes current trust onto its edges (done before any export).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

import networkx as nx
import numpy as np

from .io import atomic_write


def cadre_node(i: int) -> str:
    return f"c{i}"


def firm_node(j: int) -> str:
    return f"f{j}"


class TieTable:
    """Cadre–enterprise ties as growable arrays; ``index[(cadre, firm)]`` gives the row."""

    #: Column name -> dtype; the columns are declared below so a type checker sees them.
    FIELDS: ClassVar[dict[str, Any]] = {
        "cadre": np.int64,
        "firm": np.int64,
        "trust": np.float64,
        "last_contact": np.int64,
        "formed_day": np.int64,
        "batch": np.int64,
        "adversarial": np.bool_,
        "ended": np.bool_,
    }
    cadre: np.ndarray
    firm: np.ndarray
    trust: np.ndarray  # trust at the last contact (decays lazily from there)
    last_contact: np.ndarray
    formed_day: np.ndarray
    batch: np.ndarray  # batch of the placement that formed it (negative: normalised month)
    adversarial: np.ndarray  # the firm was fined by the cadre's office
    ended: np.ndarray  # the cadre left (trust 0, no edge in the graph)

    def __init__(self, decay_per_day: float, capacity: int = 256):
        self.n = 0
        self._cap = capacity
        self.decay = decay_per_day
        for name, dtype in self.FIELDS.items():
            setattr(self, name, np.zeros(capacity, dtype=dtype))
        self.index: dict[tuple[int, int], int] = {}

    def _grow(self) -> None:
        self._cap *= 2
        for name in self.FIELDS:
            old = getattr(self, name)
            new = np.zeros(self._cap, dtype=old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)

    def get_or_add(
        self, cadre: int, firm: int, trust0: float, day: int, batch: int, adversarial: bool
    ) -> tuple[int, bool]:
        """Row of the (cadre, firm) tie, creating it with ``trust0``; second value: created?"""
        key = (cadre, firm)
        row = self.index.get(key)
        if row is not None:
            return row, False
        if self.n == self._cap:
            self._grow()
        row = self.n
        self.cadre[row], self.firm[row], self.trust[row] = cadre, firm, trust0
        self.last_contact[row], self.formed_day[row], self.batch[row], self.adversarial[row] = (
            day,
            day,
            batch,
            adversarial,
        )
        self.index[key] = row
        self.n += 1
        return row, True

    def current(self, day: int, rows: np.ndarray | None = None) -> np.ndarray:
        """Trust of the ties on ``day`` after decay since their last contact (all ties if ``rows`` is None)."""
        pick = slice(0, self.n) if rows is None else rows  # a slice is a view: no gather for all ties
        idle = np.maximum(day - self.last_contact[pick], 0)
        return self.trust[pick] * (1.0 - self.decay) ** idle

    def touch(self, rows: np.ndarray, day: int, refresh: float) -> None:
        """A contact: bring trust up to date, add ``refresh*(1-t)``, restart the decay clock."""
        t = self.current(day, rows)
        self.trust[rows] = t + refresh * (1.0 - t)
        self.last_contact[rows] = day

    def set_trust(self, rows: np.ndarray, values: np.ndarray, day: int) -> None:
        self.trust[rows] = np.clip(values, 0.0, 1.0)
        self.last_contact[rows] = day

    def end(self, cadres: np.ndarray) -> np.ndarray:
        """End every tie of ``cadres`` (they left): trust 0, and the (cadre, firm) key is freed so a
        successor in the same slot starts afresh. Returns the ended rows."""
        rows = np.flatnonzero(np.isin(self.cadre[: self.n], cadres))
        self.trust[rows] = 0.0
        self.ended[rows] = True
        for row in rows.tolist():
            self.index.pop((int(self.cadre[row]), int(self.firm[row])), None)
        return rows

    def best_per_firm(self, day: int, n_firms: int) -> tuple[np.ndarray, np.ndarray]:
        """(max current tie trust per firm, cadre of that tie or -1)."""
        best = np.zeros(n_firms)
        who = np.full(n_firms, -1, dtype=np.int64)
        if self.n:
            live = np.flatnonzero(~self.ended[: self.n])  # a leaver's ties name nobody
            t, firms = self.current(day)[live], self.firm[live]
            np.maximum.at(best, firms, t)
            top = t == best[firms]  # a firm's best ties; of equals the latest (last write wins)
            who[firms[top]] = self.cadre[live[top]]
        return best, who

    @property
    def n_live(self) -> int:
        """Ties that exist now (those of cadres who left have ended)."""
        return self.n - int(np.count_nonzero(self.ended[: self.n]))


def build_colleague_graph(dept: np.ndarray, degree: int, rewire: float, rng: np.random.Generator) -> nx.Graph:
    """Who talks to whom at work: a small-world graph inside each department (Watts-Strogatz:
    ``degree`` close colleagues, a share ``rewire`` of them outside the own section); nodes are
    cadre ids, a department smaller than ``degree + 1`` is one clique."""
    g = nx.Graph()
    g.add_nodes_from(range(len(dept)))
    for d in np.unique(dept).tolist():
        members = np.flatnonzero(dept == d)
        rng.shuffle(members)
        m = len(members)
        if m <= degree + 1:
            local: Iterable[tuple[int, int]] = itertools.combinations(range(m), 2)  # nx.complete_graph(m).edges()
        else:
            local = nx.watts_strogatz_graph(m, degree, rewire, seed=int(rng.integers(2**31))).edges()
        ids = members.tolist()
        g.add_edges_from((ids[a], ids[b]) for a, b in local)
    return g


def rewire_colleague(g: nx.Graph, cadre: int, new_colleagues: np.ndarray) -> None:
    """A transfer: the cadre leaves the old department's colleagues and joins ``new_colleagues``."""
    g.remove_edges_from([(cadre, other) for other in g.adj[cadre]])  # = list(g.edges(cadre)), cheaper
    g.add_edges_from((cadre, c) for c in np.asarray(new_colleagues).tolist() if c != cadre)


def edge_array(g: nx.Graph) -> np.ndarray:
    """The graph's edges as an (m, 2) int array (for vectorised sums over colleagues)."""
    flat = np.fromiter(itertools.chain.from_iterable(g.edges()), dtype=np.int64, count=2 * g.number_of_edges())
    return flat.reshape(-1, 2)


def colleague_mean(edges: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean of ``values`` over each node's neighbours along ``edges`` (an (m, 2) array), and
    which nodes have any: the product with the row-normalised adjacency matrix, as two bincounts."""
    n = len(values)
    u, v = edges[:, 0], edges[:, 1]
    total = np.bincount(u, values[v], n) + np.bincount(v, values[u], n)
    degree = np.bincount(u, minlength=n) + np.bincount(v, minlength=n)
    has = degree > 0
    return np.divide(total, degree, out=np.zeros(n), where=has), has


def build_trust_graph(cadre_departments: list[str], firm_sectors: np.ndarray) -> nx.Graph:
    """A node per cadre (kind, department) and per firm (kind, sector), no edges yet.

    Nodes are added by kind with the shared attribute, then the own one is set: networkx takes
    ``(node, attrs)`` pairs through a slow path, and this runs in every model's set-up.
    """
    g = nx.Graph()
    cadres = [cadre_node(i) for i in range(len(cadre_departments))]
    firms = [firm_node(j) for j in range(len(firm_sectors))]
    g.add_nodes_from(cadres, kind="cadre")
    g.add_nodes_from(firms, kind="enterprise")
    attrs = g.nodes
    for node, department in zip(cadres, cadre_departments, strict=True):
        attrs[node]["department"] = department
    for node, sector in zip(firms, np.asarray(firm_sectors).tolist(), strict=True):
        attrs[node]["sector"] = int(sector)
    return g


def sync_trust_graph(model) -> nx.Graph:
    """Write each tie's current (decayed) trust onto the graph's edges; return the graph."""
    ties, g = model.ties, model.trust_graph
    if ties.n:
        t = ties.current(model.day)
        live = np.flatnonzero(~ties.ended[: ties.n])
        for row, cadre, firm, last in zip(
            live.tolist(),
            ties.cadre[live].tolist(),
            ties.firm[live].tolist(),
            ties.last_contact[live].tolist(),
            strict=True,
        ):
            edge = g.edges[cadre_node(cadre), firm_node(firm)]
            edge["trust"] = float(t[row])
            edge["last_contact"] = last
    g.graph["day"] = model.day
    return g


def write_graphml_atomic(graph: nx.Graph, path: str | os.PathLike) -> None:
    """GraphML through :func:`siyi_sim.io.atomic_write`, so a crash leaves nothing half written."""
    atomic_write(path, lambda tmp: nx.write_graphml(graph, tmp))


def export_graphs(model, directory: str | os.PathLike) -> tuple[Path, Path]:
    """Write ``trust_graph.graphml`` and ``issue_graph.graphml`` for the model's current day."""
    directory = Path(directory)
    trust = directory / "trust_graph.graphml"
    issues = directory / "issue_graph.graphml"
    write_graphml_atomic(sync_trust_graph(model), trust)
    model.issues.graph.graph["day"] = model.day
    write_graphml_atomic(model.issues.graph, issues)
    return trust, issues
