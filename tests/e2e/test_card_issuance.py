"""The card from its commission to the holder's hand (issue #15; 000 §2.4, §3.3 1-⑧..⑫,
C20–C23; 001a §3.5), on SQLite and PostgreSQL: J-LIS commissions the card with the chip's
contents signed, the contractor's node makes and ships it to the destination municipality
only, the counter sets it up once it has arrived and, after the 交付, gives its chip to the
holder's card once; the counter then reads the 住民票コード from the card with the 住基 PIN
for 本人確認, and a reader takes the card face only under J-LIS's own certificate."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from juki.core.card_chip import ChipImage, sign_text
from juki.core.clock import japan_today
from juki.core.issuance_messages import CardCommission, CardShipment, ChipRewriteRequest
from juki.core.messages import MessageType
from juki.core.messaging import tables
from juki.duties.retention.tables import retention_purges
from juki.duties.search import ProvisionLog
from juki.holder.apdu import CardSession
from juki.holder.virtual_card import PinLocked, PinRefused, VirtualCard
from juki.issuance.models import IssuanceOrder
from juki.network.embedded import EmbeddedNetwork
from juki.reader.juki_ap import read_resident_code
from juki.reader.text import read_text
from juki.registry.cards.models import CardShipmentRow
from juki.registry.notices import moves, schemas
from juki.registry.residents import service as residents
from tests.card.helpers import (
    CARD,
    ISSUANCE,
    application,
    contractor,
    held_person,
    jlis,
    run_line,
    sent,
)
from tests.conftest import record, resident
from tests.core.messaging.test_node import envelope_from, next_seq
from tests.e2e.test_card_counter import CHECKED, LG, at_register, report
from tests.e2e.test_identity_confirmation import confirm
from tests.e2e.test_reissue import card_desk
from tests.holder.helpers import signer
from tests.registry.helpers import INTAKE

SIGN_PIN, AUTH_PIN, TEXT_PIN, JUKI_PIN = "JUKI2026", "4831", "5512", "6603"


def arrived_and_handed_over(network: EmbeddedNetwork) -> tuple[int, str]:
    """A card commissioned, made, shipped, set up and handed over: (resident id, number)."""
    rid, entry = held_person(network)
    assert contractor(network).post("/card/applications", json=application(entry.application_id))
    assert run_line(network) == {"made": 1, "not_made": 0}
    desk = card_desk(network)
    number = at_register(desk, rid)["card_issue_number"]
    report(network, desk, number, "ready")
    report(network, desk, number, "handed_over")
    return rid, number


def test_the_chip_reaches_the_holder_s_card_and_the_counter_reads_it(
    network: EmbeddedNetwork, tmp_path: Path
) -> None:
    rid, number = arrived_and_handed_over(network)
    person = resident(network, LG, rid)
    with network.node(f"registry:{LG}").unit_of_work() as uow:
        individual_number = residents.number_of(uow, residents.get_resident(uow, rid))
    desk = card_desk(network)
    given = desk.post(f"/registry/{LG}/cards/{number}/chip")
    assert given.status_code == 200, given.text
    chip = ChipImage.model_validate(given.json())
    assert (chip.card_issue_number, chip.resident_code) == (number, person.resident_code)
    # once only: the card has left the counter, and with it what is on it
    again = desk.post(f"/registry/{LG}/cards/{number}/chip")
    assert (again.status_code, again.json()["code"]) == (409, "already_given")
    with network.node(f"registry:{LG}").db.session() as session:
        row = session.get(CardShipmentRow, number)
        assert row is not None
        assert (row.chip, row.given_by) == (None, "kimura.hanako")
        erased = session.execute(
            select(retention_purges.c.rule).where(retention_purges.c.table_name == "card_shipments")
        ).all()
        assert len(erased) == 1
    with network.node(ISSUANCE).db.session() as session:  # nor does the contractor keep it
        [order] = session.scalars(select(IssuanceOrder)).all()
        assert (order.status, order.card_issue_number, order.commission) == (
            "shipped", number, None,
        )  # fmt: skip

    card = VirtualCard.create(
        tmp_path / "holder.card", number, SIGN_PIN, AUTH_PIN, chip=chip, text_pin=TEXT_PIN,
        juki_pin=JUKI_PIN,
    )  # fmt: skip
    # the counter's reader checks with the certificate J-LIS publishes (not the card's)
    published = jlis(network, {"card_face_verify": "read"}).get("/card/signer-certificate")
    assert published.status_code == 200, published.text
    signer = x509.load_pem_x509_certificate(published.content)
    # 本人確認 with the card (001a §3.5 2-②–④): the code read with the 住基 PIN, checked
    # at the national server through the CS
    code = read_resident_code(CardSession(card).transmit, JUKI_PIN, signer)
    shown = confirm(network, LG, code)
    assert (shown["status"], shown["name_kanji"]) == ("current", person.name_kanji)
    # the card face, likewise
    text = read_text(CardSession(card).transmit, TEXT_PIN, signer)
    assert (text.individual_number, text.birth_date) == (individual_number, person.birth_date)
    assert text.name == person.name_kanji


def test_a_card_is_set_up_only_once_it_has_arrived(network: EmbeddedNetwork) -> None:
    """交付前設定 is done on the card: before the contractor's shipment is in, it is
    refused (and nothing is reported to J-LIS); the chip is not given before the 交付."""
    rid, entry = held_person(network)
    assert contractor(network).post("/card/applications", json=application(entry.application_id))
    run_line(network)
    desk = card_desk(network)
    number = at_register(desk, rid)["card_issue_number"]
    with network.node(f"registry:{LG}").unit_of_work() as uow:  # still on its way
        shipped = uow.session.get(CardShipmentRow, number)
        assert shipped is not None
        uow.session.delete(shipped)
    early = desk.post(f"/registry/{LG}/cards/{number}/reports", json={"kind": "ready"})
    assert (early.status_code, early.json()["code"]) == (409, "card_not_arrived")
    assert at_register(desk, rid)["status"] == "awaiting_handover"


def test_the_chip_is_not_given_before_the_handover_nor_elsewhere(
    network: EmbeddedNetwork,
) -> None:
    rid, entry = held_person(network)
    assert contractor(network).post("/card/applications", json=application(entry.application_id))
    run_line(network)
    desk = card_desk(network)
    number = at_register(desk, rid)["card_issue_number"]
    report(network, desk, number, "ready")
    early = desk.post(f"/registry/{LG}/cards/{number}/chip")
    assert (early.status_code, early.json()["code"]) == (409, "not_handed_over")
    handed = desk.post(f"/registry/{LG}/cards/{number}/handover", json=CHECKED)
    assert handed.status_code == 202, handed.text
    network.pump()
    other = card_desk(network, "131016")  # 千代田区 holds no such card
    assert other.post(f"/registry/131016/cards/{number}/chip").status_code == 404
    assert desk.post(f"/registry/{LG}/cards/{number}/chip").status_code == 200


def test_a_commission_altered_on_the_way_makes_no_card(network: EmbeddedNetwork) -> None:
    """The line checks J-LIS's signature over the card face before writing it, under the
    signer it holds to: a commission whose name was changed after J-LIS signed it, and one
    changed and signed again under a certificate of its own, are each reported not made
    (処理結果コード 10); nothing is shipped for them, and the contractor's copies are erased
    at once."""
    rid, entry = held_person(network)
    assert contractor(network).post("/card/applications", json=application(entry.application_id))
    sent_commission = sent(network, MessageType.CARD_COMMISSION, recipient=ISSUANCE)[0]
    genuine = CardCommission.model_validate(sent_commission)
    renamed = genuine.chip.text.model_copy(update={"name": "成済　太郎"})
    altered = genuine.model_copy(
        update={
            "commission_number": "9" * 16,
            "chip": genuine.chip.model_copy(update={"text": renamed}),
        }
    )
    key, own = signer()
    resigned = genuine.model_copy(
        update={
            "commission_number": "7" * 16,
            "chip": genuine.chip.model_copy(
                update={
                    "text": renamed, "text_signature": sign_text(key, renamed).hex(),
                    "signer_certificate": own.public_bytes(serialization.Encoding.PEM).decode(),
                }
            ),
        }
    )  # fmt: skip
    with network.node(CARD).unit_of_work() as uow:
        for forged in (altered, resigned):
            uow.send(ISSUANCE, MessageType.CARD_COMMISSION, forged.model_dump(mode="json"))
    assert run_line(network) == {"made": 1, "not_made": 2}
    with network.node(ISSUANCE).db.session() as session:
        orders = {o.commission_number: o for o in session.scalars(select(IssuanceOrder))}
        for bad in (orders["9" * 16], orders["7" * 16]):
            assert (bad.status, bad.card_issue_number, bad.commission) == ("not_made", None, None)
    with network.node(f"registry:{LG}").db.session() as session:  # only the genuine card
        shipped = session.scalars(select(CardShipmentRow)).all()
        assert [s.commission_number for s in shipped] == [sent_commission["commission_number"]]
    desk = card_desk(network)
    assert at_register(desk, rid)["status"] == "awaiting_handover"


def test_the_card_face_carries_the_applicant_s_photo_or_no_card_is_made(
    network: EmbeddedNetwork,
) -> None:
    """The commission carries the face photo applied with (File 3 item 69) for the card's
    face; the line prints it only if it is that JPEG (its digest): a photo swapped on the
    way is reported not made (処理結果コード 11)."""
    _rid, entry = held_person(network)
    assert contractor(network).post("/card/applications", json=application(entry.application_id))
    genuine = CardCommission.model_validate(
        sent(network, MessageType.CARD_COMMISSION, recipient=ISSUANCE)[0]
    )
    assert genuine.face_photo == application(entry.application_id)["face_photo"]
    assert genuine.photo_sha256 == application(entry.application_id)["photo_sha256"]
    other = base64.b64encode(b"\xff\xd8\xff\xe0someone else\xff\xd9").decode()
    swapped = genuine.model_copy(update={"commission_number": "8" * 16, "face_photo": other})
    with network.node(CARD).unit_of_work() as uow:
        uow.send(ISSUANCE, MessageType.CARD_COMMISSION, swapped.model_dump(mode="json"))
    assert run_line(network) == {"made": 1, "not_made": 1}
    with network.node(ISSUANCE).db.session() as session:
        bad = session.get(IssuanceOrder, "8" * 16)
        assert bad is not None
        assert (bad.status, bad.commission) == ("not_made", None)
        made = session.scalars(
            select(tables.outbox.c.envelope).where(tables.outbox.c.type == MessageType.CARD_MADE)
        ).all()
    results = {
        r["commission_number"]: r["result_code"]
        for e in made
        for r in json.loads(network.node(ISSUANCE).open_at_rest(e))["body"]["records"]
    }
    assert results == {genuine.commission_number: "00", "8" * 16: "11"}


def test_a_shipment_reaches_only_its_own_municipality(network: EmbeddedNetwork) -> None:
    """A card for 墨田区 delivered to 千代田区's register (a wrong address on the box) is not
    kept there: its chip carries a 個人番号 that municipality has no business with."""
    _rid, number = arrived_and_handed_over(network)
    given = card_desk(network).post(f"/registry/{LG}/cards/{number}/chip").json()
    chip = ChipImage.model_validate(given).model_copy(
        update={"card_issue_number": "ABCDEF0123456789"}
    )
    astray = CardShipment(
        commission_number="8" * 16, application_id="1" * 23, lg_code=LG,
        shipped_on=japan_today(), chip=chip,
    )  # fmt: skip
    with network.node(ISSUANCE).unit_of_work() as uow:
        uow.send("registry:131016", MessageType.CARD_SHIPMENT, astray.model_dump(mode="json"))
    network.pump()
    with network.node("registry:131016").db.session() as session:
        assert session.scalars(select(CardShipmentRow)).all() == []


def test_a_chip_that_is_not_this_card_s_is_never_given(network: EmbeddedNetwork) -> None:
    """A box mixed up at the counter (the shipment names another application) is not put
    on the holder's card: the chip carries someone's 個人番号."""
    _rid, number = arrived_and_handed_over(network)
    with network.node(f"registry:{LG}").unit_of_work() as uow:
        row = uow.session.get(CardShipmentRow, number)
        assert row is not None
        row.application_id = "2" * 23
    refused = card_desk(network).post(f"/registry/{LG}/cards/{number}/chip")
    assert (refused.status_code, refused.json()["code"]) == (409, "chip_mismatch")
    assert "個人番号" not in refused.text or refused.json()["field"] == "card_issue_number"
    with network.node(f"registry:{LG}").db.session() as session:
        kept = session.get(CardShipmentRow, number)
        assert kept is not None
        assert kept.chip is not None  # nothing given, nothing erased


def holder_card(
    network: EmbeddedNetwork, number: str, folder: Path
) -> tuple[ChipImage, VirtualCard]:
    """The chip given after the 交付, on the holder's card under its PINs."""
    desk = card_desk(network)
    chip = ChipImage.model_validate(desk.post(f"/registry/{LG}/cards/{number}/chip").json())
    card = VirtualCard.create(
        folder / "holder.card", number, SIGN_PIN, AUTH_PIN, chip=chip, text_pin=TEXT_PIN,
        juki_pin=JUKI_PIN,
    )  # fmt: skip
    return chip, card


def rewritten_chip(network: EmbeddedNetwork, number: str, reason: str) -> ChipImage:
    """The counter asks J-LIS for the chip again, and gives what comes back."""
    desk = card_desk(network)
    body = {"reason": reason, "face_matched": True}
    asked = desk.post(f"/registry/{LG}/cards/{number}/chip-requests", json=body)
    assert asked.status_code == 202, asked.text
    network.pump()
    given = desk.post(f"/registry/{LG}/cards/{number}/chip")
    assert given.status_code == 200, given.text
    return ChipImage.model_validate(given.json())


def test_a_locked_text_pin_is_reset_by_writing_the_chip_again(
    network: EmbeddedNetwork, tmp_path: Path
) -> None:
    """The 券面事項入力補助 data are sealed under their PIN on the card: after three wrong
    tries the PIN is locked, and the counter resets it by writing the contents J-LIS signs
    again under a new PIN; the card face then reads as before, J-LIS's signature checked."""
    rid, number = arrived_and_handed_over(network)
    chip, card = holder_card(network, number, tmp_path)
    for _ in range(3):
        with pytest.raises(PinRefused):
            card.open_application("text", "0000")
    with pytest.raises(PinLocked):
        card.open_application("text", TEXT_PIN)
    again = rewritten_chip(network, number, "pin_reset")
    VirtualCard.load(card.path).add_chip(again, "7788", "9900", rewrite=True)
    signer = published_signer(network)
    text = read_text(CardSession(VirtualCard.load(card.path)).transmit, "7788", signer)
    assert text.name == resident(network, LG, rid).name_kanji
    code = read_resident_code(CardSession(VirtualCard.load(card.path)).transmit, "9900", signer)
    assert code == chip.resident_code
    with network.node(CARD).db.session() as session:
        told = session.scalars(
            select(ProvisionLog).where(ProvisionLog.duty_code == MessageType.CARD_CHIP)
        ).all()
    assert [row.body_code for row in told] == [f"cs:{LG}"]  # the provision recorded


def test_a_move_is_written_onto_the_card_face(network: EmbeddedNetwork, tmp_path: Path) -> None:
    """券面記載事項の変更: after a 転居 the card's 券面事項入力補助 data are written again from
    File 3, which the national server's relay brought up to date."""
    rid, number = arrived_and_handed_over(network)
    _chip, card = holder_card(network, number, tmp_path)
    new_address = "東京都墨田区押上一丁目1番1号"
    notice = schemas.MoveWithinNotice(intake=INTAKE, change_date=japan_today(), address=new_address)
    record(network, LG, moves.record_move_within, rid, notice)
    network.pump()
    again = rewritten_chip(network, number, "face_change")
    VirtualCard.load(card.path).add_chip(again, TEXT_PIN, JUKI_PIN, rewrite=True)
    text = read_text(CardSession(VirtualCard.load(card.path)).transmit, TEXT_PIN,
                     published_signer(network))  # fmt: skip
    assert text.address.startswith(new_address)


def test_the_chip_is_not_written_again_for_a_card_not_in_use_or_not_ours(
    network: EmbeddedNetwork,
) -> None:
    _rid, number = arrived_and_handed_over(network)
    desk = card_desk(network)
    body = {"reason": "pin_reset", "face_matched": True}
    unchecked = desk.post(f"/registry/{LG}/cards/{number}/chip-requests", json=body | {
        "face_matched": False})  # fmt: skip
    assert unchecked.status_code == 422
    report(network, desk, number, "suspended", "紛失")
    refused = desk.post(f"/registry/{LG}/cards/{number}/chip-requests", json=body)
    assert (refused.status_code, refused.json()["code"]) == (409, "card_not_active")
    # another municipality's CS, validly signed, asks for 墨田区's card: nothing answered
    forged = ChipRewriteRequest(
        request_id="00000000-0000-0000-0000-000000000001", lg_code="131016",
        card_issue_number=number, reason="pin_reset", operator_id="x", terminal_id="y",
    )  # fmt: skip
    raw = envelope_from(
        network, "cs:131016", CARD, next_seq(network, "cs:131016", CARD),
        MessageType.CARD_CHIP_REQUEST, {"records": [forged.model_dump(mode="json")]},
    )  # fmt: skip
    [ack] = network.node(CARD).receive([raw])
    assert ack.status == "applied"
    with network.node(CARD).db.session() as session:
        outgoing = session.scalars(
            select(tables.outbox.c.type).where(tables.outbox.c.type == MessageType.CARD_CHIP)
        ).all()
    assert outgoing == []


def test_a_chip_signed_before_the_change_reached_j_lis_is_not_given(
    network: EmbeddedNetwork, tmp_path: Path
) -> None:
    """Attack review: the clerk records a 転居 and asks for the card face at once. The
    request (register → CS → card) beats the relay of the 転居 (four hops), so J-LIS signs
    the old address: the register keeps no such chip (`stale`, shown to the clerk), and a
    request made again after the relay gives the new one."""
    rid, number = arrived_and_handed_over(network)
    desk = card_desk(network)
    desk.post(f"/registry/{LG}/cards/{number}/chip")  # the first chip, at the 交付
    new_address = "東京都墨田区押上一丁目1番1号"
    with network.node(f"registry:{LG}").unit_of_work() as uow:  # not pumped yet
        notice = schemas.MoveWithinNotice(
            intake=INTAKE, change_date=japan_today(), address=new_address
        )
        moves.record_move_within(uow, rid, notice)
    body = {"reason": "face_change", "face_matched": True}
    asked = desk.post(f"/registry/{LG}/cards/{number}/chip-requests", json=body)
    assert asked.status_code == 202, asked.text
    network.pump()
    (record,) = desk.get(f"/registry/{LG}/cards/{number}/chip-requests").json()
    assert record["status"] == "stale", record
    refused = desk.post(f"/registry/{LG}/cards/{number}/chip")
    assert (refused.status_code, refused.json()["code"]) == (409, "already_given")
    again = rewritten_chip(network, number, "face_change")
    assert again.text.address.startswith(new_address)
    with network.node(f"registry:{LG}").db.session() as session:  # the 交付's record stays
        shipped = session.get(CardShipmentRow, number)
        assert shipped is not None
        assert (shipped.chip, shipped.given_by) == (None, "kimura.hanako")


def test_one_rewrite_waits_at_a_time_and_none_for_a_holder_who_moved_out(
    network: EmbeddedNetwork,
) -> None:
    rid, number = arrived_and_handed_over(network)
    desk = card_desk(network)
    body = {"reason": "pin_reset", "face_matched": True}
    assert desk.post(f"/registry/{LG}/cards/{number}/chip-requests", json=body).status_code == 202
    second = desk.post(f"/registry/{LG}/cards/{number}/chip-requests", json=body)
    assert (second.status_code, second.json()["code"]) == (409, "rewrite_waiting")
    network.pump()
    out = schemas.MoveOutNotice(
        intake=INTAKE, change_date=japan_today(), destination_address="東京都千代田区麹町一丁目"
    )
    record(network, LG, moves.record_move_out, rid, out)
    network.pump()
    # the card is still 墨田区's until its 継続利用 elsewhere, but its holder lives here no
    # more: the former municipality neither asks nor gives (attack review)
    gone = desk.post(f"/registry/{LG}/cards/{number}/chip-requests", json=body)
    assert (gone.status_code, gone.json()["code"]) == (409, "card_not_active")
    given = desk.post(f"/registry/{LG}/cards/{number}/chip")
    assert given.status_code == 409


def published_signer(network: EmbeddedNetwork) -> x509.Certificate:
    published = jlis(network, {"card_face_verify": "read"}).get("/card/signer-certificate")
    assert published.status_code == 200, published.text
    return x509.load_pem_x509_certificate(published.content)
