"""本人確認情報整合 in parts, and a difference found when a file drifts."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select, update

from juki.core import consistency
from juki.core.consistency import ConsistencyStaging
from juki.core.messages import MessageType
from juki.core.messaging.tables import outbox
from juki.cs.models import CsIdentityRow
from juki.network.embedded import EmbeddedNetwork
from tests.conftest import born
from tests.e2e.test_chain import reconcile_differences


def test_reconcile_streams_parts_and_finds_nothing_on_a_healthy_network(
    network: EmbeddedNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    for day in range(1, 6):
        born(network, name_kanji=f"墨田\u3000{day}子")
    monkeypatch.setattr(consistency, "PART_SIZE", 2)  # 5 residents -> 3 parts per checker
    assert reconcile_differences(network) == 0
    with network.node("national").db.session() as session:
        assert session.scalar(select(func.count()).select_from(ConsistencyStaging)) == 0
    # The parts themselves: 墨田区's CS sent its five records in three envelopes to each
    # checker, in channel order, and each checker took all three (issue #14: the test
    # passed with the records sent in one envelope).
    with network.node("cs:131075").db.session() as session:
        sent = session.execute(
            select(outbox.c.recipient, outbox.c.envelope)
            .where(outbox.c.type == MessageType.CONSISTENCY_CHECK)
            .order_by(outbox.c.channel_seq)
        ).all()
    node = network.node("cs:131075")
    for checker in ("prefecture:13", "national"):
        parts = [
            part
            for recipient, envelope in sent
            if recipient == checker
            for part in json.loads(node.open_at_rest(envelope))["body"]["records"]
        ]
        shape = [(p["part"], len(p["records"]), p["last_part"]) for p in parts]
        assert shape == [(1, 2, False), (2, 2, False), (3, 1, True)], (checker, shape)


def test_reconcile_reports_a_drifted_record_at_both_servers(network: EmbeddedNetwork) -> None:
    born(network)
    with network.node("cs:131075").db.session() as session:
        session.execute(update(CsIdentityRow).values(address="東京都墨田区どこか"))
    # one mismatch at the prefecture, one at the national server, one at File 3
    assert reconcile_differences(network) == 3
