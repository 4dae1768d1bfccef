"""The tables of provision, each defined once with its own metadata and added to the schema
of every role that keeps it (`<role>.models.SCHEMA`):

- `provision_metadata` — 一括提供 and 利用停止請求, at the tiers that provide by the legal
  table (prefecture, national);
- `media_ledger_metadata` — 外部媒体使用簿, there and at the card management system, which
  provides 個人番号カード管理情報 on media (000 F3-PRV-03/04).

The provision record itself (`provision_log`) is `duties/search.ProvisionLog`: every search
writes it too. Personal text is sealed (core/sealed.py; 002 REQ-CON-03), each label naming
its table.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Integer, LargeBinary, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from juki.core.sealed import SealedText


class ProvisionBase(DeclarativeBase):
    metadata = MetaData()


class MediaLedgerBase(DeclarativeBase):
    metadata = MetaData()


provision_metadata = ProvisionBase.metadata
media_ledger_metadata = MediaLedgerBase.metadata


class BatchProvision(ProvisionBase):
    """一括提供 (002 §6.2): a condition list, approved by a second person, its sealed result
    file (`batch.py`)."""

    __tablename__ = "batch_provisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    body_code: Mapped[str] = mapped_column(String(40))
    duty_code: Mapped[str] = mapped_column(String(60))
    conditions: Mapped[bytes] = mapped_column(LargeBinary)  # encrypted: keys may be 個人番号
    row_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))  # requested | done | refused
    requested_by: Mapped[str] = mapped_column(String(40))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(String(40))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    result: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed to the body's key
    result_sha256: Mapped[str | None] = mapped_column(String(64))
    records_out: Mapped[int | None] = mapped_column(Integer)


class UseSuspension(ProvisionBase):
    """A request to stop using, erase, or stop providing what was disclosed (利用停止請求;
    個人情報保護法 第98条, 番号法 第30条; 000 DSC-02). Taken at the disclosure desk, decided
    within 30 days (第102条) by someone other than the operator who took it, with reasons;
    a granted one withholds the person from provision (`stops.py`)."""

    __tablename__ = "use_suspensions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    disclosure_id: Mapped[int] = mapped_column(Integer, index=True)
    resident_code: Mapped[str] = mapped_column(String(11), index=True)
    measure: Mapped[str] = mapped_column(String(16))  # use_stop | erasure | provision_stop
    # why the person says the handling is unlawful; sealed (REQ-CON-03)
    grounds: Mapped[str] = mapped_column(
        "grounds_cipher", SealedText("use_suspensions.grounds"), key="grounds"
    )
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    operator: Mapped[str] = mapped_column(String(40))  # who took the request
    due_on: Mapped[dt.date] = mapped_column(Date)  # the decision's deadline
    status: Mapped[str] = mapped_column(String(16))  # pending | granted | refused
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decision_reason: Mapped[str | None] = mapped_column(
        "decision_reason_cipher",
        SealedText("use_suspensions.decision_reason"),
        key="decision_reason",
    )  # written about the person's request; sealed (REQ-CON-03)


class MediaLedger(MediaLedgerBase):
    """外部媒体使用簿 as the system keeps it: every sealed file written to a medium, with the
    operator and the witness (000 MEDIA-01; 002 REQ-PRV-07). `batch_id` is the 一括提供's id
    at a tier, the media provision's at the card management system."""

    __tablename__ = "media_ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    batch_id: Mapped[int] = mapped_column(Integer, index=True)
    body_code: Mapped[str] = mapped_column(String(40))
    operator: Mapped[str] = mapped_column(String(40))
    witness: Mapped[str] = mapped_column(String(40))  # the second person (立会い)
    file_sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    records: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
