"""How often does P1 pass on a 10-seed mean, over many disjoint blocks of 10 seeds?

Usage:  python benchmarks/p1_seed_blocks.py [--blocks 20] [--first-seed 1] [--workers 2]

P1 judges campaign_2020 against the 2020 totals on the mean of 10 seeds (±10 %). A calibration
that passes on one block by luck would fail on others; this runs ``--blocks`` disjoint blocks
(seeds first .. first + 10*blocks - 1, the calibration as installed) and prints, per total, the
relative error of the mean of all seeds, the per-run coefficient of variation (what makes a
10-seed mean noisy), the worst block's error and the share of blocks within ±10 %.
"""

from __future__ import annotations

import argparse

import numpy as np

from siyi_sim.calibration.calibrate import TARGETS, TOLERANCE, evaluate, mean_totals, relative_errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=20)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    seeds = list(range(args.first_seed, args.first_seed + 10 * args.blocks))
    summaries = evaluate({}, seeds, args.workers)
    blocks = [relative_errors(mean_totals(summaries[i : i + 10])) for i in range(0, len(summaries), 10)]
    print(f"P1 on {args.blocks} disjoint blocks of 10 seeds ({seeds[0]}..{seeds[-1]}), tolerance ±{TOLERANCE:.0%}")
    pooled = relative_errors(mean_totals(summaries))
    print(f"{'total':28s} {'all seeds':>10s} {'per-run CV':>10s} {'worst block':>12s} {'blocks within':>14s}")
    all_pass = np.ones(len(blocks), dtype=bool)
    for key in TARGETS:
        values = np.array([s[key] for s in summaries], dtype=float)
        errors = np.array([b[key] for b in blocks])
        within = np.abs(errors) <= TOLERANCE
        all_pass &= within
        worst = errors[np.argmax(np.abs(errors))]
        cv = values.std(ddof=1) / values.mean()
        print(f"{key:28s} {pooled[key]:+10.1%} {cv:10.3f} {worst:+12.1%} {within.sum():>8d} / {len(blocks)}")
    print(f"blocks where every total passes: {all_pass.sum()} / {len(blocks)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
