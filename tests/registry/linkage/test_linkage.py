"""庁内連携 (001a XFER-1-2, 1-4, 1-5; USE-1-1; 001b C-11, C-15): a recipient section gets
only the items its approval in the 庁内連携先台帳 names, keyed by 宛名番号; an item or a
purpose without approval gets nothing (403 naming the field); every request, refused ones
included, is in the linkage record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from juki.core.errors import InvalidInput
from juki.core.identity import NUMBER_COLUMN
from juki.network.embedded import EmbeddedNetwork
from juki.registry.linkage import schemas as linkage_schemas
from juki.registry.linkage import service as linkage
from juki.registry.models import LinkageRecord, Resident
from tests.conftest import born
from tests.duties.provision.test_provision_api import body_client

URL = "/registry/131075/linkage"
LINKAGE = {"internal_linkage": "read"}


def linkage_records(network: EmbeddedNetwork) -> list[LinkageRecord]:
    with network.node("registry:131075").db.session() as session:
        rows = session.scalars(select(LinkageRecord).order_by(LinkageRecord.id)).all()
        session.expunge_all()
        return list(rows)


def number_of(network: EmbeddedNetwork, resident_id: int) -> str:
    node = network.node("registry:131075")
    with node.db.session() as session:
        person = session.get(Resident, resident_id)
        assert person is not None
        assert person.individual_number_cipher is not None
        return node.keys.decrypt(person.individual_number_cipher, column=NUMBER_COLUMN)


def test_a_section_gets_exactly_its_approved_items_by_addressee_id(
    network: EmbeddedNetwork,
) -> None:
    first, second = born(network), born(network, name_kana="スミダ　タロウ")
    tax = body_client(network, "registry:131075", "zeimu", LINKAGE)
    items = ["name_kanji", "address", "individual_number_cipher"]
    answer = tax.post(
        URL, json={"approval_no": "T05", "addressee_ids": [first, second, 999999], "items": items}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["legal_basis"].startswith("番号法第9条第2項")
    assert [r["addressee_id"] for r in body["records"]] == [first, second]
    for record in body["records"]:
        assert set(record) == {"addressee_id", *items}  # nothing beyond what was asked
    assert body["records"][0]["individual_number_cipher"] == number_of(network, first)
    (entry,) = linkage_records(network)
    assert (entry.section_code, entry.approval_no, entry.kind) == ("zeimu", "T05", "transfer")
    assert json.loads(entry.persons) == [first, second]
    assert entry.items == ";".join(items)
    assert (entry.operator, entry.terminal, entry.refused_reason) == (
        "nenkin.taro", "agency-terminal-7", None,
    )  # fmt: skip


def test_an_item_outside_the_approval_returns_nothing(network: EmbeddedNetwork) -> None:
    person = born(network)
    housing = body_client(network, "registry:131075", "jutaku", LINKAGE)
    answer = housing.post(
        URL,
        json={"approval_no": "T28", "addressee_ids": [person],
              "items": ["name_kanji", "individual_number_cipher"]},
    )  # fmt: skip
    assert answer.status_code == 403
    error = answer.json()
    assert error["field"] == "items"
    assert "individual_number_cipher" in error["message"]
    assert "name_kanji" not in answer.text.replace("individual_number_cipher", "")
    (entry,) = linkage_records(network)
    assert entry.refused_reason
    assert json.loads(entry.persons) == []


@pytest.mark.parametrize(
    ("section", "approval_no"),
    [("zeimu", "P2"),  # another section's approval
     ("somebody", "T05"),  # a section with no approval at all
     (None, "T05")],  # a client registered for no section
)  # fmt: skip
def test_a_purpose_without_approval_gets_nothing(
    sqlite_network: EmbeddedNetwork, section: str | None, approval_no: str
) -> None:
    person = born(sqlite_network)
    client = body_client(sqlite_network, "registry:131075", section, LINKAGE)
    answer = client.post(
        URL, json={"approval_no": approval_no, "addressee_ids": [person], "items": ["name_kanji"]}
    )
    assert answer.status_code == 403
    assert answer.json()["field"] == "approval_no"
    assert "墨田" not in answer.text
    (entry,) = linkage_records(sqlite_network)
    assert entry.refused_reason is not None


def test_a_client_without_the_linkage_right_is_refused(sqlite_network: EmbeddedNetwork) -> None:
    person = born(sqlite_network)
    clerk_system = body_client(
        sqlite_network, "registry:131075", "zeimu", {"resident_records": "read"}
    )
    answer = clerk_system.post(
        URL, json={"approval_no": "T05", "addressee_ids": [person], "items": ["name_kanji"]}
    )
    assert answer.status_code == 403
    assert linkage_records(sqlite_network) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [({"addressee_ids": []}, "addressee_ids"),
     ({"items": []}, "items"),
     ({"addressee_ids": list(range(1, linkage_schemas.MAX_PERSONS + 2))}, "addressee_ids"),
     ({"section_code": "gakumu"}, "section_code")],  # the section is never a field
)  # fmt: skip
def test_bad_requests_name_the_field_and_store_nothing(
    sqlite_network: EmbeddedNetwork, change: dict[str, Any], field: str
) -> None:
    tax = body_client(sqlite_network, "registry:131075", "zeimu", LINKAGE)
    body = {"approval_no": "T05", "addressee_ids": [1], "items": ["name_kanji"]} | change
    answer = tax.post(URL, json=body)
    assert answer.status_code == 422
    assert field in answer.text
    assert linkage_records(sqlite_network) == []


def test_a_section_sees_only_its_own_approvals(sqlite_network: EmbeddedNetwork) -> None:
    school = body_client(sqlite_network, "registry:131075", "gakumu", LINKAGE)
    answer = school.get(f"{URL}/approvals")
    assert answer.status_code == 200
    assert [a["approval_no"] for a in answer.json()] == ["P2", "P3", "P4", "P5"]


def test_the_shipped_table_is_valid_and_names_register_items() -> None:
    approvals = linkage.parse(linkage.TABLE)
    assert {a.kind for a in approvals} == {"transfer", "provision"}
    assert all(set(a.items) <= linkage.ITEM_NAMES for a in approvals)
    # every recipient the seed lists (001a §4.1.8): the 55 transfers to ward departments
    # and the 4 provisions to the Board of Education, one approval per section named
    numbered = {a.approval_no.split("-")[0] for a in approvals}
    assert numbered == {f"T{n:02d}" for n in range(1, 56)} | {f"P{n}" for n in range(2, 6)}
    assert len({a.section_code for a in approvals}) == 18
    # the 個人番号 only where the approval was for a 番号 duty (tax, national insurance)
    numbers = {a.approval_no for a in approvals if "individual_number_cipher" in a.items}
    assert numbers == {"T05", "T06"}


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [("items", "name_kanji;favourite_colour", "favourite_colour"),
     ("kind", "gift", "transfer"),
     ("approved_on", "2024-13-01", "日付"),
     ("purpose", "", "空欄")],
)  # fmt: skip
def test_a_bad_row_is_refused_naming_file_line_and_column(
    tmp_path: Path, column: str, value: str, message: str
) -> None:
    row = {
        "approval_no": "T99", "section_code": "x", "section_name": "試験課", "kind": "transfer",
        "legal_basis": "区条例", "purpose": "試験", "items": "name_kanji",
        "approved_on": "2024-04-01", "approved_by": "住民課長", "source": "test",
    } | {column: value}  # fmt: skip
    table = tmp_path / "linkage.csv"
    table.write_text(",".join(linkage.COLUMNS) + "\n" + ",".join(row.values()) + "\n")
    with pytest.raises(InvalidInput) as refused:
        linkage.parse(table)
    assert refused.value.field == column
    assert "linkage.csv:2" in refused.value.message
    assert message in refused.value.message
