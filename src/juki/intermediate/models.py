"""The 中間サーバー's tables for 符号 (001a §2.4 ①): the 符号 against the 団体内統合宛名番号
(used for linkage only, shown on no screen and by no API: NWS-8-2), the 処理通番 still
waiting for their 符号, and a record of what happened to each (no personal data)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from juki.core.migrate import CORE_METADATA
from juki.duties.tables import DUTY_METADATA


class Base(DeclarativeBase):
    pass


SCHEMA: tuple[MetaData, ...] = (*CORE_METADATA, *DUTY_METADATA, Base.metadata)


class FugoHeld(Base):
    """A person's 符号 at this institution (符号管理: 統合宛名番号 ↔ 符号)."""

    __tablename__ = "intermediate_fugo"

    atena_id: Mapped[str] = mapped_column(String(16), primary_key=True)  # 団体内統合宛名番号
    fugo: Mapped[str] = mapped_column(String(32), unique=True)
    bound_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    rekeyed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class FugoRequest(Base):
    """A 処理通番 given out and not yet answered (004 R-ACQ-03: a 符号 is taken only against
    an outstanding one, which is deleted once bound)."""

    __tablename__ = "intermediate_fugo_requests"

    serial: Mapped[str] = mapped_column(String(32), primary_key=True)  # 処理通番
    atena_id: Mapped[str] = mapped_column(String(16), index=True)
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class FugoEvent(Base):
    """What happened: serial_given, bound, refused (and why), rekeyed."""

    __tablename__ = "intermediate_fugo_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    serial: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(40))
