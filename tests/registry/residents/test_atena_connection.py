"""The register's link to its 統合宛名: "not connected" is not remembered for good (the
attack review of session 17: a connection made by another process was seen only after a
restart). A fake clock stands for time; no test here waits on one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from juki.registry.residents import atena_link
from juki.registry.residents.atena_link import AtenaConnection
from tests.conftest import make_network

LG = "131075"


def test_a_connection_made_elsewhere_is_seen_after_the_wait(tmp_path: Path) -> None:
    network = make_network(tmp_path, "sqlite")  # no institutions: the register is not linked
    try:
        node = network.node(f"registry:{LG}")
        now = [100.0]
        with node.unit_of_work() as uow:
            assert not atena_link.is_connected(uow, clock=lambda: now[0])
        # Another process connects (a row written behind this process's back).
        with node.unit_of_work() as uow:
            uow.session.add(
                AtenaConnection(
                    connected_at=dt.datetime.now(dt.UTC), connected_by="setup", persons_sent=0
                )
            )
        now[0] += atena_link.NOT_CONNECTED_S / 2
        with node.unit_of_work() as uow:
            assert not atena_link.is_connected(uow, clock=lambda: now[0])  # still the cache
        now[0] += atena_link.NOT_CONNECTED_S
        with node.unit_of_work() as uow:
            assert atena_link.is_connected(uow, clock=lambda: now[0])  # read again: seen
        now[0] += 10 * atena_link.NOT_CONNECTED_S
        with node.unit_of_work() as uow:
            assert atena_link.is_connected(uow, clock=lambda: now[0])  # and kept
    finally:
        network.close()
