"""`juki simulate` runs every kind of 届出 through the HTTP APIs; afterwards every tier
agrees with the registers (整合 0 differences)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from juki.core.clock import japan_today
from juki.network.embedded import EmbeddedNetwork
from juki.sim.simulate import ANNUAL_RATES, Simulation
from tests.conftest import api_client, make_network
from tests.e2e.test_chain import reconcile_differences
from tests.e2e.test_fugo import CHIYODA, SUMIDA


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


def test_a_family_moving_between_institutions_is_asked_about(tmp_path: Path) -> None:
    """On the information network, the new municipality's 児童手当 asks the old one (row
    106) through the APIs, once the person has a 符号 there; the answer is provided."""
    network = make_network(tmp_path, "sqlite", institutions=(SUMIDA, CHIYODA))
    network.start_dispatcher()
    try:
        with api_client(network) as client:
            sim = Simulation(client, [SUMIDA, CHIYODA], seed=3, institutions=[SUMIDA, CHIYODA])
            sim.populate(4, lambda _n: None)
            _settle(network)
            sim.refresh()
            sim._move_away(SUMIDA, sim.residents[SUMIDA][0], japan_today().isoformat())
            for _ in range(50):  # the 符号 and then the answer travel through the network
                _settle(network)
                sim.ask_about_moves()
                if not sim.to_ask and not sim.asked:
                    break
                time.sleep(0.05)
    finally:
        network.stop_dispatcher()
        network.close()
    assert sim.counts["情報照会"] == 1, dict(sim.counts)
    assert sim.counts["情報照会: provided"] == 1, dict(sim.counts)
