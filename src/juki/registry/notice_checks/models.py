"""届出点検: the municipality's setting and the 届出 waiting for (or past) their check."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from juki.registry.residents.models import Base


class NoticeCheckSetting(Base):
    """The municipality's setting for 届出点検 (001a ACQ-1-3; 001b C-01): whether a 届出
    entered at the counter waits for a second person's check. One row per change, never
    updated: the latest row is the setting, and with no row the check is required."""

    __tablename__ = "notice_check_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    required: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(200))
    changed_by: Mapped[str] = mapped_column(String(40))
    terminal_id: Mapped[str] = mapped_column(String(40))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class PendingNotice(Base):
    """A 届出 entered and waiting for its check (入力済・点検待ち), then applied (点検済),
    sent back (差戻し) or withdrawn (取下げ). What was entered is kept encrypted with the
    node's field key (it holds 4情報, and a 個人番号 for a 転入); the person and the
    household appear only by 宛名番号 and 世帯番号."""

    __tablename__ = "pending_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)  # 点検番号
    kind: Mapped[str] = mapped_column(String(32))  # kinds.KINDS: the name stored
    resident_id: Mapped[int | None] = mapped_column(Integer, index=True)  # 宛名番号
    household_id: Mapped[int | None] = mapped_column(Integer)  # 世帯番号
    payload_cipher: Mapped[bytes] = mapped_column(LargeBinary)  # the notice as entered
    number_entered: Mapped[bool] = mapped_column(Boolean, default=False)  # holds a 個人番号
    intake_id: Mapped[str | None] = mapped_column(String(36))  # 届出受付記録
    status: Mapped[str] = mapped_column(String(16), index=True)  # entered | applied | ...
    entered_by: Mapped[str] = mapped_column(String(40))
    entered_terminal: Mapped[str] = mapped_column(String(40))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # Who confirmed, sent back or withdrew it, from which terminal, when; a reason for a
    # 差戻し (encrypted: free text may name the person).
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decided_terminal: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reason_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)
    update_ids: Mapped[str] = mapped_column(String(2000), default="[]")  # events applied
    resident_ids: Mapped[str] = mapped_column(String(1000), default="[]")  # 宛名番号 applied
