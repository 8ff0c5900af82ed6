"""A synthetic stand-in for the model with known answers, to test the runner and statistics.

``y = 10 + 3 * z_seed + effect[scenario] + 0.5 * e_(seed, scenario)``: ``z_seed`` is shared by
every scenario of a replication (what common random numbers buy), ``e`` is each run's own
noise. So the paired difference of scenario s vs baseline has mean ``effect[s]`` and sd
``0.5 * sqrt(2)``, while an unpaired comparison would also carry the seed term of sd 3.
Runs take microseconds unless ``sleep_seconds`` (in the overrides) asks otherwise.
"""

from __future__ import annotations

import time
import zlib

import numpy as np
import pandas as pd

EFFECTS = {"baseline": 0.0, "campaign_2020": 2.0, "no_safeguards": 1.0, "random_matching": 1.5}


def synthetic_run(spec) -> tuple[dict, pd.DataFrame]:
    sleep = float(spec.overrides.get("sleep_seconds", 0.0))
    if sleep:
        time.sleep(sleep)
    z = np.random.default_rng(spec.seed).normal()
    e = np.random.default_rng([spec.seed, zlib.crc32(spec.scenario.encode())]).normal()
    y = 10.0 + 3.0 * z + EFFECTS.get(spec.base_scenario, 0.0) + float(spec.overrides.get("shift", 0.0)) + 0.5 * e
    days = spec.days or 10
    summary = {
        "scenario": spec.base_scenario,
        "seed": spec.seed,
        "days": days,
        "y": y,
        "count": int(spec.seed % 7),
        "maybe": None,
    }
    daily = pd.DataFrame(
        {"y": np.linspace(0.0, y, days), "n": np.arange(days)}, index=pd.RangeIndex(1, days + 1, name="day")
    )
    return summary, daily


def failing_after(spec) -> tuple[dict, pd.DataFrame]:
    """Crashes on replication 2 of ``campaign_2020``: a run dying mid-sweep."""
    if spec.replication == 2 and spec.base_scenario == "campaign_2020":
        raise RuntimeError("simulated crash")
    return synthetic_run(spec)
