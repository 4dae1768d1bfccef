"""初期導入 (`juki up --demo N`): births through every tier, people made in a worker."""

from __future__ import annotations

from sqlalchemy import func, select

from juki.national.models import NationalIdentityRow
from juki.network.embedded import EmbeddedNetwork
from juki.sim.population import load_population
from tests.e2e.test_chain import reconcile_differences


def test_initial_load_reaches_the_national_server_and_reconciles(
    sqlite_network: EmbeddedNetwork,
) -> None:
    loaded: list[int] = []
    load_population(sqlite_network, 31, seed=7, progress=loaded.append)
    assert sum(loaded) == 31
    with sqlite_network.node("national").db.session() as session:
        rows = session.scalar(select(func.count()).select_from(NationalIdentityRow))
    assert rows == 31
    assert reconcile_differences(sqlite_network) == 0
