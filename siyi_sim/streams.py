"""Random numbers: one seeded stream per process, and keyed draws for per-issue decisions.

A run's seed makes Mesa's ``model.rng``; :data:`STREAMS` are spawned from it in a fixed order
(``SeedSequence.spawn``), so switching one lever off does not reshuffle the draws of the others.
Decisions taken about many issues every day (an owner approaching a department, the department
saying yes, an improper exchange on an approach) use :func:`keyed_uniforms` instead: a draw keyed
by (seed, day, purpose, issue id), so an issue open in two scenarios gets the same draw on the
same day whatever else is open — common random numbers per decision.
"""

from __future__ import annotations

import math

import numpy as np

STREAMS = (
    "population",
    "schedule",
    "placement",
    "disclosure",
    "policies",
    "followup",
    "arrivals",
    "ordinary",
    "integrity",
    "meetings",
    "normalized",
    "self_uptake",
    "inspections",
    "jobfair",
    "careers",
    "hires",
    "colleagues",
    "avoidance",
)

#: Purposes of keyed draws (distinct keys, independent draws).
APPROACH, APPROACH_SUCCESS, APPROACH_INTEGRITY = 0, 1, 2

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_FRACTION_SHIFT = np.uint64(11)  # the top 53 bits of a hash make the double in [0, 1)


def spawn_streams(rng: np.random.Generator) -> dict[str, np.random.Generator]:
    return dict(zip(STREAMS, rng.spawn(len(STREAMS)), strict=True))


def _keyed_bits(key: np.uint64, day: int, purpose: int, ids: np.ndarray) -> np.ndarray:
    """splitmix64 hash of (key, day, purpose, id) per id: 64 random bits each."""
    day_purpose = np.uint64((day * 8 + purpose) * 0xD1B54A32D192ED03 % 2**64)
    z = key ^ day_purpose ^ (ids.astype(np.uint64) * _GOLDEN)
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    z ^= z >> np.uint64(31)
    return z


def keyed_uniforms(key: np.uint64, day: int, purpose: int, ids: np.ndarray) -> np.ndarray:
    """U(0,1) per id from a splitmix64 hash of (key, day, purpose, id); cost follows ``ids``."""
    return (_keyed_bits(key, day, purpose, ids) >> _FRACTION_SHIFT).astype(np.float64) * 2.0**-53


def keyed_uniforms_below(
    key: np.uint64, day: int, purpose: int, ids: np.ndarray, p: float
) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``i`` where ``keyed_uniforms(...)[i] < p``, and those uniforms (same draws).

    For a rare event over many ids (an approach among all open issues): the test is made on the
    hash bits, ``(z >> 11) * 2**-53 < p`` being ``z < ceil(p * 2**53) * 2**11`` exactly, and only
    the ids below become floats.
    """
    z = _keyed_bits(key, day, purpose, ids)
    if p >= 1.0:
        below = np.arange(len(z))
    elif p > 0.0:
        bound = math.ceil(p * 2.0**53) << int(_FRACTION_SHIFT)  # <= 2**64; 2**64 passes every z
        below = np.arange(len(z)) if bound >= 2**64 else np.flatnonzero(z < np.uint64(bound))
    else:  # p <= 0 or NaN: no draw is below
        below = np.empty(0, dtype=np.intp)
    return below, (z[below] >> _FRACTION_SHIFT).astype(np.float64) * 2.0**-53
