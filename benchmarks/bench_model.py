"""Model speed against Mesa's own BoltzmannWealth example, scaling and a large run.

Usage:  python benchmarks/bench_model.py [--quick] [--skip-large]

Prints, in one process:
  * Boltzmann (n=1000, 32x32, 100 steps): seconds per agent-step;
  * siyi_sim campaign_2020 (1 year) and normalized_promotion (5 years) at the default population:
    seconds per agent-day (agents = cadres + enterprises) and the ratio to Boltzmann (target <= 0.10);
  * 4x the default population: time ratio to 1x (target <= 4.5);
  * 30x the default population for one year: seconds (target <= 60) and peak memory
    (target <= 4 GB, measured as peak RSS of a child process).
Each timing is the best of ``--repeats`` runs so that a busy machine does not inflate it.
``--markdown docs/benchmarks.md`` also writes the table there (with date, cores and load), so the
numbers quoted in the docs come from this script, not from a hand.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time


def best_of(repeats: int, fn) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def boltzmann_seconds() -> float:
    from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth

    model = BoltzmannWealth(BoltzmannScenario(n=1000, width=32, height=32, rng=42))
    t0 = time.perf_counter()
    for _ in range(100):
        model.step()
    return time.perf_counter() - t0


def siyi_seconds(scale: float = 1.0, seed: int = 1, scenario: str = "campaign_2020") -> float:
    import siyi_sim

    overrides = {"population.n_cadres": int(1500 * scale), "population.n_enterprises": int(3000 * scale)}
    t0 = time.perf_counter()
    siyi_sim.run(scenario, seed=seed, **overrides)
    return time.perf_counter() - t0


def large_run_in_child(scale: int) -> dict:
    """Run the 30x population in a fresh process so peak RSS is the run's own."""
    code = (
        "import json, resource, time, siyi_sim\n"
        f"o = {{'population.n_cadres': {1500 * scale}, 'population.n_enterprises': {3000 * scale}}}\n"
        "t0 = time.perf_counter(); s = siyi_sim.run('campaign_2020', seed=1, **o); dt = time.perf_counter() - t0\n"
        "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps({'seconds': dt, 'peak_rss_mb': rss, 'cadres_placed': s['cadres_placed']}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-large", action="store_true", help="skip the 30x population run")
    parser.add_argument("--markdown", metavar="FILE", help="also write the table as Markdown to FILE")
    args = parser.parse_args()

    siyi_seconds(0.1)  # warm imports
    boltz = best_of(args.repeats, boltzmann_seconds)
    per_step = boltz / (1000 * 100)
    one = best_of(args.repeats, siyi_seconds)
    agent_days = (1500 + 3000) * 365
    per_day = one / agent_days
    five_years = best_of(args.repeats, lambda: siyi_seconds(scenario="normalized_promotion"))
    per_day_5y = five_years / (agent_days * 5)
    four = best_of(max(1, args.repeats - 1), lambda: siyi_seconds(4.0))
    result = {
        "boltzmann_seconds": round(boltz, 3),
        "boltzmann_us_per_agent_step": round(per_step * 1e6, 3),
        "siyi_campaign_seconds": round(one, 3),
        "siyi_us_per_agent_day": round(per_day * 1e6, 4),
        "ratio_siyi_to_boltzmann": round(per_day / per_step, 4),
        "siyi_normalized_5y_seconds": round(five_years, 3),
        "siyi_normalized_us_per_agent_day": round(per_day_5y * 1e6, 4),
        "ratio_normalized_to_boltzmann": round(per_day_5y / per_step, 4),
        "scale4_seconds": round(four, 3),
        "scale4_time_ratio": round(four / one, 2),
    }
    if not args.skip_large:
        large = large_run_in_child(30)
        result.update(
            {"scale30_seconds": round(large["seconds"], 2), "scale30_peak_rss_mb": round(large["peak_rss_mb"], 1)}
        )
    targets = {
        "ratio_siyi_to_boltzmann": 0.10,
        "ratio_normalized_to_boltzmann": 0.10,
        "scale4_time_ratio": 4.5,
        "scale30_seconds": 60,
        "scale30_peak_rss_mb": 4096,
    }
    rows = []
    for key, value in result.items():
        verdict = ""
        if key in targets:
            verdict = "ok" if value <= targets[key] else f"OVER target {targets[key]}"
        print(f"{key:<32} {value}  {verdict}")
        rows.append(f"| `{key}` | {value} | {targets.get(key, '')} | {verdict} |")
    if args.markdown:
        write_markdown(args.markdown, rows)
    return 0


def write_markdown(path: str, rows: list[str]) -> None:
    import datetime
    import os
    import platform

    from siyi_sim.io import atomic_write_text

    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0]
    text = "\n".join(
        [
            "# Model speed",
            "",
            "<!-- Generated by `python benchmarks/bench_model.py --markdown docs/benchmarks.md`; do not edit. -->",
            "",
            f"Measured {when} on {os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
            f"Python {platform.python_version()}, load average {load:.2f} at the end. Each timing is the best "
            "of the repeats; the ratio is siyi_sim's cost per agent-day (cadres + enterprises) over Mesa's "
            "BoltzmannWealth cost per agent-step in the same process.",
            "",
            "| measure | value | target | |",
            "| --- | --- | --- | --- |",
            *rows,
            "",
        ]
    )
    atomic_write_text(path, text)


if __name__ == "__main__":
    sys.exit(main())
