"""Fast paths of the issue processes give what the plain scans and numpy calls they replace give."""

from types import SimpleNamespace

import numpy as np

from siyi_sim.issues import DISCLOSED, RESOLVED, distinct
from siyi_sim.model import SiyiModel
from siyi_sim.networks import TieTable
from siyi_sim.processes.arrivals import ALL_TYPES, ARRIVAL_P, draw_types, strongest_ties
from siyi_sim.scenarios import scenario_config
from siyi_sim.streams import keyed_uniforms, keyed_uniforms_below


def _owned_by_scan(iss) -> np.ndarray:
    owner, st = iss.view("owner_cadre"), iss.view("status")
    return np.flatnonzero((owner >= 0) & (st >= DISCLOSED) & (st < RESOLVED))


def test_indexes_match_a_full_scan():
    """Backlogs are handed over (placements close, first calls), resolved, and released when a
    cadre leaves (careers): the backlog index answers as the scan of the whole store, day after
    day; and so does the per-firm index of open issues at the end."""
    model = SiyiModel(scenario_config("campaign_2020"), seed=3)
    seen = 0
    while model.running:
        model.step()
        expected = _owned_by_scan(model.issues)
        np.testing.assert_array_equal(model.issues.owned_open(), expected)
        seen = max(seen, len(expected))
    assert seen > 100  # the run did build backlogs
    iss = model.issues
    for firm in [*range(model.firms.n), np.int64(7)]:
        by_scan = np.flatnonzero((iss.view("firm") == firm) & (iss.view("status") < RESOLVED))
        np.testing.assert_array_equal(iss.open_of_firm(firm), by_scan)


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


def test_strongest_ties_is_best_per_firm_at_those_firms():
    """First calls read the strongest tie of the firms with a new issue only: the same trust and
    the same cadre as the table's ``best_per_firm`` there, including after cadres left."""
    model = SiyiModel(scenario_config("campaign_2020", days=300), seed=2)
    model.run_to_end()
    model.ties.end(np.unique(model.ties.cadre[: model.ties.n])[:5])  # some ties have ended
    best, who = model.ties.best_per_firm(model.day, model.firms.n)
    rng = np.random.default_rng(1)
    for _ in range(20):
        firms = rng.integers(0, model.firms.n, 40)
        firms[:5] = model.ties.firm[rng.integers(0, model.ties.n, 5)]  # firms with ties
        got_best, got_who = strongest_ties(model, firms)
        np.testing.assert_array_equal(got_best[firms], best[firms])
        np.testing.assert_array_equal(got_who[firms], who[firms])


def test_strongest_ties_breaks_a_draw_as_best_per_firm():
    """Two ties of a firm with equal trust: the later row names the cadre, in both."""
    ties = TieTable(decay_per_day=0.01)
    for cadre, firm, trust in [(0, 1, 0.5), (1, 1, 0.5), (2, 2, 0.7), (3, 2, 0.2), (4, 3, 0.4)]:
        ties.get_or_add(cadre, firm, trust, day=0, batch=0, adversarial=False)
    ties.end(np.array([4]))
    model = SimpleNamespace(ties=ties, firms=SimpleNamespace(n=5), day=3)
    best, who = ties.best_per_firm(3, 5)
    firms = np.array([0, 1, 2, 3, 4])
    got_best, got_who = strongest_ties(model, firms)
    np.testing.assert_array_equal(got_best, best)
    np.testing.assert_array_equal(got_who, who)
    assert who[1] == 1 and who[3] == -1


def test_keyed_uniforms_below_is_a_filter_of_keyed_uniforms():
    """Same positions and the same uniforms as ``keyed_uniforms(...) < p``, at the edges too
    (p equal to a draw, p = 0, 1, just below 1, the smallest double, NaN)."""
    rng = np.random.default_rng(5)
    key = np.uint64(rng.integers(0, 2**63, dtype=np.uint64))
    for n in (0, 1, 50, 3000):
        ids = rng.integers(0, 10**6, n)
        for day, purpose in ((0, 0), (7, 1), (1824, 2)):
            ref = keyed_uniforms(key, day, purpose, ids)
            edges = [0.0, -0.1, 1.0, 1.5, 1 - 2**-53, 2**-53, 5e-324, float("nan"), 0.054]
            for p in [*edges, *rng.random(5), *ref[:5]]:
                pos, u = keyed_uniforms_below(key, day, purpose, ids, p)
                np.testing.assert_array_equal(pos, np.flatnonzero(ref < p))
                np.testing.assert_array_equal(u, ref[ref < p])
