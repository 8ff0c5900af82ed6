"""Disclosure submodel: a latent issue is told to a cadre once trust reaches its threshold.

threshold = sensitivity + fear_weight*fear (+ noise);  sensitive types (loan, personal/family,
violations) have high sensitivity, and fear raises every threshold, so a fearful owner says "no
difficulties" on day 1 and opens up after about a week of co-working (case 4, pattern P3).
"""

from __future__ import annotations

import numpy as np

from ..catalog import SENSITIVE_THRESHOLD


def threshold(model, issue_idx: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
    d = model.cfg.disclosure
    iss = model.issues
    thr = iss.sensitivity[issue_idx] + d.fear_weight * model.firms.fear[iss.firm[issue_idx]]
    if rng is not None and d.noise_sd > 0:
        thr = thr + d.noise_sd * rng.standard_normal(len(issue_idx))
    return thr


def self_raisable(model, issue_idx: np.ndarray) -> np.ndarray:
    """Issues an owner is willing to take to a department on his own (ordinary channel)."""
    g = model.firms.trust[model.issues.firm[issue_idx]]
    return g + model.cfg.disclosure.self_raise_margin >= threshold(model, issue_idx)


def is_sensitive(model, issue_idx: np.ndarray) -> np.ndarray:
    return model.issues.sensitivity[issue_idx] >= SENSITIVE_THRESHOLD * model.cfg.disclosure.sensitivity_scale


def disclose_to_cadres(model, issue_idx: np.ndarray, trust: np.ndarray) -> np.ndarray:
    """Disclose the latent issues whose owner's trust in the cadre reaches the threshold."""
    told = issue_idx[trust >= threshold(model, issue_idx, model.streams["disclosure"])]
    model.issues.disclose(told, model.day)
    return told
