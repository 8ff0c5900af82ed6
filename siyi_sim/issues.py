"""Issues as a growable structure of arrays, mirrored into the prerequisite ``nx.DiGraph``.

Arrays are the hot path (daily vectorised work). The DiGraph holds the same issues as nodes with
prerequisite edges; it is brought up to date from the arrays when someone reads ``graph`` (an
export, the dashboard, a notebook), so a simulation that never looks at it pays nothing for it.
"""

from __future__ import annotations

from typing import Any, ClassVar

import networkx as nx
import numpy as np

from .catalog import ISSUE_TYPES, TYPE_DEPARTMENT

LATENT, DISCLOSED, IN_PROGRESS, RESOLVED = 0, 1, 2, 3
STATUS_NAMES = ("latent", "disclosed", "in_progress", "resolved")
CH_NONE, CH_SELF, CH_PLACEMENT, CH_FOLLOW_UP, CH_TIE = 0, 1, 2, 3, 4
CHANNEL_NAMES = ("none", "self", "placement", "follow_up", "tie")
PROGRAM_CHANNELS = (CH_PLACEMENT, CH_FOLLOW_UP, CH_TIE)
NO_DAY = -(10**9)

N_CHANNELS = len(CHANNEL_NAMES)


def distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values, as ``np.unique(values)``: a sort and a neighbour test, about 6x faster
    than ``np.unique`` (numpy 2.5) on the few hundred values of a day's backlog."""
    s = np.sort(values)
    first = np.empty(len(s), dtype=bool)
    first[:1] = True
    np.not_equal(s[1:], s[:-1], out=first[1:])
    return s[first]


class IssueStore:
    """All issues of a run; ``graph`` is the prerequisite DiGraph (node id = issue index).

    Columns are arrays of capacity ``>= n``; ``view(name)`` gives the first ``n`` rows.
    Give issues an owner through :meth:`set_owner` (it keeps the index :meth:`owned_open` reads);
    clearing ``owner_cadre`` to -1 directly is fine.
    """

    #: Column name -> dtype; the columns are declared below so a type checker sees them.
    FIELDS: ClassVar[dict[str, Any]] = {
        "firm": np.int64,
        "type": np.int16,
        "dept": np.int16,
        "effort_left": np.float64,
        "legacy": np.bool_,
        "sensitivity": np.float64,
        "prereq": np.int64,
        "status": np.int8,
        "day_created": np.int64,
        "day_disclosed": np.int64,
        "day_resolved": np.int64,
        "channel": np.int8,
        "owner_cadre": np.int64,
    }
    firm: np.ndarray
    type: np.ndarray
    dept: np.ndarray  # responsible department
    effort_left: np.ndarray  # cadre-days at full match
    legacy: np.ndarray
    sensitivity: np.ndarray  # trust an owner needs before telling it
    prereq: np.ndarray  # issue that must be resolved first, -1 if none
    status: np.ndarray  # LATENT, DISCLOSED, IN_PROGRESS, RESOLVED
    day_created: np.ndarray
    day_disclosed: np.ndarray
    day_resolved: np.ndarray
    channel: np.ndarray  # CH_*: how it was resolved (or routed: follow-up / tie)
    owner_cadre: np.ndarray  # follow-up / tie owner, -1 if none

    def __init__(self, capacity: int = 1024):
        self.n = 0
        self._cap = max(16, capacity)
        for name, dtype in self.FIELDS.items():
            setattr(self, name, np.zeros(self._cap, dtype=dtype))
        self._graph = nx.DiGraph()
        # Every issue given an owner and not yet seen resolved or released (ascending): a superset
        # of the owned open issues, so daily backlog work costs the backlog, not the whole store.
        self._owned = np.empty(0, dtype=np.int64)
        self._of_firm: dict[int, list[int]] = {}  # firm -> its issues, ascending (issues never move)

    @property
    def graph(self) -> nx.DiGraph:
        """The prerequisite DiGraph (node = issue index, edge prerequisite -> issue), synced now.

        Node attributes: ``type``, ``firm``, ``legacy``, ``day_created``, ``status``, and for resolved
        issues ``day_resolved`` and ``channel``. The same object is returned on every read.
        """
        g = self._graph
        old = g.number_of_nodes()
        if self.n > old:
            idx = np.arange(old, self.n)
            g.add_nodes_from(
                (i, {"type": ISSUE_TYPES[t].name, "firm": f, "legacy": lg, "day_created": d})
                for i, t, f, lg, d in zip(
                    idx.tolist(),
                    self.type[idx].tolist(),
                    self.firm[idx].tolist(),
                    self.legacy[idx].tolist(),
                    self.day_created[idx].tolist(),
                    strict=True,
                )
            )
            has_prereq = self.prereq[idx] >= 0
            g.add_edges_from(zip(self.prereq[idx][has_prereq].tolist(), idx[has_prereq].tolist(), strict=True))
        nodes = g.nodes
        for i, st, day, ch in zip(
            range(self.n),
            self.view("status").tolist(),
            self.view("day_resolved").tolist(),
            self.view("channel").tolist(),
            strict=True,
        ):
            node = nodes[i]
            node["status"] = STATUS_NAMES[st]
            if st == RESOLVED:
                node["day_resolved"] = day
                node["channel"] = CHANNEL_NAMES[ch]
        return g

    def _grow(self, need: int) -> None:
        cap = self._cap
        while cap < need:
            cap *= 2
        for name in self.FIELDS:
            old = getattr(self, name)
            new = np.zeros(cap, dtype=old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)
        self._cap = cap

    def add(self, firm, itype, effort, legacy, sensitivity, day, prereq=None, status=LATENT) -> np.ndarray:
        """Append issues (array-like arguments of equal length); return their indices."""
        firm = np.atleast_1d(np.asarray(firm, dtype=np.int64))
        k = len(firm)
        if k == 0:
            return np.empty(0, dtype=np.int64)
        if self.n + k > self._cap:
            self._grow(self.n + k)
        new = slice(self.n, self.n + k)  # the appended rows (a slice writes faster than an index array)
        itype = np.asarray(itype, dtype=np.int16)  # one type for all, or one per issue
        self.firm[new] = firm
        self.type[new] = itype
        self.dept[new] = TYPE_DEPARTMENT[itype]
        self.effort_left[new] = effort
        self.legacy[new] = legacy
        self.sensitivity[new] = sensitivity
        self.prereq[new] = -1 if prereq is None else prereq
        self.status[new] = status
        self.day_created[new] = day
        self.day_disclosed[new] = NO_DAY
        self.day_resolved[new] = NO_DAY
        self.channel[new] = CH_NONE
        self.owner_cadre[new] = -1
        of_firm = self._of_firm
        for i, f in enumerate(firm.tolist(), start=self.n):
            of_firm.setdefault(f, []).append(i)
        self.n += k
        return np.arange(new.start, new.stop)

    def set_owner(self, idx: np.ndarray, owners: np.ndarray | int) -> None:
        """Issues ``idx`` get the cadres ``owners`` as owners (follow-up or tie backlog)."""
        self.owner_cadre[idx] = owners
        self._owned = distinct(np.concatenate((self._owned, np.asarray(idx, dtype=np.int64).ravel())))

    def owned_open(self) -> np.ndarray:
        """Disclosed, unresolved issues with an owner, ascending (a backlog): the same as a scan of
        ``owner_cadre >= 0`` and status disclosed or in progress, at the cost of the backlog."""
        cand = self._owned
        status = self.status[cand]
        cand = self._owned = cand[(self.owner_cadre[cand] >= 0) & (status < RESOLVED)]
        return cand[self.status[cand] >= DISCLOSED]

    def open_of_firm(self, firm: int) -> np.ndarray:
        """The firm's unresolved issues, ascending: a scan of the firm's own issues, not the store."""
        mine = np.array(self._of_firm.get(firm, ()), dtype=np.int64)
        return mine[self.status[mine] < RESOLVED]

    def view(self, name: str) -> np.ndarray:
        return getattr(self, name)[: self.n]

    def workable(self, idx: np.ndarray) -> np.ndarray:
        """True where every prerequisite of the issue is resolved."""
        p = self.prereq[idx]
        # status[-1] (no prerequisite) is read but masked by ``p < 0``: one gather, no subsetting.
        return (p < 0) | (self.status[p] == RESOLVED)

    def disclose(self, idx: np.ndarray, day: int) -> np.ndarray:
        """Mark latent issues disclosed on ``day``; return those newly disclosed."""
        idx = idx[self.status[idx] == LATENT]
        self.status[idx] = DISCLOSED
        self.day_disclosed[idx] = day
        return idx

    def start(self, idx: np.ndarray) -> None:
        idx = idx[self.status[idx] == DISCLOSED]
        self.status[idx] = IN_PROGRESS

    def resolve(self, idx: np.ndarray, day: int, channel: int) -> np.ndarray:
        """Mark issues resolved through ``channel``; return those newly resolved."""
        status = self.status[idx]
        if (status == LATENT).any():
            raise AssertionError("an issue must be disclosed before it is resolved")
        idx = idx[status != RESOLVED]
        self.status[idx] = RESOLVED
        self.day_resolved[idx] = day
        self.channel[idx] = channel
        self.effort_left[idx] = 0.0
        return idx
