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

import datetime as dt
import secrets

from sqlalchemy import select

from juki.core import card_auth
from juki.core.clock import as_utc
from juki.core.errors import Conflict, InvalidInput, NotFound
from juki.core.kiosk_messages import (
    ISSUED,
    KioskDocument,
    KioskIdentified,
    KioskIdentify,
    KioskOutcome,
    KioskRequest,
    UnusableKey,
    seal_document,
)
from juki.core.messages import MessageType
from juki.core.messaging.node import UnitOfWork
from juki.duties.operators.clients import Caller
from juki.kiosk.models import KioskSession
from juki.kiosk.schemas import Presentation, SessionOpen

# How long a holder has at the kiosk, from opening to collecting [juki's choice].
SESSION_LIFETIME = dt.timedelta(minutes=10)
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
    try:  # a key nothing can be sealed to would stop the municipality's answer later
        seal_document(b"", body.terminal_key, "0" * 32)
    except UnusableKey:
        raise InvalidInput("端末の鍵が使えません", field="terminal_key") from None
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
    return card_auth.digest_info(signed_message(kiosk_session))


def present(uow: UnitOfWork, caller: Caller, session_id: str, body: Presentation) -> KioskSession:
    """The card's certificate and signature, and the document asked for. A signature that
    does not verify ends the session (one presentation per challenge)."""
    kiosk_session = _live(uow, caller, session_id, locked=True)
    if kiosk_session.status != "awaiting_card":
        raise Conflict("この受付ではすでにカードが読み取られています", field="session_id")
    certificate = card_auth.certificate_of(body.certificate)
    if not card_auth.signed_by(certificate, body.signature, signed_message(kiosk_session)):
        return _refuse(kiosk_session, "signature", "カードの署名を確認できません。")
    ask = body.document
    kiosk_session.kind, kiosk_session.scope = ask.kind, ask.scope
    kiosk_session.include_individual_number = ask.include_individual_number
    kiosk_session.include_domicile = ask.include_domicile
    kiosk_session.status = "checking"
    identify = KioskIdentify(
        session_id=kiosk_session.id,
        certificate=card_auth.der_text(certificate),
    )
    uow.send("jpki", MessageType.KIOSK_IDENTIFY, identify.model_dump(mode="json"))
    return kiosk_session


def on_identified(uow: UnitOfWork, answer: KioskIdentified) -> None:
    kiosk_session = _waiting(uow, answer.session_id, "checking")
    if kiosk_session is None:
        return
    good = answer.verdict == "good" and None not in (
        answer.lg_code,
        answer.card_issue_number,
        answer.serial,
    )
    if not good:
        verdict = answer.verdict if answer.verdict != "good" else "unknown"
        _refuse(kiosk_session, f"certificate_{verdict}", VERDICT_REASONS[verdict])
        return
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
    kiosk_session = _waiting(uow, answer.session_id, "requesting", late_ok=True)
    if kiosk_session is None or kiosk_session.lg_code != sender_lg:
        return  # not asked, answered already, or from a municipality not asked
    if kiosk_session.status == "expired":  # made, but nobody is at the kiosk any more
        if answer.issue_no is not None:
            _tell_outcome(uow, kiosk_session, answer.issue_no, delivered=False)
        return
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
    assert kiosk_session.issue_no is not None  # set with the PDF (on_document)
    _tell_outcome(uow, kiosk_session, kiosk_session.issue_no, delivered=True)
    return kiosk_session, sealed


def _mine(uow: UnitOfWork, caller: Caller, session_id: str, locked: bool = False) -> KioskSession:
    """The session, if this terminal opened it: not another terminal of the same store's
    system either (it could not open the PDF, but collecting it would take it away)."""
    stmt = select(KioskSession).where(
        KioskSession.id == session_id,
        KioskSession.client_id == caller.client_id,
        KioskSession.terminal_id == caller.terminal,
    )
    found = uow.session.scalar(stmt.with_for_update() if locked else stmt)
    if found is None:
        raise NotFound("受付が見つかりません", field="session_id")
    if found.status in LIVE and as_utc(found.expires_at) <= now():
        _expire(uow, found)
    return found


def _live(uow: UnitOfWork, caller: Caller, session_id: str, locked: bool) -> KioskSession:
    found = _mine(uow, caller, session_id, locked)
    if found.status == "expired":
        raise Conflict("受付の有効時間が過ぎました。最初からやり直してください",
                       field="session_id", code="kiosk_expired")  # fmt: skip
    return found


def _waiting(
    uow: UnitOfWork, session_id: str, state: str, late_ok: bool = False
) -> KioskSession | None:
    """The session an answer is for, if it still waits for it; one whose time is up is
    ended instead (nothing more is asked for it), and returned only if `late_ok`."""
    stmt = select(KioskSession).where(KioskSession.id == session_id).with_for_update()
    found = uow.session.scalar(stmt)
    if found is None or found.status != state:
        return None
    if as_utc(found.expires_at) <= now():
        _expire(uow, found)
        return found if late_ok else None
    return found


def _refuse(kiosk_session: KioskSession, code: str, reason: str) -> KioskSession:
    kiosk_session.status = "refused"
    kiosk_session.refused_code, kiosk_session.refused_reason = code, reason
    kiosk_session.answered_at = now()
    return kiosk_session


def _expire_old(uow: UnitOfWork) -> None:
    """Sessions past their time end (a few at a time, on each opening)."""
    stale = select(KioskSession).where(
        KioskSession.status.in_(LIVE), KioskSession.expires_at <= now()
    )
    for kiosk_session in uow.session.scalars(stale.limit(50).with_for_update()):
        _expire(uow, kiosk_session)


def _expire(uow: UnitOfWork, kiosk_session: KioskSession) -> None:
    """End a session: a PDF it still holds is dropped, and its municipality told that the
    copy it made was not handed over."""
    if kiosk_session.status == "ready" and kiosk_session.issue_no is not None:
        _tell_outcome(uow, kiosk_session, kiosk_session.issue_no, delivered=False)
    kiosk_session.status, kiosk_session.sealed_pdf = "expired", None


def _tell_outcome(
    uow: UnitOfWork, kiosk_session: KioskSession, issue_no: str, *, delivered: bool
) -> None:
    outcome = KioskOutcome(session_id=kiosk_session.id, issue_no=issue_no, delivered=delivered)
    to = f"registry:{kiosk_session.lg_code}"
    uow.send(to, MessageType.KIOSK_OUTCOME, outcome.model_dump(mode="json"))
