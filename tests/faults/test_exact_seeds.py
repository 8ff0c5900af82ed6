"""Seeds are Python ints end to end (0 .. 2**63-1): any sweep row is reproduced exactly by
``siyi run --scenario S --seed X``, at both ends of the range and above 2**53 (where a float
would silently change the seed)."""

from __future__ import annotations

import json
import math

import pyarrow.parquet as pq
import pytest

from faults.faultkit import cli
from siyi_sim.experiments import load_runs, parse_plan, run_sweep

MAX_SEED = 2**63 - 1
SIZE = {"population.n_cadres": 200, "population.n_enterprises": 400}
PLAN = """
[experiment]
name = "seeds"
scenarios = ["campaign_2020"]
replications = {reps}
base_seed = {base}
days = 20
[set]
"population.n_cadres" = 200
"population.n_enterprises" = 400
"""


@pytest.mark.parametrize("base, reps", [(0, 2), (2**53, 2), (MAX_SEED - 1, 2)], ids=["zero", "2**53", "2**63-1"])
def test_siyi_run_reproduces_every_sweep_row_exactly(base, reps, tmp_path, capsys, check):
    out = tmp_path / "out"
    run_sweep(parse_plan(PLAN.format(base=base, reps=reps), "seeds.toml"), out, progress=False)
    check("no silent wrong result", pq.read_schema(out / "runs.parquet").field("seed").type == "int64", "dtype")
    runs = load_runs(out)
    check("no silent wrong result", [int(s) for s in runs["seed"]] == [base + r for r in range(reps)], "seeds")
    for _, row in runs.iterrows():
        seed = int(row["seed"])
        sets = [a for k, v in SIZE.items() for a in ("--set", f"{k}={v}")]
        code, printed, err = cli(capsys, "run", "--scenario", "campaign_2020", "--seed", str(seed), "--days", "20",
                                 *sets, "--json")  # fmt: skip
        assert code == 0, err
        summary = json.loads(printed)
        check("no silent wrong result", summary["seed"] == seed, f"{summary['seed']} != {seed}")
        differ = [k for k, v in summary.items() if k in row.index and not _same(v, row[k])]
        check("no silent wrong result", not differ, f"seed {seed}: {differ}")


def _same(a, b) -> bool:
    if (isinstance(a, float) and math.isnan(a)) or a is None:
        return b is None or (isinstance(b, float) and math.isnan(b))
    return a == b


@pytest.mark.parametrize("text", ["9007199254740993", "9223372036854775807"])
def test_seed_text_is_parsed_exactly(text, capsys, check):
    sets = [a for k, v in SIZE.items() for a in ("--set", f"{k}={v}")]
    code, printed, err = cli(capsys, "run", "--scenario", "baseline", "--seed", text, "--days", "2", *sets, "--json")
    assert code == 0, err
    check("no silent wrong result", json.loads(printed)["seed"] == int(text), printed[:80])


@pytest.mark.parametrize("text", ["9223372036854775808", "-1", "1e400", "1.5", "nan", "9007199254740993.0"])
def test_seeds_outside_the_range_are_one_line(text, capsys, check):
    code, _, err = cli(capsys, "run", "--seed", text, "--days", "2")
    check(
        "no traceback",
        code == 2 and err.startswith("siyi: error:") and "invalid seed" in err and err.count("\n") == 1,
        err,
    )
