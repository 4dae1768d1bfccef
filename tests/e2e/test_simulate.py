"""`juki simulate` runs every kind of 届出 through the HTTP APIs; afterwards every tier
agrees with the registers (整合 0 differences)."""

from __future__ import annotations

import datetime as dt
import time

from juki.core.clock import japan_today
from juki.network.embedded import EmbeddedNetwork
from juki.sim.simulate import ANNUAL_RATES, Simulation
from tests.conftest import api_client
from tests.e2e.test_chain import reconcile_differences


def test_simulated_life_reconciles_to_zero(network: EmbeddedNetwork) -> None:
    network.start_dispatcher()
    with api_client(network) as client:
        sim = Simulation(client, network.municipalities(), seed=7, speed=400)
        sim.populate(60, lambda _n: None)
        _settle(network)
        sim.refresh()
        start = japan_today() - dt.timedelta(days=12)
        for offset in range(12):
            sim.day(start + dt.timedelta(days=offset))
            _settle(network)
            sim.refresh()
    network.stop_dispatcher()
    network.pump()
    for kind in ANNUAL_RATES:
        assert sim.counts[kind] > 0, f"no {kind} simulated"
    assert sim.counts["rejected"] <= sim.counts["accepted"] // 20, dict(sim.counts)
    assert reconcile_differences(network) == 0


def _settle(network: EmbeddedNetwork) -> None:
    """Let the dispatcher deliver the numbers J-LIS generates before the next day."""
    deadline = time.monotonic() + 30
    while network.dispatcher.pending() and time.monotonic() < deadline:
        time.sleep(0.02)
