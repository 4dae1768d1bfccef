"""交付履歴 (every certificate issued, with the PDF handed over) and 広域交付 requests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from juki.registry.residents.models import Base


class CertificateIssue(Base):
    """交付履歴: every certificate issued, with its 発行番号 and what it showed."""

    __tablename__ = "certificate_issues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    issue_no: Mapped[str] = mapped_column(String(20), unique=True)  # 発行番号
    kind: Mapped[str] = mapped_column(String(24))  # copy | removed_copy | entries | move_out
    household_id: Mapped[int | None] = mapped_column(Integer)
    resident_ids: Mapped[str] = mapped_column(String(500))  # 宛名番号, JSON list
    options: Mapped[str] = mapped_column(String(500))  # items shown, JSON
    requester_kind: Mapped[str] = mapped_column(String(16))  # self | household | agent | third
    purpose: Mapped[str] = mapped_column(String(100))
    clerk_login: Mapped[str] = mapped_column(String(40))
    terminal_id: Mapped[str] = mapped_column(String(40))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)  # exactly what was handed over
    fee_yen: Mapped[int | None] = mapped_column(Integer)  # 手数料 where it was recorded
    # A copy made for a kiosk: pending until the centre says it was collected (delivered)
    # or not (undelivered); None for a copy handed over at the counter.
    delivery: Mapped[str | None] = mapped_column(String(12))


class WideAreaRequestRecord(Base):
    """A 広域交付 request sent to the person's home municipality, and the answer (kept
    encrypted) from which the copy is issued here."""

    __tablename__ = "wide_area_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(36), unique=True)
    home_lg_code: Mapped[str] = mapped_column(String(6))
    resident_code: Mapped[str] = mapped_column(String(11))
    scope: Mapped[str] = mapped_column(String(16))
    requester_kind: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[str] = mapped_column(String(40))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))  # waiting | received | refused | issued
    copy_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)
    error_code: Mapped[str | None] = mapped_column(String(40))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
