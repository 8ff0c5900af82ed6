"""Shared fixtures: small populations keep the suite fast; the mechanisms are size-free."""

import pytest

SMALL = {"population.n_cadres": 300, "population.n_enterprises": 600, "campaign.firms_per_batch": 10}


@pytest.fixture(scope="session")
def small():
    return dict(SMALL)


@pytest.fixture(scope="session")
def campaign_run():
    """One default-size campaign_2020 run, shared by tests that only read it."""
    import siyi_sim

    return siyi_sim.simulate("campaign_2020", seed=11)


@pytest.fixture(scope="session")
def baseline_run():
    import siyi_sim

    return siyi_sim.simulate("baseline", seed=11)
