"""File 1: 個人番号管理ファイル, exactly the 5 items of 000 §4.1, and the permanent ledger.

Neither table is ever purged (000 §4.1: 保存期間 定められていない, 消去しない); the
migration installs triggers that refuse DELETE on both.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Integer, LargeBinary, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from juki.core.migrate import CORE_METADATA
from juki.duties.tables import DUTY_METADATA


class Base(DeclarativeBase):
    pass


# Every table of this role's database: the infrastructure's, the duties' and its own.
SCHEMA: tuple[MetaData, ...] = (*CORE_METADATA, *DUTY_METADATA, Base.metadata)


class IndividualNumberEntry(Base):
    """One row of File 1. `id` is a surrogate key; `individual_number_index` is a lookup aid."""

    __tablename__ = "individual_number_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_code: Mapped[str] = mapped_column(String(11), index=True)  # 1 住民票コード
    individual_number_cipher: Mapped[bytes] = mapped_column(LargeBinary)  # 2 個人番号
    individual_number_index: Mapped[str] = mapped_column(String(64), index=True)
    is_latest: Mapped[bool] = mapped_column(Boolean)  # 3 最新／履歴
    generated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))  # 4 生成日時
    issued_on: Mapped[dt.date | None] = mapped_column(Date)  # 5 払出日付


class GeneratedNumber(Base):
    """Every number ever generated, invalidated ones included, so none is issued twice
    (番号法 第8条第2項第1号; 000 §2.2 generation rules). Keyed digest, not the number."""

    __tablename__ = "generated_numbers"

    individual_number_index: Mapped[str] = mapped_column(String(64), primary_key=True)
    generated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
