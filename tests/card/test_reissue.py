"""交付申請書の再発行 at the card management system (000 P3.4, F3-ACQ-06): once the 4情報
changed after the form was sent, the old form is invalid and the municipality's counter
reissues one. It arrives from the CS as 送付先情報 with 印刷区分 2 (交付申請書のみ); the
card system gives it a new 申請書ID (never an old one), links it to the form it replaces,
prints it by the usual path, accepts the new ID and keeps refusing the old. A person who
still has a valid form, applied already, has a card or has no invalid form gets a refusal
naming why, and nothing is stored but the record of the refusal."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from juki.card import inquiry, printing
from juki.card.models import CardFileEntry
from juki.core.audit.tables import audit_log
from juki.core.clock import japan_today
from juki.core.messages import FORM_ONLY, DestinationReceipt, MessageType
from juki.duties.provision.batch import open_result
from juki.network.embedded import EmbeddedNetwork
from tests.card.helpers import (
    CARD,
    LG,
    application,
    client_id_of,
    contractor,
    destination_record,
    entries,
    exchanges,
    jlis,
    new_code,
    new_number,
    notice_of,
    printer,
    receipts,
    run_line,
    send_from_cs,
)

APPLICATIONS = "/card/applications"
NEW_NAME = {"name_kanji": "押上\u3000花子", "name_kana": "オシアゲ\u3000ハナコ"}
TODAY = japan_today()


def registered(code: str, number: str, **items: Any) -> dict[str, Any]:
    """The person's first 送付先情報 (個人番号通知書と交付申請書), as the CS sends it."""
    return destination_record(code, number, **items)


def reissue_record(code: str, number: str, **items: Any) -> dict[str, Any]:
    """The counter's reissue: the person's items as they are now, 印刷区分 2."""
    fields = NEW_NAME | {"addressee_name": NEW_NAME["name_kanji"]} | items
    return destination_record(code, number, print_category=FORM_ONLY, **fields)


def changed(network: EmbeddedNetwork, code: str, number: str, **items: Any) -> None:
    """The national server relays a change of the person's 4情報 (C27)."""
    change = {
        "update_id": str(uuid.uuid4()), "resident_code": code, "birth_date": "1990-04-01",
        "sex": "2", "address": "東京都墨田区吾妻橋一丁目2番3号", "lg_code": LG,
        "individual_number": number, "reason": "name_change", "change_date": TODAY.isoformat(),
    } | NEW_NAME | items  # fmt: skip
    with network.node("national").unit_of_work() as uow:
        uow.send(CARD, MessageType.CARD_CHANGE, change)
    network.pump()


def entry_of(network: EmbeddedNetwork, destination_id: str) -> CardFileEntry:
    [found] = [e for e in entries(network) if e.destination_id == destination_id]
    return found


def receipt_for(network: EmbeddedNetwork, destination_id: str) -> list[DestinationReceipt]:
    return [
        DestinationReceipt.model_validate(r)
        for r in receipts(network)
        if r["destination_id"] == destination_id
    ]


def invalidated_person(network: EmbeddedNetwork) -> tuple[str, str, CardFileEntry]:
    """A person whose form went out and whose name then changed: (code, number, old entry)."""
    code, number = new_code(), new_number()
    first = registered(code, number)
    send_from_cs(network, [notice_of(first)])
    changed(network, code, number)
    old = entry_of(network, first["destination_id"])
    assert old.status == "invalidated"
    return code, number, old


def test_a_reissue_replaces_the_invalid_form_with_a_new_application_id(
    network: EmbeddedNetwork,
) -> None:
    code, number, old = invalidated_person(network)
    form = contractor(network)
    assert form.post(APPLICATIONS, json=application(old.application_id)).status_code == 409

    reissue = reissue_record(code, number)
    send_from_cs(network, [notice_of(reissue)])

    new = entry_of(network, reissue["destination_id"])
    assert new.status == "registered"
    assert re.fullmatch(r"\d{23}", new.application_id)
    assert new.application_id != old.application_id  # never an old 申請書ID
    assert new.reissue_of == old.application_id  # the link old → new
    assert (new.resident_code, new.lg_code) == (code, LG)
    [receipt] = receipt_for(network, reissue["destination_id"])
    assert (receipt.result, receipt.application_id) == ("registered", new.application_id)
    with network.node(CARD).db.session() as session:  # the console's 申請状況照会 shows it
        assert inquiry.application_status(session, old.application_id).reissued_as == (
            new.application_id
        )
        assert inquiry.application_status(session, new.application_id).reissue_of == (
            old.application_id
        )

    # The new form is accepted, the old one stays refused.
    answer = form.post(APPLICATIONS, json=application(new.application_id))
    assert answer.status_code == 201, answer.text
    answer = form.post(APPLICATIONS, json=application(old.application_id))
    assert (answer.status_code, answer.json()["code"]) == (409, "application_invalidated")

    # The exchange record and the audit log name the link by 申請書ID, never the number.
    linked = [(x.key, x.result) for x in exchanges(network) if x.kind == "reissue"]
    assert linked == [(new.application_id, f"reissue_of:{old.application_id}")]
    with network.node(CARD).db.session() as session:
        targets = session.scalars(
            select(audit_log.c.targets).where(audit_log.c.function == "card.reissue")
        ).all()
    assert [json.loads(t)[1:] for t in targets] == [
        [f"申請書ID={new.application_id}", f"旧申請書ID={old.application_id}"]
    ]
    with network.node(CARD).db.session() as session:
        assert all(number not in t for t in session.scalars(select(audit_log.c.targets)))


def test_the_reissued_form_is_printed_by_the_usual_path_and_the_old_one_stopped(
    network: EmbeddedNetwork,
) -> None:
    code, number = new_code(), new_number()
    first = registered(code, number)
    send_from_cs(network, [notice_of(first)])
    office = jlis(network)
    print_contractor, private = printer(network)
    batch_of_first = made_batch(office, print_contractor)
    changed(network, code, number)  # after the form went to the printer: a print stop
    old = entry_of(network, first["destination_id"])
    stops = print_contractor.get("/card/print-stops").json()
    assert [s["application_id"] for s in stops] == [old.application_id]

    reissue = reissue_record(code, number)
    send_from_cs(network, [notice_of(reissue)])
    new = entry_of(network, reissue["destination_id"])
    batch = made_batch(office, print_contractor)
    assert batch["id"] != batch_of_first["id"]
    sealed = print_contractor.get(f"/card/print-batches/{batch['id']}/file").content
    [printed] = open_result(private, sealed, info=printing.HPKE_INFO)["records"]
    assert printed["application_id"] == new.application_id
    assert printed["print_category"] == FORM_ONLY  # 交付申請書のみ
    assert printed["name_kanji"] == NEW_NAME["name_kanji"]  # the current 4情報


def made_batch(office: TestClient, contractor_client: TestClient) -> dict[str, Any]:
    body = {"contractor": client_id_of(contractor_client)}
    answer = office.post("/card/print-batches", json=body)
    assert answer.status_code == 201, answer.text
    made: dict[str, Any] = answer.json()
    return made


def test_a_form_whose_items_changed_is_invalidated_by_the_reissue_itself(
    network: EmbeddedNetwork,
) -> None:
    """The counter records the change and reissues at once: the reissue (CS → card) may
    arrive before the relayed change (CS → prefecture → national → card)."""
    code, number = new_code(), new_number()
    first = registered(code, number)
    send_from_cs(network, [notice_of(first)])
    reissue = reissue_record(code, number)
    send_from_cs(network, [notice_of(reissue)])

    old, new = (
        entry_of(network, first["destination_id"]),
        entry_of(network, reissue["destination_id"]),
    )
    assert (old.status, new.status, new.reissue_of) == (
        "invalidated", "registered", old.application_id,
    )  # fmt: skip
    assert old.invalidated_at is not None
    changed(network, code, number)  # the relayed change, late: the new form stays valid
    assert entry_of(network, reissue["destination_id"]).status == "registered"
    assert entry_of(network, first["destination_id"]).status == "invalidated"


def test_each_invalid_form_is_replaced_once_and_the_latest_one_next(
    network: EmbeddedNetwork,
) -> None:
    code, number, old = invalidated_person(network)
    reissue = reissue_record(code, number)
    again = notice_of(reissue)
    send_from_cs(network, [again, again])  # the same record twice: one new form
    new = entry_of(network, reissue["destination_id"])
    answered = receipt_for(network, reissue["destination_id"])
    assert [(r.result, r.application_id) for r in answered] == [
        ("registered", new.application_id), ("registered", new.application_id),
    ]  # fmt: skip

    second = reissue_record(code, number)  # another counter visit, nothing changed since
    send_from_cs(network, [notice_of(second)])
    [refused] = receipt_for(network, second["destination_id"])
    assert (refused.result, refused.error_code) == ("refused", "form_still_valid")

    address = {"address": "東京都墨田区業平二丁目1番1号"}
    changed(network, code, number, **address)
    assert entry_of(network, reissue["destination_id"]).status == "invalidated"
    third = reissue_record(code, number, **address)
    send_from_cs(network, [notice_of(third)])
    assert entry_of(network, third["destination_id"]).reissue_of == new.application_id
    assert len([e for e in entries(network) if e.reissue_of == old.application_id]) == 1


def refused_and_nothing_stored(network: EmbeddedNetwork, record: dict[str, Any], code: str) -> None:
    before = [(e.id, e.status, e.record_cipher) for e in entries(network)]
    send_from_cs(network, [notice_of(record)])
    assert [(e.id, e.status, e.record_cipher) for e in entries(network)] == before
    [receipt] = receipt_for(network, record["destination_id"])
    assert (receipt.result, receipt.refused_by, receipt.field) == (
        "refused", "card", "resident_code",
    )  # fmt: skip
    assert receipt.application_id is None
    assert receipt.error_code == code
    [logged] = [x for x in exchanges(network) if x.key == record["destination_id"]]
    assert logged.result == f"refused:{code}"


def test_a_person_whose_form_is_still_valid_gets_no_reissue(network: EmbeddedNetwork) -> None:
    code, number = new_code(), new_number()
    send_from_cs(network, [notice_of(registered(code, number))])
    same = destination_record(code, number, print_category=FORM_ONLY)  # nothing changed
    refused_and_nothing_stored(network, same, "form_still_valid")


def test_a_person_who_applied_with_a_valid_form_gets_no_reissue(
    network: EmbeddedNetwork,
) -> None:
    code, number = new_code(), new_number()
    first = registered(code, number)
    send_from_cs(network, [notice_of(first)])
    entry = entry_of(network, first["destination_id"])
    assert contractor(network).post(APPLICATIONS, json=application(entry.application_id)).is_success
    same = destination_record(code, number, print_category=FORM_ONLY)
    refused_and_nothing_stored(network, same, "already_applied")


def test_a_person_with_a_card_gets_no_reissue(network: EmbeddedNetwork) -> None:
    code, number = new_code(), new_number()
    first = registered(code, number)
    send_from_cs(network, [notice_of(first)])
    entry = entry_of(network, first["destination_id"])
    assert contractor(network).post(APPLICATIONS, json=application(entry.application_id)).is_success
    run_line(network)
    changed(network, code, number)  # a card made is the counter's to update, not a form
    refused_and_nothing_stored(network, reissue_record(code, number), "card_issued")


def test_a_person_with_no_form_out_gets_no_reissue(network: EmbeddedNetwork) -> None:
    """The seed reissues only a form invalidated by a change (no reissue on loss)."""
    refused_and_nothing_stored(network, reissue_record(new_code(), new_number()), "no_invalid_form")
