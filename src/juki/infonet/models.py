"""The network's own tables (情報提供ネットワークシステム, `docs/infonet.md`).

No 住民票コード and no 個人番号 is stored: a person is known by the 連携用符号 derived from
the 住民票コード J-LIS gave (codes.link_code), and at each institution by that
institution's 符号."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from juki.core.migrate import CORE_METADATA
from juki.duties.tables import DUTY_METADATA


class Base(DeclarativeBase):
    pass


SCHEMA: tuple[MetaData, ...] = (*CORE_METADATA, *DUTY_METADATA, Base.metadata)


class Institution(Base):
    """An institution registered on the network (情報照会者・情報提供者): a municipality by
    its 地方公共団体コード, another body by a short id. The network gives 符号 to these only
    (番号法 第21条: the network serves the bodies the law names)."""

    __tablename__ = "infonet_institutions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))  # municipality | other
    # The office the legal table names it by (市町村長, 厚生労働大臣 …): a row's 情報照会者 or
    # 情報提供者 that names this office is the institution's [juki's choice: the seeds have
    # no list of which body acts for which office].
    office: Mapped[str] = mapped_column(String(40))
    # Its 中間サーバー's X25519 key: answers to its queries are sealed to it (NWS-6-1).
    reply_key: Mapped[str] = mapped_column(String(44))
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class FugoLink(Base):
    """A person's 符号 at one institution, under the network's 連携用符号 for the person:
    the table the network converts one institution's 符号 into another's with (slice 2)
    and re-keys on a change of 住民票コード (C12)."""

    __tablename__ = "infonet_fugo_links"
    __table_args__ = (UniqueConstraint("link_code", "institution"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    link_code: Mapped[str] = mapped_column(String(32), index=True)  # 連携用符号
    institution: Mapped[str] = mapped_column(String(64))
    fugo: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    rekeyed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class FugoRecord(Base):
    """What the network did with each 符号 request and code change (000 F2-NW-06: the
    network records every provision): issued, refused and why, re-keyed. Nothing
    personal: the 処理通番 and the institution."""

    __tablename__ = "infonet_fugo_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # issued | refused | rekeyed
    institution: Mapped[str] = mapped_column(String(64))
    serial: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(40))


class ProvisionRecord(Base):
    """情報提供等記録 at the network (番号法 第23条): every query — who asked whom, under which
    row and 事務, for which items, when asked and answered, and the outcome, refusals
    included. The person by the network's 連携用符号 (the portal shows a person their
    records by it); the answer itself passes sealed and is never stored. Kept 7 years."""

    __tablename__ = "infonet_provision_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    query_id: Mapped[str] = mapped_column(String(32), index=True)  # the requester's
    permit_id: Mapped[str | None] = mapped_column(String(32), unique=True)  # 提供許可証
    requester: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(64))
    row: Mapped[int] = mapped_column(Integer)  # 項番
    task: Mapped[str] = mapped_column(Text)  # 事務
    items: Mapped[str] = mapped_column(Text)  # 特定個人情報, JSON list
    link_code: Mapped[str | None] = mapped_column(String(32), index=True)  # the person
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # permitted (waiting for the provider) → reviewing (the provider's staff review a held
    # answer) → provided | not_held | withheld | refused
    outcome: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(String(40))


class PermitListSent(Base):
    """What the network last sent each institution of its 照会許可用照合リスト (NWS-5-1), row
    by row with a digest of the row as sent, so that a changed legal table reaches every
    中間サーバー: changed and new rows are sent again, rows gone are withdrawn."""

    __tablename__ = "infonet_permit_lists_sent"

    institution: Mapped[str] = mapped_column(String(64), primary_key=True)
    row: Mapped[int] = mapped_column(Integer, primary_key=True)  # 項番
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the row as sent
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
