"""JPKI's own tables: its two certification authorities and every certificate they issued.

A certificate is kept whole (it is what the CRL, OCSP and the serial index answer for) but
sealed: the 署名用 certificate carries the holder's 4情報. The 住民票コード is kept in clear
with an index, as File 3 keeps it: it is the key J-LIS resolves a serial to (000 §6.4),
and the national server's relay names it. A certificate's status changes are history rows
(`jpki_status_events`), never an overwrite without trace.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from juki.core.migrate import CORE_METADATA
from juki.core.sealed import SealedText
from juki.duties.tables import DUTY_METADATA


class Base(DeclarativeBase):
    pass


# Every table of this role's database: the infrastructure's, the duties' and its own.
SCHEMA: tuple[MetaData, ...] = (*CORE_METADATA, *DUTY_METADATA, Base.metadata)


class Authority(Base):
    """One certification authority (署名用認証局 or 利用者証明用認証局): its key, sealed under
    the node's field key (a real CA keeps it in an HSM), its self-signed certificate, and the
    number its next CRL takes (RFC 5280 §5.2.3: monotonically increasing)."""

    __tablename__ = "jpki_authorities"

    kind: Mapped[str] = mapped_column(String(4), primary_key=True)  # sign | auth
    private_key_pem: Mapped[str] = mapped_column(
        "private_key_cipher", SealedText("jpki_ca_key"), key="private_key_pem"
    )
    certificate_pem: Mapped[str] = mapped_column(Text)
    next_crl_number: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class IssuedCertificate(Base):
    """One certificate issued to a card's holder."""

    __tablename__ = "jpki_certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)  # hex, as OCSP names it
    kind: Mapped[str] = mapped_column(String(4), index=True)  # sign | auth
    card_issue_number: Mapped[str] = mapped_column(String(16), index=True)
    resident_code: Mapped[str] = mapped_column(String(11), index=True)
    lg_code: Mapped[str] = mapped_column(String(6))  # the mayor who applied
    # SHA-256 of the public key (SubjectPublicKeyInfo): one key is certified once
    public_key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    certificate_pem: Mapped[str] = mapped_column(
        "certificate_cipher", SealedText("jpki_certificate"), key="certificate_pem"
    )
    request_id: Mapped[str] = mapped_column(String(36), index=True)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    not_after: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(8))  # valid | on_hold | revoked
    status_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # RFC 5280 §5.3.1 reason (ReasonFlags name) while on hold or revoked
    revocation_reason: Mapped[str | None] = mapped_column(String(24))


class StatusEvent(Base):
    """A change of one certificate's status: from, to, when, why, on whose word."""

    __tablename__ = "jpki_status_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("jpki_certificates.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    from_status: Mapped[str] = mapped_column(String(8))
    to_status: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(24))
    cause: Mapped[str] = mapped_column(String(200))  # what led to it, no personal data


class IdentityDigest(Base):
    """The latest 4情報 the national server told JPKI of, per 住民票コード, as a keyed digest
    (never in clear): an application carrying other 4情報 is refused until the change
    arrives. The application and the change travel different channels (registry → CS →
    JPKI; CS → prefecture → national → JPKI), so a 署名用 certificate could otherwise be
    made from 4情報 that had already changed (attack review)."""

    __tablename__ = "jpki_identity_digests"

    resident_code: Mapped[str] = mapped_column(String(11), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    update_id: Mapped[str] = mapped_column(String(36))
    changed_on: Mapped[dt.date] = mapped_column(Date)
    # The municipality of the latest record (a 継続利用 may move the card's certificates
    # only there)
    lg_code: Mapped[str | None] = mapped_column(String(6))
