"""The 統合宛名's tables: one row per person (団体内統合宛名番号, the 個人番号 sealed and
found by its blind index), and each business system's 宛名番号 for the person."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from juki.core.migrate import CORE_METADATA
from juki.core.sealed import BlindIndex, SealedText
from juki.duties.tables import DUTY_METADATA


class Base(DeclarativeBase):
    pass


SCHEMA: tuple[MetaData, ...] = (*CORE_METADATA, *DUTY_METADATA, Base.metadata)


class AtenaPerson(Base):
    """A person known to the institution (001a §2.3: 個人番号 ↔ 団体内統合宛名番号).
    `status` follows the register: resident or removed (the 副本 keeps removed persons,
    001a §3.13). `fugo_asked_at`: when the 中間サーバー was asked for a 処理通番."""

    __tablename__ = "atena_persons"

    atena_id: Mapped[str] = mapped_column(String(16), primary_key=True)  # 団体内統合宛名番号
    individual_number: Mapped[str] = mapped_column(
        "individual_number_cipher",
        SealedText("atena_individual_number"),
        key="individual_number",
    )
    individual_number_index: Mapped[str] = mapped_column(
        BlindIndex("atena_individual_number"), unique=True
    )
    status: Mapped[str] = mapped_column(String(10))  # resident | removed
    fugo_asked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AtenaSystemLink(Base):
    """A business system's 宛名番号 for a person (001a §2.3: 団体内統合宛名番号 ↔ 宛名番号).
    The register is the system `registry`; the 児童手当 and 地方税 systems come with slice 2."""

    __tablename__ = "atena_system_links"

    system: Mapped[str] = mapped_column(String(20), primary_key=True)
    addressee_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # its 宛名番号
    atena_id: Mapped[str] = mapped_column(String(16), index=True)
