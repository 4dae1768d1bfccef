"""File 2: 機構保存本人確認情報ファイル (24 items, 000 §4.2) and the server's own records."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from juki.core.consistency import consistency_metadata
from juki.core.identity import IdentityRowMixin
from juki.core.migrate import CORE_METADATA
from juki.duties.disclosure.tables import disclosure_metadata
from juki.duties.provision.tables import media_ledger_metadata, provision_metadata
from juki.duties.search import provision_log_metadata
from juki.duties.tables import DUTY_METADATA


class Base(DeclarativeBase):
    pass


# Every table of this role's database: the infrastructure's, the duties', the shared tables
# of a tier (each defined once by its owner: the 整合 staging, the provision record, 一括提供
# and 利用停止請求, the media ledger, 開示 and 訂正請求) and its own.
SCHEMA: tuple[MetaData, ...] = (
    *CORE_METADATA, *DUTY_METADATA, consistency_metadata, provision_log_metadata,
    provision_metadata, media_ledger_metadata, disclosure_metadata, Base.metadata,
)  # fmt: skip


class NationalIdentityRow(Base, IdentityRowMixin):
    """Items 1-11, 13-18, 20, 22 come from the mixin; the rest are the national server's."""

    __tablename__ = "identity_file"

    retention_flag: Mapped[str] = mapped_column(String(16), default="current")  # 12 保存期間フラグ
    notified_on: Mapped[dt.date] = mapped_column(Date)  # 19 通知を受けた年月日
    deleted_flag: Mapped[bool] = mapped_column(Boolean, default=False)  # 21 削除フラグ
    name_gaiji_serial: Mapped[int] = mapped_column(Integer, default=0)  # 23 氏名外字変更連番
    address_gaiji_serial: Mapped[int] = mapped_column(Integer, default=0)  # 24 住所外字変更連番


class NumberBinding(Base):
    """The latest 個人番号 issued for each 住民票コード, as relayed from the generator.

    Lets the server check that a notified number belongs to the code (000 P2.1, P1.2 2-②)
    without reading the generator's file, which it may not (000 §2.2).
    """

    __tablename__ = "number_bindings"

    resident_code: Mapped[str] = mapped_column(String(11), primary_key=True)
    individual_number_index: Mapped[str] = mapped_column(String(64), index=True)


class PendingNumberRequest(Base):
    """A generation or change request forwarded to the generator, awaiting its result."""

    __tablename__ = "pending_number_requests"

    request_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    cs_node: Mapped[str] = mapped_column(String(64))
    resident_code: Mapped[str] = mapped_column(String(11))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # Who asked, carried to the notice record (000 F1-PRV-01); NULL for requests forwarded
    # before the record existed.
    operator: Mapped[str | None] = mapped_column(String(64))


class NumberNotice(Base):
    """個人番号の通知の記録 (000 F1-PRV-01): each number the generator issued that this server
    relayed to a mayor's CS, and each request refused (here or by the generator), with
    time, operator and terminal. A request carries no terminal, so the terminal is the
    sending node (the municipality's CS). Names the person by 住民票コード, never by 個人番号;
    kept 7 years (duties/retention/rules.toml)."""

    __tablename__ = "number_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    request_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(8))  # generate | change
    lg_code: Mapped[str] = mapped_column(String(6))  # the mayor notified
    recipient: Mapped[str] = mapped_column(String(64))  # that municipality's CS
    operator: Mapped[str] = mapped_column(String(64))
    terminal: Mapped[str] = mapped_column(String(64))
    resident_code: Mapped[str] = mapped_column(String(11))
    refused_reason: Mapped[str | None] = mapped_column(String(32))  # error code; NULL: notified


class ResidentCodeAllocation(Base):
    """Every 住民票コード handed to a municipality's pool: no code is handed out twice."""

    __tablename__ = "resident_code_allocations"

    resident_code: Mapped[str] = mapped_column(String(11), primary_key=True)
    lg_code: Mapped[str] = mapped_column(String(6), index=True)
    allocated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ConsistencyRun(Base):
    """One 本人確認情報整合 check answered to a CS (000 P2.5)."""

    __tablename__ = "consistency_runs"

    check_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    lg_code: Mapped[str] = mapped_column(String(6))
    compared: Mapped[int] = mapped_column(Integer)
    differences: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class FugoProvision(Base):
    """住民票コードの提供の記録 for 符号 (000 F2-NW-05/06): each institution's request that
    came through a CS, provided to the information-provision network or refused, with
    why. Names the person by 住民票コード only; kept 7 years (rules.toml)."""

    __tablename__ = "fugo_provisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    serial: Mapped[str] = mapped_column(String(32))  # the institution's 処理通番
    institution: Mapped[str] = mapped_column(String(64))
    requester: Mapped[str] = mapped_column(String(64))  # the CS it came through
    resident_code: Mapped[str | None] = mapped_column(String(11))  # provided
    refused_reason: Mapped[str | None] = mapped_column(String(32))  # NULL: provided


class FugoNotifiedCode(Base):
    """Every 住民票コード given to the network (000 Appendix C 7): what a later change of
    the code must be told to the network for (C12). Kept beyond the 7-year logs, as long
    as the network may hold a 符号 made from the code [juki's reading of the spec's
    implied requirement]."""

    __tablename__ = "fugo_notified_codes"

    resident_code: Mapped[str] = mapped_column(String(11), primary_key=True)
    first_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
