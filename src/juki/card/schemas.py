"""What the card system's API accepts and answers (pydantic, extra fields refused)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


MAX_IMAGE_B64 = 4 * 1024 * 1024  # base64 of a 3 MiB image (a scanned A4 form at 300 dpi, JPEG)


class ApplicationCreate(Strict):
    """One 交付申請 as the application-receipt contractor captured it from the returned
    form (000 §3.3 1-⑥; items 65-72 of 別添2-(3)): the pre-printed 申請書ID that links it
    to the person, and what the applicant wrote. Nothing else is accepted (F3-ACQ-02)."""

    application_id: str = Field(pattern=r"^\d{23}$")  # 65 申請書ID
    # 66 申請書情報連携管理番号: the contractor's transfer (batch) the form came in
    linkage_number: str | None = Field(default=None, pattern=r"^[0-9A-Za-z-]{1,20}$")
    applied_on: dt.date  # 71 申請年月日
    photo_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")  # 69 顔写真 (its digest)
    # 69 顔写真 and 70 申請書イメージ themselves, base64: kept sealed (`images.py`)
    face_photo: str | None = Field(default=None, max_length=MAX_IMAGE_B64)
    form_image: str | None = Field(default=None, max_length=MAX_IMAGE_B64)
    braille: bool = False  # 72 点字有無
    braille_kana: str | None = Field(default=None, min_length=1, max_length=60)  # 74
    # The 個人番号 pre-printed on the form, if the contractor captured it: not used in any
    # later processing and never stored (000 §3.3 1-⑦, F3-ACQ-05).
    individual_number: str | None = Field(default=None, max_length=16)


class ApplicationRead(BaseModel):
    application_id: str
    status: str


class Statistics(BaseModel):
    """000 F3-USE-04: counts by processing state only, nothing per person."""

    by_status: dict[str, int]
    applications_received: int
    cards_issued: int
    valid_cards: int  # issued and not past their カード有効期限
    awaiting_erasure: int


class ExchangeReport(BaseModel):
    """000 OUT-05: the quarter's exchanges with the contractors (application receipt, card
    issuance), counted by kind and result; nothing per person."""

    quarter: str
    period_from: dt.date  # JST, inclusive
    period_until: dt.date  # JST, exclusive
    counts: dict[str, dict[str, int]]  # kind -> result -> count
    total: int


# --- the print contractor's channel (000 §3.3 1-②/③; OUT-02, OUT-03, OUT-06) -------------

# The contractors' duties whose every call is checked against the roster (OUT-02/03).
ContractorDuty = Literal["card_print", "card_applications", "card_call_centre"]
CONTRACTOR_DUTIES: tuple[str, ...] = get_args(ContractorDuty)


class StaffCreate(Strict):
    """One person added to a contractor's 委託先従事者名簿 for one duty."""

    client_id: str = Field(min_length=1, max_length=60)  # the contractor's API client
    operator: str = Field(min_length=1, max_length=40, pattern=r"^\S(.*\S)?$")  # JWT `op`
    person_name: str = Field(min_length=1, max_length=100)
    duty: ContractorDuty


class StaffRead(BaseModel):
    id: int
    client_id: str
    operator: str
    person_name: str
    duty: str
    added_by: str
    added_at: dt.datetime
    removed_by: str | None
    removed_at: dt.datetime | None


class PrintBatchCreate(Strict):
    contractor: str = Field(min_length=1, max_length=60)  # the print contractor's client_id


class PrintBatchRead(BaseModel):
    id: int
    contractor: str
    state: str  # sealed | fetched | received | contractor_erased | withdrawn
    record_count: int
    sha256: str
    created_at: dt.datetime
    fetched_at: dt.datetime | None
    received_at: dt.datetime | None
    contractor_erased_on: dt.date | None


class PrintReceipt(Strict):
    """The contractor's receipt: the SHA-256 it computed over the sealed file it fetched."""

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class ContractorErasure(Strict):
    """The contractor's report that it erased a batch's data after printing (OUT-06)."""

    erased_on: dt.date


class PrintStop(BaseModel):
    """A form the contractor holds that must not be printed or mailed (印刷停止): its
    person's 4情報 changed or the person was removed after the batch was made."""

    batch_id: int
    application_id: str  # 申請書ID: the contractor's key; no 住民票コード, no 個人番号
    invalidated_at: dt.datetime
    acknowledged_at: dt.datetime | None = None


class PrintStopAck(Strict):
    """The contractor's acknowledgement that it stopped these forms."""

    application_ids: list[Annotated[str, Field(pattern=r"^\d{23}$")]] = Field(
        min_length=1, max_length=10_000
    )


class PrintStopLine(PrintStop):
    """J-LIS's follow-up report: a stop the contractor has not acknowledged in time."""

    contractor: str
    days_waiting: int


class PrintRecord(Strict):
    """What the print contractor gets per person (000 §3.3 1-②/③): the items printed on
    the 通知カード and the 交付申請書 and the envelope, and nothing more — no 住民票コード,
    no operator or terminal, no 項目長 or counts. Extra fields are refused."""

    destination_id: str  # 1 送付先管理番号: the key of the contractor's reports
    application_id: str = Field(pattern=r"^\d{23}$")  # 申請書ID, pre-printed on the form
    print_category: str  # 37 印刷区分
    # The envelope (送付先)
    destination_postal_code: str
    destination_address: str
    addressee_name: str
    # The sender and the counter where the card is handed over (印字される問合せ先等)
    lg_name: str
    lg_postal_code: str
    lg_address: str
    lg_phone: str
    issuing_place_name: str
    issuing_place_postal_code: str
    issuing_place_address: str
    issuing_place_phone: str
    # The 4情報 and the 個人番号, pre-printed for confirmation (1-③)
    name_kanji: str
    name_kana: str
    address: str
    birth_date: dt.date
    sex: str
    individual_number: str = Field(pattern=r"^\d{12}$")
    former_surname_kanji: str | None
    former_surname_kana: str | None
    # For printing characters outside the standard set (代替文字・外字)
    substitute_result: str
    substitute_name: str
    substitute_address: str
    gaiji_flag: bool
    gaiji_pattern: str


class PrintRetentionLine(BaseModel):
    """000 OUT-06: one batch the contractor still holds past its retention period."""

    batch_id: int
    contractor: str
    record_count: int
    held_since: dt.datetime  # received (or fetched) by the contractor
    due_on: dt.date  # the last day it may be held
    days_over: int


class ContractEnd(BaseModel):
    """000 OUT-06: what contract end did, and what the contractor still owes a report of."""

    client_id: str
    revoked: bool
    staff_removed: int
    files_erased: list[int]  # batches whose sealed file J-LIS still held
    erasure_not_reported: list[int]  # batches fetched whose erasure was never reported


class ExchangeLine(BaseModel):
    """One line of an application's history: an exchange with a CS or a contractor, by key
    only (the exchange record, F3-ACQ-03 / OUT-05)."""

    at: dt.datetime
    kind: str  # destination_info | application | print_info | print_stop | issuance_result …
    counterpart: str
    operator: str
    result: str


class ApplicationStatusRead(BaseModel):
    """申請状況照会: where one 申請書ID stands, by keys and dates only. No 個人番号 (the card
    system never stores the form's, F3-ACQ-05), and nothing of the sealed 送付先情報."""

    application_id: str  # 65 申請書ID
    destination_id: str  # 1 送付先管理番号
    lg_code: str  # 9 市町村コード (the municipality that sent the 送付先情報)
    status: str  # registered | application_received | issued | invalidated
    received_at: dt.datetime  # 送付先情報の受付
    applied_on: dt.date | None  # 71 申請年月日
    application_received_at: dt.datetime | None  # 68 処理年月日
    issued_at: dt.datetime | None
    card_issue_number: str | None
    expires_on: dt.date | None
    changed_at: dt.datetime | None  # the last relayed change applied (P3.4)
    invalidated_at: dt.datetime | None  # F3-ACQ-06
    reissue_of: str | None  # the invalid 申請書ID this reissued form replaces
    reissued_as: str | None = None  # the 申請書ID of the form reissued in place of this one
    removed_on: dt.date | None  # 死亡等: erased after the period (F3-STO-03)
    print_batch_id: int | None
    print_stop_acknowledged_at: dt.datetime | None
    history: list[ExchangeLine]
