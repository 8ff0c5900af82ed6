"""`siyi robustness`: paired effects across an ensemble, share better, regret, next to the seed-only CI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from siyi_sim.analysis.stats import paired_difference
from siyi_sim.cli import main
from siyi_sim.experiments.robustness import robustness_sentences, robustness_table, verdict

DRAWS, REPS = 20, 6


def synthetic_runs() -> pd.DataFrame:
    """Known answers: policy 'a' gains (draw - 5) issues, so it helps in 14 of 20 draws; 'b' always gains 10
    issues but adds 2 incidents (fewer is better); seed noise is shared within a replication (paired)."""
    rng = np.random.default_rng(1)
    rows = []
    for d in range(DRAWS):
        seed_noise = rng.normal(0, 3, REPS)
        jitter = {s: rng.normal(0, 0.5, REPS) for s in ("a", "b")}
        for r in range(REPS):
            base = 100 + d + seed_noise[r]
            values = {
                "baseline": (base, 5.0),
                "a": (base + (d - 5) + jitter["a"][r], 5.0),
                "b": (base + 10 + jitter["b"][r], 7.0),
            }
            for scenario, (issues, incidents) in values.items():
                rows.append(
                    {
                        "run_key": f"{scenario}-{d}-{r}",
                        "scenario": scenario,
                        "point": d,
                        "replication": r,
                        "seed": r,
                        "trust.alpha": 0.05 + d / 1000,
                        "program_issues_resolved": issues,
                        "integrity_incidents": incidents,
                    }
                )
    return pd.DataFrame(rows)


def test_median_range_share_and_regret_match_the_planted_effects():
    runs = synthetic_runs()
    table = robustness_table(runs, "baseline").set_index(["metric", "scenario"])
    a = table.loc[("program_issues_resolved", "a")]
    effects = np.arange(DRAWS) - 5.0
    assert a["draws"] == DRAWS
    assert a["median_effect"] == pytest.approx(np.median(effects), abs=0.5)
    assert a["q05_effect"] == pytest.approx(np.quantile(effects, 0.05), abs=0.5)
    assert a["q95_effect"] == pytest.approx(np.quantile(effects, 0.95), abs=0.5)
    assert a["share_better"] == pytest.approx(14 / DRAWS)
    # regret: the best policy of a draw is b while 10 > d - 5, else a
    regret_a = np.maximum(10 - effects, 0)
    assert a["median_regret"] == pytest.approx(np.median(regret_a), abs=0.5)
    b = table.loc[("program_issues_resolved", "b")]
    assert b["share_better"] == 1.0 and b["median_regret"] == pytest.approx(0, abs=0.5)
    assert b["max_regret"] == pytest.approx(4, abs=0.8)  # draw 19: a gains 14, b 10
    incidents = table.loc[("integrity_incidents", "b")]
    assert incidents["share_better"] == 0.0, "more incidents is worse: the registry says lower is better"
    assert incidents["median_regret"] == pytest.approx(2.0)


def test_seed_only_ci_is_the_paired_t_interval_within_a_draw():
    runs = synthetic_runs()
    table = robustness_table(runs, "baseline", ["program_issues_resolved"]).set_index("scenario")
    halves = []
    for d in range(DRAWS):
        draw = runs[runs["point"] == d].set_index(["scenario", "replication"])["program_issues_resolved"]
        halves.append(paired_difference(draw.loc["a"].to_numpy(), draw.loc["baseline"].to_numpy()).halfwidth)
    assert table.loc["a", "seed_ci_halfwidth"] == pytest.approx(np.median(halves))
    assert table.loc["a", "range_over_seed_ci"] > 10, "what we don't know dwarfs seed noise here"


def test_words_separate_robust_conclusions_from_those_that_depend_on_unknowns():
    table = robustness_table(synthetic_runs(), "baseline", ["program_issues_resolved"])
    assert [verdict(r) for _, r in table.iterrows()] == ["depends on unknowns", "robustly better"]
    holds, depends = robustness_sentences(table, "baseline")
    assert holds.startswith("Holds across the ensemble: b is better") and "a vs baseline" in depends


def test_bad_requests_are_refused():
    runs = synthetic_runs()
    with pytest.raises(ValueError, match="baseline 'nope' is not a scenario"):
        robustness_table(runs, "nope")
    with pytest.raises(ValueError, match="unknown outcome 'bogus'"):
        robustness_table(runs, "baseline", ["bogus"])
    with pytest.raises(ValueError, match="at least one other policy"):
        robustness_table(runs[runs["scenario"] == "baseline"], "baseline")


def test_command_prints_the_table_writes_csv_and_refuses_bad_input(tmp_path, capsys):
    plan = tmp_path / "plan.toml"
    plan.write_text(
        '[experiment]\nscenarios = ["baseline", "campaign_2020"]\nreplications = 2\ndays = 130\n'
        '[set]\n"population.n_cadres" = 150\n"population.n_enterprises" = 300\n'
        '[keep]\nsummary = ["program_issues_resolved", "clear_index"]\n'
    )
    out = tmp_path / "ens"
    assert main(["explore", str(plan), "--out", str(out), "--draws", "3", "--workers", "1"]) == 0
    capsys.readouterr()
    csv = tmp_path / "rob.csv"
    assert main(["robustness", str(out), "--csv", str(csv)]) == 0
    printed = capsys.readouterr().out
    assert "Issues solved by placed cadres (program_issues_resolved)" in printed and "seed-only 95 % CI" in printed
    saved = pd.read_csv(csv)
    assert set(saved["metric"]) == {"program_issues_resolved", "clear_index"} and (saved["draws"] == 3).all()
    assert main(["robustness", str(out), "--lang", "zh", "--metric", "clear_index"]) == 0
    assert "仅种子" in capsys.readouterr().out
    for args, words in (
        (["robustness", str(out), "--baseline", "nope"], "baseline 'nope' is not a scenario"),
        (["robustness", str(tmp_path / "missing")], "holds no sweep results"),
        (["robustness", str(out), "--csv", str(tmp_path / "no" / "x.csv")], "cannot write --csv"),
    ):
        assert main(args) == 2
        err = capsys.readouterr().err.strip()
        assert words in err and len(err.splitlines()) == 1


@pytest.mark.slow
def test_robustness_notebook_executes_in_small_mode(tmp_path, monkeypatch):
    import os
    from pathlib import Path

    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("SIYI_NOTEBOOK_SMALL", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    path = Path(__file__).resolve().parents[1] / "notebooks" / "robustness.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute(
        env=dict(os.environ)
    )
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    printed = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "robustness of paired effects vs 'baseline'" in printed and "seed-only 95 % CI" in printed
    assert not list(tmp_path.iterdir()), "the notebook writes only to its temporary folder"


def test_brief_of_an_ensemble_says_how_sure_we_are_and_a_plain_sweep_does_not(tmp_path):
    from siyi_sim.analysis.brief import how_sure_html, is_ensemble

    runs = synthetic_runs()
    section = how_sure_html(runs, "baseline", ["program_issues_resolved", "integrity_incidents"], "en")
    assert is_ensemble(runs) and 'id="robustness"' in section
    assert "Holds across the ensemble: b is better" in section and "Depends on what we do not know" in section
    assert "20 draws of what we do not know (trust.alpha)" in section
    plain = runs[runs["point"] == 0].drop(columns=["trust.alpha"])
    assert not is_ensemble(plain) and how_sure_html(plain, "baseline", ["program_issues_resolved"], "en") == ""
    gridded = runs.rename(columns={"trust.alpha": "placement.placement_days"})  # a lever grid is not an ensemble
    assert not is_ensemble(gridded)
