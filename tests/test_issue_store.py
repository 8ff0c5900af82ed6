"""The issue store's fast paths give what the plain scans and numpy calls they replace give."""

import numpy as np

from siyi_sim.issues import DISCLOSED, RESOLVED, distinct
from siyi_sim.model import SiyiModel
from siyi_sim.processes.arrivals import ALL_TYPES, ARRIVAL_P, draw_types
from siyi_sim.scenarios import scenario_config


def _owned_by_scan(iss) -> np.ndarray:
    owner, st = iss.view("owner_cadre"), iss.view("status")
    return np.flatnonzero((owner >= 0) & (st >= DISCLOSED) & (st < RESOLVED))


def test_owned_index_matches_a_full_scan_every_day():
    """Backlogs are handed over (placements close, first calls), resolved, and released when a
    cadre leaves (careers): the index answers as the scan of the whole store, day after day."""
    model = SiyiModel(scenario_config("campaign_2020"), seed=3)
    seen = 0
    while model.running:
        model.step()
        expected = _owned_by_scan(model.issues)
        np.testing.assert_array_equal(model.issues.owned_open(), expected)
        seen = max(seen, len(expected))
    assert seen > 100  # the run did build backlogs


def test_distinct_is_np_unique():
    rng = np.random.default_rng(0)
    for n in (0, 1, 2, 7, 300, 2000):
        values = rng.integers(0, max(n // 3, 1), n)
        got, want = distinct(values), np.unique(values)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def test_draw_types_is_generator_choice():
    """Same types and the same stream position as ``rng.choice(ALL_TYPES, k, p=ARRIVAL_P)``."""
    for seed in range(200):
        k = seed % 25
        a, b = np.random.default_rng(seed), np.random.default_rng(seed)
        np.testing.assert_array_equal(draw_types(a, k), b.choice(ALL_TYPES, k, p=ARRIVAL_P))
        assert a.random() == b.random()
