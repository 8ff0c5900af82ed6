"""Behaviour identity: every scenario x seeds -> SHA-256 of its summary and daily series.

A refactor that must not change behaviour is checked by writing the digests before and after
and comparing them:

    python benchmarks/behaviour_identity.py --write /tmp/before.json     # on the old commit
    python benchmarks/behaviour_identity.py --check /tmp/before.json     # on the new one

Summaries are hashed as canonical JSON (sorted keys, repr of floats, so a 1-ulp change shows);
daily series as their CSV text with full float precision.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from concurrent.futures import ProcessPoolExecutor


def digest(job: tuple[str, int]) -> tuple[str, dict[str, str]]:
    from siyi_sim.api import simulate

    scenario, seed = job
    result = simulate(scenario, seed=seed)
    summary = json.dumps(result.summary, sort_keys=True, default=repr).encode()
    daily = result.daily.to_csv(float_format="%.17g").encode()
    return f"{scenario}/{seed}", {
        "summary": hashlib.sha256(summary).hexdigest(),
        "daily": hashlib.sha256(daily).hexdigest(),
    }


def main() -> int:
    from siyi_sim.scenarios import SCENARIOS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", metavar="FILE")
    mode.add_argument("--check", metavar="FILE")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    jobs = [(name, seed) for name in SCENARIOS for seed in args.seeds]
    with ProcessPoolExecutor(args.workers) as pool:
        digests = dict(pool.map(digest, jobs))
    if args.write:
        with open(args.write, "w", encoding="utf-8") as fh:
            json.dump(digests, fh, indent=1, sort_keys=True)
        print(f"wrote {len(digests)} digests to {args.write}")
        return 0
    with open(args.check, encoding="utf-8") as fh:
        before = json.load(fh)
    differ = [k for k in sorted(set(before) | set(digests)) if before.get(k) != digests.get(k)]
    for key in differ:
        print(f"DIFFERS {key}: {before.get(key)} -> {digests.get(key)}")
    print(f"{len(digests) - len(differ)}/{len(digests)} runs identical (summary and daily series)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
