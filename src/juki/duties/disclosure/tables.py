"""Disclosure records (開示, 訂正請求), defined once with their own metadata: the tiers that
answer 開示 (prefecture, national) add them to their schema (`<role>.models.SCHEMA`), each
in its own database.

The personal text in them — the requester's name, the values a person asks to have
corrected, and the reasons and grounds written by or about the person — is sealed like the
本人確認情報 file's names (core/sealed.py; 002 REQ-CON-03): the attributes hold clear text,
the columns (named *_cipher) hold AES-GCM ciphertext under the node's key, which the
consignee running the database does not have. Nothing looks these columns up by value, so
they have no blind index. Each label names its table too: "reason" alone would let a
sealed value be moved between tables unnoticed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from juki.core.sealed import SealedText


class DisclosureBase(DeclarativeBase):
    metadata = MetaData()


disclosure_metadata = DisclosureBase.metadata


class Disclosure(DisclosureBase):
    """One disclosure (開示) answered from this tier's file (002 §6.3; 000 §Ⅴ): to whom, by
    whom, what was found, the PDF's digest."""

    __tablename__ = "disclosures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    resident_code: Mapped[str] = mapped_column(String(11), index=True)
    # as on the request form; sealed (REQ-CON-03)
    requester_name: Mapped[str] = mapped_column(
        "requester_name_cipher", SealedText("disclosures.requester_name"), key="requester_name"
    )
    identity_document: Mapped[str] = mapped_column(String(40))  # how 本人確認 was done
    operator: Mapped[str] = mapped_column(String(40))
    terminal: Mapped[str] = mapped_column(String(40))
    found: Mapped[int] = mapped_column(Integer)  # rows disclosed (0: 記録なし)
    pdf_sha256: Mapped[str] = mapped_column(String(64))


class DisclosureCorrection(DisclosureBase):
    """A request to correct what was disclosed (訂正請求). The municipality keeps the source
    record, so the request goes there; it is resolved when the municipality's correction
    (職権修正) of this person reaches this tier, or closed with the municipality's answer."""

    __tablename__ = "disclosure_corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    disclosure_id: Mapped[int] = mapped_column(Integer, index=True)
    resident_code: Mapped[str] = mapped_column(String(11), index=True)
    # JSON {item: the value the person asks for} and the person's reason; sealed (REQ-CON-03)
    requested: Mapped[str] = mapped_column(
        "requested_cipher", SealedText("disclosure_corrections.requested"), key="requested"
    )
    reason: Mapped[str] = mapped_column(
        "reason_cipher", SealedText("disclosure_corrections.reason"), key="reason"
    )
    lg_code: Mapped[str] = mapped_column(String(6))  # the municipality that decides
    status: Mapped[str] = mapped_column(String(16))  # forwarded | corrected | closed
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    operator: Mapped[str] = mapped_column(String(40))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(
        "resolution_cipher", SealedText("disclosure_corrections.resolution"), key="resolution"
    )  # the municipality's answer, which may quote the person's data; sealed (REQ-CON-03)
