"""The dashboard's model side, without a browser: sessions, levers, snapshots, charts."""

import json
import subprocess
import sys

import pytest

pytest.importorskip("solara")

from siyi_sim.dashboard import charts
from siyi_sim.dashboard.session import BASELINE, LEVERS, Session, changed_levers, current, lever_values, summary_rows

SMALL = {
    "population.n_cadres": 300,
    "population.n_enterprises": 600,
    "campaign.firms_per_batch": 10,
    "campaign.first_batch_day": 3,
}


def test_every_lever_is_a_real_parameter_with_the_scenarios_value():
    from siyi_sim.config import known_keys

    assert {lever.key for lever in LEVERS} <= known_keys()
    values = lever_values("random_matching")
    assert values["placement.matching"] == "random"
    assert changed_levers("random_matching", values) == {}
    assert changed_levers("campaign_2020", values) == {"placement.matching": "random"}


def test_watch_session_steps_the_run_and_the_baseline_on_the_same_day():
    session = Session.watch("campaign_2020", seed=3, fixed=SMALL)
    assert session.step(5) == 5
    run, base = session.snapshots()
    assert run.day == base.day == 5
    assert base.scenario == BASELINE and base.seed == run.seed == 3
    assert len(run.daily) == len(base.daily) == 5


def test_watch_session_never_steps_past_the_horizon():
    session = Session.watch("campaign_2020", seed=1, fixed={**SMALL, "run.days": 4})
    assert session.step(30) == 4
    assert session.step(1) == 0
    assert not session.running


def test_changed_lever_replays_the_same_seed_to_the_same_day():
    levers = lever_values("campaign_2020")
    session = Session.watch(
        "campaign_2020", seed=2, levers={**levers, "placement.safeguards": False}, day=12, fixed=SMALL
    )
    run, _ = session.snapshots()
    assert run.day == 12 and run.overrides["placement.safeguards"] is False
    assert "levers changed" in run.label
    again = Session.watch("campaign_2020", seed=2, levers={**levers, "placement.safeguards": False}, fixed=SMALL)
    again.step(12)
    assert again.snapshots()[0].summary == run.summary


def test_network_shows_only_placed_cadres_and_their_firms():
    session = Session.watch("campaign_2020", seed=4, fixed=SMALL)
    empty = session.snapshots()[0].network
    assert len(empty.cadre_xy) == 0 and len(empty.tie_trust) == 0
    session.step(10)
    net = session.snapshots()[0].network
    assert 0 < len(net.cadre_xy) < SMALL["population.n_cadres"]
    assert 0 < len(net.firm_xy) < SMALL["population.n_enterprises"]
    assert len(net.tie_trust) >= len(net.firm_xy)
    assert ((net.tie_trust >= 0) & (net.tie_trust <= 1)).all()
    assert net.tie_cadre.max() < len(net.cadre_xy) and net.tie_firm.max() < len(net.firm_xy)


def test_compare_session_runs_two_scenarios_under_one_seed():
    session = Session.compare("campaign_2020", "no_safeguards", seed=5, fixed=SMALL)
    session.step(8)
    a, b = session.snapshots()
    assert (a.scenario, b.scenario) == ("campaign_2020", "no_safeguards")
    assert a.day == b.day == 8 and a.seed == b.seed


def test_charts_are_plain_json_and_plot_the_current_values():
    session = Session.watch("campaign_2020", seed=6, fixed=SMALL)
    session.step(10)
    snaps = session.snapshots()
    options = [
        charts.network_chart(snaps[0]),
        charts.issues_chart(snaps),
        charts.closeness_chart(snaps),
        charts.clear_close_chart(snaps),
    ]
    for option in options:
        json.dumps(option, allow_nan=False)
    issues = options[1]
    program_series = [s for s in issues["series"] if s["xAxisIndex"] == 0]
    assert program_series[0]["data"][-1] == [10, current(snaps[0], "issues_resolved_program")]
    assert all(point[1] == 0 for point in program_series[1]["data"])  # the baseline places nobody


def test_summary_table_gives_second_column_minus_first():
    rows = summary_rows(
        [("baseline", {"cadres_placed": 0, "clear_index": 1.0}), ("run", {"cadres_placed": 12, "clear_index": 0.99})]
    )
    placed = next(r for r in rows if r[0] == "Cadres placed")
    assert placed == ["Cadres placed", "0", "12", "+12"]
    clear = next(r for r in rows if r[0].startswith("Clear index"))
    assert clear[-1] == "−0.0100"


def test_trust_colour_scale_runs_from_light_to_dark():
    assert charts.trust_color(0.0) == charts.TRUST_STOPS[0]
    assert charts.trust_color(1.0) == charts.TRUST_STOPS[-1]


def test_siyi_cli_does_not_import_solara_until_the_dashboard_runs():
    code = "import sys, siyi_sim.cli as c; c.build_parser(); print('solara' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "False"


def test_changing_a_lever_takes_over_the_unchanged_baseline_instead_of_replaying_it():
    session = Session.watch("campaign_2020", seed=7, fixed=SMALL)
    session.step(9)
    old_run, old_base = session.runs
    runs = session.close()
    assert session.step(1) == 0  # a closed session no longer moves
    levers = {**lever_values("campaign_2020"), "placement.follow_up": False}
    rebuilt = Session.watch("campaign_2020", seed=7, levers=levers, day=9, fixed=SMALL, reuse=runs)
    new_run, new_base = rebuilt.runs
    assert new_base is old_base and new_run is not old_run
    assert new_run.day == new_base.day == 9


def test_compare_session_runs_to_the_longer_horizon():
    """Baseline (1 year) against normalized_promotion (5 years): the comparison runs five years."""
    tiny = {"population.n_cadres": 60, "population.n_enterprises": 120}
    session = Session.compare("baseline", "normalized_promotion", seed=2, fixed=tiny)
    assert [run.horizon for run in session.runs] == [365, 1825]
    for _ in range(5):  # 5 x 400 days cover 1,825
        session.step(400)
    a, b = session.snapshots()
    assert (a.day, b.day, session.day) == (365, 1825, 1825)
    assert not a.running and not b.running
    assert len(b.daily) == 1825 and len(a.daily) == 365
    assert charts.issues_chart([a, b])["xAxis"][0]["max"] == 1825


def test_compare_session_rebuilt_mid_way_resumes_each_run_on_its_own_day():
    tiny = {"population.n_cadres": 60, "population.n_enterprises": 120}
    first = Session.compare("baseline", "normalized_promotion", seed=2, fixed=tiny)
    first.step(500)
    again = Session.compare("baseline", "normalized_promotion", seed=2, day=first.day, fixed=tiny, reuse=first.close())
    assert [run.day for run in again.runs] == [365, 500]


def test_summary_table_in_chinese_uses_the_indicator_registry():
    columns = [
        ("A", {"program_subsidy_yuan": 0.0, "strong_tie_share": 0.10, "clear_index": 1.0}),
        ("B", {"program_subsidy_yuan": 2_500_000.0, "strong_tie_share": 0.25, "clear_index": 0.99}),
    ]
    rows = {row[0]: row[1:] for row in summary_rows(columns, lang="zh")}
    from siyi_sim import metrics

    subsidy = rows[metrics.label("program_subsidy_yuan", "zh")]
    assert subsidy == ["0元", "250万元", "+250万元"]
    assert rows[metrics.label("strong_tie_share", "zh")] == ["10.0%", "25.0%", "+15.0个百分点"]


def test_clear_close_chart_keeps_both_runs_visible_where_they_coincide():
    session = Session.compare("campaign_2020", "campaign_2020", seed=1, fixed=SMALL)
    session.step(20)
    option = charts.clear_close_chart(session.snapshots(), charts.COMPARE_COLORS)
    paths = [s for s in option["series"] if s.get("type") == "line" and s.get("data")]
    markers = [s for s in option["series"] if s.get("type") == "scatter" and s.get("name")]
    assert paths[0]["data"] == paths[1]["data"]  # the same scenario twice: the paths coincide
    assert paths[1]["lineStyle"]["type"] == "dashed" and paths[1]["z"] > paths[0]["z"]
    assert markers[1]["symbolSize"] < markers[0]["symbolSize"] and markers[1]["z"] > markers[0]["z"]
    assert {markers[0]["label"]["position"], markers[1]["label"]["position"]} == {"right", "left"}


def test_charts_speak_chinese_when_asked():
    session = Session.compare("baseline", "campaign_2020", seed=1, fixed=SMALL)
    session.step(5)
    snaps = session.snapshots()
    for build in (charts.issues_chart, charts.closeness_chart, charts.clear_close_chart):
        english, chinese = (
            json.dumps(build(snaps), ensure_ascii=False),
            json.dumps(build(snaps, lang="zh"), ensure_ascii=False),
        )
        assert english != chinese
        assert not any(word in chinese for word in ("Issues resolved", "Closeness", "Clear–close", "day of the run"))
    network = charts.network_chart(snaps[0], lang="zh")
    assert network["title"]["text"] == "信任网络 — A: baseline，第 5 天"


def test_every_page_word_has_a_chinese_version():
    from siyi_sim.dashboard.app import TEXT

    assert set(TEXT["zh"]) == set(TEXT["en"])
    assert all(TEXT["zh"][key] != TEXT["en"][key] for key in TEXT["en"])
    assert all(charts.ZH.values())
