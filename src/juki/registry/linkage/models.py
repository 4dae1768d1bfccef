"""庁内連携の記録 (the linkage record)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from juki.registry.residents.models import Base


class LinkageRecord(Base):
    """庁内連携の記録 (001a XFER-1-4): every request of a recipient section through the
    internal linkage, refused ones included — section, approval (purpose), items, the
    persons (宛名番号) answered, time, operator and terminal. Kept 7 years (rules.toml)."""

    __tablename__ = "linkage_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    section_code: Mapped[str] = mapped_column(String(40), index=True)
    approval_no: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str | None] = mapped_column(String(12))  # transfer | provision
    legal_basis: Mapped[str | None] = mapped_column(String(100))
    items: Mapped[str] = mapped_column(String(1000))  # ;-separated item names
    persons: Mapped[str] = mapped_column(Text)  # 宛名番号, JSON list
    operator: Mapped[str] = mapped_column(String(40))
    terminal: Mapped[str] = mapped_column(String(40))
    refused_reason: Mapped[str | None] = mapped_column(String(200))
