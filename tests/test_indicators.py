"""The indicator registry (issue 10, part 3): one place for every key's labels, unit, format and direction."""

from __future__ import annotations

import re

import pytest

from siyi_sim import simulate
from siyi_sim.metrics import (
    DAILY_REPORTERS,
    INDICATORS,
    SUMMARY_KEYS,
    axis_label,
    format_side_by_side,
    format_summary,
    format_value,
    indicator,
    label,
)

CJK = re.compile(r"[\u3400-\u9fff]")
SMALL = {"population.n_cadres": 300, "population.n_enterprises": 600}


@pytest.fixture(scope="module")
def baseline_summary():
    return simulate("baseline", seed=2, days=20, overrides=SMALL).summary


def test_registry_lists_summary_keys_in_order_then_daily_only_series():
    keys = list(INDICATORS)
    assert tuple(keys[: len(SUMMARY_KEYS)]) == SUMMARY_KEYS
    daily_only = [k for k in DAILY_REPORTERS if k not in SUMMARY_KEYS]
    assert keys[len(SUMMARY_KEYS) :] == daily_only, "every daily series has an entry, and nothing else follows"
    assert all(INDICATORS[k].key == k for k in keys)


def test_every_summary_value_formats_in_both_languages(baseline_summary):
    assert tuple(baseline_summary) == SUMMARY_KEYS
    for key, value in baseline_summary.items():
        assert format_value(key, value, "en") and format_value(key, value, "zh")


def test_program_indicators_are_zero_or_missing_in_the_baseline_by_construction(baseline_summary):
    """kind="program" is what keeps a key out of the brief's headline: it must be empty without placements."""
    program = [k for k in SUMMARY_KEYS if INDICATORS[k].kind == "program"]
    assert "program_issues_resolved" in program and "strong_tie_share" in program
    assert all(baseline_summary[k] in (0, 0.0, None) for k in program), {k: baseline_summary[k] for k in program}
    outcomes = [k for k in SUMMARY_KEYS if INDICATORS[k].kind in ("total", "state")]
    assert any(baseline_summary[k] for k in outcomes), "totals and states carry the baseline's own level"


def test_labels_follow_the_seed_wording_and_english_needs_no_cjk_font():
    for ind in INDICATORS.values():
        assert CJK.search(ind.zh), ind.key
        assert not CJK.search(ind.en), f"{ind.key}: English labels must draw without a CJK font"
        assert ind.description.endswith("."), ind.key
    assert "五个一" in label("five_ones_completion", "zh")
    assert "清" in label("clear_index", "zh") and "亲" in label("mean_owner_trust", "zh")
    for key in ("program_subsidy_yuan", "program_loans_yuan", "subsidy_yuan_total", "loans_yuan_total"):
        assert "not a welfare gain" in INDICATORS[key].description


def test_unknown_key_or_language_is_a_one_line_value_error():
    with pytest.raises(ValueError, match="'happiness'"):
        indicator("happiness")
    with pytest.raises(ValueError, match="'happiness'"):
        format_value("happiness", 1.0)
    with pytest.raises(ValueError, match="'fr'"):
        label("clear_index", "fr")


@pytest.mark.parametrize(
    ("key", "value", "lang", "difference", "expected"),
    [
        ("program_subsidy_yuan", 79.15e6, "en", False, "79.15 million yuan"),
        ("program_subsidy_yuan", 79.15e6, "zh", False, "7915万元"),
        ("program_loans_yuan", 16_000.0, "zh", False, "1.60万元"),
        ("program_loans_yuan", 16_000.0, "en", False, "16,000 yuan"),
        ("program_loans_yuan", 500.0, "zh", False, "500元"),
        ("loans_yuan_total", -2.5e6, "en", True, "−2.50 million yuan"),
        ("program_hires", 4741, "en", False, "4,741"),
        ("integrity_incidents", 24.0, "en", True, "+24"),
        ("strong_tie_share", 0.0734, "en", False, "7.3%"),
        ("strong_tie_share", 0.0734, "zh", True, "+7.3个百分点"),
        ("clear_index", 0.9321, "en", False, "0.932"),
        ("median_days_to_resolve", 12.5, "zh", False, "12.5天"),
        ("mean_evaluation_score", None, "en", False, "n/a"),
        ("mean_evaluation_score", float("nan"), "zh", False, "无"),
        ("scenario", "baseline", "zh", False, "baseline"),
    ],
)
def test_format_value(key, value, lang, difference, expected):
    assert format_value(key, value, lang, difference=difference) == expected


def test_axis_label_carries_the_unit():
    assert axis_label("program_loans_yuan") == "Loans via cadres (yuan)"
    assert axis_label("program_loans_yuan", "zh") == "进驻干部帮助获得贷款（元）"


def test_cli_tables_read_the_registry_and_align_chinese(baseline_summary):
    other = dict(baseline_summary, program_subsidy_yuan=79.15e6)
    table = format_side_by_side([baseline_summary, other], "zh").splitlines()
    assert len(table) == len(SUMMARY_KEYS)
    row = next(line for line in table if line.endswith("program_subsidy_yuan"))
    assert row.startswith(label("program_subsidy_yuan", "zh")) and "7915万元" in row

    def width(text):  # display columns: CJK counts two
        return sum(2 if CJK.match(ch) or ch in "（）" else 1 for ch in text)

    ends = {width(line[: line.rindex("  ")]) for line in table}
    assert len(ends) == 1, "value columns end in the same terminal column"
    assert format_summary(baseline_summary).splitlines()[0].split() == ["Scenario", "baseline", "scenario"]


def _comparison():
    import pandas as pd

    from siyi_sim.experiments.compare import paired_comparison

    rows = [
        {
            "scenario": s,
            "point": 0,
            "replication": r,
            "days": 30,
            "seed": r,
            "run_key": f"{s}{r}",
            "program_subsidy_yuan": v,
        }
        for s, base in (("baseline", 0.0), ("campaign_2020", 7.9e7))
        for r, v in enumerate((base, base * 1.1, base * 0.9))
    ]
    return paired_comparison(pd.DataFrame(rows), metrics=["program_subsidy_yuan"])


def test_compare_table_reads_the_registry_in_both_languages(monkeypatch):
    from siyi_sim.experiments.compare import format_comparison

    table = _comparison()
    en = format_comparison(table, "baseline", lang="en")
    assert "Subsidies via cadres (program_subsidy_yuan)" in en and "+79.00 million yuan" in en
    zh = format_comparison(table, "baseline", lang="zh").splitlines()
    assert "进驻干部对接政策涉及资金 (program_subsidy_yuan)" in zh and any("+7900万元" in line for line in zh)
    header, *rows = [line for line in zh if line.startswith("  ")]
    assert header.split()[0] == "情景"
    ends = {sum(2 if CJK.match(ch) else 1 for ch in line[: line.index("元") + 1]) for line in rows}
    assert len(ends) == 1, "means end in the same terminal column despite wide characters"
    monkeypatch.setenv("SIYI_LANG", "zh")
    assert "配对差" in format_comparison(table, "baseline")
