"""Each figure function returns a Figure and writes a non-empty PNG (issue 6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from siyi_sim import simulate
from siyi_sim.analysis import figures
from siyi_sim.analysis.style import save_png

SMALL = {
    "population.n_cadres": 300,
    "population.n_enterprises": 600,
    "campaign.first_batch_day": 2,
    "campaign.batch_interval_days": 5,
    "campaign.n_batches": 3,
}
DAYS = 30
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def replays():
    """baseline and campaign on the same seed: the model-level figures' input."""
    return {name: simulate(name, seed=3, days=DAYS, overrides=SMALL) for name in ("baseline", "campaign_2020")}


@pytest.fixture(scope="module")
def runs_and_daily(replays):
    """A results-like table: 3 replications x 2 scenarios (rows as the sweep runner writes them)."""
    rows, daily = [], []
    for rep in range(3):
        for name in ("baseline", "campaign_2020"):
            r = replays[name] if rep == 0 else simulate(name, seed=3 + rep, days=DAYS, overrides=SMALL)
            rows.append({"run_key": f"{name}-{rep}", "point": 0, "replication": rep, **r.summary})
            d = r.daily.reset_index()
            d["scenario"], d["point"], d["replication"] = name, 0, rep
            daily.append(d)
    return pd.DataFrame(rows), pd.concat(daily, ignore_index=True)


def _check(fig, tmp_path, name):
    assert isinstance(fig, Figure)
    path = save_png(fig, tmp_path / f"{name}.png")
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 5_000
    assert not list(tmp_path.glob(".*.tmp")), "temporary file left behind"


def test_clear_close_quadrant_marks_baseline(runs_and_daily, tmp_path):
    fig = figures.clear_close_quadrant(runs_and_daily[0])
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "clear but not close" in texts
    _check(fig, tmp_path, "quadrant")


def test_paired_forest_draws_one_panel_per_metric(runs_and_daily, tmp_path):
    fig = figures.paired_forest(runs_and_daily[0], ["mean_owner_trust", "strong_tie_share", "clear_index"])
    assert sum(ax.get_visible() for ax in fig.axes) == 3
    _check(fig, tmp_path, "forest")


def test_program_totals_against_2020(runs_and_daily, tmp_path):
    _check(figures.program_totals_vs_2020(runs_and_daily[0]), tmp_path, "totals")


def test_trust_growth_from_daily_series(runs_and_daily, tmp_path):
    _check(figures.trust_growth(runs_and_daily[1]), tmp_path, "growth")


def test_trust_growth_without_daily_series_is_a_user_error():
    with pytest.raises(ValueError, match="daily"):
        figures.trust_growth(pd.DataFrame())


def test_resolution_survival_legacy_vs_ordinary(replays, tmp_path):
    _check(figures.resolution_survival({k: r.model for k, r in replays.items()}), tmp_path, "survival")


def test_mindset_spillover_placed_vs_never_placed(replays, tmp_path):
    table = pd.concat([figures.firm_speed_table(r.model) for r in replays.values()])
    assert table.loc[table.scenario == "campaign_2020", "placed"].any()
    _check(figures.mindset_spillover({k: r.model for k, r in replays.items()}), tmp_path, "spillover")


def test_trust_network_drawing(replays, tmp_path):
    _check(figures.trust_network(replays["campaign_2020"].model), tmp_path, "network")
    _check(figures.trust_network(replays["baseline"].model), tmp_path, "network_empty")


def test_kaplan_meier_matches_hand_computation():
    # times 1,2,2,3(censored),4 -> S(1)=4/5, S(2)=4/5*1/3... at risk at 2: 4, events 2 -> 0.8*0.5=0.4; at 4: 1 at risk -> 0
    t, s = figures.kaplan_meier([1, 2, 2, 3, 4], [True, True, True, False, True])
    assert np.allclose(t, [0, 1, 2, 4]) and np.allclose(s, [1, 0.8, 0.4, 0.0])


def test_mean_ci_is_the_t_interval():
    m, half = figures.mean_ci([1.0, 2.0, 3.0, 4.0])
    assert m == 2.5 and half == pytest.approx(3.182446305284263 * np.std([1, 2, 3, 4], ddof=1) / 2)
