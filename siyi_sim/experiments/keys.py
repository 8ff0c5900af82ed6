"""Stable identities: run keys, seeds and the experiment's design hash.

``run_key`` hashes what determines a run (scenario, its base scenario and overrides, horizon,
replication, seed) with SHA-256 of canonical JSON, so it is the same on every machine and
Python version (unlike ``hash()``). Resume and the no-duplicates guarantee rest on it.

Common random numbers: replication ``r`` runs with seed ``base_seed + r`` in *every* scenario
and point. The model builds its population and its per-process streams from the seed only, so
variants are compared on the same firms and the same draws; any row can be reproduced with
``siyi run --scenario S --seed SEED --set ...``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

KEY_LENGTH = 16  # hex digits: 64 bits, collision-free for any realistic sweep


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def seed_for(base_seed: int, replication: int) -> int:
    """The seed of replication ``replication`` (the same in every scenario: common random numbers)."""
    return base_seed + replication


def run_key(
    scenario: str, base_scenario: str, overrides: dict[str, Any], days: int | None, replication: int, seed: int
) -> str:
    payload = {
        "scenario": scenario,
        "base_scenario": base_scenario,
        "overrides": dict(sorted(overrides.items())),
        "days": days,
        "replication": replication,
        "seed": seed,
    }
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()[:KEY_LENGTH]


def design_hash(first_replication_keys: Iterable[str], keep: dict[str, Any]) -> str:
    """Identity of an experiment, independent of its number of replications.

    The keys of replication 0 fix scenarios, points, overrides, horizon and base seed; ``keep``
    fixes the columns. Adding replications (by editing the file or adaptively) keeps the design,
    so the same result directory can grow; anything else is a different experiment.
    """
    payload = {"runs": sorted(first_replication_keys), "keep": keep}
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()
