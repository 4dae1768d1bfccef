"""The 証明書交付センター's rules, over a unit of work (no HTTP).

A session is one holder at one terminal. The terminal opens it with a key it made for this
session alone; the centre answers with a fresh challenge. The terminal's reader has the
card sign the challenge with its 利用者証明用 key once the holder typed the PIN into the
card (the PIN stays between the terminal and the card), and presents the certificate, the
signature and the document wanted. The centre checks the signature itself (proof that the
card is there, not a copy of its certificate), asks JPKI whether the certificate is good
now and whose it is, asks that municipality for the document, and hands the sealed PDF to
the session's own terminal once. A session belongs to the terminal system that opened it:
another gets "no such session", the same answer as for an id that never existed.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import secrets

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import select, update

from juki.core.clock import as_utc
from juki.core.errors import Conflict, InvalidInput, NotFound
from juki.core.kiosk_messages import (
    ISSUED,
    KioskDocument,
    KioskIdentified,
    KioskIdentify,
    KioskRequest,
)
from juki.core.messages import MessageType
from juki.core.messaging.node import UnitOfWork
from juki.duties.operators.clients import Caller
from juki.kiosk.models import KioskSession
from juki.kiosk.schemas import DocumentAsk, Presentation, SessionOpen

# How long a holder has at the kiosk, from opening to collecting [juki's choice].
SESSION_LIFETIME = dt.timedelta(minutes=10)
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")  # RFC 8017 §9.2
LIVE = ("awaiting_card", "checking", "requesting", "ready")
VERDICT_REASONS = {
    "on_hold": "このカードの電子証明書は一時保留中です（カードの一時停止中）。",
    "revoked": "このカードの電子証明書は失効しています。",
    "expired": "このカードの電子証明書は有効期間が過ぎています。",
    "unknown": "このカードの電子証明書を確認できません。",
    "not_auth": "利用者証明用電子証明書をお使いください。",
}


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def open_session(uow: UnitOfWork, caller: Caller, body: SessionOpen) -> KioskSession:
    _expire_old(uow)
    opened = now()
    kiosk_session = KioskSession(
        id=secrets.token_hex(16), client_id=caller.client_id, terminal_id=caller.terminal,
        terminal_key=body.terminal_key, challenge=secrets.token_bytes(32),
        status="awaiting_card", opened_at=opened, expires_at=opened + SESSION_LIFETIME,
    )  # fmt: skip
    uow.session.add(kiosk_session)
    return kiosk_session


def signed_message(kiosk_session: KioskSession) -> bytes:
    """What the card signs: the challenge bound to its session."""
    return f"juki kiosk session {kiosk_session.id} ".encode() + kiosk_session.challenge


def digest_info(kiosk_session: KioskSession) -> bytes:
    """The DigestInfo the reader sends the card with COMPUTE DIGITAL SIGNATURE."""
    return SHA256_DIGEST_INFO + hashlib.sha256(signed_message(kiosk_session)).digest()


def present(uow: UnitOfWork, caller: Caller, session_id: str, body: Presentation) -> KioskSession:
    """The card's certificate and signature, and the document asked for. A signature that
    does not verify ends the session (one presentation per challenge)."""
    kiosk_session = _live(uow, caller, session_id, locked=True)
    if kiosk_session.status != "awaiting_card":
        raise Conflict("この受付ではすでにカードが読み取られています", field="session_id")
    certificate = _certificate(body.certificate)
    _check_document(body.document)
    if not _signed_by(certificate, body.signature, signed_message(kiosk_session)):
        return _refuse(kiosk_session, "signature", "カードの署名を確認できません。")
    ask = body.document
    kiosk_session.kind, kiosk_session.scope = ask.kind, ask.scope
    kiosk_session.include_individual_number = ask.include_individual_number
    kiosk_session.include_domicile = ask.include_domicile
    kiosk_session.status = "checking"
    identify = KioskIdentify(
        session_id=kiosk_session.id,
        certificate=base64.b64encode(certificate.public_bytes(Encoding.DER)).decode(),
    )
    uow.send("jpki", MessageType.KIOSK_IDENTIFY, identify.model_dump(mode="json"))
    return kiosk_session


def on_identified(uow: UnitOfWork, answer: KioskIdentified) -> None:
    kiosk_session = _waiting(uow, answer.session_id, "checking")
    if kiosk_session is None:
        return
    if answer.verdict != "good" or answer.lg_code is None:
        reason = VERDICT_REASONS.get(answer.verdict, VERDICT_REASONS["unknown"])
        _refuse(kiosk_session, f"certificate_{answer.verdict}", reason)
        return
    assert answer.card_issue_number is not None
    assert answer.serial is not None
    kiosk_session.status, kiosk_session.lg_code = "requesting", answer.lg_code
    request = KioskRequest.model_validate(
        {
            "session_id": kiosk_session.id, "card_issue_number": answer.card_issue_number,
            "serial": answer.serial, "kind": kiosk_session.kind, "scope": kiosk_session.scope,
            "include_individual_number": kiosk_session.include_individual_number,
            "include_domicile": kiosk_session.include_domicile,
            "terminal_id": kiosk_session.terminal_id,
            "terminal_key": kiosk_session.terminal_key,
        }
    )  # fmt: skip
    to = f"registry:{answer.lg_code}"
    uow.send(to, MessageType.KIOSK_REQUEST, request.model_dump(mode="json"))


def on_document(uow: UnitOfWork, sender_lg: str, answer: KioskDocument) -> None:
    kiosk_session = _waiting(uow, answer.session_id, "requesting")
    if kiosk_session is None or kiosk_session.lg_code != sender_lg:
        return  # not asked, answered already, or from a municipality not asked
    kiosk_session.answered_at = now()
    if answer.result != ISSUED or answer.sealed_pdf is None:
        kiosk_session.status = "refused"
        kiosk_session.refused_code = answer.refused_code
        kiosk_session.refused_reason = answer.refused_reason
        return
    kiosk_session.status = "ready"
    kiosk_session.issue_no, kiosk_session.fee_yen = answer.issue_no, answer.fee_yen
    kiosk_session.sealed_pdf = answer.sealed_pdf


def status(uow: UnitOfWork, caller: Caller, session_id: str) -> KioskSession:
    return _mine(uow, caller, session_id)


def collect(uow: UnitOfWork, caller: Caller, session_id: str) -> tuple[KioskSession, str]:
    """The sealed PDF, once: the centre keeps none of it after."""
    kiosk_session = _live(uow, caller, session_id, locked=True)
    if kiosk_session.status != "ready" or kiosk_session.sealed_pdf is None:
        raise Conflict("証明書はまだ用意されていません", field="session_id",
                       code=f"kiosk_{kiosk_session.status}")  # fmt: skip
    sealed = kiosk_session.sealed_pdf
    kiosk_session.sealed_pdf, kiosk_session.status = None, "collected"
    kiosk_session.collected_at = now()
    return kiosk_session, sealed


def _mine(uow: UnitOfWork, caller: Caller, session_id: str, locked: bool = False) -> KioskSession:
    stmt = select(KioskSession).where(
        KioskSession.id == session_id, KioskSession.client_id == caller.client_id
    )
    found = uow.session.scalar(stmt.with_for_update() if locked else stmt)
    if found is None:
        raise NotFound("受付が見つかりません", field="session_id")
    if found.status in LIVE and as_utc(found.expires_at) <= now():
        found.status, found.sealed_pdf = "expired", None
    return found


def _live(uow: UnitOfWork, caller: Caller, session_id: str, locked: bool) -> KioskSession:
    found = _mine(uow, caller, session_id, locked)
    if found.status == "expired":
        raise Conflict("受付の有効時間が過ぎました。最初からやり直してください",
                       field="session_id", code="kiosk_expired")  # fmt: skip
    return found


def _waiting(uow: UnitOfWork, session_id: str, state: str) -> KioskSession | None:
    stmt = select(KioskSession).where(KioskSession.id == session_id).with_for_update()
    found = uow.session.scalar(stmt)
    return found if found is not None and found.status == state else None


def _refuse(kiosk_session: KioskSession, code: str, reason: str) -> KioskSession:
    kiosk_session.status = "refused"
    kiosk_session.refused_code, kiosk_session.refused_reason = code, reason
    kiosk_session.answered_at = now()
    return kiosk_session


def _expire_old(uow: UnitOfWork) -> None:
    """Sessions past their time end, and any PDF they still hold is dropped."""
    uow.session.execute(
        update(KioskSession)
        .where(KioskSession.status.in_(LIVE), KioskSession.expires_at <= now())
        .values(status="expired", sealed_pdf=None)
    )


def _certificate(text: str) -> x509.Certificate:
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        raise InvalidInput("電子証明書を読み取れません", field="certificate") from None
    if not isinstance(certificate.public_key(), rsa.RSAPublicKey):
        raise InvalidInput("利用者証明用電子証明書ではありません", field="certificate")
    return certificate


def _check_document(ask: DocumentAsk) -> None:
    if ask.kind == "entries" and ask.include_individual_number:
        # 記載事項証明書 proves items for another's use; the number is not for it here
        raise InvalidInput("記載事項証明書には個人番号を記載できません",
                           field="document.include_individual_number")  # fmt: skip


def _signed_by(certificate: x509.Certificate, signature_b64: str, message: bytes) -> bool:
    key = certificate.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return True
