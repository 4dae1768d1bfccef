"""本人確認情報ファイル of the CS (40 items, 001a §4.2.3), 送付先情報ファイル (File 3, 001a
§4.3), received 整合 results, the CS's provision record and its bulk outputs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, LargeBinary, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from juki.core.identity import IdentityRowMixin
from juki.core.migrate import CORE_METADATA
from juki.core.sealed import SealedText
from juki.duties.search import provision_log_metadata
from juki.duties.tables import DUTY_METADATA


class Base(DeclarativeBase):
    pass


# Every table of this role's database: the infrastructure's, the duties', the provision
# record (`duties/search.py`) and its own.
SCHEMA: tuple[MetaData, ...] = (
    *CORE_METADATA, *DUTY_METADATA, provision_log_metadata, Base.metadata,
)  # fmt: skip


class CsIdentityRow(Base, IdentityRowMixin):
    """Items 1-9, 11-13, 21-22, 27-29, 34, 36 from the mixin; the rest here."""

    __tablename__ = "identity_file"

    postal_code: Mapped[str] = mapped_column(String(7), default="")  # 10 郵便番号
    became_resident_on: Mapped[dt.date | None] = mapped_column(Date)  # 14 住民となった日
    address_set_on: Mapped[dt.date | None] = mapped_column(Date)  # 15 住所を定めた日
    notified_on: Mapped[dt.date] = mapped_column(Date)  # 16 届出の年月日
    previous_lg_code: Mapped[str | None] = mapped_column(String(6))  # 17 市町村コード（転入前）
    previous_address: Mapped[str | None] = mapped_column(
        "previous_address_cipher", SealedText("previous_address"), key="previous_address"
    )  # 18 転入前住所
    previous_address_gaiji_count: Mapped[int] = mapped_column(Integer, default=0)  # 19
    relationship: Mapped[str | None] = mapped_column(String(20))  # 20 続柄
    reason_detail: Mapped[str | None] = mapped_column(String(40))  # 23 異動事由詳細
    previous_resident_code: Mapped[str | None] = mapped_column(String(11))  # 24 旧住民票コード
    resident_code_used_on: Mapped[dt.date | None] = mapped_column(Date)  # 25 住民票コード使用年月日
    request_number: Mapped[str | None] = mapped_column(String(36))  # 26 依頼管理番号
    abnormal_update_seq: Mapped[int | None] = mapped_column(Integer)  # 30 異常時更新順番号
    update_prohibited: Mapped[bool] = mapped_column(Boolean, default=False)  # 31 更新禁止フラグ
    prospective: Mapped[bool] = mapped_column(Boolean, default=False)  # 32 予定者フラグ
    exclusive: Mapped[bool] = mapped_column(Boolean, default=False)  # 33 排他フラグ
    record_status: Mapped[str] = mapped_column(
        String(16), default="current"
    )  # 35 レコード状況フラグ
    former_surname_kanji: Mapped[str | None] = mapped_column(
        "former_surname_kanji_cipher",
        SealedText("former_surname_kanji"),
        key="former_surname_kanji",
    )  # 37 旧氏 漢字
    former_surname_gaiji_count: Mapped[int] = mapped_column(Integer, default=0)  # 38
    former_surname_kana: Mapped[str | None] = mapped_column(
        "former_surname_kana_cipher", SealedText("former_surname_kana"), key="former_surname_kana"
    )  # 39 旧氏 ふりがな
    former_surname_gaiji_serial: Mapped[int] = mapped_column(Integer, default=0)  # 40


class ConsistencyReport(Base):
    """A 整合 result received from the prefectural or national server (001a §3.8 6-③)."""

    __tablename__ = "consistency_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    check_id: Mapped[str] = mapped_column(String(36), index=True)
    checker: Mapped[str] = mapped_column(String(64))
    compared: Mapped[int] = mapped_column(Integer)
    differences: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class BulkOutput(Base):
    """A bulk output of CS-file records to a medium (001a USE-5-4, XFER-2-4): requested,
    approved in advance by a 管理責任者 above the threshold, written with a witness."""

    __tablename__ = "bulk_outputs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    address_prefix: Mapped[str] = mapped_column(String(200), default="")  # "" = every record
    purpose: Mapped[str] = mapped_column(String(200))
    records: Mapped[int] = mapped_column(Integer)  # matching records when requested
    status: Mapped[str] = mapped_column(String(20))  # awaiting_approval | ready | written
    requested_by: Mapped[str] = mapped_column(String(40))  # operator login
    requested_via: Mapped[str] = mapped_column(String(60))  # API client
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(String(40))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    written_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    written_records: Mapped[int | None] = mapped_column(Integer)
    media_id: Mapped[str | None] = mapped_column(String(40))
    witness: Mapped[str | None] = mapped_column(String(40))  # 立会いの職員 (login)
    file_sha256: Mapped[str | None] = mapped_column(String(64))


class DestinationEntry(Base):
    """送付先情報ファイル (File 3, 001a §4.3): one person's 送付先情報 as the registry
    extracted it, kept only until J-LIS's card management system confirms receipt, then
    erased in one batch (retention < 1 year; rules.toml). The record is held whole and
    encrypted (its 67 items include the 個人番号), with the registry's digest, so what goes on
    is what came in (001a XFER-2-8). Never backed up (§4.3.5; duties/backup.py)."""

    __tablename__ = "destination_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    destination_id: Mapped[str] = mapped_column(String(36), unique=True)  # 1 送付先管理番号
    record_cipher: Mapped[bytes] = mapped_column(LargeBinary)  # the 67 items (AES-GCM)
    digest: Mapped[str] = mapped_column(String(64))  # the registry's SHA-256 of the record
    # stored | sent | registered | refused | damaged
    status: Mapped[str] = mapped_column(String(16))
    stored_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # receipt
    error_code: Mapped[str | None] = mapped_column(String(60))
