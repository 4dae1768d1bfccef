"""The 住民票 and what every change of it leaves: the current record, its full history and
its events (001a §4.1.3), the 住民票コード pool, and the mayor's notices to 法務大臣.

`Base` is the register's one declarative base: every family's tables are on it, and
`registry/models.py` gathers them with the shared ones in the role's `SCHEMA`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, synonym, validates

from juki.core.text import seion


class Base(DeclarativeBase):
    pass


class ResidentItems:
    """The items of a 住民票: the 84 of 001a §4.1.3 (別添2 (1)). `residents/items.py` numbers
    them and says which are derived (世帯主氏名 from the household, the municipality's own
    code). Every change copies all of them into a history row."""

    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)  # 1
    district_code: Mapped[str] = mapped_column(String(8), default="")  # 4 行政区コード
    postal_code: Mapped[str] = mapped_column(String(7), default="")  # 5 現住所郵便番号
    town_code: Mapped[str] = mapped_column(String(12), default="")  # 7 現住所町字コード
    address: Mapped[str] = mapped_column(String(200))  # 8 現住所
    address_annex_code: Mapped[str] = mapped_column(String(12), default="")  # 9 方書コード
    address_annex: Mapped[str] = mapped_column(String(100), default="")  # 10 方書
    change_reason: Mapped[str] = mapped_column(String(32))  # 11 異動事由
    removal_kind: Mapped[str | None] = mapped_column(String(16))  # 13 除票区分
    change_date: Mapped[dt.date] = mapped_column(Date)  # 14 住民異動日
    notified_on: Mapped[dt.date] = mapped_column(Date)  # 15 住民届出日
    settled_on: Mapped[dt.date | None] = mapped_column(Date)  # 16 住定異動日
    settled_reason: Mapped[str | None] = mapped_column(String(32))  # 17 住定異動事由
    settled_notified_on: Mapped[dt.date | None] = mapped_column(Date)  # 18 住定届出日
    settled_notice_reason: Mapped[str | None] = mapped_column(String(32))  # 19 住定届出事由
    name_kana: Mapped[str] = mapped_column(String(100))  # 20 カナ氏名
    name_kanji: Mapped[str] = mapped_column(String(100))  # 21 漢字氏名
    sex: Mapped[str] = mapped_column(String(1))  # 22 性別コード
    birth_date: Mapped[dt.date] = mapped_column(Date)  # 23 生年月日
    relationship: Mapped[str] = mapped_column(String(16))  # 24 続柄
    domicile_lg_code: Mapped[str | None] = mapped_column(String(6))  # 25 本籍自治体コード
    domicile_postal_code: Mapped[str | None] = mapped_column(String(7))  # 26 本籍郵便番号
    domicile: Mapped[str | None] = mapped_column(String(200))  # 27 本籍
    family_head_name: Mapped[str | None] = mapped_column(String(100))  # 28 筆頭者
    previous_surname_kanji: Mapped[str | None] = mapped_column(String(50))  # 29 旧姓漢字
    resident_code: Mapped[str] = mapped_column(String(11), index=True)  # 30 住民票コード
    previous_lg_code: Mapped[str | None] = mapped_column(String(6))  # 31 前住所自治体コード
    previous_postal_code: Mapped[str | None] = mapped_column(String(7))  # 32
    previous_address: Mapped[str | None] = mapped_column(String(200))  # 33 前住所
    previous_annex: Mapped[str | None] = mapped_column(String(100))  # 34
    previous_head_name: Mapped[str | None] = mapped_column(String(100))  # 35
    destination_lg_code: Mapped[str | None] = mapped_column(String(6))  # 36 転出予定地
    destination_postal_code: Mapped[str | None] = mapped_column(String(7))  # 37
    destination_address: Mapped[str | None] = mapped_column(String(200))  # 38
    destination_annex: Mapped[str | None] = mapped_column(String(100))  # 39
    destination_head_name: Mapped[str | None] = mapped_column(String(100))  # 40
    confirmed_lg_code: Mapped[str | None] = mapped_column(String(6))  # 41 転出確定地
    confirmed_postal_code: Mapped[str | None] = mapped_column(String(7))  # 42
    confirmed_address: Mapped[str | None] = mapped_column(String(200))  # 43
    confirmed_annex: Mapped[str | None] = mapped_column(String(100))  # 44
    confirmed_head_name: Mapped[str | None] = mapped_column(String(100))  # 45
    last_registered_lg_code: Mapped[str | None] = mapped_column(String(6))  # 46 最終住民登録地
    last_registered_postal_code: Mapped[str | None] = mapped_column(String(7))  # 47
    last_registered_address: Mapped[str | None] = mapped_column(String(200))  # 48
    last_registered_annex: Mapped[str | None] = mapped_column(String(100))  # 49
    last_registered_head_name: Mapped[str | None] = mapped_column(String(100))  # 50
    unreported_from: Mapped[dt.date | None] = mapped_column(Date)  # 51 未届期間開始
    unreported_until: Mapped[dt.date | None] = mapped_column(Date)  # 52 未届期間終了
    remarks: Mapped[str] = mapped_column(String(500), default="")  # 53 付記事項
    removed_on: Mapped[dt.date | None] = mapped_column(Date)  # 54 除票異動日
    removal_notified_on: Mapped[dt.date | None] = mapped_column(Date)  # 55 除票届出日
    removal_processed_on: Mapped[dt.date | None] = mapped_column(Date)  # 56 (see items.py)
    removal_reason: Mapped[str | None] = mapped_column(String(32))  # 57 除票届出事由
    foreign_true_name_kana: Mapped[str | None] = mapped_column(String(100))  # 58 本名カナ
    foreign_true_name: Mapped[str | None] = mapped_column(String(100))  # 59 本名
    alias_kana: Mapped[str | None] = mapped_column(String(100))  # 60 通称カナ
    alias: Mapped[str | None] = mapped_column(String(100))  # 61 通称
    combined_name: Mapped[str | None] = mapped_column(String(100))  # 62 併記名
    combined_name_kana: Mapped[str | None] = mapped_column(String(100))  # 63 併記名カナ
    nationality_code: Mapped[str | None] = mapped_column(String(3))  # 64 国籍コード
    nationality: Mapped[str | None] = mapped_column(String(50))  # 65 国籍・地域
    residence_card_no: Mapped[str | None] = mapped_column(String(12))  # 66 在留カード等番号
    residence_status_code: Mapped[str | None] = mapped_column(String(4))  # 67 在留資格コード
    residence_status: Mapped[str | None] = mapped_column(String(50))  # 68 在留資格
    foreign_category: Mapped[str | None] = mapped_column(String(24))  # 69 30条の45区分
    period_of_stay: Mapped[str | None] = mapped_column(String(20))  # 70 在留期間
    stay_expires_on: Mapped[dt.date | None] = mapped_column(Date)  # 71 在留期間満了日
    foreign_birth_date: Mapped[dt.date | None] = mapped_column(Date)  # 72
    foreign_change_date: Mapped[dt.date | None] = mapped_column(Date)  # 73
    foreign_notified_on: Mapped[dt.date | None] = mapped_column(Date)  # 74
    foreign_settled_on: Mapped[dt.date | None] = mapped_column(Date)  # 75
    foreign_settled_reason: Mapped[str | None] = mapped_column(String(32))  # 76
    foreign_settled_notified_on: Mapped[dt.date | None] = mapped_column(Date)  # 77
    foreign_settled_notice_reason: Mapped[str | None] = mapped_column(String(32))  # 78
    residence_notified: Mapped[bool] = mapped_column(Boolean, default=False)  # 79
    alias_history: Mapped[str] = mapped_column(String(2000), default="")  # 80 通称履歴 (JSON)
    individual_number_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)  # 81 個人番号
    individual_number_index: Mapped[str | None] = mapped_column(String(64), index=True)
    serial_no: Mapped[str] = mapped_column(String(20), default="")  # 82 シリアル番号
    former_surname_kanji: Mapped[str | None] = mapped_column(String(50))  # 83 旧氏
    former_surname_kana: Mapped[str | None] = mapped_column(String(50))  # 84 旧氏ふりがな
    # Kept beside the 84: what the slice before used, and the ローマ字 name the card shows.
    status: Mapped[str] = mapped_column(String(16), index=True)  # resident | removed (除票)
    became_resident_on: Mapped[dt.date] = mapped_column(Date)  # 住民となった年月日
    name_roman: Mapped[str | None] = mapped_column(String(100))  # ローマ字氏名


class Resident(Base, ResidentItems):
    """The current 住民票 (or 除票) of a person. Its id is the 宛名番号 (item 12) and
    `version` its 履歴番号: both are also reachable by those names."""

    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(Integer)
    awaiting_number: Mapped[bool] = mapped_column(Boolean, default=False)
    addressee_id: Mapped[int] = synonym("id")  # 宛名番号
    history_no: Mapped[int] = synonym("version")  # 履歴番号
    # 清音化 katakana of the ふりがな, for the counter's search (never shown).
    name_seion: Mapped[str] = mapped_column(String(100), default="")

    # ふりがな + 生年月日 (the usual counter search): equality first, then the kana prefix
    # range, so a prefix as short as a surname still touches only that birthday's rows.
    __table_args__ = (
        Index("ix_residents_birth_seion", "birth_date", "name_seion"),
        Index("ix_residents_seion", "name_seion"),
    )

    @validates("name_kana")
    def _fold_kana(self, _key: str, value: str) -> str:
        self.name_seion = seion(value)
        return value


class ResidentHistory(Base, ResidentItems):
    """A full copy of the record after each change (履歴), never updated: (宛名番号, 履歴番号)
    names it. Who changed it, from which terminal and when (処理日) are kept with it; an
    異動の取消し is a row of its own that names the row it undid."""

    __tablename__ = "resident_history"
    __table_args__ = (UniqueConstraint("resident_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))  # 処理日
    operator_id: Mapped[str] = mapped_column(String(40), default="")
    terminal_id: Mapped[str] = mapped_column(String(40), default="")
    update_id: Mapped[str | None] = mapped_column(String(36))  # the event, if any
    cancels_version: Mapped[int | None] = mapped_column(Integer)  # 異動の取消し


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
    intake_id: Mapped[str | None] = mapped_column(String(36), index=True)  # 届出受付記録


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


class ImmigrationNotice(Base):
    """市町村長から法務大臣への通知 (入管法 第61条の8の2): a foreign resident's 記載, 消除 or
    change the register made, kept for 出入国在留管理庁. There is no 入管 node yet: the notices
    wait here (status `prepared`) and are listed in the console. It sits with the record,
    not in `foreign/`, because every recorded 異動 of a foreign resident prepares one
    (`service.record_event`)."""

    __tablename__ = "immigration_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # the change's 異動事由
    residence_card_no: Mapped[str | None] = mapped_column(String(12))
    change_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="prepared")
