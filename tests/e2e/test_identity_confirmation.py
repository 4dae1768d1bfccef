"""本人確認 with the card (issue #15; 001a §3.5 2-②–④), on SQLite and PostgreSQL: the
住民票コード read from the card goes from the counter through the CS to the national server,
and the 本人確認情報 on record comes back for the clerk's screen — never the 個人番号; a
removed record and an unknown code say so; a CS cannot ask in another municipality's name."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from juki.core.clock import japan_today
from juki.core.ids import resident_code_from_body
from juki.core.messages import IdentityConfirm, MessageType
from juki.core.messaging import tables
from juki.network.embedded import EmbeddedNetwork
from juki.registry.notices import moves, schemas
from tests.conftest import api_client, born, resident
from tests.e2e.test_card_counter import report
from tests.jpki.helpers import card_in_hand
from tests.registry.helpers import INTAKE, run

SUMIDA, CHIYODA = "131075", "131016"


def confirm(network: EmbeddedNetwork, lg: str, code: str) -> dict[str, object]:
    client = api_client(network)
    asked = client.post(f"/registry/{lg}/identity-confirmations", json={"resident_code": code})
    assert asked.status_code == 202, asked.text
    network.pump()
    answer = client.get(f"/registry/{lg}/identity-confirmations/{asked.json()['check_id']}")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_the_code_on_the_card_brings_the_record_from_the_national_server(
    network: EmbeddedNetwork,
) -> None:
    rid = born(network, SUMIDA)
    person = resident(network, SUMIDA, rid)
    # asked at another municipality's counter (the person is not its resident)
    shown = confirm(network, CHIYODA, person.resident_code)
    assert shown["status"] == "current"
    assert (shown["name_kanji"], shown["address"]) == (person.name_kanji, person.address)
    assert shown["birth_date"] == person.birth_date.isoformat()
    assert shown["holder_lg_code"] == SUMIDA
    assert not [k for k in shown if "number" in k]  # no 個人番号, not even a field for it
    nobody = resident_code_from_body("1234567890")  # a well-formed code no one holds
    assert confirm(network, CHIYODA, nobody)["status"] == "unknown_code"

    out = schemas.MoveOutNotice(
        intake=INTAKE, change_date=japan_today(), destination_address="大阪府大阪市北区1"
    )
    run(network, moves.record_move_out, rid, out, lg=SUMIDA)
    network.pump()
    assert confirm(network, CHIYODA, person.resident_code)["status"] == "removed"


def test_a_bad_code_is_refused_by_field(network: EmbeddedNetwork) -> None:
    client = api_client(network)
    for code in ("1234", "1234567890a", ""):
        answer = client.post(
            f"/registry/{SUMIDA}/identity-confirmations", json={"resident_code": code}
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["field"] == "resident_code"


def test_a_cs_cannot_ask_in_another_municipalitys_name(network: EmbeddedNetwork) -> None:
    rid = born(network, SUMIDA)
    code = resident(network, SUMIDA, rid).resident_code
    check = IdentityConfirm(check_id=str(uuid.uuid4()), lg_code=SUMIDA, resident_code=code)
    with network.node(f"cs:{CHIYODA}").unit_of_work() as uow:
        uow.send("national", MessageType.IDENTITY_CONFIRM, check.model_dump(mode="json"))
    network.pump()
    with network.node("national").db.session() as session:
        answered = session.scalars(
            select(tables.outbox.c.type).where(
                tables.outbox.c.type == MessageType.IDENTITY_CONFIRMED
            )
        ).all()
    assert answered == []


def confirm_card(network: EmbeddedNetwork, lg: str, code: str, card: str) -> dict[str, object]:
    client = api_client(network)
    body = {"resident_code": code, "card_issue_number": card}
    asked = client.post(f"/registry/{lg}/identity-confirmations", json=body)
    assert asked.status_code == 202, asked.text
    network.pump()
    answer = client.get(f"/registry/{lg}/identity-confirmations/{asked.json()['check_id']}")
    return dict(answer.json())


def test_a_suspended_card_is_refused_at_the_counter_check(network: EmbeddedNetwork) -> None:
    """Issue #15's must-hold at the counter: with the card's number read, J-LIS's card
    system answers whether the card is in use; from its suspension on, the counter's check
    says it is no identity document, and a 特例転入 on it is refused."""
    rid, desk, number = card_in_hand(network)
    code = resident(network, SUMIDA, rid).resident_code
    assert confirm_card(network, CHIYODA, code, number)["card_status"] == "in_use"
    other = resident(network, SUMIDA, born(network, SUMIDA)).resident_code
    assert confirm_card(network, CHIYODA, other, number)["card_status"] == "unknown"
    report(network, desk, number, "suspended", "紛失の届出")
    assert confirm_card(network, CHIYODA, code, number)["card_status"] == "suspended"
    out = schemas.MoveOutNotice(
        intake=INTAKE, change_date=japan_today(), destination_address="東京都千代田区麹町一丁目"
    )
    run(network, moves.record_move_out, rid, out, lg=SUMIDA)
    network.pump()
    read = api_client(network).post(
        f"/registry/{CHIYODA}/identity-confirmations",
        json={"resident_code": code, "card_issue_number": number},
    )
    network.pump()
    asked = api_client(network).post(
        f"/registry/{CHIYODA}/move-out-certificate-requests",
        json={"identity_confirmation_id": read.json()["check_id"]},
    )
    assert (asked.status_code, asked.json()["code"]) == (409, "card_not_in_use")
