"""The resident register of one municipality: current records, full history, events."""

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
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, synonym, validates

from juki.core.migrate import CORE_METADATA
from juki.core.text import seion
from juki.duties.tables import DUTY_METADATA


class Base(DeclarativeBase):
    pass


# Every table of this role's database: the infrastructure's, the duties' and its own.
SCHEMA: tuple[MetaData, ...] = (*CORE_METADATA, *DUTY_METADATA, Base.metadata)


class ResidentItems:
    """The items of a 住民票: the 84 of 001a §4.1.3 (別添2 (1)). `registry/items.py` numbers
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


class Household(Base):
    """世帯: its 世帯番号 is the surrogate key (item 1). Members are the residents whose
    `household_id` points here; exactly one current member is 世帯主."""

    __tablename__ = "households"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    formed_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="current")  # current | dissolved


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


class IntakeRecord(Base):
    """届出受付記録: one per 届出 taken at the counter, with what was checked (001a ACQ-2-1,
    ACQ-3-1, ACQ-3-5). Its events name it (`ResidentEvent.intake_id`)."""

    __tablename__ = "intake_records"

    intake_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # the 届出, e.g. 転入届
    notifier: Mapped[str] = mapped_column(String(8))  # NotifierType
    id_document: Mapped[str] = mapped_column(String(40))  # IdDocument
    proxy_letter_checked: Mapped[bool] = mapped_column(Boolean)
    slip_reference: Mapped[str | None] = mapped_column(String(40))
    operator_id: Mapped[str] = mapped_column(String(40))
    terminal_id: Mapped[str] = mapped_column(String(40))


class NumberCheckRecord(Base):
    """個人番号の真正性確認 asked through the CS before a 転入 whose number was entered from
    paper (001a ACQ-3-2, 001b C-04): the answer, and whether a 転入 has used it. The
    number itself is kept only as its blind index, to match the 転入's number."""

    __tablename__ = "number_checks"

    check_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    resident_code: Mapped[str] = mapped_column(String(11))
    individual_number_index: Mapped[str] = mapped_column(String(64))
    requested_by: Mapped[str] = mapped_column(String(40))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    status: Mapped[str] = mapped_column(String(16))  # waiting | match | mismatch | unknown_code
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    used_by: Mapped[str | None] = mapped_column(String(36))  # the 転入's event


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


class CertificateIssue(Base):
    """交付履歴: every certificate issued, with its 発行番号 and what it showed."""

    __tablename__ = "certificate_issues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    issue_no: Mapped[str] = mapped_column(String(20), unique=True)  # 発行番号
    kind: Mapped[str] = mapped_column(String(24))  # copy | removed_copy | entries | move_out
    household_id: Mapped[int | None] = mapped_column(Integer)
    resident_ids: Mapped[str] = mapped_column(String(500))  # 宛名番号, JSON list
    options: Mapped[str] = mapped_column(String(500))  # items shown, JSON
    requester_kind: Mapped[str] = mapped_column(String(16))  # self | household | agent | third
    purpose: Mapped[str] = mapped_column(String(100))
    clerk_login: Mapped[str] = mapped_column(String(40))
    terminal_id: Mapped[str] = mapped_column(String(40))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)  # exactly what was handed over


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


class CorrectionRequest(Base):
    """職権修正 of 本人確認情報 under two-person control (001a §5.1, 5.2): entered by one
    clerk, confirmed by a second, approved by a named supervisor, then applied."""

    __tablename__ = "correction_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    changes: Mapped[str] = mapped_column(String(1000))  # JSON of the corrected items
    reason: Mapped[str] = mapped_column(String(200))
    requested_by: Mapped[str] = mapped_column(String(40))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    confirmed_by: Mapped[str | None] = mapped_column(String(40))
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(String(40))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="requested")
    update_id: Mapped[str | None] = mapped_column(String(36))


class MoveOutCertRequestRecord(Base):
    """A 転出証明書情報 asked of a former municipality for a 特例転入, and what came back:
    the certificate is kept encrypted (it holds the 個人番号) until the 転入 uses it."""

    __tablename__ = "move_out_cert_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(36), unique=True)
    former_lg_code: Mapped[str] = mapped_column(String(6))
    resident_code: Mapped[str] = mapped_column(String(11))
    requested_by: Mapped[str] = mapped_column(String(40))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))  # waiting | received | refused | used
    certificate_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)
    error_code: Mapped[str | None] = mapped_column(String(40))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ImmigrationNotice(Base):
    """市町村長から法務大臣への通知 (入管法 第61条の8の2): a foreign resident's 記載, 消除 or
    change the register made, kept for 出入国在留管理庁. There is no 入管 node yet: the notices
    wait here (status `prepared`) and are listed in the console."""

    __tablename__ = "immigration_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # the change's 異動事由
    residence_card_no: Mapped[str | None] = mapped_column(String(12))
    change_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="prepared")


class WideAreaRequestRecord(Base):
    """A 広域交付 request sent to the person's home municipality, and the answer (kept
    encrypted) from which the copy is issued here."""

    __tablename__ = "wide_area_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(36), unique=True)
    home_lg_code: Mapped[str] = mapped_column(String(6))
    resident_code: Mapped[str] = mapped_column(String(11))
    scope: Mapped[str] = mapped_column(String(16))
    requester_kind: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[str] = mapped_column(String(40))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))  # waiting | received | refused | issued
    copy_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)
    error_code: Mapped[str | None] = mapped_column(String(40))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class LinkageRecord(Base):
    """庁内連携の記録 (001a XFER-1-4): every request of a recipient section through the
    internal linkage, refused ones included — section, approval (purpose), items, the
    persons (宛名番号) answered, time, operator and terminal. Kept 7 years (rules.toml)."""

    __tablename__ = "linkage_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    section_code: Mapped[str] = mapped_column(String(40), index=True)
    approval_no: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str | None] = mapped_column(String(12))  # transfer | provision
    legal_basis: Mapped[str | None] = mapped_column(String(100))
    items: Mapped[str] = mapped_column(String(1000))  # ;-separated item names
    persons: Mapped[str] = mapped_column(Text)  # 宛名番号, JSON list
    operator: Mapped[str] = mapped_column(String(40))
    terminal: Mapped[str] = mapped_column(String(40))
    refused_reason: Mapped[str | None] = mapped_column(String(200))


class DestinationExtract(Base):
    """送付先情報 extracted for a person newly to be notified of a 個人番号 and sent to the
    CS (001a §3.7 7-①), and what came back: J-LIS's card management system registered it,
    or the CS or the card system refused it (then the clerk sees why and extracts again).
    Holds no personal item: the person by 宛名番号, the record by its digest.

    `kind` is `notice` (個人番号通知書と交付申請書, extracted when a number is recorded) or
    `reissue` (交付申請書の再発行 asked for at the counter after the 4情報 changed, 000
    P3.4); a reissue the card system registered comes back with its new 申請書ID."""

    __tablename__ = "destination_extracts"

    destination_id: Mapped[str] = mapped_column(String(36), primary_key=True)  # 送付先管理番号
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the record sent
    status: Mapped[str] = mapped_column(String(16), index=True)  # sent | registered | refused
    refused_by: Mapped[str | None] = mapped_column(String(8))  # cs | card
    error_code: Mapped[str | None] = mapped_column(String(60))
    error_field: Mapped[str | None] = mapped_column(String(60))
    extracted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    operator_id: Mapped[str] = mapped_column(String(40))
    terminal_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16), default="notice", server_default="notice")
    application_id: Mapped[str | None] = mapped_column(String(23))  # 申請書ID of a reissue


class MyNumberCard(Base):
    """個人番号カード as J-LIS's card management system reported it to the mayor (000 §3.3
    1-⑩/⑪): produced and sent to this municipality, to be handed to the person at the
    counter after a strict identity check (000 F3-ACQ-04). Holds no number: the card by its
    カード発行番号, the person by 宛名番号."""

    __tablename__ = "my_number_cards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    info_id: Mapped[str] = mapped_column(String(36), unique=True)  # the card system's notice
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    application_id: Mapped[str] = mapped_column(String(23))  # 申請書ID
    card_issue_number: Mapped[str] = mapped_column(String(16), unique=True)  # カード発行番号
    expires_on: Mapped[dt.date] = mapped_column(Date)  # カード有効期限
    status: Mapped[str] = mapped_column(String(20))  # awaiting_handover
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class NoticeCheckSetting(Base):
    """The municipality's setting for 届出点検 (001a ACQ-1-3; 001b C-01): whether a 届出
    entered at the counter waits for a second person's check. One row per change, never
    updated: the latest row is the setting, and with no row the check is required."""

    __tablename__ = "notice_check_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    required: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(200))
    changed_by: Mapped[str] = mapped_column(String(40))
    terminal_id: Mapped[str] = mapped_column(String(40))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class PendingNotice(Base):
    """A 届出 entered and waiting for its check (入力済・点検待ち), then applied (点検済),
    sent back (差戻し) or withdrawn (取下げ). What was entered is kept encrypted with the
    node's field key (it holds 4情報, and a 個人番号 for a 転入); the person and the
    household appear only by 宛名番号 and 世帯番号."""

    __tablename__ = "pending_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)  # 点検番号
    kind: Mapped[str] = mapped_column(String(32))  # notice_checks.KINDS
    resident_id: Mapped[int | None] = mapped_column(Integer, index=True)  # 宛名番号
    household_id: Mapped[int | None] = mapped_column(Integer)  # 世帯番号
    payload_cipher: Mapped[bytes] = mapped_column(LargeBinary)  # the notice as entered
    number_entered: Mapped[bool] = mapped_column(Boolean, default=False)  # holds a 個人番号
    intake_id: Mapped[str | None] = mapped_column(String(36))  # 届出受付記録
    status: Mapped[str] = mapped_column(String(16), index=True)  # entered | applied | ...
    entered_by: Mapped[str] = mapped_column(String(40))
    entered_terminal: Mapped[str] = mapped_column(String(40))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # Who confirmed, sent back or withdrew it, from which terminal, when; a reason for a
    # 差戻し (encrypted: free text may name the person).
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decided_terminal: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reason_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)
    update_ids: Mapped[str] = mapped_column(String(2000), default="[]")  # events applied
    resident_ids: Mapped[str] = mapped_column(String(1000), default="[]")  # 宛名番号 applied
