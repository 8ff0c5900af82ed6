"""Hypothesis fuzzing of experiment files and of every file of a results folder.

Whatever the bytes, reading either refuses with a ``ValueError`` (one line) or returns exactly
the rows that were written: never another exception, never a silently different result.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faults.faultkit import results, sweep
from siyi_sim.experiments import parse_plan
from siyi_sim.experiments.specs import expand
from siyi_sim.experiments.store import check_store

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

scalars = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.text(max_size=8),
)
values = st.one_of(scalars, st.lists(scalars, max_size=4))
keys = st.sampled_from(
    ["name", "scenarios", "replications", "base_seed", "days", "description", "reps", "trust.alpha",
     "population.n_cadres", "summary", "daily", "scenario", "set", "shift"]
)  # fmt: skip
sections = st.sampled_from(["experiment", "set", "grid", "keep", "variants.v", "points", "other"])


def _toml(tables: dict[str, dict[str, object]]) -> str:
    lines = []
    for table, entries in tables.items():
        lines.append(f"[[{table}]]" if table == "points" else f"[{table}]")
        lines += [f'"{key}" = {json.dumps(value)}' for key, value in entries.items()]
    return "\n".join(lines) + "\n"


plans = st.dictionaries(sections, st.dictionaries(keys, values, max_size=6), max_size=6).map(_toml)
valid_start = st.builds(
    lambda reps, seed, extra: (
        f'[experiment]\nscenarios = ["baseline", "campaign_2020"]\nreplications = {reps}\nbase_seed = {seed}\n' + extra
    ),
    st.integers(-3, 5),
    st.integers(-5, 2**64),
    st.sampled_from(
        ["", '[set]\n"trust.alpha" = true\n', '[grid]\n"trust.alpha" = [0.1, 0.1]\n', "[keep]\ndaily = 1\n"]
    ),
)


@FUZZ
@given(st.one_of(plans, valid_start, st.text(max_size=200)))
def test_any_experiment_text_is_a_plan_or_one_value_error(text):
    try:
        plan = parse_plan(text, "fuzz.toml")
        expand(plan)  # validated against the model's config
    except ValueError as err:
        assert "\n" not in str(err) and str(err)


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    out = tmp_path_factory.mktemp("fuzz") / "out"
    sweep(out)
    # leave one row as a journal part too, as a crash between merge and clean-up does
    runs = pd.read_parquet(out / "runs.parquet")
    first = {k: (None if pd.isna(v) else (v.item() if hasattr(v, "item") else v)) for k, v in runs.iloc[0].items()}
    (out / "parts" / f"{first['run_key']}.json").write_text(json.dumps(first))
    return out, results(out)


mutations = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(1, 255)),
    st.tuples(st.just("replace"), st.binary(max_size=64)),
    st.tuples(st.just("json"), st.recursive(scalars, lambda c: st.lists(c) | st.dictionaries(st.text(max_size=5), c))),
)


def _mutate(file: Path, mutation) -> None:
    data = file.read_bytes()
    kind = mutation[0]
    if kind == "truncate":
        file.write_bytes(data[: int(len(data) * mutation[1])])
    elif kind == "flip":
        at = min(len(data) - 1, int(len(data) * mutation[1]))
        file.write_bytes(data[:at] + bytes([data[at] ^ mutation[2]]) + data[at + 1 :])
    elif kind == "replace":
        file.write_bytes(mutation[1])
    else:
        file.write_text(json.dumps(mutation[1]))


@FUZZ
@given(which=st.integers(0, 10_000), mutation=mutations)
def test_any_damage_to_a_store_file_is_refused_or_harmless(original, which, mutation):
    source, expected = original
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        shutil.copytree(source, out)
        files = sorted(p for p in out.rglob("*") if p.is_file() and p.name != ".lock")
        _mutate(files[which % len(files)], mutation)
        try:
            got = results(out)
        except ValueError as err:
            assert "\n" not in str(err)
        else:
            for a, b in zip(got, expected, strict=True):
                pd.testing.assert_frame_equal(a, b)  # accepted means: exactly what was written
        try:
            check_store(out)
        except ValueError as err:
            assert "\n" not in str(err)
