"""送付先情報の抽出 (001a §3.7 7-①, §4.3.3): each person newly to be notified of a 個人番号
is extracted in the prescribed 67-item format with its digest, only if a current resident;
the card system's receipt, or a refusal naming the item, comes back to the register."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import inspect, select

from juki.core.clock import japan_today
from juki.core.identity import NUMBER_COLUMN
from juki.core.messages import (
    DESTINATION_LENGTHS,
    DestinationInfo,
    DestinationReceipt,
    destination_digest,
)
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.registry.cards import destination_info
from juki.registry.models import DestinationExtract, Resident
from juki.registry.notices import changes, schemas
from tests.conftest import born, record
from tests.registry.helpers import LG
from tests.staff import READER, console_log_in, staff_on

REGISTRY = f"registry:{LG}"


def row_and_number(network: EmbeddedNetwork, resident_id: int) -> tuple[dict[str, Any], str]:
    node = network.node(REGISTRY)
    with node.db.session() as session:
        person = session.get(Resident, resident_id)
        assert person is not None
        assert person.individual_number_cipher is not None
        row = {c.key: getattr(person, c.key) for c in inspect(Resident).mapper.column_attrs}
        return row, node.keys.decrypt(person.individual_number_cipher, column=NUMBER_COLUMN)


def extracts(network: EmbeddedNetwork, resident_id: int) -> list[DestinationExtract]:
    with network.node(REGISTRY).db.session() as session:
        rows = list(
            session.scalars(
                select(DestinationExtract)
                .where(DestinationExtract.resident_id == resident_id)
                .order_by(DestinationExtract.extracted_at)
            )
        )
        session.expunge_all()
        return rows


def test_the_record_has_the_67_items_of_the_prescribed_format(network: EmbeddedNetwork) -> None:
    rid = born(network)
    row, number = row_and_number(network, rid)
    office = destination_info.office_of(LG)
    record = destination_info.build(row, number, office, "test-0001-destination", "clerk", "t")
    assert set(record) == set(DestinationInfo.model_fields)
    assert len(record) == 67
    for length_field, item in DESTINATION_LENGTHS.items():
        assert record[length_field] == len(record[item])
    assert (record["lg_name"], record["issuing_place_name"]) == ("墨田区", "墨田区役所 窓口課")
    assert record["resident_code"] == row["resident_code"]
    assert record["individual_number"] == number
    assert record["addressee_name"] == row["name_kanji"]


def test_a_new_number_is_notified_once_and_the_receipt_returns(network: EmbeddedNetwork) -> None:
    rid = born(network)
    network.pump()
    (first,) = extracts(network, rid)
    assert first.status == "registered"
    assert first.operator_id not in ("", "J-LIS")  # the clerk whose 届出 asked for the number
    notice = schemas.NumberChangeNotice(
        change_date=japan_today(), ground="request", operator_id="clerk.b", terminal_id="t2"
    )
    record(network, LG, changes.request_number_change, rid, notice)
    network.pump()
    first_again, second = extracts(network, rid)
    assert first_again.destination_id == first.destination_id
    assert second.status == "registered"
    assert (second.operator_id, second.terminal_id) == ("clerk.b", "t2")
    assert second.digest != first.digest  # another number, another record


def test_only_current_residents_are_extracted(network: EmbeddedNetwork) -> None:
    rid = born(network)
    row, number = row_and_number(network, rid)
    with network.node(REGISTRY).unit_of_work() as uow:
        gone = row | {"removed_on": japan_today()}
        assert destination_info.extract(uow, [(gone, number)], "clerk", "t") == []
        assert destination_info.extract(uow, [(row, number)], "clerk", "t") != []
        uow.session.rollback()
        uow._pending.clear()
        uow._appends.clear()


def test_a_refusal_is_kept_with_the_item_at_fault(network: EmbeddedNetwork) -> None:
    rid = born(network)
    network.pump()
    (sent,) = extracts(network, rid)
    refusal = DestinationReceipt(
        destination_id=sent.destination_id, lg_code=LG, digest=sent.digest, result="refused",
        refused_by="card", error_code="invalid_format", field="address_length",
    )  # fmt: skip
    with network.node(REGISTRY).unit_of_work() as uow:
        destination_info.receive_receipts(uow, [refusal])
        other = refusal.model_copy(update={"digest": "0" * 64, "field": "name_kana"})
        destination_info.receive_receipts(uow, [other])  # about another record: ignored
    (kept,) = extracts(network, rid)
    assert (kept.status, kept.refused_by) == ("refused", "card")
    assert (kept.error_code, kept.error_field) == ("invalid_format", "address_length")


WORDS = st.text(alphabet="あいうえおアイウエオ山川一二三", min_size=1, max_size=20)


@given(name=WORDS, other=WORDS)
def test_the_digest_ignores_key_order_and_sees_any_edit(name: str, other: str) -> None:
    record = {"addressee_name": name, "address": "東京都墨田区", "persons": 1}
    reordered = dict(reversed(list(record.items())))
    assert destination_digest(record) == destination_digest(reordered)
    edited = record | {"addressee_name": name + other}
    assert destination_digest(edited) != destination_digest(record)


def test_the_clerk_sees_the_letter_and_its_receipt(sqlite_network: EmbeddedNetwork) -> None:
    """The resident page lists each 送付先情報 sent and what the card system answered."""
    rid = born(sqlite_network)
    sqlite_network.pump()
    (sent,) = extracts(sqlite_network, rid)
    base = f"/registry/{LG}/console"
    secrets = staff_on(sqlite_network.node(REGISTRY), (READER,))
    with TestClient(network_app(sqlite_network), follow_redirects=False) as client:
        assert console_log_in(client, base, READER, secrets[READER.login]).status_code == 303
        page = client.get(f"{base}/residents/{rid}").text
    assert "個人番号通知（送付先情報）" in page
    assert sent.destination_id in page
    assert "機構の個人番号カード管理システムが受付済" in page
