"""JPKI's rules, over a unit of work (no HTTP): issue a card's certificates on the mayor's
application, hold and release them with the card's suspension, revoke them when the card
ends or the holder's record changes, and resolve a serial to its holder's latest
住民票コード (000 §6.4)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.core.crypto import FieldKeys
from juki.core.errors import Conflict, InvalidInput, JukiError, NotFound
from juki.core.jpki_messages import (
    ISSUE_REFUSED,
    ISSUED,
    JpkiCardStatus,
    JpkiChange,
    JpkiIssued,
    JpkiIssueRequest,
)
from juki.core.messages import ChangeReason
from juki.jpki import certificates
from juki.jpki.authority import authority
from juki.jpki.certificates import FourItems
from juki.jpki.models import IdentityDigest, IssuedCertificate, StatusEvent

log = logging.getLogger(__name__)
DIGEST = "jpki_four_items"  # the keyed digest's label (FieldKeys.blind_index)
VALID, ON_HOLD, REVOKED = "valid", "on_hold", "revoked"
LIVE = (VALID, ON_HOLD)
# RFC 5280 §5.3.1 reasons, as juki uses them (docs/jpki.md)
HOLD = x509.ReasonFlags.certificate_hold.value  # 一時保留 (the card suspended)
SUPERSEDED = x509.ReasonFlags.superseded.value  # a new certificate for the same card
CEASED = x509.ReasonFlags.cessation_of_operation.value  # the card ended, the holder died …
CHANGED = x509.ReasonFlags.affiliation_changed.value  # the 4情報 changed (法 第12条)
# The holder leaves the register for good: both certificates end (法 第12条, 第31条).
REMOVED = frozenset(
    {ChangeReason.DEATH, ChangeReason.EX_OFFICIO_REMOVAL, ChangeReason.DISAPPEARANCE}
)


def issue(
    session: Session, request: JpkiIssueRequest, sender_lg: str, keys: FieldKeys
) -> JpkiIssued:
    """Issue what the application asks, or answer `90` naming the field; nothing is kept
    of a refused application but the refusal (in the exchange's audit entry)."""
    try:
        _check_current(session, request, keys)
        pems = _issue(session, request, sender_lg)
    except JukiError as refused:
        return JpkiIssued(
            request_id=request.request_id, lg_code=request.lg_code,
            card_issue_number=request.card_issue_number, result_code=ISSUE_REFUSED,
            refused_field=refused.field, refused_reason=refused.message[:200],
        )  # fmt: skip
    return JpkiIssued(
        request_id=request.request_id, lg_code=request.lg_code,
        card_issue_number=request.card_issue_number, result_code=ISSUED,
        sign_certificate=pems.get("sign"), auth_certificate=pems.get("auth"),
    )  # fmt: skip


def _issue(session: Session, request: JpkiIssueRequest, sender_lg: str) -> dict[str, str]:
    if request.lg_code != sender_lg:  # only the mayor of the holder's address applies
        raise InvalidInput("申請した市町村の住民ではありません", field="lg_code")
    keys = {
        kind: certificates.holder_key(pem, f"{kind}_public_key")
        for kind, pem in (("sign", request.sign_public_key), ("auth", request.auth_public_key))
        if pem is not None
    }
    digests = {kind: certificates.key_digest(key) for kind, key in keys.items()}
    if len(set(digests.values())) < len(digests):
        raise InvalidInput("署名用と利用者証明用に同じ鍵は使えません", field="auth_public_key")
    _refuse_known_keys(session, digests)
    known = _certificates_of_card(session, request.card_issue_number, (VALID, ON_HOLD, REVOKED))
    if any(c.lg_code != request.lg_code or c.resident_code != request.resident_code for c in known):
        # another municipality's card, or another person's: nothing of it is touched
        raise Conflict("このカードの電子証明書は申請できません", field="card_issue_number")
    if any(c.status == ON_HOLD for c in known):
        raise Conflict("カードが一時停止中のため発行できません", field="card_issue_number")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    items = FourItems(request.name_kanji, request.birth_date, request.sex, request.address)
    issued: dict[str, str] = {}
    for kind, key in keys.items():
        _supersede(session, request.card_issue_number, kind, now)
        built = certificates.build(authority(session, kind), key, request.lg_code, items, now)
        issued[kind] = built.public_bytes(serialization.Encoding.PEM).decode()
        session.add(_record(request, kind, built, digests[kind], now))
    return issued


def _digest(keys: FieldKeys, name: str, birth: dt.date, sex: str, address: str) -> str:
    return keys.blind_index("\x1f".join((name, birth.isoformat(), sex, address)), column=DIGEST)


def _check_current(session: Session, request: JpkiIssueRequest, keys: FieldKeys) -> None:
    """The application's 4情報 are the latest the national server told of, if it told."""
    latest = session.get(IdentityDigest, request.resident_code)
    asked = _digest(keys, request.name_kanji, request.birth_date, request.sex, request.address)
    if latest is not None and latest.digest != asked:
        raise Conflict(
            "住基ネットの最新の本人確認情報と異なります。異動の反映を待って申請してください",
            field="resident_code",
        )


def _remember(
    session: Session, digests: dict[str, IdentityDigest], change: JpkiChange, keys: FieldKeys
) -> None:
    digest = _digest(keys, change.name_kanji, change.birth_date, change.sex, change.address)
    if change.previous_resident_code:
        old = digests.pop(change.previous_resident_code, None)
        if old is not None:
            session.delete(old)
    row = digests.get(change.resident_code)
    if row is None:
        row = digests[change.resident_code] = IdentityDigest(resident_code=change.resident_code)
        session.add(row)
    row.digest, row.update_id, row.changed_on = digest, change.update_id, change.change_date
    row.lg_code = change.lg_code


def _refuse_known_keys(session: Session, digests: dict[str, str]) -> None:
    """A key is certified once: a key already in a certificate (anyone's) is refused."""
    for kind, digest in digests.items():
        known = session.scalar(
            select(IssuedCertificate.id).where(IssuedCertificate.public_key_sha256 == digest)
        )
        if known is not None:
            raise Conflict("この公開鍵は既に証明書に使われています", field=f"{kind}_public_key")


def _record(
    request: JpkiIssueRequest, kind: str, built: x509.Certificate, digest: str, now: dt.datetime
) -> IssuedCertificate:
    return IssuedCertificate(
        serial=format(built.serial_number, "x"), kind=kind,
        card_issue_number=request.card_issue_number, resident_code=request.resident_code,
        lg_code=request.lg_code, public_key_sha256=digest,
        certificate_pem=built.public_bytes(serialization.Encoding.PEM).decode(),
        request_id=request.request_id, issued_at=now, not_after=built.not_valid_after_utc,
        status=VALID, status_at=now, revocation_reason=None,
    )  # fmt: skip


def _supersede(session: Session, card: str, kind: str, now: dt.datetime) -> None:
    """A new certificate of a kind for a card ends the one before it (再発行)."""
    for old in _certificates_of_card(session, card, (VALID,), kind):
        _change(session, old, REVOKED, SUPERSEDED, "再発行", now)


def apply_card_status(session: Session, status: JpkiCardStatus, sender_lg: str) -> int:
    """The card's suspension holds both certificates, its lifting releases them, its end
    revokes them (a revoked certificate never comes back). Only the municipality that
    applied for them, which holds the card (its 所管), may ask; another's request changes
    nothing. Returns how many changed."""
    if status.lg_code != sender_lg or status.action == "transfer":
        return 0
    wanted = {"hold": (VALID,), "release": (ON_HOLD,), "revoke": LIVE}[status.action]
    at = dt.datetime.now(dt.UTC)
    certs = _certificates_of_card(session, status.card_issue_number, wanted)
    mine = [c for c in certs if c.lg_code == sender_lg]
    for cert in mine:
        if status.action == "hold":
            _change(session, cert, ON_HOLD, HOLD, status.reason or "カード一時停止", at)
        elif status.action == "release":
            _change(session, cert, VALID, "", "一時停止解除", at)
        else:
            _change(session, cert, REVOKED, CEASED, status.reason or "カード廃止", at)
    if len(mine) < len(certs):
        log.warning("jpki card status %s: certificates of another municipality", status.request_id)
    return len(mine)


def transfer(session: Session, status: JpkiCardStatus, sender_lg: str) -> JpkiIssued | None:
    """継続利用 (after J-LIS's card system moved the card's 所管): the card's live
    certificates are answered for by the new municipality — only the one the national
    server's latest 異動等失効情報 puts the holder in. Returns the answer to send (the live
    certificates; or `90` with why, no certificate: the relay has not come, or none is
    live), or None for a request in another municipality's name."""
    if status.lg_code != sender_lg:
        return None
    every = _certificates_of_card(session, status.card_issue_number, (VALID, ON_HOLD, REVOKED))
    if not [c for c in every if c.status in LIVE]:
        return _transfer_refused(status, sender_lg, "有効な電子証明書がありません")
    latest = session.get(IdentityDigest, every[0].resident_code)
    if latest is None or latest.lg_code != sender_lg:
        # the 転入's relay (national → JPKI) may not have come yet: asked again later
        log.warning("jpki transfer %s: the holder does not live there", status.request_id)
        return _transfer_refused(status, sender_lg, "転入の異動等失効情報が届いていません")
    at = dt.datetime.now(dt.UTC)
    # Every certificate of the card, revoked ones too: the new municipality then applies
    # for a new 署名用 one (`_issue` refuses a card whose certificates are another's).
    for cert in every:
        session.add(
            StatusEvent(
                certificate_id=cert.id, at=at, from_status=cert.status, to_status=cert.status,
                reason="transferred", cause=f"継続利用 {cert.lg_code} → {sender_lg}",
            )
        )  # fmt: skip
        cert.lg_code = sender_lg
    pems = {cert.kind: cert.certificate_pem for cert in every if cert.status in LIVE}
    return JpkiIssued(
        request_id=status.request_id, lg_code=sender_lg,
        card_issue_number=status.card_issue_number, result_code=ISSUED,
        sign_certificate=pems.get("sign"), auth_certificate=pems.get("auth"),
    )  # fmt: skip


def _transfer_refused(status: JpkiCardStatus, sender_lg: str, reason: str) -> JpkiIssued:
    return JpkiIssued(
        request_id=status.request_id, lg_code=sender_lg,
        card_issue_number=status.card_issue_number, result_code=ISSUE_REFUSED,
        refused_field="card_issue_number", refused_reason=reason,
    )  # fmt: skip


def hold_for_call_centre(session: Session, card: str, reason: str, who: str) -> int:
    """C25: the call centre's 一時保留 request, after it confirmed the caller (000 P3.2 4).
    By the card's number only; a card JPKI has no live certificate for holds nothing.
    Returns how many were held."""
    at = dt.datetime.now(dt.UTC)
    held = _certificates_of_card(session, card, (VALID,))
    for cert in held:
        _change(session, cert, ON_HOLD, HOLD, f"コールセンター {who}: {reason}", at)
    return len(held)


def apply_changes(session: Session, changes: list[JpkiChange], keys: FieldKeys) -> int:
    """異動等失効情報, a batch in one read of each table: remember each person's latest
    4情報 (as a keyed digest), follow a new 住民票コード, revoke both certificates when the
    holder leaves the register and the 署名用 one when its 4情報 are no longer the
    holder's. Returns how many certificates changed."""
    codes = sorted(
        {c for ch in changes for c in (ch.resident_code, ch.previous_resident_code) if c}
    )
    digests = _by_code(session, IdentityDigest, IdentityDigest.resident_code, codes)
    live: dict[str, list[IssuedCertificate]] = defaultdict(list)
    for start in range(0, len(codes), 500):
        stmt = (
            select(IssuedCertificate)
            .where(
                IssuedCertificate.resident_code.in_(codes[start : start + 500]),
                IssuedCertificate.status.in_(LIVE),
            )
            .order_by(IssuedCertificate.id)
            .with_for_update()
        )
        for cert in session.scalars(stmt):
            live[cert.resident_code].append(cert)
    changed = 0
    for change in changes:  # in order: a later change of the batch sees the earlier ones
        _remember(session, digests, change, keys)
        certs = live.pop(change.resident_code, []) + (
            live.pop(change.previous_resident_code, []) if change.previous_resident_code else []
        )
        changed += _apply(session, change, certs)
        live[change.resident_code] = [c for c in certs if c.status in LIVE]
    return changed


def _apply(session: Session, change: JpkiChange, certs: list[IssuedCertificate]) -> int:
    at = dt.datetime.now(dt.UTC)
    changed = 0
    for cert in certs:
        # The index follows the person (§6.4). The municipality that speaks for the card
        # stays the one the card system holds it under (its 所管, which only the card's
        # 継続利用 moves: `transfer`): moving it here left a lost card's certificates
        # unheld after a move (attack review).
        cert.resident_code = change.resident_code
        cause = f"異動 {change.reason.value} {change.change_date.isoformat()}"
        if change.reason in REMOVED:
            _change(session, cert, REVOKED, CEASED, cause, at)
            changed += 1
        elif cert.kind == "sign" and _four_items(cert) != _items_of(change):
            _change(session, cert, REVOKED, CHANGED, cause, at)
            changed += 1
    return changed


def _by_code(session: Session, model: Any, column: Any, codes: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for start in range(0, len(codes), 500):
        found.update(
            (getattr(row, column.key), row)
            for row in session.scalars(select(model).where(column.in_(codes[start : start + 500])))
        )
    return found


def resident_of(session: Session, serial: str) -> str:
    """The latest 住民票コード of the holder of the certificate `serial` (000 §6.4)."""
    found = session.scalar(
        select(IssuedCertificate).where(IssuedCertificate.serial == serial.lower())
    )
    if found is None:
        raise NotFound("その証明書はありません", field="serial")
    return found.resident_code


def _four_items(cert: IssuedCertificate) -> FourItems:
    return certificates.four_items_of(x509.load_pem_x509_certificate(cert.certificate_pem.encode()))


def _items_of(change: JpkiChange) -> FourItems:
    return FourItems(change.name_kanji, change.birth_date, change.sex, change.address)


def _certificates_of_card(
    session: Session, card: str, statuses: Iterable[str], kind: str | None = None
) -> list[IssuedCertificate]:
    stmt = select(IssuedCertificate).where(
        IssuedCertificate.card_issue_number == card,
        IssuedCertificate.status.in_(tuple(statuses)),
    )
    if kind is not None:
        stmt = stmt.where(IssuedCertificate.kind == kind)
    # FOR UPDATE: two requests on one card (a hold and an issue) take their turns, so
    # neither writes over the other's change with a status it read before (PostgreSQL,
    # READ COMMITTED; SQLite has one writer at a time anyway).
    return list(session.scalars(stmt.order_by(IssuedCertificate.id).with_for_update()))


def _change(
    session: Session, cert: IssuedCertificate, to: str, reason: str, cause: str, at: dt.datetime
) -> None:
    event = StatusEvent(
        certificate_id=cert.id, at=at, from_status=cert.status, to_status=to,
        reason=reason or "released", cause=cause[:200],
    )  # fmt: skip
    session.add(event)
    cert.status, cert.status_at = to, at
    cert.revocation_reason = reason or None
    log.info("jpki certificate %s: %s", cert.serial, to)
