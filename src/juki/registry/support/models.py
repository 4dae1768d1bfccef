"""支援措置 and the requests refused because of one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from juki.registry.residents.models import Base


class SupportMeasure(Base):
    """支援措置 (住民基本台帳事務における支援措置, DV・ストーカー・児童虐待等): while active, the
    person's record is not issued to, shown to or found for third parties."""

    __tablename__ = "support_measures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # dv | stalking | child_abuse | other
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)  # one year, renewable (事務処理要領)
    registered_by: Mapped[str] = mapped_column(String(40))
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class IssueRefusal(Base):
    """A request refused because of a 支援措置: kept and shown to the supervisor, who marks
    it seen."""

    __tablename__ = "issue_refusals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    action: Mapped[str] = mapped_column(String(24))  # issue | view | search
    requester_kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(32))
    clerk_login: Mapped[str] = mapped_column(String(40))
    terminal_id: Mapped[str] = mapped_column(String(40))
    refused_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    seen_by: Mapped[str | None] = mapped_column(String(40))
