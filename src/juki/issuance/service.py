"""The カード発行システム's rules (000 §3.3 1-⑧/⑨, C20–C22).

1. A commission from J-LIS's card system (`on_commission`) is an order, received. A run of
   the production line (`run_line`, started by the contractor's staff) makes every order
   received: a fresh カード発行番号, the chip's identification (112–115) and the
   commission's chip contents — the 住民票コード and the card face J-LIS signed, which the
   line checks against J-LIS's signature before writing (a commission altered on the way
   would make a card every reader refuses: it is reported not made). Each result goes back
   to J-LIS (C21).
2. J-LIS answers (`on_answer`). An accepted card is shipped to the register of the
   commission's municipality (C22) — the only municipality it can go to — and the order's
   copy of the commission is erased; a refused one (its application invalidated in the
   meantime) is void and erased likewise. Each erasure is in the erasure history (OUT-06).

A handler must not raise: what cannot be done is recorded on the order and logged by key.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import logging
import secrets

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.core import card_chip
from juki.core.clock import JST
from juki.core.issuance_messages import (
    MADE,
    CardCommission,
    CardMade,
    CardMadeAnswer,
    CardShipment,
)
from juki.core.messages import MessageType
from juki.core.messaging.node import UnitOfWork
from juki.duties.retention.engine import Purge, record_erasure
from juki.issuance.models import IssuanceOrder, PinnedSigner

log = logging.getLogger(__name__)
JLIS_CARD = "card"  # J-LIS's 個人番号カード管理システム, the only commissioner
LINE_OPERATOR, LINE_TERMINAL = "(製造ライン)", "line-01"  # items 76–77: the automatic line
MANUFACTURER = "JUKI-CARD-FAB"  # 114 カード製造者識別情報 (juki's)
CRYPTO = "RSA2048-SHA256"  # 113 暗号識別情報 (juki's)
NOT_MADE = "10"  # 処理結果コード: not made (the chip's contents failed their check)
PHOTO_NOT_PRINTABLE = "11"  # 処理結果コード: not made (the face photo is not the applicant's)
ERASED_ON_SHIPMENT = "発行委託情報（カード送付後の消去）"
ERASED_ON_VOID = "発行委託情報（発行結果の不受理による消去）"
ERASED_NOT_MADE = "発行委託情報（製造できなかった委託の消去）"


def on_commission(uow: UnitOfWork, commission: CardCommission) -> None:
    session = uow.session
    if session.get(IssuanceOrder, commission.commission_number) is not None:
        log.warning("commission %s received twice: ignored", commission.commission_number)
        return
    now = dt.datetime.now(dt.UTC)
    order = IssuanceOrder(
        commission_number=commission.commission_number,
        application_id=commission.application_id, lg_code=commission.lg_code,
        commission=commission.model_dump_json(), status="received", received_at=now,
    )  # fmt: skip
    session.add(order)


def run_line(uow: UnitOfWork) -> dict[str, int]:
    """One run of the production line: every order received is made (or found not
    makeable) and its result sent to J-LIS. Returns how many of each."""
    orders = uow.session.scalars(
        select(IssuanceOrder)
        .where(IssuanceOrder.status == "received")
        .order_by(IssuanceOrder.received_at, IssuanceOrder.commission_number)
        .with_for_update()
    ).all()
    counts = {"made": 0, "not_made": 0}
    now = dt.datetime.now(dt.UTC)
    for order in orders:
        assert order.commission is not None  # erased only once made and answered
        commission = CardCommission.model_validate_json(order.commission)
        made = _make(order, commission, _held_to(uow.session, commission))
        counts[order.status] += 1
        if order.status == "not_made":  # nothing to ship: the personal data go now
            _erase(uow.session, order, ERASED_NOT_MADE, now)
        uow.send(JLIS_CARD, MessageType.CARD_MADE, made.model_dump(mode="json"))
    return counts


def _held_to(session: Session, commission: CardCommission) -> bool:
    """Whether the commission's signer is J-LIS's as the line holds it: the first one seen
    is pinned (trust on first use; a deployment loads it from J-LIS beforehand), and any
    other is refused — a commission carrying a certificate of its own choosing proves
    nothing by its signature (attack review)."""
    try:
        certificate = x509.load_pem_x509_certificate(commission.chip.signer_certificate.encode())
    except ValueError:
        return False
    fingerprint = certificate.fingerprint(hashes.SHA256()).hex()
    pinned = session.scalars(select(PinnedSigner.fingerprint)).all()
    if not pinned:
        session.add(
            PinnedSigner(
                fingerprint=fingerprint, certificate_pem=commission.chip.signer_certificate,
                pinned_at=dt.datetime.now(dt.UTC),
            )
        )  # fmt: skip
        session.flush()
        return True
    return fingerprint in pinned


def _make(order: IssuanceOrder, commission: CardCommission, held_to: bool) -> CardMade:
    """The production line: check the chip's contents, then number the card."""
    order.request_id = f"R{commission.commission_number}"
    order.made_at = dt.datetime.now(dt.UTC)
    base = {
        "request_id": order.request_id, "commission_number": commission.commission_number,
        "application_id": commission.application_id, "operator_id": LINE_OPERATOR,
        "terminal_id": LINE_TERMINAL,
    }  # fmt: skip
    if not (held_to and _signed_by_jlis(commission)):
        order.status = "not_made"
        log.warning("commission %s: the card face's signature fails", order.commission_number)
        return CardMade.model_validate(base | {"result_code": NOT_MADE})
    if not _photo_intact(commission):
        order.status = "not_made"
        log.warning("commission %s: not the photo applied with", order.commission_number)
        return CardMade.model_validate(base | {"result_code": PHOTO_NOT_PRINTABLE})
    number = secrets.token_hex(8).upper()
    order.card_issue_number, order.status = number, "made"
    return CardMade.model_validate(
        base | {
            "result_code": MADE, "card_issue_number": number,
            "expires_on": commission.expires_on, "juki_ap_id": card_chip.JUKI_AID.hex().upper(),
            "crypto_id": CRYPTO, "manufacturer_id": MANUFACTURER,
            "card_image_number": f"IMG{number}",
        }
    )  # fmt: skip


def _photo_intact(commission: CardCommission) -> bool:
    """The photo printed on the card face is the JPEG the applicant sent: its SHA-256 is the
    digest of the application (item 69); a photo that is not a JPEG, or not that one, makes
    no card. A commission without a photo is an application File 3 kept before it held
    the images (the digest only): made as before, and said in docs/card.md."""
    if commission.face_photo is None:
        return True
    try:
        photo = base64.b64decode(commission.face_photo, validate=True)
    except (binascii.Error, ValueError):
        return False
    digest = hashlib.sha256(photo).hexdigest()
    return photo.startswith(b"\xff\xd8\xff") and digest == commission.photo_sha256


def _signed_by_jlis(commission: CardCommission) -> bool:
    chip = commission.chip
    try:
        signer = x509.load_pem_x509_certificate(chip.signer_certificate.encode())
        signature = card_chip.signature_file(chip.text, bytes.fromhex(chip.text_signature))
        card_chip.verified_text(
            card_chip.number_file(chip.text), card_chip.four_items_file(chip.text), signature,
            signer,
        )  # fmt: skip
    except (ValueError, card_chip.NotGenuine):
        return False
    return True


def on_answer(uow: UnitOfWork, answer: CardMadeAnswer) -> None:
    session = uow.session
    order = session.scalar(
        select(IssuanceOrder)
        .where(IssuanceOrder.commission_number == answer.commission_number)
        .with_for_update()
    )
    waiting = order is not None and order.status == "made"
    if order is None or not waiting or order.commission is None or not order.card_issue_number:
        log.warning("answer for commission %s: no card waiting", answer.commission_number)
        return
    now = dt.datetime.now(dt.UTC)
    order.answered_at = now
    if not answer.accepted:
        order.status, order.refused_code = "void", answer.refused_code
        _erase(session, order, ERASED_ON_VOID, now)
        return
    commission = CardCommission.model_validate_json(order.commission)
    shipment = CardShipment(
        commission_number=order.commission_number, application_id=order.application_id,
        lg_code=order.lg_code, shipped_on=now.astimezone(JST).date(),
        chip=_chip(order.card_issue_number, commission),
    )  # fmt: skip
    uow.send(
        f"registry:{order.lg_code}", MessageType.CARD_SHIPMENT, shipment.model_dump(mode="json")
    )
    order.status, order.shipped_at = "shipped", now
    _erase(session, order, ERASED_ON_SHIPMENT, now)


def _chip(number: str, commission: CardCommission) -> card_chip.ChipImage:
    chip = commission.chip
    return card_chip.ChipImage(
        card_issue_number=number, juki_ap_id=card_chip.JUKI_AID.hex().upper(),
        crypto_id=CRYPTO, manufacturer_id=MANUFACTURER, card_image_number=f"IMG{number}",
        resident_code=chip.resident_code, resident_code_signature=chip.resident_code_signature,
        text=chip.text, text_signature=chip.text_signature,
        signer_certificate=chip.signer_certificate,
    )  # fmt: skip


def _erase(session: Session, order: IssuanceOrder, rule: str, at: dt.datetime) -> None:
    order.commission = None
    purge = Purge(rule, "issuance_orders", at.isoformat(), 1, [order.commission_number])
    record_erasure(session, purge, at)
