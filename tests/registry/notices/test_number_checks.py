"""個人番号の真正性確認 (001a ACQ-3-2, 001b C-04): a 転入 whose 個人番号 was entered from
paper is recorded only after the CS confirmed, with the national file, that the number is
the 住民票コード's; a mismatch blocks the 転入 and nothing is stored."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from juki.core.audit.tables import audit_log
from juki.network.embedded import EmbeddedNetwork
from juki.registry.models import IntakeRecord, NumberCheckRecord, Resident
from juki.registry.notices import moves, schemas
from juki.registry.residents import service as residents
from tests.conftest import api_client, born, person
from tests.registry.helpers import INTAKE, TODAY

# A licence, not the card: the number on the paper 転出証明書 must be checked.
BY_LICENCE = {"notifier": "本人", "id_document": "運転免許証"}
OTHER_NUMBER = "123456789018"  # a well-formed 個人番号 that is nobody's here


def moved_out(network: EmbeddedNetwork) -> schemas.MoveOutCertificate:
    """Someone born in 墨田区 who moved out to 川越市: their paper 転出証明書."""
    rid = born(network)
    with network.node("registry:131075").unit_of_work() as uow:
        out = schemas.MoveOutNotice(
            intake=INTAKE, destination_address="埼玉県川越市元町一丁目1番1号", change_date=TODAY
        )
        moves.record_move_out(uow, rid, out)
        certificate = moves.move_out_certificate(uow, residents.get_resident(uow, rid))
    network.pump()
    return certificate


def move_in_body(cert: schemas.MoveOutCertificate, **extra: Any) -> dict[str, Any]:
    items = person(address="埼玉県川越市元町一丁目1番1号", change_date=TODAY)
    return (
        {k: str(v) for k, v in items.items()}
        | {
            "name_kanji": cert.name_kanji,
            "name_kana": cert.name_kana,
            "birth_date": cert.birth_date.isoformat(),
            "origin": "municipality",
            "resident_code": cert.resident_code,
            "individual_number": cert.individual_number,
            "previous_lg_code": "131075",
            "previous_address": cert.address,
            "intake": BY_LICENCE,
        }
        | extra
    )


def check(network: EmbeddedNetwork, client: TestClient, code: str, number: str) -> str:
    body = {"resident_code": code, "individual_number": number}
    asked = client.post("/registry/112011/number-checks", json=body)
    assert asked.status_code == 201, asked.text
    assert number not in asked.text
    network.pump()
    return str(asked.json()["check_id"])


def status(client: TestClient, check_id: str) -> str:
    return str(client.get(f"/registry/112011/number-checks/{check_id}").json()["status"])


def residents_at_kawagoe(network: EmbeddedNetwork) -> tuple[int, int]:
    with network.node("registry:112011").db.session() as session:
        people = session.scalar(select(func.count()).select_from(Resident)) or 0
        intakes = session.scalar(select(func.count()).select_from(IntakeRecord)) or 0
    return people, intakes


def test_a_paper_move_in_needs_a_matching_check(network: EmbeddedNetwork) -> None:
    cert = moved_out(network)
    client = api_client(network)

    refused = client.post("/registry/112011/move-ins", json=move_in_body(cert))
    assert refused.status_code == 422
    assert refused.json()["field"] == "number_check_id"
    assert cert.individual_number not in refused.text
    assert residents_at_kawagoe(network) == (0, 0)

    matched = check(network, client, cert.resident_code, cert.individual_number)
    assert status(client, matched) == "match"
    moved_in = client.post(
        "/registry/112011/move-ins", json=move_in_body(cert, number_check_id=matched)
    )
    assert moved_in.status_code == 201, moved_in.text
    assert residents_at_kawagoe(network) == (1, 1)
    with network.node("registry:112011").db.session() as session:
        used = session.get(NumberCheckRecord, matched)
        assert used is not None
        assert used.used_by == moved_in.json()["id"]


def test_a_mismatch_blocks_the_move_in_and_nothing_is_stored(network: EmbeddedNetwork) -> None:
    cert = moved_out(network)
    client = api_client(network)
    wrong = check(network, client, cert.resident_code, OTHER_NUMBER)
    assert status(client, wrong) == "mismatch"
    body = move_in_body(cert, individual_number=OTHER_NUMBER, number_check_id=wrong)
    refused = client.post("/registry/112011/move-ins", json=body)
    assert refused.status_code == 409
    assert refused.json()["field"] == "individual_number"
    assert OTHER_NUMBER not in refused.text
    assert residents_at_kawagoe(network) == (0, 0)

    unknown = check(network, client, "24727059608", cert.individual_number)
    assert status(client, unknown) in {"unknown_code", "mismatch"}


def test_a_check_serves_only_its_own_pair_and_only_once(network: EmbeddedNetwork) -> None:
    cert = moved_out(network)
    client = api_client(network)
    matched = check(network, client, cert.resident_code, cert.individual_number)
    # The check was of another number than the one now entered: refused.
    body = move_in_body(cert, individual_number=OTHER_NUMBER, number_check_id=matched)
    refused = client.post("/registry/112011/move-ins", json=body)
    assert (refused.status_code, refused.json()["field"]) == (422, "number_check_id")
    assert residents_at_kawagoe(network) == (0, 0)
    ok = client.post("/registry/112011/move-ins", json=move_in_body(cert, number_check_id=matched))
    assert ok.status_code == 201
    # The same person cannot move in twice anyway; a used check is refused before that.
    again = client.post(
        "/registry/112011/move-ins", json=move_in_body(cert, number_check_id=matched)
    )
    assert again.status_code == 409


def test_the_card_shown_needs_no_check_and_the_answer_keeps_no_number(
    network: EmbeddedNetwork,
) -> None:
    cert = moved_out(network)
    client = api_client(network)
    matched = check(network, client, cert.resident_code, cert.individual_number)
    body = move_in_body(cert, intake=INTAKE.model_dump(mode="json"))
    assert client.post("/registry/112011/move-ins", json=body).status_code == 201
    # The national server logged the question by code, with no number in clear.
    with network.node("national").db.session() as session:
        asked = session.execute(
            select(audit_log).where(audit_log.c.function == "個人番号の真正性確認")
        ).all()
    assert [a.result for a in asked] == ["match"]
    assert asked[0].number_touched
    assert cert.resident_code in asked[0].targets
    assert cert.individual_number not in repr(asked)
    with network.node("registry:112011").db.session() as session:
        record = session.get(NumberCheckRecord, matched)
        assert record is not None
        assert cert.individual_number not in repr(vars(record))


def test_a_bad_check_request_is_refused_by_field(network: EmbeddedNetwork) -> None:
    client = api_client(network)
    bad = client.post(
        "/registry/112011/number-checks",
        json={"resident_code": "24727059608", "individual_number": "123456789019"},
    )
    assert bad.status_code == 422
    assert "individual_number" in [e["field"] for e in bad.json()["errors"]]
    assert "123456789019" not in bad.text
    with network.node("registry:112011").db.session() as session:
        assert session.scalar(select(func.count()).select_from(NumberCheckRecord)) == 0
