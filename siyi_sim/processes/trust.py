"""Trust submodel (MODEL.md §5): formulas for edge trust and the owner's general trust.

Each day present:  t += alpha*(1-t)*(1 + line_bonus*on_line)
Each issue solved: t += beta*(1-t); in a placement beta is scaled by w = the cadre's share of
                   the work relative to the partner who did most (1 for that one), times
                   (1 + adversarial_help_bonus) on a tie with enforcement history (help from
                   the office that fined you surprises), capped at 1. Follow-up and tie
                   resolutions bump the owner cadre's tie with plain beta.
Each absent day:   t -= gamma*t
New edge:          t0 = g, or g*(1-adversarial_penalty) after enforcement ("cat and mouse")
After placement:   g += kappa*(max_edge_t - g)
"""

from __future__ import annotations

import numpy as np


def daily_update(
    t: np.ndarray, present: np.ndarray, on_line: np.ndarray, alpha: float, line_bonus: float, gamma: float
) -> np.ndarray:
    gained = t + alpha * (1.0 - t) * (1.0 + line_bonus * on_line)
    lost = t - gamma * t
    return np.clip(np.where(present, gained, lost), 0.0, 1.0)


def solved_bump(t: np.ndarray, beta: float, n_solved: np.ndarray | int = 1) -> np.ndarray:
    """Apply ``n_solved`` successive solved-issue bumps: 1-t shrinks by (1-beta) each."""
    return 1.0 - (1.0 - t) * (1.0 - beta) ** n_solved


def initial_edge_trust(general_trust: float, adversarial: bool, penalty: float) -> float:
    return general_trust * (1.0 - penalty) if adversarial else general_trust


def owner_update(g: np.ndarray, max_edge: np.ndarray, kappa: float) -> np.ndarray:
    return np.clip(g + kappa * (max_edge - g), 0.0, 1.0)
