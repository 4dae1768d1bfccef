"""JPKI end to end (issue #15), on SQLite and PostgreSQL: at 墨田区's counter the holder's
card makes two key pairs, the mayor applies through the CS, JPKI issues the 署名用 and the
利用者証明用 certificate, and a relying party asks their status by OCSP and CRL; the card's
suspension at the counter holds both, its lifting releases them, its abolition revokes
them; a move revokes only the 署名用 one, a death both; nothing of this can be done from
another municipality, and no certificate, CRL or OCSP answer carries the 個人番号."""

from __future__ import annotations

import json

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pydantic import BaseModel
from sqlalchemy import select

from juki.core.clock import japan_today
from juki.core.jpki_messages import JpkiCardStatus, JpkiChange, JpkiIssueRequest
from juki.core.messages import CARD_REFUSED, CardInfo, MessageType
from juki.core.messaging import tables
from juki.jpki.certificates import four_items_of
from juki.network.embedded import EmbeddedNetwork
from juki.registry.cards.models import MyNumberCard
from juki.registry.notices import moves, schemas
from juki.registry.residents import service as residents
from tests.conftest import record, resident
from tests.core.messaging.test_node import envelope_from, next_seq
from tests.e2e.test_card_counter import LG, report
from tests.jpki.helpers import (
    IDENTITY,
    JPKI,
    IssuedCard,
    ca_of,
    card_in_hand,
    crl_of,
    handed_over_with_certificates,
    holder_key,
    listed,
    public_pem,
    relying_party,
    status_of,
)
from tests.registry.helpers import INTAKE

HOLD, CEASED, CHANGED = "certificateHold", "cessationOfOperation", "affiliationChanged"


def delivered(
    network: EmbeddedNetwork, sender: str, recipient: str, kind: str, record: BaseModel
) -> None:
    """`record` in a validly signed envelope from `sender` (a node of the network, as an
    attacker holding its key would send it), applied at `recipient`."""
    raw = envelope_from(
        network, sender, recipient, next_seq(network, sender, recipient), kind,
        {"records": [record.model_dump(mode="json")]},
    )  # fmt: skip
    [ack] = network.node(recipient).receive([raw])
    assert ack.status == "applied"


def statuses(network: EmbeddedNetwork, card: IssuedCard) -> tuple[str, str]:
    party = relying_party(network)
    return status_of(party, card.sign, "sign"), status_of(party, card.auth, "auth")


def test_the_two_certificates_say_who_only_in_the_signing_one(network: EmbeddedNetwork) -> None:
    card = handed_over_with_certificates(network)
    party = relying_party(network)
    holder = resident(network, LG, card.resident_id)
    for certificate, kind, key in (
        (card.sign, "sign", card.sign_key),
        (card.auth, "auth", card.auth_key),
    ):
        ca = ca_of(party, kind)
        assert certificate.issuer == ca.subject
        certificate.verify_directly_issued_by(ca)
        assert certificate.public_key() == key.public_key()  # the holder's own key
        basic = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
        assert basic.ca is False
    items = four_items_of(card.sign)
    assert (items.name, items.birth_date, items.sex, items.address) == (
        holder.name_kanji, holder.birth_date, holder.sex, holder.address,
    )  # fmt: skip
    assert card.sign.extensions.get_extension_for_class(x509.KeyUsage).value.content_commitment
    # the 利用者証明用 certificate: a country and a random name, nothing else
    assert [a.oid for a in card.auth.subject] == [
        x509.NameOID.COUNTRY_NAME,
        x509.NameOID.COMMON_NAME,
    ]
    assert not [e for e in card.auth.extensions if isinstance(e.value, x509.SubjectAlternativeName)]
    assert (status_of(party, card.sign, "sign"), status_of(party, card.auth, "auth")) == (
        "good",
        "good",
    )
    # a relying party checks a signature made with the card's key against the certificate
    signed = card.sign_key.sign("申請書".encode(), padding.PKCS1v15(), hashes.SHA256())
    public = card.sign.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(signed, "申請書".encode(), padding.PKCS1v15(), hashes.SHA256())
    # no 個人番号 anywhere a certificate or its status goes
    with network.node(f"registry:{LG}").unit_of_work() as uow:
        number = residents.number_of(uow, residents.get_resident(uow, card.resident_id))
    seen = [
        c.public_bytes(serialization.Encoding.DER) + c.public_bytes(serialization.Encoding.PEM)
        for c in (card.sign, card.auth)
    ] + [crl_of(party, k).public_bytes(serialization.Encoding.DER) for k in ("sign", "auth")]
    assert all(number.encode() not in blob for blob in seen)


def test_a_suspension_holds_both_its_lifting_releases_them_an_abolition_ends_them(
    network: EmbeddedNetwork,
) -> None:
    card = handed_over_with_certificates(network)
    party = relying_party(network)
    report(network, card.desk, card.number, "suspended", "紛失の届出")
    assert statuses(network, card) == (f"revoked:{HOLD}", f"revoked:{HOLD}")
    crl = crl_of(party, "sign")
    assert listed(crl, card.sign) == HOLD
    assert listed(crl_of(party, "auth"), card.auth) == HOLD
    report(network, card.desk, card.number, "resumed")
    assert statuses(network, card) == ("good", "good")
    assert listed(crl_of(party, "sign"), card.sign) is None  # off the list again
    report(network, card.desk, card.number, "abolished", "破損")
    assert statuses(network, card) == (f"revoked:{CEASED}", f"revoked:{CEASED}")
    report(network, card.desk, card.number, "resumed")  # refused by the card system
    assert statuses(network, card) == (f"revoked:{CEASED}", f"revoked:{CEASED}")
    numbers = [
        crl_of(party, "sign").extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
        for _ in range(2)
    ]
    assert numbers[1] > numbers[0]  # RFC 5280 §5.2.3


def test_a_refused_lifting_does_not_release_the_certificates(network: EmbeddedNetwork) -> None:
    """The mayor asks JPKI to release only after the card system agreed: J-LIS's answer
    `90` to a lifting (delivered through the CS) releases nothing."""
    card = handed_over_with_certificates(network)
    report(network, card.desk, card.number, "suspended", "盗難")
    holder = resident(network, LG, card.resident_id)
    with network.node(f"registry:{LG}").unit_of_work() as uow:
        number = residents.number_of(uow, residents.get_resident(uow, card.resident_id))
        (held,) = uow.session.scalars(
            select(MyNumberCard).where(MyNumberCard.card_issue_number == card.number)
        )
        refused = CardInfo(
            info_id="refused-lifting-1", kind="resumed", individual_number=number,
            resident_code=holder.resident_code, lg_code=LG, application_id=held.application_id,
            card_issue_number=card.number, expires_on=held.expires_on, result_code=CARD_REFUSED,
        )  # fmt: skip
    cs, registry = f"cs:{LG}", f"registry:{LG}"
    delivered(network, cs, registry, MessageType.CARD_INFO, refused)
    network.pump()
    assert statuses(network, card) == (f"revoked:{HOLD}", f"revoked:{HOLD}")


def test_a_move_ends_the_signing_certificate_only(network: EmbeddedNetwork) -> None:
    card = handed_over_with_certificates(network)
    notice = schemas.MoveWithinNotice(
        intake=INTAKE, change_date=japan_today(), address="東京都墨田区押上一丁目1番1号"
    )
    record(network, LG, moves.record_move_within, card.resident_id, notice)
    network.pump()
    assert statuses(network, card) == (f"revoked:{CHANGED}", "good")  # 法 第12条 / 第31条


def test_a_death_ends_both(network: EmbeddedNetwork) -> None:
    card = handed_over_with_certificates(network)
    death = schemas.DeathNotice(change_date=japan_today())
    record(network, LG, moves.record_death, card.resident_id, death)
    network.pump()
    assert statuses(network, card) == (f"revoked:{CEASED}", f"revoked:{CEASED}")


def test_another_municipality_can_neither_hold_nor_apply(network: EmbeddedNetwork) -> None:
    """千代田区's CS, validly signed, asks JPKI to revoke 墨田区's holder's certificates and
    applies for certificates in their name: nothing changes and nothing is answered."""
    card = handed_over_with_certificates(network)
    other = "cs:131016"
    revoke = JpkiCardStatus(
        request_id="forged-0001", lg_code="131016", card_issue_number=card.number,
        action="revoke", reason="なりすまし", operator_id="someone", terminal_id="t-1",
    )  # fmt: skip
    delivered(network, other, JPKI, MessageType.JPKI_CARD_STATUS, revoke)
    assert statuses(network, card) == ("good", "good")
    with network.node(JPKI).db.session() as session:
        to_other = session.execute(
            select(tables.outbox.c.envelope).where(tables.outbox.c.recipient == other)
        ).all()
    assert to_other == []


def test_the_serial_index_names_the_holder_for_jlis_only(network: EmbeddedNetwork) -> None:
    card = handed_over_with_certificates(network)
    code = resident(network, LG, card.resident_id).resident_code
    jlis = relying_party(network, {"jpki_serial_index": "read"})
    for certificate in (card.sign, card.auth):
        serial = format(certificate.serial_number, "x")
        answer = jlis.get(f"/jpki/certificates/{serial}/resident")
        assert answer.json() == {"serial": serial, "resident_code": code}
    assert jlis.get("/jpki/certificates/abc123/resident").status_code == 404
    verifier = relying_party(network)  # a relying party learns no 住民票コード
    serial = format(card.auth.serial_number, "x")
    assert verifier.get(f"/jpki/certificates/{serial}/resident").status_code == 403


def test_another_municipality_cannot_take_over_a_card_by_applying_for_it(
    network: EmbeddedNetwork,
) -> None:
    """Found by the attack review: 千代田区 applied, in its own name, for certificates on
    墨田区's card; issuing them superseded (revoked) the holder's own. Now refused, and
    nothing of the holder's changes."""
    card = handed_over_with_certificates(network)
    other = "cs:131016"
    forged = JpkiIssueRequest(
        request_id="forged-issue-1", lg_code="131016", card_issue_number=card.number,
        resident_code="12345678901", name_kanji="千代田\u3000太郎", birth_date="1990-01-01",
        sex="1", address="東京都千代田区千代田1番1号", auth_public_key=public_pem(holder_key()),
        operator_id="someone", terminal_id="t-1",
    )  # fmt: skip
    delivered(network, other, JPKI, MessageType.JPKI_ISSUE, forged)
    assert statuses(network, card) == ("good", "good")
    with network.node(JPKI).db.session() as session:
        answers = session.execute(
            select(tables.outbox.c.envelope).where(tables.outbox.c.recipient == other)
        ).all()
    assert len(answers) == 1  # the refusal, to the one that asked: no certificate in it
    (record,) = json.loads(network.node(JPKI).open_at_rest(answers[0][0]))["body"]["records"]
    assert (record["result_code"], record["refused_field"]) == ("90", "card_issue_number")
    assert (record["sign_certificate"], record["auth_certificate"]) == (None, None)


def test_an_application_older_than_the_latest_change_is_refused(network: EmbeddedNetwork) -> None:
    """Found by the attack review: the application (registry → CS → JPKI) and the change
    (→ national → JPKI) travel different channels; a change that arrived first left the
    certificate made from the old 4情報 good. JPKI now keeps the latest 4情報 it was told
    (as a keyed digest) and refuses an application with others."""
    rid, desk, number = card_in_hand(network)
    holder = resident(network, LG, rid)
    moved = JpkiChange(
        update_id="change-ahead-1", resident_code=holder.resident_code,
        name_kanji=holder.name_kanji, birth_date=holder.birth_date, sex=holder.sex,  # type: ignore[arg-type]
        address="東京都墨田区押上一丁目1番1号", reason="move_within", change_date=japan_today(),
    )  # fmt: skip
    national = "national"
    delivered(network, national, JPKI, MessageType.JPKI_CHANGE, moved)
    body = {"auth_public_key": public_pem(holder_key())} | IDENTITY
    assert desk.post(f"/registry/{LG}/cards/{number}/certificates", json=body).status_code == 202
    network.pump()
    (answer,) = desk.get(f"/registry/{LG}/cards/{number}/certificates").json()
    assert (answer["status"], answer["refused_field"]) == ("refused", "resident_code")
