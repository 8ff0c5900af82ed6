"""analysis/stats.py: the one t-interval, paired difference and Kaplan–Meier of the package."""

import math

import numpy as np
import pytest
from scipy import stats as sps

from siyi_sim.analysis import stats


def test_t_interval_is_the_student_interval():
    values = [3.0, 5.0, 4.0, 8.0, 6.0]
    ci = stats.t_interval(values)
    low, high = sps.t.interval(0.95, len(values) - 1, loc=np.mean(values), scale=sps.sem(values))
    assert ci.n == 5 and ci.mean == pytest.approx(5.2)
    assert (ci.low, ci.high) == pytest.approx((low, high))
    assert stats.t_interval(values, level=0.5).halfwidth < ci.halfwidth


def test_t_interval_drops_nans_and_has_no_width_below_two_values():
    assert stats.t_interval([1.0, math.nan, 3.0]).n == 2
    one = stats.t_interval([7.0])
    assert one.mean == 7.0 and math.isnan(one.halfwidth) and math.isnan(one.low)
    assert math.isnan(stats.t_interval([]).mean)
    assert math.isnan(stats.standard_error([1.0]))


def test_t_halfwidth_works_elementwise_and_is_nan_below_two():
    half = stats.t_halfwidth(np.array([1.0, 2.0, 2.0]), np.array([1, 4, 9]))
    assert math.isnan(half[0])
    assert half[1] == pytest.approx(sps.t.ppf(0.975, 3) * 2.0 / 2.0)
    assert half[2] == pytest.approx(sps.t.ppf(0.975, 8) * 2.0 / 3.0)


def test_paired_difference_cancels_what_the_pairs_share():
    """Seed noise common to both arms (here: large) leaves the paired interval on the effect alone."""
    rng = np.random.default_rng(0)
    shared = rng.normal(0, 100, size=12)  # the seed's world
    effect = 5.0 + rng.normal(0, 0.5, size=12)
    paired = stats.paired_difference(shared + effect, shared)
    assert paired.low < 5.0 < paired.high and paired.halfwidth < 1.0
    unpaired_sd = math.hypot(np.std(shared + effect, ddof=1), np.std(shared, ddof=1))
    assert paired.sd < unpaired_sd / 50
    with pytest.raises(ValueError, match="equal lengths"):
        stats.paired_difference([1.0, 2.0], [1.0])


def test_replications_for_is_the_smallest_n_that_reaches_the_target():
    n = stats.replications_for(sd=10.0, halfwidth=2.0)
    assert stats.t_halfwidth(10.0, n) <= 2.0 < stats.t_halfwidth(10.0, n - 1)
    assert stats.replications_for(sd=10.0, halfwidth=2.0, n_now=n + 5) == n + 5


def test_kaplan_meier_counts_censored_waits_as_at_least_that_long():
    # 1, 2, 2 resolved; 3 still open (censored); 4 resolved: S = 4/5, then x 2/4, then x 0/1
    t, s = stats.kaplan_meier([1, 2, 2, 3, 4], [True, True, True, False, True])
    assert np.allclose(t, [0, 1, 2, 4]) and np.allclose(s, [1, 0.8, 0.4, 0.0])
    # a censored wait beyond the last event carries the curve flat to it
    t, s = stats.kaplan_meier([1, 5], [True, False])
    assert np.allclose(t, [0, 1, 5]) and np.allclose(s, [1, 0.5, 0.5])
    t, s = stats.kaplan_meier([], [])
    assert list(t) == [0.0] and list(s) == [1.0]


def test_km_median_with_censoring_differs_from_naive_medians():
    durations, observed = [2, 3, 5, 8, 10], [True, False, True, True, False]
    # S(2) = 4/5, S(5) = 4/5 * 2/3 = 0.533, S(8) = 0.533 * 1/2 = 0.267 <= 1/2
    assert stats.km_median(durations, observed) == 8.0
    assert np.median(durations) == 5.0 and np.median([2, 5, 8]) == 5.0
    assert stats.km_median([1, 30, 30, 30], [True, False, False, False]) == math.inf
    assert math.isnan(stats.km_median([], []))
