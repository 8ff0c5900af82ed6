"""Trust submodel: the formulas of edge trust and the owner's general trust, and the only
writer of ties, the trust graph and the owner's general trust.

Each day present:  t += alpha*(1-t)*(1 + line_bonus*on_line)
Each issue solved: t += beta*(1-t); in a placement beta is scaled by w = the cadre's share of
                   the work relative to the partner who did most (1 for that one), times
                   (1 + adversarial_help_bonus) on a tie with enforcement history (help from
                   the office that fined you surprises), capped at 1. Follow-up and tie
                   resolutions bump the owner cadre's tie with plain beta.
Each absent day:   t -= gamma*t
A contact:         t += contact_refresh*(1-t) (follow-up day, first call, meeting invitation)
New edge:          t0 = g, or g*(1-adversarial_penalty) after enforcement ("cat and mouse")
After placement:   g += kappa*(max_edge_t - g)
Ordinary approach: g += ordinary_served_gain*(1-g) if the department solves it,
                   else g -= ordinary_refused_cut*g (how owners are served shapes their trust)
Detected exchange: g -= integrity.detected_trust_cut*g
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..networks import cadre_node, firm_node
from .base import Submodel

if TYPE_CHECKING:
    from ..model import SiyiModel


def daily_update(
    t: np.ndarray, present: np.ndarray, on_line: np.ndarray, alpha: float, line_bonus: float, gamma: float
) -> np.ndarray:
    gained = t + alpha * (1.0 - t) * (1.0 + line_bonus * on_line)
    lost = t - gamma * t
    return np.clip(np.where(present, gained, lost), 0.0, 1.0)


def solved_bump(t: np.ndarray, beta: float | np.ndarray, n_solved: np.ndarray | int = 1) -> np.ndarray:
    """Apply ``n_solved`` successive solved-issue bumps: 1-t shrinks by (1-beta) each."""
    return 1.0 - (1.0 - t) * (1.0 - beta) ** n_solved


def initial_edge_trust(general_trust: float, adversarial: bool, penalty: float) -> float:
    return general_trust * (1.0 - penalty) if adversarial else general_trust


def owner_update(g: np.ndarray, max_edge: np.ndarray, kappa: float) -> np.ndarray:
    return np.clip(g + kappa * (max_edge - g), 0.0, 1.0)


def tally(firms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each firm in ``firms`` once, with how often it occurs (as ``np.unique(..., return_counts=True)``,
    but in input order when no firm repeats, as on most days: no sort needed)."""
    if len(set(firms.tolist())) == len(firms):
        return firms, np.ones(len(firms), dtype=np.int64)
    return np.unique(firms, return_counts=True)


class Trust(Submodel):
    """Every change of a tie, of the pair graph or of an owner's general trust goes through here."""

    name = "trust"
    section = "trust"

    def open_placement_ties(self, model: SiyiModel, firm: int, pair: tuple[int, int], batch: int) -> np.ndarray:
        """Ties of both cadres with the firm (new ones start at the owner's general trust, lower
        after enforcement by the cadre's office) and the pair tie between the two cadres."""
        cfg = model.cfg.trust
        g = float(model.firms.trust[firm])
        rows = []
        for c in pair:
            adversarial = bool(model.firms.enforced_by_dept[firm] == model.cadres.dept[c])
            t0 = initial_edge_trust(g, adversarial, cfg.adversarial_penalty)
            row, created = model.ties.get_or_add(c, firm, t0, model.day, batch, adversarial)
            if created:
                model.trust_graph.add_edge(
                    cadre_node(c),
                    firm_node(firm),
                    kind="tie",
                    trust=t0,
                    formed_day=model.day,
                    last_contact=model.day,
                    batch=batch,
                    adversarial=adversarial,
                )
            rows.append(row)
        a, b = pair
        model.partner_mask[a] |= 1 << int(model.cadres.dept[b])
        model.partner_mask[b] |= 1 << int(model.cadres.dept[a])
        if not model.trust_graph.has_edge(cadre_node(a), cadre_node(b)):
            model.trust_graph.add_edge(
                cadre_node(a),
                cadre_node(b),
                kind="pair",
                trust=1.0,
                formed_day=model.day,
                last_contact=model.day,
                batch=batch,
                adversarial=False,
            )
        return np.array(rows, dtype=np.int64)

    def placement_day(self, model: SiyiModel, rows: np.ndarray, present: np.ndarray, on_line: np.ndarray) -> np.ndarray:
        """Co-working (present, on the line) or absence on the ties ``rows`` (k x 2); new trust."""
        cfg = model.cfg.trust
        k = len(rows)
        t = model.ties.current(model.day, rows.ravel()).reshape(k, 2)
        t = daily_update(t, present, on_line, cfg.alpha, cfg.line_bonus, cfg.gamma)
        model.ties.set_trust(rows.ravel(), t.ravel(), model.day)
        return t

    def placement_solutions(self, model: SiyiModel, rows: np.ndarray, share: np.ndarray) -> None:
        """One solved issue per row of the pair ties ``rows`` (m x 2), with each cadre's ``share``
        of the work: the cadre who did most gets the full bump (case 1)."""
        cfg = model.cfg.trust
        weight = share / share.max(axis=1, keepdims=True)
        weight = weight * (1.0 + cfg.adversarial_help_bonus * model.ties.adversarial[rows])
        t = model.ties.current(model.day, rows.ravel()).reshape(-1, 2)
        gain = np.minimum(cfg.beta * weight, 1.0)
        model.ties.set_trust(rows.ravel(), solved_bump(t, gain).ravel(), model.day)

    def solutions(self, model: SiyiModel, rows: np.ndarray, n_solved: np.ndarray) -> None:
        """Each issue solved by a tie's cadre (follow-up, first call) raises that tie with beta."""
        if len(rows):
            t = model.ties.current(model.day, rows)
            model.ties.set_trust(rows, solved_bump(t, model.cfg.trust.beta, n_solved), model.day)

    def contact(self, model: SiyiModel, rows: np.ndarray) -> None:
        """A contact on the ties ``rows`` (unique): refresh them and restart their decay clock."""
        model.ties.touch(rows, model.day, model.cfg.trust.contact_refresh)

    def end_cadre_ties(self, model: SiyiModel, cadres: np.ndarray) -> None:
        """Cadres who left: their ties with firms and their pair ties end (a successor in the slot
        starts with none)."""
        if len(cadres) == 0:
            return
        model.ties.end(cadres)
        for c in cadres.tolist():
            node = cadre_node(c)
            model.trust_graph.remove_edges_from(list(model.trust_graph.edges(node)))
        model.partner_mask[cadres] = 0

    def close_placement(self, model: SiyiModel, firm: int, cadres: tuple[int, int], t: np.ndarray) -> None:
        """After a placement the owner's general trust moves toward the best edge ``t``."""
        model.firms.trust[firm] = owner_update(model.firms.trust[firm], t.max(), model.cfg.trust.kappa)
        for c, tj in zip(cadres, t, strict=True):
            model.trust_graph.edges[cadre_node(c), firm_node(firm)]["trust"] = float(tj)

    def ordinary_service(self, model: SiyiModel, firms: np.ndarray, served: np.ndarray) -> None:
        """Owners of ``firms`` approached a department today; ``served``: it solved the issue.
        One update per approach (a firm with several: the gains first, then the cuts)."""
        cfg = model.cfg.trust
        g = model.firms.trust
        f, n = tally(firms[served])
        g[f] = 1.0 - (1.0 - g[f]) * (1.0 - cfg.ordinary_served_gain) ** n
        f, n = tally(firms[~served])
        g[f] = g[f] * (1.0 - cfg.ordinary_refused_cut) ** n

    def cut_general(self, model: SiyiModel, firms: np.ndarray, share: float) -> None:
        """Cut the general trust of the owners of ``firms`` by ``share`` (once per entry)."""
        f, n = np.unique(np.asarray(firms, dtype=np.int64), return_counts=True)
        model.firms.trust[f] *= (1.0 - share) ** n
