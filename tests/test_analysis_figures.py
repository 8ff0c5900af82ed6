"""Figures show what they claim: their artists carry the data, the registry's labels and the language asked for."""

from __future__ import annotations

import itertools
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from siyi_sim import simulate
from siyi_sim.analysis import figures, style
from siyi_sim.analysis.style import save_figure, svg_bytes
from siyi_sim.metrics import FACTS_2020, INDICATORS, format_value, label

SMALL = {
    "population.n_cadres": 300,
    "population.n_enterprises": 600,
    "campaign.first_batch_day": 2,
    "campaign.batch_interval_days": 5,
    "campaign.n_batches": 3,
}
DAYS = 30
CJK = re.compile(r"[\u3400-\u9fff]")


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


def _renderer(fig: Figure):
    """Draw the figure as it is saved (our style, Agg) and return the renderer, for text extents."""
    canvas = FigureCanvasAgg(fig)
    with style.styled():
        canvas.draw()
    return canvas.get_renderer()


def _texts(fig: Figure) -> str:
    """Every string drawn in the figure (titles, labels, ticks, annotations, legends)."""
    _renderer(fig)
    return "\n".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text())


def _draws_cleanly(fig: Figure) -> None:
    """Render to PNG and SVG with every warning an error: a missing glyph (a box) fails."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        style.png_bytes(fig)
        svg_bytes(fig)


def test_quadrant_axes_never_magnify_a_small_difference_unannounced(runs_and_daily):
    runs = runs_and_daily[0]
    fig = figures.clear_close_quadrant(runs)
    ax = fig.axes[0]
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert x1 - x0 >= 0.1 - 1e-12 and y1 - y0 >= 0.1 - 1e-12, "a tenth of the 0-1 scale at least"
    assert y0 >= 0 and y1 <= 1
    text = _texts(fig)
    assert "clear but not close" in text
    assert f"y {y0:.2f}–{y1:.2f}" in text, "the note states the window the axis shows"
    assert label("clear_index") in text and label("mean_owner_trust") in text
    baseline = runs[runs.scenario == "baseline"]
    lines = [c for c in ax.get_lines() if len(c.get_xdata()) == 1]
    points = {(round(float(c.get_xdata()[0]), 9), round(float(c.get_ydata()[0]), 9)) for c in lines}
    assert (round(baseline.mean_owner_trust.mean(), 9), round(baseline.clear_index.mean(), 9)) in points


def test_forest_panels_follow_the_registry_and_colour_by_policy_direction(runs_and_daily):
    metrics = ["mean_owner_trust", "integrity_incidents", "program_subsidy_yuan"]
    fig = figures.paired_forest(runs_and_daily[0], metrics)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == [label(m) for m in metrics]
    assert "million yuan" in visible[2].get_xlabel()
    assert figures._verdict_color("integrity_incidents", 2.0, 5.0) == style.WORSE_COLOR
    assert figures._verdict_color("integrity_incidents", -5.0, -2.0) == style.BETTER_COLOR
    assert figures._verdict_color("mean_owner_trust", 0.01, 0.02) == style.BETTER_COLOR
    assert figures._verdict_color("mean_owner_trust", -0.01, 0.02) != style.BETTER_COLOR
    renderer = _renderer(fig)
    for ax in visible:  # readable ticks: no two tick labels overlap
        boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text() and t.get_visible()]
        assert len(boxes) >= 2
        for a, b in itertools.pairwise(boxes):
            assert not a.overlaps(b), [t.get_text() for t in ax.get_xticklabels()]


def test_program_totals_bars_are_percentages_of_the_2020_figures(runs_and_daily):
    runs = runs_and_daily[0]
    fig = figures.program_totals_vs_2020(runs, lang="zh")
    ax = fig.axes[0]
    widths = sorted(round(p.get_width(), 6) for p in ax.patches if p.get_height() == pytest.approx(0.55))
    campaign = runs[runs.scenario == "campaign_2020"]
    expected = sorted(round(100 * campaign[k].mean() / v, 6) for k, v in FACTS_2020.items())
    assert widths == pytest.approx(expected)
    text = _texts(fig)
    assert format_value("program_subsidy_yuan", FACTS_2020["program_subsidy_yuan"], "zh") in text  # 7915万元
    assert label("program_hires", "zh") in text


def test_trust_growth_lines_are_daily_means_across_replications(runs_and_daily):
    daily = runs_and_daily[1]
    fig = figures.trust_growth(daily)
    line = next(c for c in fig.axes[1].get_lines() if c.get_label() == style.scenario_label("campaign_2020"))
    want = daily[daily.scenario == "campaign_2020"].groupby("day")["mean_owner_trust"].mean()
    assert np.allclose(line.get_ydata(), want.to_numpy())
    assert fig.axes[1].get_title() == label("mean_owner_trust")


def test_trust_growth_without_daily_series_is_a_user_error():
    with pytest.raises(ValueError, match="daily"):
        figures.trust_growth(pd.DataFrame())


def test_resolution_survival_draws_the_kaplan_meier_curves(replays):
    models = {k: r.model for k, r in replays.items()}
    fig = figures.resolution_survival(models)
    table = figures.issue_table(replays["baseline"].model)
    ordinary = table[~table.legacy]
    t, s = figures.kaplan_meier(ordinary.wait_days, ordinary.resolved)
    steps = [c for c in fig.axes[0].get_lines() if c.get_label().startswith(style.scenario_label("baseline"))]
    assert np.allclose(steps[0].get_xdata(), t) and np.allclose(steps[0].get_ydata(), s)


def test_mindset_spillover_bars_start_at_zero_and_show_mean_speed(replays):
    models = {k: r.model for k, r in replays.items()}
    fig = figures.mindset_spillover(models)
    ax = fig.axes[0]
    assert ax.get_xlim()[0] == 0
    table = figures.firm_speed_table(replays["campaign_2020"].model)
    placed = 100 * table.loc[table.placed, "speed_faced"].mean()
    assert any(p.get_width() == pytest.approx(placed) for p in ax.patches)


def test_network_is_drawn_per_department_from_the_ties(replays):
    model = replays["campaign_2020"].model
    nodes, links = figures.department_ties(model)
    g = model.trust_graph
    tied_firms = {n for u, v, d in g.edges(data=True) if d.get("kind") == "tie" for n in (u, v) if n.startswith("f")}
    assert nodes["firms"].sum() > 0 and nodes["firms"].max() <= len(tied_firms)
    assert (links["firms"] > 0).all()
    fig = figures.trust_network(model)
    text = _texts(fig)
    busiest = nodes.sort_values("firms").iloc[-1]
    assert f"{busiest['cadres']} cadres, {busiest['firms']} firms" in text
    assert len(fig.axes[0].collections) == len(nodes), "one circle per department, not one per firm"
    empty = figures.trust_network(replays["baseline"].model)
    assert "nobody was placed" in _texts(empty)


def test_chinese_figures_draw_every_glyph(runs_and_daily, replays):
    if style.cjk_font() is None:
        pytest.skip("no CJK font installed (Debian: fonts-noto-cjk)")
    runs, daily = runs_and_daily
    models = {k: r.model for k, r in replays.items()}
    drawn = [
        figures.clear_close_quadrant(runs, lang="zh"),
        figures.paired_forest(runs, ["clear_index", "program_subsidy_yuan"], lang="zh"),
        figures.program_totals_vs_2020(runs, lang="zh"),
        figures.trust_growth(daily, lang="zh"),
        figures.resolution_survival(models, lang="zh"),
        figures.mindset_spillover(models, lang="zh"),
        figures.trust_network(models["campaign_2020"], lang="zh"),
    ]
    for fig in drawn:
        assert CJK.search(_texts(fig))
        _draws_cleanly(fig)
    assert "清有余而亲不足" in _texts(drawn[0])
    assert INDICATORS["clear_index"].zh in _texts(drawn[1])


def test_without_a_cjk_font_chinese_falls_back_to_english_with_one_warning(runs_and_daily, monkeypatch):
    monkeypatch.setattr(style, "cjk_font", lambda: None)
    with pytest.warns(UserWarning, match="no CJK font") as record:
        fig = figures.clear_close_quadrant(runs_and_daily[0], lang="zh")
    assert len(record) == 1
    assert not CJK.search(_texts(fig)), "English labels, never boxes"


def test_save_figure_writes_png_and_svg_atomically(runs_and_daily, tmp_path):
    paths = save_figure(figures.clear_close_quadrant(runs_and_daily[0]), tmp_path / "quadrant")
    assert [p.name for p in paths] == ["quadrant.png", "quadrant.svg"]
    assert paths[0].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert b"<svg" in paths[1].read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quadrant.png", "quadrant.svg"], "no temporary file left"


def test_kaplan_meier_matches_hand_computation():
    # times 1,2,2,3(censored),4: S(1)=4/5; at 2: 4 at risk, 2 events -> 0.8*0.5=0.4; at 4: 1 at risk -> 0
    t, s = figures.kaplan_meier([1, 2, 2, 3, 4], [True, True, True, False, True])
    assert np.allclose(t, [0, 1, 2, 4]) and np.allclose(s, [1, 0.8, 0.4, 0.0])


def test_mean_ci_is_the_t_interval():
    m, half = figures.mean_ci([1.0, 2.0, 3.0, 4.0])
    assert m == 2.5 and half == pytest.approx(3.182446305284263 * np.std([1, 2, 3, 4], ddof=1) / 2)
