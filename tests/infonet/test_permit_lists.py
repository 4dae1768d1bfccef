"""NWS-5-1 when the legal table changes: the network brings each 中間サーバー's
照会許可用照合リスト to the table as it now is — a changed row sent again, a new one sent,
a row gone withdrawn (permits under it are then refused by the provider itself) — and sends
nothing for a table that did not change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from juki.infonet import legal_table
from juki.infonet import service as infonet_service
from juki.infonet.legal_table import LegalTable
from juki.intermediate.models import PermitListEntry
from juki.network.embedded import EmbeddedNetwork
from tests.conftest import BACKENDS, make_network
from tests.e2e.test_fugo import CHIYODA, SUMIDA

CHILD_ALLOWANCE = 106


@pytest.fixture(params=BACKENDS)
def lists_network(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EmbeddedNetwork]:
    net = make_network(tmp_path, request.param, institutions=(SUMIDA, CHIYODA))
    yield net
    net.destroy()


def listed(network: EmbeddedNetwork, lg: str) -> dict[int, PermitListEntry]:
    with network.node(f"intermediate:{lg}").db.session() as session:
        found = {e.row: e for e in session.scalars(select(PermitListEntry))}
        session.expunge_all()
        return found


def sync(network: EmbeddedNetwork, table: LegalTable | None = None) -> int:
    with network.node("infonet").unit_of_work() as uow:
        sent = infonet_service.send_permit_list(uow, SUMIDA, table)
    network.pump()
    return sent


def test_a_changed_table_reaches_the_providers_list(lists_network: EmbeddedNetwork) -> None:
    before = listed(lists_network, SUMIDA)
    shipped = legal_table.shipped().rows
    assert CHILD_ALLOWANCE in before
    assert len(before) == len([r for r in shipped.values() if "市町村長" in r.provider])
    assert sync(lists_network) == 0  # the same table: nothing to send
    gone = next(number for number in before if number != CHILD_ALLOWANCE)
    changed = shipped[CHILD_ALLOWANCE].model_copy(
        update={"items": ("住民票関係情報", "地方税関係情報")}
    )
    new = shipped[CHILD_ALLOWANCE].model_copy(update={"row": 9001, "task": "新しい事務"})
    rows = {n: r for n, r in shipped.items() if n != gone} | {CHILD_ALLOWANCE: changed, 9001: new}
    assert sync(lists_network, LegalTable(rows)) == 3
    after = listed(lists_network, SUMIDA)
    assert gone not in after
    assert json.loads(after[CHILD_ALLOWANCE].items) == ["住民票関係情報", "地方税関係情報"]
    assert after[9001].task == "新しい事務"
    assert set(after) == set(before) - {gone} | {9001}
    assert sync(lists_network, LegalTable(rows)) == 0
    assert listed(lists_network, CHIYODA).keys() == before.keys()  # another's list untouched
