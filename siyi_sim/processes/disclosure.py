"""Disclosure submodel: a latent issue is told to a cadre once trust reaches its threshold.

threshold = sensitivity + fear_weight*fear (+ noise);  sensitive types (loan, personal/family,
violations) have high sensitivity, and fear raises every threshold, so a fearful owner says "no
difficulties" on day 1 and opens up after about a week of co-working (case 4, pattern P3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..catalog import SENSITIVE_THRESHOLD
from ..events import IssueDisclosed
from ..issues import CHANNEL_NAMES
from .base import Submodel

if TYPE_CHECKING:
    from ..model import SiyiModel


class Disclosure(Submodel):
    """When an owner tells an issue, and to whom; the only writer of an issue's disclosure."""

    name = "disclosure"
    section = "disclosure"

    def threshold(self, model: SiyiModel, issue_idx: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
        d = model.cfg.disclosure
        iss = model.issues
        thr = iss.sensitivity[issue_idx] + d.fear_weight * model.firms.fear[iss.firm[issue_idx]]
        if rng is not None and d.noise_sd > 0:
            thr = thr + d.noise_sd * rng.standard_normal(len(issue_idx))
        return thr

    def self_raisable(self, model: SiyiModel, issue_idx: np.ndarray) -> np.ndarray:
        """Issues an owner is willing to take to a department on his own (ordinary channel)."""
        g = model.firms.trust[model.issues.firm[issue_idx]]
        return g + model.cfg.disclosure.self_raise_margin >= self.threshold(model, issue_idx)

    def is_sensitive(self, model: SiyiModel, issue_idx: np.ndarray) -> np.ndarray:
        return model.issues.sensitivity[issue_idx] >= SENSITIVE_THRESHOLD * model.cfg.disclosure.sensitivity_scale

    def to_placed_pairs(self, model: SiyiModel, issue_idx: np.ndarray, trust: np.ndarray) -> np.ndarray:
        """Disclose the latent issues whose owner's trust in the pair reaches the threshold."""
        told = issue_idx[trust >= self.threshold(model, issue_idx, model.streams["disclosure"])]
        model.issues.disclose(told, model.day)
        return told

    def disclose(self, model: SiyiModel, issue_idx: np.ndarray, channel: int) -> None:
        """Issues told today through ``channel`` (a ``CH_*`` constant) outside a placement."""
        told = model.issues.disclose(issue_idx, model.day)
        if model.events is not None:
            record(model, told, channel)


def record(model: SiyiModel, told: np.ndarray, channel: int, day_in_placement: np.ndarray | None = None) -> None:
    """Log ``IssueDisclosed`` events (only called when the model records events)."""
    assert model.events is not None
    firms = model.issues.firm[told].tolist()
    days = [None] * len(told) if day_in_placement is None else [int(d) for d in day_in_placement]
    model.events.extend(
        IssueDisclosed(model.day, int(i), int(f), CHANNEL_NAMES[channel], d)
        for i, f, d in zip(told.tolist(), firms, days, strict=True)
    )
