"""The resident register of one municipality: current records, full history, events."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ResidentItems:
    """The items of a 住民票 this slice keeps (a subset of 001a §4.1.3's 84)."""

    resident_code: Mapped[str] = mapped_column(String(11), index=True)  # 住民票コード
    individual_number_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)  # 個人番号
    individual_number_index: Mapped[str | None] = mapped_column(String(64), index=True)
    name_kanji: Mapped[str] = mapped_column(String(100))  # 氏名
    name_kana: Mapped[str] = mapped_column(String(100))  # ふりがな
    birth_date: Mapped[dt.date] = mapped_column(Date)  # 生年月日
    sex: Mapped[str] = mapped_column(String(1))  # 性別
    address: Mapped[str] = mapped_column(String(200))  # 住所
    town_code: Mapped[str] = mapped_column(String(12), default="")  # 大字・字コード
    postal_code: Mapped[str] = mapped_column(String(7), default="")  # 郵便番号
    status: Mapped[str] = mapped_column(String(16))  # resident | removed (除票)
    became_resident_on: Mapped[dt.date] = mapped_column(Date)  # 住民となった年月日
    previous_lg_code: Mapped[str | None] = mapped_column(String(6))  # 前住所 市町村コード
    previous_address: Mapped[str | None] = mapped_column(String(200))  # 前住所
    destination_address: Mapped[str | None] = mapped_column(String(200))  # 転出予定地
    former_surname_kanji: Mapped[str | None] = mapped_column(String(50))  # 旧氏
    former_surname_kana: Mapped[str | None] = mapped_column(String(50))


class Resident(Base, ResidentItems):
    """The current 住民票 (or 除票) of a person; `version` counts its changes."""

    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(Integer)
    awaiting_number: Mapped[bool] = mapped_column(Boolean, default=False)


class ResidentHistory(Base, ResidentItems):
    """A full copy of the record after each change (履歴), never updated."""

    __tablename__ = "resident_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))
    change_date: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ResidentEvent(Base):
    """One 異動 and its journey up 住基ネット: awaiting_number -> sent -> applied | rejected."""

    __tablename__ = "resident_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    update_id: Mapped[str] = mapped_column(String(36), unique=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    change_date: Mapped[dt.date] = mapped_column(Date)
    notified_on: Mapped[dt.date] = mapped_column(Date)
    operator_id: Mapped[str] = mapped_column(String(40))
    terminal_id: Mapped[str] = mapped_column(String(40))
    previous_resident_code: Mapped[str | None] = mapped_column(String(11))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), index=True)
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_field: Mapped[str | None] = mapped_column(String(40))


class ResidentCodePoolEntry(Base):
    """住民票コード handed to this municipality by J-LIS, each used at most once."""

    __tablename__ = "resident_code_pool"

    resident_code: Mapped[str] = mapped_column(String(11), primary_key=True)
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class PoolRequestRecord(Base):
    """An outstanding refill request, so only one is in flight at a time."""

    __tablename__ = "pool_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    count: Mapped[int] = mapped_column(Integer)
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    granted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
