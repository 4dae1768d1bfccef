"""The card from its commission to the holder's hand (issue #15; 000 §2.4, §3.3 1-⑧..⑫,
C20–C23; 001a §3.5), on SQLite and PostgreSQL: J-LIS commissions the card with the chip's
contents signed, the contractor's node makes and ships it to the destination municipality
only, the counter sets it up once it has arrived and, after the 交付, gives its chip to the
holder's card once; the counter then reads the 住民票コード from the card with the 住基 PIN
for 本人確認, and a reader takes the card face only under J-LIS's own certificate."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from juki.core.card_chip import ChipImage, sign_text
from juki.core.clock import japan_today
from juki.core.issuance_messages import CardCommission, CardShipment
from juki.core.messages import MessageType
from juki.duties.retention.tables import retention_purges
from juki.holder.apdu import CardSession
from juki.holder.virtual_card import VirtualCard
from juki.issuance.models import IssuanceOrder
from juki.network.embedded import EmbeddedNetwork
from juki.reader.juki_ap import read_resident_code
from juki.reader.text import read_text
from juki.registry.cards.models import CardShipmentRow
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
from tests.conftest import resident
from tests.e2e.test_card_counter import CHECKED, LG, at_register, report
from tests.e2e.test_identity_confirmation import confirm
from tests.e2e.test_reissue import card_desk
from tests.holder.helpers import signer

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
