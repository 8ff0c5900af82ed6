"""The Mesa agents are views of the state arrays: queries see the current state, setters write it."""

import numpy as np
import pytest
from conftest import SMALL

from siyi_sim.agents import Cadre, Enterprise
from siyi_sim.catalog import DEPARTMENTS
from siyi_sim.model import SiyiModel
from siyi_sim.scenarios import scenario_config


@pytest.fixture(scope="module")
def model():
    m = SiyiModel(scenario_config("campaign_2020", {**SMALL, "run.days": 200}), seed=3)
    m.run_to_end()
    return m


def test_one_agent_per_row(model):
    assert len(model.agents) == model.cadres.n + model.firms.n
    assert len(model.agents_by_type[Cadre]) == model.cadres.n
    assert sorted(a.index for a in model.agents_by_type[Enterprise]) == list(range(model.firms.n))


def test_agentset_queries_match_the_arrays_after_a_run(model):
    cadres = model.agents_by_type[Cadre]
    keen = cadres.select(lambda c: c.attitude > 0.5)
    assert len(keen) == int((model.cadres.attitude > 0.5).sum()) > 0  # attitudes rose in the run
    assert cadres.agg("attitude", np.mean) == pytest.approx(model.cadres.attitude.mean())
    placed = cadres.select(lambda c: c.ever_placed)
    assert len(placed) == int(model.cadre_ever_placed.sum()) > 0
    by_index = dict(zip(cadres.get("index"), cadres.get("department"), strict=True))
    assert all(by_index[i] == DEPARTMENTS[d] for i, d in enumerate(model.cadres.dept))
    firms = model.agents_by_type[Enterprise]
    assert firms.agg("owner_trust", max) == pytest.approx(model.firms.trust.max())


def test_setters_write_the_arrays_and_reject_out_of_range(model):
    firm = model.agents_by_type[Enterprise][0]
    firm.fear = 0.9
    assert model.firms.fear[firm.index] == 0.9
    cadre = model.agents_by_type[Cadre][0]
    cadre.attitude = 0.25
    assert model.cadres.attitude[cadre.index] == 0.25
    with pytest.raises(ValueError, match="fear"):
        firm.fear = 1.5
