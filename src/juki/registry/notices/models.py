"""What the counter keeps of a 届出 besides the change itself: its 届出受付記録, the CS's
個人番号の真正性確認 asked before a 転入, and a 職権修正 under two-person control."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from juki.core.sealed import SealedText
from juki.registry.residents.models import Base


class IntakeRecord(Base):
    """届出受付記録: one per 届出 taken at the counter, with what was checked (001a ACQ-2-1,
    ACQ-3-1, ACQ-3-5). Its events name it (`ResidentEvent.intake_id`)."""

    __tablename__ = "intake_records"

    intake_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # the 届出, e.g. 転入届
    notifier: Mapped[str] = mapped_column(String(8))  # NotifierType
    id_document: Mapped[str] = mapped_column(String(40))  # IdDocument
    proxy_letter_checked: Mapped[bool] = mapped_column(Boolean)
    slip_reference: Mapped[str | None] = mapped_column(String(40))
    operator_id: Mapped[str] = mapped_column(String(40))
    terminal_id: Mapped[str] = mapped_column(String(40))


class NumberCheckRecord(Base):
    """個人番号の真正性確認 asked through the CS before a 転入 whose number was entered from
    paper (001a ACQ-3-2, 001b C-04): the answer, and whether a 転入 has used it. The
    number itself is kept only as its blind index, to match the 転入's number."""

    __tablename__ = "number_checks"

    check_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    resident_code: Mapped[str] = mapped_column(String(11))
    individual_number_index: Mapped[str] = mapped_column(String(64))
    requested_by: Mapped[str] = mapped_column(String(40))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    status: Mapped[str] = mapped_column(String(16))  # waiting | match | mismatch | unknown_code
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    used_by: Mapped[str | None] = mapped_column(String(36))  # the 転入's event


class IdentityConfirmation(Base):
    """本人確認 with the card (001a §3.5 2-②–④): the 住民票コード read from the card,
    checked at the national server through the CS, and its answer (the 4情報, sealed) for
    the clerk's screen; who asked, where, when."""

    __tablename__ = "identity_confirmations"

    check_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    resident_code: Mapped[str] = mapped_column(String(11))
    requested_by: Mapped[str] = mapped_column(String(40))
    terminal_id: Mapped[str] = mapped_column(String(40))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    status: Mapped[str] = mapped_column(String(16))  # waiting | current | removed | unknown_code
    answer: Mapped[str | None] = mapped_column(
        "answer_cipher", SealedText("identity_confirmation"), key="answer"
    )  # the 本人確認情報 as JSON
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # the 特例転入 request for the 転出証明書情報 it justified: once only (`transfers`)
    used_by: Mapped[str | None] = mapped_column(String(36))
    # the card's カード発行番号 when the reader gave it, and J-LIS's answer on its use
    card_issue_number: Mapped[str | None] = mapped_column(String(16))
    card_status: Mapped[str | None] = mapped_column(String(16))  # waiting | in_use | …


class CorrectionRequest(Base):
    """職権修正 of 本人確認情報 under two-person control (001a §5.1, 5.2): entered by one
    clerk, confirmed by a second, approved by a named supervisor, then applied."""

    __tablename__ = "correction_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    changes: Mapped[str] = mapped_column(String(1000))  # JSON of the corrected items
    reason: Mapped[str] = mapped_column(String(200))
    requested_by: Mapped[str] = mapped_column(String(40))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    confirmed_by: Mapped[str | None] = mapped_column(String(40))
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(String(40))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="requested")
    update_id: Mapped[str | None] = mapped_column(String(36))
