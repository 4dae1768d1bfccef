"""本人確認情報整合 in parts, and a difference found when a file drifts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from juki.core import consistency
from juki.core.consistency import ConsistencyStaging
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


def test_reconcile_reports_a_drifted_record_at_both_servers(network: EmbeddedNetwork) -> None:
    born(network)
    with network.node("cs:131075").db.session() as session:
        session.execute(update(CsIdentityRow).values(address="東京都墨田区どこか"))
    assert reconcile_differences(network) == 2  # one mismatch at the prefecture, one national
