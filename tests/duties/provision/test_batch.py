"""一括提供 under two-person control: a condition list for a body allowed media, approved
by a second person, answered with exactly one result set per condition row holding only
the row's items, sealed to the body's key (nobody else can open it), and every write-out
in the media ledger with operator and witness."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import select

from juki.duties.ledgers import service as ledgers
from juki.duties.operators import clients
from juki.duties.operators.accounts import SETUP
from juki.duties.provision.batch import open_result
from juki.duties.provision.tables import BatchProvision, MediaLedger
from juki.network.client_auth import ClientAuth
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from tests.conftest import born, resident

LG = "131075"


def operator(
    network: EmbeddedNetwork, client_id: str, op: str, node_id: str = "national"
) -> TestClient:
    """The tier staff's own system, acting for operator `op` (bulk output right)."""
    node = network.node(node_id)
    key = clients.ClientKey.generate(client_id)
    with node.unit_of_work() as uow:
        clients.register_client(
            uow.session, SETUP, node.role, client_id=client_id, name="機構 業務端末",
            public_key_pem=key.public_pem(), rights={"bulk_output": "update"}, operators=[op],
        )  # fmt: skip
    client = TestClient(network_app(network))
    client.auth = ClientAuth(key, op, "jlis-terminal-1")
    return client


def recipient(
    network: EmbeddedNetwork, body_code: str = "nenkin", node_id: str = "national"
) -> X25519PrivateKey:
    """The body's system, registered with its media (X25519) key."""
    private = X25519PrivateKey.generate()
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    node = network.node(node_id)
    with node.unit_of_work() as uow:
        clients.register_client(
            uow.session, SETUP, node.role, client_id=f"agency:{body_code}", name="日本年金機構",
            public_key_pem=clients.ClientKey.generate("x").public_pem(), body_code=body_code,
            rights={"identity_inquiry": "read"}, media_public_key_pem=public.decode(),
        )  # fmt: skip
    return private


def conditions(*rows: str) -> str:
    return "row_id,resident_code,name_kana,birth_date,sex\n" + "\n".join(rows) + "\n"


def ledger(network: EmbeddedNetwork) -> list[Any]:
    with network.node("national").db.session() as session:
        rows = session.scalars(select(MediaLedger)).all()
        session.expunge_all()
        return list(rows)


def test_a_batch_needs_a_second_person_and_is_sealed_to_the_body(
    network: EmbeddedNetwork,
) -> None:
    code = resident(network, LG, born(network)).resident_code
    private = recipient(network)
    first = operator(network, "system:jlis-a", "yamada.ichiro")
    second = operator(network, "system:jlis-b", "kimura.jiro")
    body = {
        "body_code": "nenkin", "duty": "pension_benefits",
        "conditions_csv": conditions(f"r1,{code},,,", "r2,,スミダ　ハナコ,2026-11-01,2",
                                     "r3,,ダレモ　イナイ,1900-01-01,1"),
    }  # fmt: skip
    asked = first.post("/national/batch-provisions", json=body)
    assert asked.status_code == 201, asked.text
    batch_id = asked.json()["id"]
    early = first.post(f"/national/batch-provisions/{batch_id}/write-out?media_id=USB-0001")
    assert early.status_code == 409
    same = first.post(f"/national/batch-provisions/{batch_id}/approve")
    assert same.status_code == 403  # the requester cannot approve (相互牽制)
    assert same.json()["field"] == "approved_by"
    approved = second.post(f"/national/batch-provisions/{batch_id}/approve")
    assert approved.status_code == 200, approved.text
    medium_ready(network)
    written = first.post(f"/national/batch-provisions/{batch_id}/write-out?media_id=USB-0001")
    assert written.status_code == 200, written.text
    sealed = written.content
    assert code.encode() not in sealed  # sealed: nothing readable on the medium
    with pytest.raises(InvalidTag):
        open_result(X25519PrivateKey.generate(), sealed)  # anyone else's key: nothing
    opened = open_result(private, sealed)
    assert [r["row_id"] for r in opened["results"]] == ["r1", "r2", "r3"]
    by_row = {r["row_id"]: r["records"] for r in opened["results"]}
    assert [rec["resident_code"] for rec in by_row["r1"]] == [code]
    assert [rec["resident_code"] for rec in by_row["r2"]] == [code]
    assert by_row["r3"] == []
    assert set(by_row["r1"][0]) == set(opened["items"])  # only the row's items
    (entry,) = ledger(network)
    assert (entry.operator, entry.witness) == (
        "yamada.ichiro@system:jlis-a", "kimura.jiro@system:jlis-b",
    )  # fmt: skip
    assert entry.records == 2
    assert entry.note == "媒体 USB-0001"


def medium_ready(
    network: EmbeddedNetwork,
    media_id: str = "USB-0001",
    result: str = "異常なし",
    node_id: str = "national",
) -> None:
    """A registered, encrypted medium, virus-checked today (登録外部媒体, ウイルスチェック)."""
    node = network.node(node_id)
    with node.unit_of_work() as uow:
        ledgers.add(
            uow.session, "medium",
            {"media_id": media_id, "media_type": "USBメモリ", "encrypted": True,
             "antivirus": True, "holder_section": "住民基本台帳ネットワーク課"},
            actor="kimura.jiro", terminal="t-1",
        )  # fmt: skip
        ledgers.add(
            uow.session, "medium_scan",
            {"media_id": media_id, "scanner": "ClamAV 1.4 (daily 27000)", "result": result},
            actor="kimura.jiro", terminal="t-1",
        )  # fmt: skip


def approved_batch(network: EmbeddedNetwork) -> tuple[TestClient, int]:
    code = resident(network, LG, born(network)).resident_code
    recipient(network)
    first = operator(network, "system:jlis-a", "yamada.ichiro")
    second = operator(network, "system:jlis-b", "kimura.jiro")
    body = {"body_code": "nenkin", "duty": "pension_benefits",
            "conditions_csv": conditions(f"r1,{code},,,")}  # fmt: skip
    batch_id = first.post("/national/batch-provisions", json=body).json()["id"]
    assert second.post(f"/national/batch-provisions/{batch_id}/approve").status_code == 200
    return first, batch_id


@pytest.mark.parametrize(
    ("prepare", "media_id", "status"),
    [(None, "USB-0001", 409),  # not a registered medium
     ("registered, virus found", "USB-0001", 409),
     ("registered and clean", "USB-0002", 409),  # another medium was checked
     (None, "", 422),  # no medium named
     (None, "my own stick!", 422)],
)  # fmt: skip
def test_a_result_file_goes_only_to_a_registered_checked_medium(
    sqlite_network: EmbeddedNetwork, prepare: str | None, media_id: str, status: int
) -> None:
    first, batch_id = approved_batch(sqlite_network)
    if prepare == "registered, virus found":
        medium_ready(sqlite_network, result="検出")
    elif prepare == "registered and clean":
        medium_ready(sqlite_network)
    refused = first.post(f"/national/batch-provisions/{batch_id}/write-out?media_id={media_id}")
    assert refused.status_code == status
    assert "media_id" in refused.text
    assert ledger(sqlite_network) == []


def test_only_bodies_allowed_media_get_a_batch(network: EmbeddedNetwork) -> None:
    recipient(network, "city-tax")  # other tiers' tax: online only in the legal table
    first = operator(network, "system:jlis-a", "yamada.ichiro")
    body = {"body_code": "city-tax", "duty": "local_tax",
            "conditions_csv": conditions("r1,24727059608,,,")}  # fmt: skip
    refused = first.post("/national/batch-provisions", json=body)
    assert refused.status_code == 403
    assert refused.json()["field"] == "duty"


@pytest.mark.parametrize(
    "csv_text",
    [
        "row_id,blood\nr1,A\n",  # unknown column
        "row_id,resident_code\nr1,24727059608\nr1,24727059608\n",  # duplicate row id
        "row_id,name_kana\nr1,スミダ\n",  # 4情報 with too few items
        "resident_code\n24727059608\n",  # no row id
    ],
)
def test_a_bad_condition_list_is_refused_and_nothing_is_stored(
    sqlite_network: EmbeddedNetwork, csv_text: str
) -> None:
    recipient(sqlite_network)
    first = operator(sqlite_network, "system:jlis-a", "yamada.ichiro")
    body = {"body_code": "nenkin", "duty": "pension_benefits", "conditions_csv": csv_text}
    answer = first.post("/national/batch-provisions", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "conditions_csv"
    with sqlite_network.node("national").db.session() as session:
        assert session.scalars(select(BatchProvision)).first() is None


def test_a_body_without_a_media_key_gets_no_batch(sqlite_network: EmbeddedNetwork) -> None:
    first = operator(sqlite_network, "system:jlis-a", "yamada.ichiro")
    body = {"body_code": "nenkin", "duty": "pension_benefits",
            "conditions_csv": conditions("r1,24727059608,,,")}  # fmt: skip
    refused = first.post("/national/batch-provisions", json=body)
    assert refused.status_code == 403
    assert refused.json()["field"] == "body_code"


def test_the_prefecture_s_batch_is_approved_sealed_and_in_its_media_ledger(
    sqlite_network: EmbeddedNetwork,
) -> None:
    """002 REQ-PRV-04: the same control at the prefectural server, for a 別表第五 transfer
    allowed media (the tax bureau): a second person approves, the file is sealed to the
    bureau's key, and the write-out is in the prefecture's own media ledger."""
    pref = "prefecture:13"
    code = resident(sqlite_network, LG, born(sqlite_network)).resident_code
    private = recipient(sqlite_network, "tax-bureau", pref)
    first = operator(sqlite_network, "system:pref-a", "suzuki.ichiro", pref)
    second = operator(sqlite_network, "system:pref-b", "tanaka.jiro", pref)
    body = {"body_code": "tax-bureau", "duty": "local_tax",
            "conditions_csv": conditions(f"r1,{code},,,")}  # fmt: skip
    asked = first.post("/prefecture/13/batch-provisions", json=body)
    assert asked.status_code == 201, asked.text
    batch_id = asked.json()["id"]
    assert first.post(f"/prefecture/13/batch-provisions/{batch_id}/approve").status_code == 403
    assert second.post(f"/prefecture/13/batch-provisions/{batch_id}/approve").status_code == 200
    medium_ready(sqlite_network, node_id=pref)
    written = first.post(f"/prefecture/13/batch-provisions/{batch_id}/write-out?media_id=USB-0001")
    assert written.status_code == 200, written.text
    opened = open_result(private, written.content)
    assert [r["resident_code"] for r in opened["results"][0]["records"]] == [code]
    with sqlite_network.node(pref).db.session() as session:
        (entry,) = session.scalars(select(MediaLedger)).all()
    assert (entry.operator, entry.witness) == (
        "suzuki.ichiro@system:pref-a", "tanaka.jiro@system:pref-b",
    )  # fmt: skip
