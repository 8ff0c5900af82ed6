"""Batched daily work gives exactly what the one-at-a-time version gave (issue 11, performance)."""

import numpy as np

from siyi_sim.model import SiyiModel
from siyi_sim.processes.placement import CadrePool
from siyi_sim.processes.policies import PolicyMatching, segment_sums
from siyi_sim.scenarios import scenario_config

SMALL_DISTRICT = {"population.n_cadres": 400, "population.n_enterprises": 800}


def test_segment_sums_round_like_summing_each_segment_alone():
    rng = np.random.default_rng(3)
    lengths = rng.integers(0, 12, 400)  # empty, short (summed in order) and long (pairwise) segments
    values = np.exp(3 * rng.standard_normal(int(lengths.sum()))) * 1000
    seg = np.repeat(np.arange(len(lengths)), lengths)
    starts = np.cumsum(lengths) - lengths
    alone = [float(values[s : s + n].sum()) for s, n in zip(starts, lengths, strict=True)]
    assert segment_sums(values, seg, len(lengths)).tolist() == alone


def _model():
    return SiyiModel(scenario_config("campaign_2020", SMALL_DISTRICT), seed=4)


def test_reviewing_firms_at_once_matches_reviewing_them_one_by_one():
    batched, one_by_one = _model(), _model()
    pol = batched.policies
    open_per_firm = np.diff(pol.firm_ptr)  # at the start every eligible pair is open
    firms = np.flatnonzero(open_per_firm >= 3)[:40][::-1].copy()  # not in firm order
    n_checks = np.arange(len(firms)) % 5  # includes firms reviewed with no checks
    found = batched.submodel(PolicyMatching).review_firms(batched, firms, n_checks, program=True)
    policies = one_by_one.submodel(PolicyMatching)
    alone = [policies.review(one_by_one, int(f), int(n), program=True) for f, n in zip(firms, n_checks, strict=True)]
    assert found.tolist() == alone and sum(alone) > 0
    assert np.array_equal(batched.policies.pair_status, one_by_one.policies.pair_status)
    for name in ("policies_total", "subsidy_yuan_total", "program_policies", "program_subsidy_yuan"):
        assert getattr(batched.counters, name) == getattr(one_by_one.counters, name)  # yuan added in order
    assert batched.streams["policies"].random() == one_by_one.streams["policies"].random()
    assert batched.counters.program_policies_known_before == one_by_one.counters.program_policies_known_before


def _reference_take(order, depts, taken, dept=None, not_dept=None):
    """The pool's rule written plainly: the first untaken cadre in pool order that fits."""
    for c in order:
        fits = depts[c] == dept if dept is not None else not_dept is None or depts[c] != not_dept
        if c not in taken and fits:
            taken.add(c)
            return c
    return None


def test_cadre_pool_draws_the_first_fitting_untaken_cadre_in_pool_order():
    rng = np.random.default_rng(5)
    depts = rng.integers(0, 4, 60)
    pool = CadrePool(np.arange(60), depts, np.random.default_rng(6))
    order, taken = pool.order.tolist(), set()
    for _ in range(70):  # more draws than cadres: the pool runs dry
        dept = int(rng.integers(0, 4)) if rng.random() < 0.5 else None
        not_dept = int(rng.integers(0, 4)) if dept is None and rng.random() < 0.5 else None
        assert pool.take(dept, not_dept) == _reference_take(order, depts, taken, dept, not_dept)
    assert len(pool) == 0
