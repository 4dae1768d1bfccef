"""JPKI's answer to J-LIS's 証明書交付センター about the 利用者証明用 certificate a kiosk
presented (001b F-CONV step 2): is it exactly a certificate this CA issued, of the
利用者証明用 kind, in its validity and not held or revoked now, and which municipality's
mayor applied for it (the one who holds the card and answers for the holder). Nothing
personal goes back: the municipality knows its holder by the card."""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.core.clock import as_utc
from juki.core.kiosk_messages import KioskIdentified, KioskIdentify, Verdict
from juki.jpki.models import IssuedCertificate

VERDICTS: dict[str, Verdict] = {"valid": "good", "on_hold": "on_hold", "revoked": "revoked"}


def identify(session: Session, ask: KioskIdentify, now: dt.datetime) -> KioskIdentified:
    verdict, found = judge(session, ask.certificate, now)
    if found is None or verdict != "good":
        return KioskIdentified(session_id=ask.session_id, verdict=verdict)
    return KioskIdentified(
        session_id=ask.session_id, verdict="good", lg_code=found.lg_code,
        card_issue_number=found.card_issue_number, serial=found.serial,
    )  # fmt: skip


def judge(
    session: Session, certificate_b64: str, now: dt.datetime
) -> tuple[Verdict, IssuedCertificate | None]:
    """Whether a presented certificate identifies its holder now (the kiosk's and the
    portal's question): exactly one JPKI issued, of the 利用者証明用 kind (a 署名用
    certificate identifies no one), in its validity, neither held nor revoked."""
    found = _issued(session, certificate_b64)
    if found is None:
        return "unknown", None
    if found.kind != "auth":
        return "not_auth", None
    verdict = VERDICTS[found.status]
    if verdict == "good" and as_utc(found.not_after) <= now:
        verdict = "expired"
    return verdict, (found if verdict == "good" else None)


def _issued(session: Session, certificate_b64: str) -> IssuedCertificate | None:
    """The certificate JPKI issued that is byte for byte the one presented: a look-alike
    with the same serial (another CA's, or altered) is unknown."""
    try:
        der = base64.b64decode(certificate_b64, validate=True)
        presented = x509.load_der_x509_certificate(der)
    except (binascii.Error, ValueError):
        return None
    found = session.scalar(
        select(IssuedCertificate).where(
            IssuedCertificate.serial == format(presented.serial_number, "x")
        )
    )
    if found is None:
        return None
    ours = x509.load_pem_x509_certificate(found.certificate_pem.encode())
    return found if ours.public_bytes(Encoding.DER) == der else None
