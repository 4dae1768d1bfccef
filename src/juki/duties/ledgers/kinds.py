"""What each register records: one pydantic schema per kind, with the Japanese name the
screens and reports use and the requirements it serves. Free text never holds a 個人番号
(checked on write: `service.add`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

Text = Field(min_length=1, max_length=2000)
Short = Field(min_length=1, max_length=100)


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # The fields people write in: checked for a 個人番号 (service._no_individual_number).
    # Machine fields (file names, hashes, IDs) are not: their digits are not numbers.
    free_text: ClassVar[tuple[str, ...]] = ()


class Inquiry(Record):
    """問合せ・苦情・開示等の受付の記票 (000 DSC-03, 001a DISC-6, 002 REQ-INQ-01)."""

    free_text = ("summary",)

    received_via: Literal["窓口", "電話", "文書", "電子メール"]
    requester: Literal["本人", "代理人", "その他"]
    summary: str = Text  # 受付内容 (what was asked; no 個人番号)
    serious: bool = False  # 重大なもの: the standard processing period applies


class InquiryClosing(Record):
    free_text = ("response",)
    response: str = Text  # 対応内容


class Incident(Record):
    """障害・事故・誤操作の記録 (002 REQ-OPS-01, REQ-AUD-03, REQ-AUD-04)."""

    free_text = ("description",)

    occurred_at: dt.datetime
    category: Literal["端末操作の誤り", "システム障害", "情報セキュリティ事故", "その他"]
    description: str = Text
    severity: Literal["軽微", "重大"]


class IncidentClosing(Record):
    free_text = ("corrective_action", "preventive_action", "verified_by")
    corrective_action: str = Text  # 是正措置
    preventive_action: str = Text  # 再発防止策
    verified_by: str = Short  # 確認者


class Disk(Record):
    """磁気ディスク管理簿 (001a STO-3-5, 001b C-20, 002 REQ-RET-05): every disk erased or
    destroyed, how, and who witnessed it."""

    free_text = ("method", "witness")

    asset_no: str = Short
    serial_no: str = Short
    action: Literal["データ消去", "物理破壊", "消去及び物理破壊"]
    method: str = Short  # e.g. NIST SP 800-88 Purge, 破砕
    witness: str = Short


class Form(Record):
    """帳票管理簿 (001b C-20): each lot of forms with personal data (申請書, 届書, 証明書用紙)
    received, issued to a counter, or disposed of, with the serial range and, for a
    disposal, how and who witnessed it."""

    free_text = ("form_name", "note", "witness")

    form_name: str = Short  # e.g. 住民票の写し用紙（改ざん防止用紙）
    action: Literal["受入", "払出", "廃棄"]
    serial_from: str = Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$")
    serial_to: str = Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$")
    sheets: int = Field(ge=1, le=1_000_000)
    witness: str = Field(default="", max_length=100, validate_default=True)  # for a disposal
    note: str = Field(default="", max_length=200)

    @field_validator("witness")
    @classmethod
    def _disposal_witnessed(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("action") == "廃棄" and not value:
            raise ValueError("廃棄には立会人を記入してください")
        return value


class Medium(Record):
    """登録外部媒体 (001a XFER-1-6, 002 REQ-MED-03): only registered media may receive a
    result file; personal media never."""

    free_text = ("holder_section",)

    media_id: str = Field(pattern=r"^[A-Za-z0-9-]{3,40}$")
    media_type: Literal["USBメモリ", "CD-R", "DVD-R", "外付けディスク"]
    encrypted: Literal[True]  # 暗号化機能のない媒体は登録できない
    antivirus: bool  # ウイルス対策機能
    holder_section: str = Short


class MediumScan(Record):
    """A virus check of a registered medium before a write (002 REQ-MED-01)."""

    free_text = ("scanner",)

    media_id: str = Field(pattern=r"^[A-Za-z0-9-]{3,40}$")
    scanner: str = Short  # the product and pattern version
    result: Literal["異常なし", "検出"]


class SelfInspection(Record):
    """自己点検 (000 AUD-01, 001a AUD-1, 002 REQ-AUD-01): the year's checklist, one answer
    per item (the items come from the node's assessment: `juki ledger checklist`)."""

    free_text = ("findings",)

    fiscal_year: int = Field(ge=2000, le=2100)
    answers: dict[str, Literal["適", "不適", "該当なし"]] = Field(min_length=1)
    findings: str = Field(default="", max_length=2000)


class Training(Record):
    """研修の受講記録 (001a EDU-1)."""

    free_text = ("course",)

    login: str = Short
    course: str = Short
    attended_on: dt.date
    passed: bool


class DataRequest(Record):
    """照会・回答の記録 (001a ACQ-1-2 option): personal data asked of, or by, another section
    or municipality concerns only the person named, is asked in writing (the document's
    number is kept), and a telephone inquiry is answered only after calling back."""

    free_text = ("counterpart", "purpose")

    direction: Literal["照会した", "照会を受けた"]
    counterpart: str = Short  # 相手方 (課名・市区町村名)
    purpose: str = Text  # 照会の目的 (no 個人番号)
    persons: int = Field(ge=1, le=1)  # the person concerned only
    method: Literal["文書", "電子", "電話"]
    document_reference: str | None = Field(default=None, max_length=60, validate_default=True)
    called_back: bool = Field(default=False, validate_default=True)  # 電話: 折り返し確認

    @field_validator("document_reference")
    @classmethod
    def _in_writing(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("method") in ("文書", "電子") and not value:
            raise ValueError("文書番号を記録してください")
        return value

    @field_validator("called_back")
    @classmethod
    def _phone_called_back(cls, value: bool, info: ValidationInfo) -> bool:
        if info.data.get("method") == "電話" and not value:
            raise ValueError("電話照会は折り返しで確認してから回答します")
        return value


class ContractCheck(Record):
    """委託契約の履行確認 (001a OUT-3 option): the ward checks in good time that the work is
    done as the contract says, item by item, and keeps the record."""

    free_text = ("contractor", "findings", "checked_by")

    contractor: str = Short
    period_from: dt.date
    period_to: dt.date
    answers: dict[str, Literal["適", "不適", "該当なし"]] = Field(min_length=1)
    findings: str = Field(default="", max_length=2000)
    checked_by: str = Short


class Audit(Record):
    """監査の記録 (001b C-24): the external audit, and the annual internal self-audit."""

    free_text = ("auditor", "findings")

    audit_type: Literal["外部監査", "内部監査"]
    fiscal_year: int = Field(ge=2000, le=2100)
    auditor: str = Short
    findings: str = Text


class PostalReceipt(Record):
    """郵送による届出・請求の受付簿 (001a ACQ-4-1): processed the same day, or reported."""

    document: Literal["転出届", "住民票の写し等の請求", "その他の届出・請求"]
    received_on: dt.date


class PostalClosing(Record):
    processed_on: dt.date


class Backup(Record):
    """バックアップ管理簿 (000 BCK-01, 002 REQ-BAK-01, REQ-CON-05): written by
    `juki backup create`."""

    file: str = Short
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size_bytes: int = Field(ge=0)
    encrypted: Literal[True]
    keep_until: dt.date


class BackupErased(Record):
    free_text = ("reason",)
    reason: str = Short


class Nothing(Record):
    """Closing that records only who closed it and when."""


@dataclass(frozen=True)
class Kind:
    code: str
    name: str
    schema: type[Record]
    closing: type[Record] | None  # None: an entry is never closed (a record, not a case)
    due_days: int | None = None  # 処理期限 after recording, if any
    serious_due_days: int | None = None  # for an Inquiry marked serious


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind("inquiry", "問合せ・苦情等の受付（記票）", Inquiry, InquiryClosing, 30, 14),
        Kind("incident", "障害・事故等の記録", Incident, IncidentClosing, 30),
        Kind("disk", "磁気ディスク管理簿", Disk, None),
        Kind("form", "帳票管理簿", Form, None),
        Kind("medium", "登録外部媒体", Medium, Nothing),
        Kind("medium_scan", "外部媒体のウイルスチェック", MediumScan, None),
        Kind("self_inspection", "自己点検", SelfInspection, None),
        Kind("training", "研修受講記録", Training, None),
        Kind("postal", "郵送受付簿", PostalReceipt, PostalClosing, 0),
        Kind("backup", "バックアップ管理簿", Backup, BackupErased),
        Kind("data_request", "照会・回答の記録（他課・他市区町村）", DataRequest, None),
        Kind("contract_check", "委託契約の履行確認", ContractCheck, None),
        Kind("audit", "監査の記録（外部・内部）", Audit, None),
    )
}
