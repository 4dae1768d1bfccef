"""個人番号カード管理情報 on electronic media (000 F3-PRV-03, F3-PRV-04): asked for by one J-LIS
operator, approved by a second; the file holds exactly the items of 1-⑪ for the cards issued
in the period, sealed so that only the municipality can open it; it is written out by
someone other than the approver (the witness), only to a registered medium checked that
day, in the media ledger; the handover needs two or more witnesses who are not parties;
the provision record names every person (method `media`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import select

from juki.card.media import open_file
from juki.card.models import MediaHandover, MediaProvision
from juki.core.clock import JST
from juki.core.messages import CardInfo
from juki.duties.ledgers import service as ledgers
from juki.duties.operators import clients
from juki.duties.operators.accounts import SETUP
from juki.duties.provision.tables import MediaLedger
from juki.network.embedded import EmbeddedNetwork
from tests.card.helpers import CARD, LG, client_id_of, jlis, run_line
from tests.card.test_issuance import applied, provisions

URL = "/card/media-provisions"
TODAY = dt.datetime.now(JST).date()


def officer(network: EmbeddedNetwork, op: str, rights: dict[str, str] | None = None) -> TestClient:
    """A J-LIS staff terminal acting for operator `op` (media provision: `bulk_output`)."""
    rights = rights if rights is not None else {"bulk_output": "update"}
    return jlis(network, rights, operator=op)


def municipality_key(network: EmbeddedNetwork, lg: str = LG) -> X25519PrivateKey:
    """The municipality's media (X25519) key, registered with the card system."""
    private = X25519PrivateKey.generate()
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    node = network.node(CARD)
    with node.unit_of_work() as uow:
        clients.register_client(
            uow.session, SETUP, node.role, client_id=f"lg:{lg}", name="墨田区 住民課",
            public_key_pem=clients.ClientKey.generate("x").public_pem(), body_code=lg,
            rights={"statistics": "read"}, media_public_key_pem=public.decode(),
        )  # fmt: skip
    return private


def medium_ready(network: EmbeddedNetwork, media_id: str = "USB-0101") -> None:
    with network.node(CARD).unit_of_work() as uow:
        ledgers.add(
            uow.session, "medium",
            {"media_id": media_id, "media_type": "USBメモリ", "encrypted": True,
             "antivirus": True, "holder_section": "個人番号カード管理部"},
            actor="kimura.jiro", terminal="t-1",
        )  # fmt: skip
        ledgers.add(
            uow.session, "medium_scan",
            {"media_id": media_id, "scanner": "ClamAV 1.4", "result": "異常なし"},
            actor="kimura.jiro", terminal="t-1",
        )  # fmt: skip


def issued_card(network: EmbeddedNetwork) -> tuple[str, str]:
    """A card made for a person of 墨田区: (住民票コード, 個人番号)."""
    _rid, number, entry = applied(network)
    run_line(network)
    return entry.resident_code, number


def ask(client: TestClient, **fields: object) -> dict[str, object]:
    body: dict[str, object] = {
        "lg_code": LG, "issued_from": TODAY.isoformat(), "issued_until": TODAY.isoformat(),
        "reason": "交付前設定の一括処理のため",
    }  # fmt: skip
    return body | fields


def test_card_information_on_media_is_approved_witnessed_sealed_and_handed_over(
    network: EmbeddedNetwork,
) -> None:
    codes_numbers = [issued_card(network) for _ in range(2)]
    private = municipality_key(network)
    first, second = officer(network, "yamada.ichiro"), officer(network, "kimura.jiro")
    asked = first.post(URL, json=ask(first))
    assert asked.status_code == 201, asked.text
    pid = asked.json()["id"]
    early = first.post(f"{URL}/{pid}/write-out?media_id=USB-0101")
    assert early.status_code == 409  # not approved: nothing to write
    same = first.post(f"{URL}/{pid}/approve")
    assert (same.status_code, same.json()["field"]) == (403, "approved_by")  # 相互牽制
    approved = second.post(f"{URL}/{pid}/approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["records"] == 2
    medium_ready(network)
    by_witness = second.post(f"{URL}/{pid}/write-out?media_id=USB-0101")
    assert (by_witness.status_code, by_witness.json()["field"]) == (403, "operator")
    written = first.post(f"{URL}/{pid}/write-out?media_id=USB-0101")
    assert written.status_code == 200, written.text
    sealed = written.content
    for code, number in codes_numbers:
        assert code.encode() not in sealed
        assert number.encode() not in sealed
    with pytest.raises(InvalidTag):
        open_file(X25519PrivateKey.generate(), sealed)  # anyone else's key opens nothing
    opened = open_file(private, sealed)
    assert opened["recipient"] == LG
    assert {(r["resident_code"], r["individual_number"]) for r in opened["records"]} == set(
        codes_numbers
    )
    assert all(set(r) == set(CardInfo.model_fields) for r in opened["records"])  # 1-⑪ only
    handed = first.post(
        f"{URL}/{pid}/handover",
        json={"received_by": "墨田区 住民課 鈴木", "witnesses": ["木村 次郎", "佐藤 三郎"]},
    )
    assert handed.status_code == 200, handed.text
    with network.node(CARD).db.session() as session:
        (ledger,) = session.scalars(select(MediaLedger)).all()
        (handover,) = session.scalars(select(MediaHandover)).all()
        made = session.get(MediaProvision, pid)
        assert made is not None
        assert made.status == "handed_over"
        assert made.sealed is None  # J-LIS keeps the digest, not the file
        assert made.sealed_sha256 == hashlib.sha256(sealed).hexdigest()
        assert (ledger.operator, ledger.witness) == (
            f"yamada.ichiro@{client_id_of(first)}", f"kimura.jiro@{client_id_of(second)}",
        )  # fmt: skip
        assert (ledger.records, ledger.body_code) == (2, LG)
        assert handover.ledger_id == ledger.id
        assert json.loads(handover.witnesses) == ["木村 次郎", "佐藤 三郎"]
    record = provisions(network)[-1]
    assert (record.method, record.body_code, record.result_count) == ("media", f"cs:{LG}", 2)
    assert set(json.loads(record.targets)) == {code for code, _ in codes_numbers}
    assert record.operator == f"kimura.jiro@{client_id_of(second)}"
    for _code, number in codes_numbers:
        assert number not in record.targets


@pytest.mark.parametrize(
    ("witnesses", "field"),
    [
        (["木村 次郎"], "witnesses"),  # one is not several
        (["木村 次郎", "木村 次郎"], "witnesses"),  # the same person twice
        (["墨田区 住民課 鈴木", "佐藤 三郎"], "witnesses"),  # the receiver is a party
    ],
)
def test_a_handover_needs_two_witnesses_who_are_not_parties(
    sqlite_network: EmbeddedNetwork, witnesses: list[str], field: str
) -> None:
    issued_card(sqlite_network)
    municipality_key(sqlite_network)
    first, second = officer(sqlite_network, "yamada.ichiro"), officer(sqlite_network, "kimura.jiro")
    pid = first.post(URL, json=ask(first)).json()["id"]
    assert second.post(f"{URL}/{pid}/approve").status_code == 200
    medium_ready(sqlite_network)
    assert first.post(f"{URL}/{pid}/write-out?media_id=USB-0101").status_code == 200
    refused = first.post(
        f"{URL}/{pid}/handover", json={"received_by": "墨田区 住民課 鈴木", "witnesses": witnesses}
    )
    assert refused.status_code in (400, 422), refused.text
    assert field in refused.text
    with sqlite_network.node(CARD).db.session() as session:
        assert session.scalars(select(MediaHandover)).all() == []
        made = session.get(MediaProvision, pid)
        assert made is not None
        assert made.status == "written"


@pytest.mark.parametrize(
    ("fields", "field", "status"),
    [
        ({"lg_code": "131076"}, "lg_code", 422),  # check digit wrong
        ({"issued_until": "2000-01-01"}, "issued_until", 422),  # period backwards
        ({"reason": ""}, "reason", 422),
        ({"lg_code": "011002"}, "body_code", 403),  # 札幌市: no media key registered
        ({"issued_from": "2001-01-01", "issued_until": "2001-12-31"}, "issued_from", 422),
    ],
)
def test_a_bad_or_empty_request_is_refused_and_nothing_stored(
    sqlite_network: EmbeddedNetwork, fields: dict[str, str], field: str, status: int
) -> None:
    issued_card(sqlite_network)
    municipality_key(sqlite_network)
    first = officer(sqlite_network, "yamada.ichiro")
    refused = first.post(URL, json=ask(first, **fields))
    assert refused.status_code == status, refused.text
    assert field in refused.text
    with sqlite_network.node(CARD).db.session() as session:
        assert session.scalars(select(MediaProvision)).all() == []


def test_only_the_media_right_may_ask(sqlite_network: EmbeddedNetwork) -> None:
    reader = officer(sqlite_network, "yamada.ichiro", rights={"bulk_output": "read"})
    refused = reader.post(URL, json=ask(reader))
    assert refused.status_code == 403
    statistics_only = officer(sqlite_network, "sato.saburo", rights={"statistics": "read"})
    assert statistics_only.post(URL, json=ask(statistics_only)).status_code == 403
