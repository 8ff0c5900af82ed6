"""`siyi explore --backend dask` on a real `dask scheduler` + `dask worker` pair gives the local pool's numbers."""

from __future__ import annotations

import pandas as pd
import pytest

pytest.importorskip("distributed")

from test_experiments_dask import numeric, scheduler_and_workers  # noqa: F401 - the fixture is used by name

from siyi_sim.cli import main
from siyi_sim.experiments import load_runs

PLAN = """
[experiment]
name = "tiny_ensemble_dask"
scenarios = ["baseline", "campaign_2020"]
replications = 2
base_seed = 31
days = 120
[set]
"population.n_cadres" = 150
"population.n_enterprises" = 300
[keep]
summary = ["program_issues_resolved", "clear_index", "mean_owner_trust"]
"""


@pytest.mark.slow
def test_explore_on_a_dask_scheduler_matches_the_local_pool(scheduler_and_workers, tmp_path, capsys):  # noqa: F811
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN)
    draws = ["--draws", "3", "--draw-seed", "4"]
    assert main(["explore", str(plan), "--out", str(tmp_path / "local"), *draws, "--workers", "2"]) == 0
    code = main(
        [
            "explore",
            str(plan),
            "--out",
            str(tmp_path / "dask"),
            *draws,
            "--backend",
            "dask",
            "--scheduler",
            scheduler_and_workers,
            "--connect-timeout",
            "20",
        ]
    )
    assert code == 0, capsys.readouterr().err
    local, remote = load_runs(tmp_path / "local"), load_runs(tmp_path / "dask")
    assert len(local) == 3 * 2 * 2
    pd.testing.assert_frame_equal(numeric(remote), numeric(local))
