"""The centre's one table: a kiosk session, from the terminal's opening to the PDF's
collection. No personal data: the holder is known to the municipality by the card, and the
PDF passes sealed to the terminal's key (and is dropped once collected or expired). What
stays is who asked from which terminal, what, when, of which municipality, and the
outcome (the centre's 利用履歴)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Integer, LargeBinary, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from juki.core.migrate import CORE_METADATA
from juki.duties.tables import DUTY_METADATA


class Base(DeclarativeBase):
    pass


SCHEMA: tuple[MetaData, ...] = (*CORE_METADATA, *DUTY_METADATA, Base.metadata)


class KioskSession(Base):
    __tablename__ = "kiosk_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, 128 bits
    client_id: Mapped[str] = mapped_column(String(80), index=True)  # the terminal's system
    terminal_id: Mapped[str] = mapped_column(String(40))
    terminal_key: Mapped[str] = mapped_column(String(44))  # X25519, this session only
    challenge: Mapped[bytes] = mapped_column(LargeBinary)  # what the card signs
    # awaiting_card → checking (JPKI) → requesting (municipality) → ready → collected;
    # or refused / expired
    status: Mapped[str] = mapped_column(String(16), index=True)
    kind: Mapped[str | None] = mapped_column(String(8))  # copy | entries
    scope: Mapped[str | None] = mapped_column(String(10))  # person | household
    include_individual_number: Mapped[bool] = mapped_column(Boolean, default=False)
    include_domicile: Mapped[bool] = mapped_column(Boolean, default=False)
    lg_code: Mapped[str | None] = mapped_column(String(6))  # whose municipality answered
    refused_code: Mapped[str | None] = mapped_column(String(40))
    refused_reason: Mapped[str | None] = mapped_column(String(200))
    issue_no: Mapped[str | None] = mapped_column(String(20))  # the municipality's 発行番号
    fee_yen: Mapped[int | None] = mapped_column(Integer)
    sealed_pdf: Mapped[str | None] = mapped_column(Text)  # HPKE, base64; dropped when read
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    collected_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
