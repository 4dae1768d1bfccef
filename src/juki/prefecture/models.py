"""File 1: 都道府県知事保存本人確認情報ファイル (28 items, 002 §5.2)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Integer, LargeBinary, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from juki.core.consistency import consistency_metadata
from juki.core.identity import IdentityRowMixin
from juki.core.migrate import CORE_METADATA
from juki.core.sealed import SealedText
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


class PrefectureIdentityRow(Base, IdentityRowMixin):
    """Items 1-11, 13-18, 20, 22 from the mixin; 12, 19, 21, 23-28 here."""

    __tablename__ = "identity_file"

    retention_flag: Mapped[str] = mapped_column(String(16), default="current")  # 12 保存期間フラグ
    notified_on: Mapped[dt.date] = mapped_column(Date)  # 19 通知を受けた年月日
    deleted_flag: Mapped[bool] = mapped_column(Boolean, default=False)  # 21 削除フラグ
    name_gaiji_serial: Mapped[int] = mapped_column(Integer, default=0)  # 23 氏名外字変更連番
    address_gaiji_serial: Mapped[int] = mapped_column(Integer, default=0)  # 24 住所外字変更連番
    former_surname_kanji: Mapped[str | None] = mapped_column(
        "former_surname_kanji_cipher",
        SealedText("former_surname_kanji"),
        key="former_surname_kanji",
    )  # 25 旧氏 漢字
    former_surname_gaiji_count: Mapped[int] = mapped_column(Integer, default=0)  # 26 旧氏 外字数
    former_surname_kana: Mapped[str | None] = mapped_column(
        "former_surname_kana_cipher", SealedText("former_surname_kana"), key="former_surname_kana"
    )  # 27 旧氏 ふりがな
    former_surname_gaiji_serial: Mapped[int] = mapped_column(Integer, default=0)  # 28


class ManualCorrection(Base):
    """手動修正 of this file (002 REQ-ACQ-09): the exceptional path for what the automatic
    updates could not do (e.g. a record left wrong by a failed update). Entered by one
    holder of the privileged right, applied only when a different holder approves; the
    reason, the request reference (the municipality's contact or document) and both
    persons are kept. The corrected values are personal information: encrypted."""

    __tablename__ = "manual_corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_code: Mapped[str] = mapped_column(String(11))
    items: Mapped[str] = mapped_column(String(200))  # names of the corrected items, ";"
    values_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    reason: Mapped[str] = mapped_column(Text)
    request_reference: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(12))  # requested | applied
    requested_by: Mapped[str] = mapped_column(String(40))
    requested_terminal: Mapped[str] = mapped_column(String(40))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(String(40))
    approved_terminal: Mapped[str | None] = mapped_column(String(40))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    update_id: Mapped[str | None] = mapped_column(String(36))  # of the row it wrote


class StatisticsJob(Base):
    """統計処理の記録 (002 REQ-STAT-01): every statistics job with its stated purpose."""

    __tablename__ = "statistics_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(String(200))
    operator: Mapped[str] = mapped_column(String(40))
    terminal: Mapped[str] = mapped_column(String(40))
    result_rows: Mapped[int] = mapped_column(Integer)
