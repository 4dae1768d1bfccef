"""Message types and record schemas that travel between nodes (000 Appendix A).

Node packages never import each other, so the shapes they exchange live here. Each schema
forbids extra fields: a tier accepts only the items the law lets it receive (002 §6.1
1-②b, 000 P2.1 "necessary-information restriction").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from enum import StrEnum
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from juki.core import ids
from juki.core.clock import japan_today
from juki.core.errors import InvalidInput
from juki.core.places import municipality
from juki.core.text import is_kana_name


class MessageType(StrEnum):
    IDENTITY_UPDATE = "identity.update"  # 本人確認情報の更新 (CS -> pref -> national)
    IDENTITY_UPDATE_RESULT = "identity.update_result"  # 本人確認情報更新結果
    NUMBER_REQUEST = "number.request"  # 個人番号生成要求 / 個人番号変更要求
    NUMBER_RESULT = "number.result"
    CODE_CHANGE_NOTICE = "code.change_notice"  # 住民票コードの変更通知 (national -> generator)
    POOL_REQUEST = "pool.request"  # 住民票コード pool refill
    POOL_GRANT = "pool.grant"
    CONSISTENCY_CHECK = "consistency.check"  # 本人確認情報整合
    CONSISTENCY_RESULT = "consistency.result"
    # Municipality to municipality, CS to CS (001a §3.3; 001b I-07, I-09, I-10):
    MOVE_OUT_CERT_REQUEST = "moveout.cert_request"  # 転出証明書情報の送信依頼 (no 個人番号)
    MOVE_OUT_CERT = "moveout.cert"  # 転出証明書情報
    MOVE_IN_NOTICE = "movein.notice"  # 転入通知 (no 個人番号)
    WIDE_AREA_REQUEST = "widearea.request"  # 広域交付住民票情報の請求 (住基法 第12条の4)
    WIDE_AREA_COPY = "widearea.copy"  # 広域交付住民票情報
    # 個人番号の真正性確認 (001a ACQ-3-2, 001b C-04): registry -> CS -> national and back.
    NUMBER_CHECK = "number.check"
    NUMBER_CHECK_RESULT = "number.check_result"
    # 本人確認 with the card (001a §3.5 2-②–④): the 住民票コード read from the card, checked
    # at the national server through the CS; the 本人確認情報 back for the clerk's screen.
    IDENTITY_CONFIRM = "identity.confirm"
    IDENTITY_CONFIRMED = "identity.confirmed"
    # 送付先情報 (001a §3.7 7-①/②; 000 P3.1 1-①): registry -> CS -> 個人番号カード管理システム
    DESTINATION_INFO = "card.destination_info"
    DESTINATION_RECEIPT = "card.destination_receipt"  # the card system's receipt, back
    CARD_CHANGE = "card.change"  # 住民の異動情報, national -> card system (000 P2.1, C27)
    CARD_INFO = "card.info"  # 個人番号カード管理情報, card system -> CS -> registry (000 1-⑪)
    CARD_REPORT = "card.report"  # カードの交付・廃止等の報告, registry -> CS -> card (000 8-①)
    # 公的個人認証サービス (JPKI; core/jpki_messages.py): the municipality asks for the two
    # certificates of a card and to hold, release or revoke them (registry -> CS -> jpki,
    # answered back the same way); the national server tells JPKI of changes of records.
    JPKI_ISSUE = "jpki.issue"  # 電子証明書の発行申請 (公的個人認証法 第3条, 第22条)
    JPKI_ISSUED = "jpki.issued"  # 発行した電子証明書 (or why not)
    JPKI_CARD_STATUS = "jpki.card_status"  # カードの一時停止・解除・廃止 -> 一時保留・失効
    JPKI_CHANGE = "jpki.change"  # 異動等失効情報, national -> jpki (法 第12条, 第31条)
    # 証明書自動交付 (コンビニ交付; core/kiosk_messages.py, 001b F-CONV, I-26): J-LIS's
    # 証明書交付センター asks JPKI about the 利用者証明用 certificate a kiosk presented, then the
    # holder's municipality (over LGWAN, not 住基ネット) for the certificate's PDF.
    KIOSK_IDENTIFY = "kiosk.identify"  # 利用者証明用電子証明書の有効性と発行市町村の確認
    KIOSK_IDENTIFIED = "kiosk.identified"
    KIOSK_REQUEST = "kiosk.request"  # 証明書の交付請求 (センター -> 証明書自動交付システム)
    KIOSK_DOCUMENT = "kiosk.document"  # 証明書のPDF (暗号化) または交付できない理由
    KIOSK_OUTCOME = "kiosk.outcome"  # 交付できたか (受け取られた / 受け取られずに失効)
    # カードの発行 (core/issuance_messages.py, 000 §2.4, C20–C22): J-LIS's card system
    # commissions each card from the issuance contractor's カード発行システム, which reports
    # what it made; J-LIS answers; the card is shipped to the destination municipality.
    CARD_COMMISSION = "card.commission"  # 個人番号カード発行情報 (C20)
    CARD_MADE = "card.made"  # 発行結果 (C21)
    CARD_MADE_ANSWER = "card.made_answer"  # J-LIS accepted the result, or refused it
    CARD_SHIPMENT = "card.shipment"  # カードの送付 (C22; the box's electronic side)
    CARD_CHIP_REQUEST = "card.chip_request"  # registry -> CS -> card: the chip again
    CARD_CHIP = "card.chip"  # card -> CS -> registry: the chip's contents, signed again
    CARD_STATUS_QUERY = "card.status_query"  # registry -> CS -> card: is this card in use?
    CARD_STATUS = "card.status"  # card -> CS -> registry: the card's state, nothing personal
    # 情報提供用個人識別符号 (符号) acquisition (core/infonet_messages.py; 001b flow 5, 000
    # P2.3, C10–C12): the register tells its institution's 団体内統合宛名システム of each
    # person; the 中間サーバー gives a 処理通番; the 個人番号 goes up 既存住基 -> CS -> J-LIS;
    # J-LIS sends only the latest 住民票コード to the 情報提供ネットワークシステム, which
    # derives the institution's 符号 and sends it to the 中間サーバー against the 処理通番.
    ATENA_UPDATE = "atena.update"  # registry -> atena: 宛名番号, 個人番号, 住民/消除 (1-④)
    FUGO_ACQUIRE = "fugo.acquire"  # atena -> intermediate: 統合宛名番号 needing a 符号
    FUGO_SERIAL = "fugo.serial"  # intermediate -> atena: the 処理通番 for it (5-①)
    FUGO_REQUEST = "fugo.request"  # atena -> registry -> CS -> national: 処理通番 + 個人番号
    FUGO_RESIDENT_CODE = "fugo.resident_code"  # national -> infonet: 処理通番 + 住民票コード (C11)
    FUGO_ISSUED = "fugo.issued"  # infonet -> intermediate: 処理通番 + 符号 (5-④)
    FUGO_CODE_CHANGE = "fugo.code_change"  # national -> infonet: old and new 住民票コード (C12)
    FUGO_REKEY = "fugo.rekey"  # infonet -> intermediate: the old 符号 becomes the new one
    FUGO_SAME_PERSON = "fugo.same_person"  # intermediate -> atena: two 統合宛名番号, one 符号
    # 情報照会・情報提供 (core/infonet_messages.py; 001a §2.4, §3.13; NWS-5/6/7):
    FUKUHON_REGISTER = "fukuhon.register"  # atena -> intermediate: 副本 (住民票関係情報)
    # 副本の突合 (NWS-7-3): the 中間サーバー asks, through the 統合宛名, for the register's
    # originals as digests, compares them with its 副本 and reports the differences.
    FUKUHON_CHECK = "fukuhon.check"  # intermediate -> atena -> registry
    FUKUHON_ORIGINAL = "fukuhon.original"  # registry -> atena -> intermediate: one digest
    FUKUHON_CHECK_DONE = "fukuhon.check_done"  # registry -> atena -> intermediate
    PERMIT_LIST = "infonet.permit_list"  # infonet -> intermediate: 照会許可用照合リスト
    PERMIT_LIST_WITHDRAW = "infonet.permit_list_withdraw"  # a row gone from the list
    INFONET_QUERY = "infonet.query"  # requester's intermediate -> infonet: 情報照会
    PROVISION_PERMIT = "infonet.permit"  # infonet -> provider's intermediate: 提供許可証
    INFONET_ANSWER = "infonet.answer"  # provider's intermediate -> infonet: sealed answer
    INFONET_RESULT = "infonet.result"  # infonet -> requester's intermediate
    # マイナポータル (core/portal_messages.py): log-in with the 利用者証明用 certificate, the
    # portal's 符号 through J-LIS, and the person's 情報提供等記録 from the network.
    PORTAL_IDENTIFY = "portal.identify"  # portal -> jpki: the certificate a holder presented
    PORTAL_IDENTIFIED = "portal.identified"  # jpki -> portal: good now, or why not
    PORTAL_CODE = "portal.code"  # jpki -> national: the holder's 住民票コード, for the 符号
    PORTAL_RECORDS_ASK = "portal.records_ask"  # portal -> infonet: the person's records
    PORTAL_RECORDS = "portal.records"  # infonet -> portal: 情報提供等記録 of the person


class ChangeReason(StrEnum):
    """異動事由 (000 §4.2 item 10; Appendix B)."""

    BIRTH = "birth"  # 出生
    MOVE_IN = "move_in"  # 転入 (from another municipality)
    MOVE_IN_FROM_ABROAD = "move_in_from_abroad"  # 国外からの転入
    MOVE_WITHIN = "move_within"  # 転居
    MOVE_OUT = "move_out"  # 転出
    DEATH = "death"  # 死亡
    NAME_CHANGE = "name_change"  # 氏名の変更
    CORRECTION = "correction"  # 職権修正
    RESIDENT_CODE_CHANGE = "resident_code_change"  # 住民票コードの変更
    NUMBER_CHANGE = "number_change"  # 個人番号の変更
    EX_OFFICIO_ENTRY = "ex_officio_entry"  # 職権記載 (住基法施行令 第12条)
    EX_OFFICIO_REMOVAL = "ex_officio_removal"  # 職権消除
    DISAPPEARANCE = "disappearance"  # 失踪宣告
    FOREIGN_ENTRY = "foreign_entry"  # 法30条の47: a resident becomes 中長期在留者等
    NATURALIZATION = "naturalization"  # 帰化 (the same 住民票コード continues)


CHANGE_REASON_LABELS = {
    ChangeReason.BIRTH: "出生",
    ChangeReason.MOVE_IN: "転入",
    ChangeReason.MOVE_IN_FROM_ABROAD: "国外転入",
    ChangeReason.MOVE_WITHIN: "転居",
    ChangeReason.MOVE_OUT: "転出",
    ChangeReason.DEATH: "死亡",
    ChangeReason.NAME_CHANGE: "氏名の変更",
    ChangeReason.CORRECTION: "職権修正",
    ChangeReason.RESIDENT_CODE_CHANGE: "住民票コードの変更",
    ChangeReason.NUMBER_CHANGE: "個人番号の変更",
    ChangeReason.EX_OFFICIO_ENTRY: "職権記載",
    ChangeReason.EX_OFFICIO_REMOVAL: "職権消除",
    ChangeReason.DISAPPEARANCE: "失踪宣告",
    ChangeReason.FOREIGN_ENTRY: "法30条の47",
    ChangeReason.NATURALIZATION: "帰化",
}

REMOVAL_REASONS = frozenset(
    {
        ChangeReason.MOVE_OUT,
        ChangeReason.DEATH,
        ChangeReason.EX_OFFICIO_REMOVAL,
        ChangeReason.DISAPPEARANCE,
    }
)
ENTRY_REASONS = frozenset(
    {
        ChangeReason.BIRTH,
        ChangeReason.MOVE_IN,
        ChangeReason.MOVE_IN_FROM_ABROAD,
        ChangeReason.EX_OFFICIO_ENTRY,
        ChangeReason.FOREIGN_ENTRY,
    }
)

Sex = Literal["1", "2"]  # 性別: 1 = 男, 2 = 女 (000 §6.6)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _wrap(check: object, value: str, field: str) -> str:
    try:
        return check(value, field=field)  # type: ignore[operator]
    except InvalidInput as exc:
        raise ValueError(exc.message) from None


class IdentityRecord(Strict):
    """本人確認情報 as notified up the chain: the items of 001a §4.2.4 and their companions."""

    update_id: str = Field(min_length=8, max_length=36)
    resident_code: str
    previous_resident_code: str | None = None
    name_kanji: str = Field(min_length=1, max_length=100)
    name_kana: str = Field(min_length=1, max_length=100)
    birth_date: dt.date
    sex: Sex
    address: str = Field(min_length=1, max_length=200)
    lg_code: str
    town_code: str = Field(default="", max_length=12)
    postal_code: str = Field(default="", pattern=r"^(\d{7})?$")
    individual_number: str
    reason: ChangeReason
    change_date: dt.date
    notified_on: dt.date
    operator_id: str = Field(min_length=1, max_length=40)
    terminal_id: str = Field(min_length=1, max_length=40)
    previous_lg_code: str | None = None
    previous_address: str | None = Field(default=None, max_length=200)
    former_surname_kanji: str | None = Field(default=None, max_length=50)
    former_surname_kana: str | None = Field(default=None, max_length=50)

    @field_validator("resident_code", "previous_resident_code")
    @classmethod
    def _resident_code(cls, value: str | None) -> str | None:
        return None if value is None else _wrap(ids.validate_resident_code, value, "resident_code")

    @field_validator("individual_number")
    @classmethod
    def _individual_number(cls, value: str) -> str:
        return _wrap(ids.validate_individual_number, value, "individual_number")

    @field_validator("lg_code", "previous_lg_code")
    @classmethod
    def _lg_code(cls, value: str | None) -> str | None:
        if value is None:
            return None
        _wrap(municipality, value, "lg_code")
        return value

    @field_validator("name_kana", "former_surname_kana")
    @classmethod
    def _kana(cls, value: str | None) -> str | None:
        if value is not None and not is_kana_name(value):
            raise ValueError("ふりがなはかなで入力してください")
        return value

    @field_validator("birth_date")
    @classmethod
    def _birth_date(cls, value: dt.date) -> dt.date:
        if value > japan_today() or value.year < 1850:
            raise ValueError("生年月日が正しくありません")
        return value


class IdentityUpdateResult(Strict):
    """本人確認情報更新結果: success, or the error code and the field at fault."""

    update_id: str
    resident_code: str
    lg_code: str
    ok: bool
    error_code: str | None = None
    error_field: str | None = None


class NumberRequest(Strict):
    """個人番号生成要求 / 個人番号変更要求 (000 Appendix A)."""

    request_id: str = Field(min_length=8, max_length=36)
    lg_code: str
    resident_code: str
    kind: Literal["generate", "change"]
    old_individual_number: str | None = None
    change_ground: Literal["request", "ex_officio"] | None = None  # 本人の請求 / 職権
    operator_id: str

    @field_validator("resident_code")
    @classmethod
    def _resident_code(cls, value: str) -> str:
        return _wrap(ids.validate_resident_code, value, "resident_code")

    @field_validator("old_individual_number")
    @classmethod
    def _old_number(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return _wrap(ids.validate_individual_number, value, "old_individual_number")

    @model_validator(mode="after")
    def _change_names_the_old_number(self) -> NumberRequest:
        """000 F1-ACQ-04: a change request carries the previous 個人番号; a generation
        request carries none."""
        if (self.kind == "change") != (self.old_individual_number is not None):
            raise ValueError("old_individual_number: 変更要求にのみ、必ず付けます")
        return self


class NumberResult(Strict):
    request_id: str
    lg_code: str
    resident_code: str
    kind: Literal["generate", "change"]
    individual_number: str | None = None
    generated_at: dt.datetime | None = None
    error_code: str | None = None


class CodeChangeNotice(Strict):
    """住民票コードの変更通知 (national -> generator, 000 P1.3)."""

    old_resident_code: str
    new_resident_code: str
    individual_number: str


class PoolRequest(Strict):
    lg_code: str
    count: int = Field(gt=0, le=100_000)


class PoolGrant(Strict):
    lg_code: str
    resident_codes: list[str]


class ConsistencyRecord(Strict):
    """The 8 items of 整合性確認用本人確認情報 (001a §3.8 6-①)."""

    resident_code: str
    name_kanji: str
    birth_date: dt.date
    sex: Sex
    address: str
    individual_number: str
    reason: ChangeReason
    change_date: dt.date


class ConsistencyCheck(Strict):
    check_id: str
    lg_code: str
    part: int = Field(default=1, ge=1)
    last_part: bool = True
    records: list[ConsistencyRecord]


class ConsistencyDifference(Strict):
    resident_code: str
    kind: Literal["missing_here", "missing_there", "mismatch"]
    fields: list[str] = []


class ConsistencyResult(Strict):
    check_id: str
    checker: str
    lg_code: str
    compared: int
    differences: list[ConsistencyDifference]


class NumberCheck(Strict):
    """個人番号の真正性確認: does this 個人番号 belong to this 住民票コード? Asked by a
    municipality, through its CS, of the national server before it records a 転入 whose
    number the clerk entered from paper (001a ACQ-3-2, 001b C-04)."""

    check_id: str = Field(min_length=8, max_length=36)
    lg_code: str = Field(pattern=r"^\d{6}$")
    resident_code: str = Field(pattern=r"^\d{11}$")
    individual_number: str = Field(pattern=r"^\d{12}$")


NumberCheckVerdict = Literal["match", "mismatch", "unknown_code"]


class IdentityConfirm(Strict):
    """本人確認 (001a §3.5 2-②/③): the 住民票コード read from the card the person presented
    at the counter, sent through the municipality's CS to the national server."""

    check_id: str = Field(min_length=8, max_length=36)
    lg_code: str = Field(pattern=r"^\d{6}$")
    resident_code: str = Field(pattern=r"^\d{11}$")


class CardStatusQuery(Strict):
    """With a 本人確認 by the card (001a §3.5), when the reader gives the card's カード発行番号:
    is the card in use? Asked of J-LIS's card management system through the municipality's
    CS, naming the 住民票コード read from the same card (a card number alone proves
    nothing)."""

    check_id: str = Field(min_length=8, max_length=36)
    lg_code: str = Field(pattern=r"^\d{6}$")
    card_issue_number: str = Field(pattern=r"^[0-9A-F]{16}$")
    resident_code: str = Field(pattern=r"^\d{11}$")


# The card's state for the counter: in use, suspended, ended (abolished, expired, collected),
# not yet handed over — or unknown (no such card, or not this person's: the same answer).
CardUse = Literal["in_use", "suspended", "ended", "not_handed_over", "unknown"]


class CardStatusAnswer(Strict):
    """J-LIS's answer: the card's state only (no 個人番号, no 4情報)."""

    check_id: str = Field(min_length=8, max_length=36)
    lg_code: str = Field(pattern=r"^\d{6}$")
    card_issue_number: str = Field(pattern=r"^[0-9A-F]{16}$")
    status: CardUse


class IdentityConfirmed(Strict):
    """2-④: the national server's 本人確認情報 for that code — the 4情報, whether the record is
    current or removed, and its municipality — for the clerk to compare with the person and
    the form. Never the 個人番号."""

    check_id: str = Field(min_length=8, max_length=36)
    lg_code: str = Field(pattern=r"^\d{6}$")
    result: Literal["current", "removed", "unknown_code"]
    name_kanji: str | None = Field(default=None, max_length=100)
    name_kana: str | None = Field(default=None, max_length=100)
    birth_date: dt.date | None = None
    sex: Sex | None = None
    address: str | None = Field(default=None, max_length=200)
    holder_lg_code: str | None = Field(default=None, pattern=r"^\d{6}$")


class NumberCheckResult(Strict):
    """The answer, without the number: match, mismatch, or a code the server does not know."""

    check_id: str = Field(min_length=8, max_length=36)
    lg_code: str = Field(pattern=r"^\d{6}$")
    result: NumberCheckVerdict


class MoveOutCertRequest(Strict):
    """転出証明書情報の送信依頼 for a 特例転入 (住基法 第24条の2): names the person by
    住民票コード only, never by 個人番号 (001a §3.3 3-②)."""

    request_id: str = Field(min_length=8, max_length=36)
    requesting_lg_code: str = Field(pattern=r"^\d{6}$")
    former_lg_code: str = Field(pattern=r"^\d{6}$")
    resident_code: str = Field(pattern=r"^\d{11}$")


class MoveOutCertReply(Strict):
    """転出証明書情報 (3-③): the certificate the former municipality issued, or why not."""

    request_id: str = Field(min_length=8, max_length=36)
    requesting_lg_code: str = Field(pattern=r"^\d{6}$")
    former_lg_code: str = Field(pattern=r"^\d{6}$")
    certificate: dict[str, Any] | None = None
    error_code: str | None = None


class MoveInNotice(Strict):
    """転入通知 (1-⑦, 3-⑤): tells the former municipality where the person settled, which
    fills its 転出確定地 (001a §4.1.3 items 41–45). No 個人番号."""

    resident_code: str = Field(pattern=r"^\d{11}$")
    former_lg_code: str = Field(pattern=r"^\d{6}$")
    new_lg_code: str = Field(pattern=r"^\d{6}$")
    address: str = Field(min_length=1, max_length=200)
    postal_code: str = Field(default="", max_length=7)
    head_name: str = Field(default="", max_length=100)
    moved_in_on: dt.date


class WideAreaRequest(Strict):
    """住民票の写しの広域交付 (住基法 第12条の4): the municipality where the person asks
    requests their 住民票 information from the one where they live. Only the person or a
    member of their household may ask; the request names them by 住民票コード."""

    request_id: str = Field(min_length=8, max_length=36)
    requesting_lg_code: str = Field(pattern=r"^\d{6}$")
    home_lg_code: str = Field(pattern=r"^\d{6}$")
    resident_code: str = Field(pattern=r"^\d{11}$")
    scope: Literal["person", "household"] = "person"
    requester_kind: Literal["self", "household"] = "self"


class WideAreaCopy(Strict):
    """The answer: what the copy shows (no 本籍・筆頭者, which 広域交付 never shows), or why
    not (e.g. 支援措置)."""

    request_id: str = Field(min_length=8, max_length=36)
    requesting_lg_code: str = Field(pattern=r"^\d{6}$")
    home_lg_code: str = Field(pattern=r"^\d{6}$")
    copy_items: dict[str, Any] | None = None
    error_code: str | None = None


# --- 送付先情報 (File 3 of the CS, 001a §4.3; File 3 of J-LIS, 000 §4.3) -----------------

PrintCategory = Literal["1", "2"]  # 印刷区分: 1 = 個人番号通知書と交付申請書, 2 = 交付申請書のみ
# 交付申請書のみ: the form reissued at the counter after the 4情報 changed (000 P3.4, F3-ACQ-06).
FORM_ONLY: PrintCategory = "2"


class DestinationInfo(Strict):
    """One person's 送付先情報 in the prescribed format: the 67 items of 001a §4.3.3
    (別添2 (3)), numbered in the comments. The header (items 1-37) says where the letter and
    the card go; the person part (38-67) is what J-LIS prints. Each 項目長 must equal the
    length of its item (checked below), so a record that was cut or padded on the way is
    refused (000 F3-ACQ-02: a prescribed format, nothing unnecessary)."""

    destination_id: str = Field(pattern=r"^[0-9A-Za-z-]{8,36}$")  # 1 送付先管理番号
    destination_postal_code: str = Field(pattern=r"^(\d{7})?$")  # 2
    destination_address_length: int = Field(ge=1)  # 3 送付先住所 漢字項目長
    destination_address: str = Field(min_length=1, max_length=200)  # 4
    destination_address_gaiji_count: int = Field(ge=0)  # 5
    addressee_name_length: int = Field(ge=1)  # 6 送付先氏名 漢字項目長
    addressee_name: str = Field(min_length=1, max_length=100)  # 7
    addressee_name_gaiji_count: int = Field(ge=0)  # 8
    lg_code: str = Field(pattern=r"^\d{6}$")  # 9 市町村コード
    lg_name_length: int = Field(ge=1)  # 10
    lg_name: str = Field(min_length=1, max_length=40)  # 11 市町村名
    lg_postal_code: str = Field(pattern=r"^(\d{7})?$")  # 12
    lg_address_length: int = Field(ge=1)  # 13
    lg_address: str = Field(min_length=1, max_length=200)  # 14
    lg_address_gaiji_count: int = Field(ge=0)  # 15
    lg_phone: str = Field(pattern=r"^[0-9-]{0,15}$")  # 16
    issuing_place_name_length: int = Field(ge=1)  # 17 交付場所名 項目長
    issuing_place_name: str = Field(min_length=1, max_length=60)  # 18
    issuing_place_name_gaiji_count: int = Field(ge=0)  # 19
    issuing_place_postal_code: str = Field(pattern=r"^(\d{7})?$")  # 20
    issuing_place_address_length: int = Field(ge=1)  # 21
    issuing_place_address: str = Field(min_length=1, max_length=200)  # 22
    issuing_place_address_gaiji_count: int = Field(ge=0)  # 23
    issuing_place_phone: str = Field(pattern=r"^[0-9-]{0,15}$")  # 24
    delivery_place_name_length: int = Field(ge=1)  # 25 カード送付場所名 項目長
    delivery_place_name: str = Field(min_length=1, max_length=60)  # 26
    delivery_place_name_gaiji_count: int = Field(ge=0)  # 27
    delivery_place_postal_code: str = Field(pattern=r"^(\d{7})?$")  # 28
    delivery_place_address_length: int = Field(ge=1)  # 29
    delivery_place_address: str = Field(min_length=1, max_length=200)  # 30
    delivery_place_address_gaiji_count: int = Field(ge=0)  # 31
    delivery_place_phone: str = Field(pattern=r"^[0-9-]{0,15}$")  # 32
    persons: int = Field(ge=1, le=99)  # 33 対象となる人数
    processed_on: dt.date  # 34 処理年月日
    operator_id: str = Field(min_length=1, max_length=40)  # 35 操作者ID
    terminal_id: str = Field(min_length=1, max_length=40)  # 36 操作端末ID
    print_category: PrintCategory  # 37 印刷区分
    resident_code: str = Field(pattern=r"^\d{11}$")  # 38 住民票コード
    name_kanji_length: int = Field(ge=1)  # 39
    name_kanji: str = Field(min_length=1, max_length=100)  # 40 氏名 漢字
    name_gaiji_count: int = Field(ge=0)  # 41
    name_kana_length: int = Field(ge=1)  # 42
    name_kana: str = Field(min_length=1, max_length=100)  # 43 氏名 かな
    postal_code: str = Field(pattern=r"^(\d{7})?$")  # 44
    address_length: int = Field(ge=1)  # 45
    address: str = Field(min_length=1, max_length=200)  # 46 住所
    address_gaiji_count: int = Field(ge=0)  # 47
    birth_date: dt.date  # 48 生年月日
    sex: Sex  # 49 性別
    individual_number: str  # 50 個人番号
    foreign_category: str | None = Field(default=None, max_length=40)  # 51 第30条の45に規定する区分
    stay_expires_on: dt.date | None = None  # 52 在留期間の満了の日
    substitute_result: Literal["0", "1"] = "0"  # 53 代替文字変換結果 (1 = substituted)
    substitute_name_length: int = Field(default=0, ge=0)  # 54
    substitute_name: str = Field(default="", max_length=100)  # 55 代替文字氏名
    substitute_address_length: int = Field(default=0, ge=0)  # 56
    substitute_address: str = Field(default="", max_length=200)  # 57 代替文字住所
    substitute_name_positions: str = Field(default="", max_length=200)  # 58
    substitute_address_positions: str = Field(default="", max_length=200)  # 59
    gaiji_flag: bool = False  # 60 外字フラグ
    gaiji_pattern: str = Field(default="", max_length=2000)  # 61 外字パターン
    former_surname_kanji: str | None = Field(default=None, max_length=50)  # 62 旧氏 漢字
    former_surname_gaiji_count: int = Field(default=0, ge=0)  # 63
    former_surname_kana: str | None = Field(default=None, max_length=50)  # 64 旧氏 ふりがな
    former_surname_gaiji_serial: int = Field(default=0, ge=0)  # 65 旧氏 外字変更連番
    roman_name: str | None = Field(default=None, max_length=100)  # 66 ローマ字 氏名
    roman_former_surname: str | None = Field(default=None, max_length=50)  # 67 ローマ字 旧氏

    @field_validator("individual_number")
    @classmethod
    def _individual_number(cls, value: str) -> str:
        return _wrap(ids.validate_individual_number, value, "individual_number")

    @field_validator("resident_code")
    @classmethod
    def _resident_code(cls, value: str) -> str:
        return _wrap(ids.validate_resident_code, value, "resident_code")

    @field_validator("name_kana", "former_surname_kana")
    @classmethod
    def _kana(cls, value: str | None) -> str | None:
        if value is not None and not is_kana_name(value):
            raise ValueError("ふりがなはかなで入力してください")
        return value

    @model_validator(mode="after")
    def _lengths_match(self) -> DestinationInfo:
        for length_field, item in DESTINATION_LENGTHS.items():
            if getattr(self, length_field) != len(getattr(self, item)):
                raise ValueError(f"{length_field}: 項目長が{item}の長さと一致しません")
        return self


# 項目長 -> the item whose length it states (001a §4.3.3 items 3/4, 6/7, 10/11 …).
DESTINATION_LENGTHS = {
    "destination_address_length": "destination_address",
    "addressee_name_length": "addressee_name",
    "lg_name_length": "lg_name",
    "lg_address_length": "lg_address",
    "issuing_place_name_length": "issuing_place_name",
    "issuing_place_address_length": "issuing_place_address",
    "delivery_place_name_length": "delivery_place_name",
    "delivery_place_address_length": "delivery_place_address",
    "name_kanji_length": "name_kanji",
    "name_kana_length": "name_kana",
    "address_length": "address",
    "substitute_name_length": "substitute_name",
    "substitute_address_length": "substitute_address",
}


def item_at_fault(exc: ValidationError) -> str:
    """The 送付先情報 item a validation error names: its location, or the 項目長 that the
    whole-record check names in its message (for refusals that name the field)."""
    errors = exc.errors()
    if not errors:
        return "record"
    loc = [str(part) for part in errors[0]["loc"]]
    if loc:
        return loc[-1][:60]
    named = re.search(r"([a-z_]+): ", errors[0]["msg"])
    return named.group(1)[:60] if named else "record"


def destination_digest(record: dict[str, Any]) -> str:
    """SHA-256 over the record's canonical JSON (keys sorted, UTF-8, no spaces): computed by
    the registry when it extracts the record, and compared by the CS on receipt, by the CS
    again before it sends, and by the card system (001a ACQ-3-8, XFER-2-8, 001b C-06)."""
    canonical = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class DestinationNotice(Strict):
    """送付先情報 as it travels: the record exactly as the registry extracted it (JSON form),
    and the registry's digest of it."""

    record: dict[str, Any]
    digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    _info: DestinationInfo | None = PrivateAttr(default=None)

    def info(self) -> DestinationInfo:
        """The record as the prescribed format (validated once, then kept)."""
        if self._info is None:
            self._info = DestinationInfo.model_validate(self.record)
        return self._info

    def intact(self) -> bool:
        return destination_digest(self.record) == self.digest


DestinationVerdict = Literal["registered", "refused"]


class DestinationReceipt(Strict):
    """The card system's receipt (or the CS's refusal), by 送付先管理番号 only: no personal
    item travels back."""

    destination_id: str = Field(pattern=r"^[0-9A-Za-z-]{8,36}$")
    lg_code: str = Field(pattern=r"^\d{6}$")
    digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    result: DestinationVerdict
    refused_by: Literal["cs", "card"] | None = None
    error_code: str | None = Field(default=None, max_length=60)
    field: str | None = Field(default=None, max_length=60)
    # A reissued form's new 申請書ID (000 P3.4), so the counter can tell the person which
    # form now counts; the mayor receives 申請書ID anyway (1-⑪). Never a personal item.
    application_id: str | None = Field(default=None, pattern=r"^\d{23}$")


class CardChange(Strict):
    """住民の異動情報 relayed by the national server to the card system so File 3 stays
    current (000 P2.1 relay, C27, F3-STO-01): the 4情報, the codes and the number, the
    reason and date. Sent for every applied update; the card system keeps only what
    concerns persons it holds."""

    update_id: str = Field(min_length=8, max_length=36)
    resident_code: str = Field(pattern=r"^\d{11}$")
    previous_resident_code: str | None = Field(default=None, pattern=r"^\d{11}$")
    name_kanji: str = Field(min_length=1, max_length=100)
    name_kana: str = Field(min_length=1, max_length=100)
    birth_date: dt.date
    sex: Sex
    address: str = Field(min_length=1, max_length=200)
    lg_code: str = Field(pattern=r"^\d{6}$")
    individual_number: str = Field(pattern=r"^\d{12}$")
    reason: ChangeReason
    change_date: dt.date


# What the municipality reports of a card at its counter (000 §3.3 1-⑪ and 8-①):
# 交付前設定, 交付, 一時停止, 一時停止解除, 廃止, 回収; and the new municipality's 継続利用
# after a 転入 with the card (001a §3.3 3-⑥).
CardReportKind = Literal[
    "ready", "handed_over", "suspended", "resumed", "abolished", "collected", "continued_use",
    "returned",  # 返還 (001a 8-①): the holder hands the card back — 廃止 and 回収 at once
]  # fmt: skip
# 処理区分: the card was produced and sent to the mayor (1-⑩), or the answer to a report.
CardInfoKind = Literal[
    "issued", "ready", "handed_over", "suspended", "resumed", "abolished", "collected",
    "returned", "expired",
    "renewal_due",  # the card expires within months: a renewal form is to be extracted
    "continued_use",
    "moved_away",  # to the former municipality: the card is now the new one's (継続利用)
]  # fmt: skip
CARD_DONE, CARD_REFUSED = "00", "90"  # 処理結果コード: done; the card's state did not allow it


class CardReport(Strict):
    """One counter operation on a card, reported by the municipality that has the card
    (所管) to J-LIS's card management system through its CS (000 §3.3 1-⑪, 8-①): which
    card (カード発行番号), what was done, on which day, why (一時停止・廃止の理由), and who
    did it at which terminal. No 個人番号, no 4情報: the card system knows the card."""

    report_id: str = Field(min_length=8, max_length=36)
    kind: CardReportKind
    lg_code: str = Field(pattern=r"^\d{6}$")
    card_issue_number: str = Field(pattern=r"^[0-9A-F]{16}$")  # カード発行番号
    done_on: dt.date
    reason: str = Field(default="", max_length=200)
    operator_id: str = Field(min_length=1, max_length=40)
    terminal_id: str = Field(min_length=1, max_length=40)
    # 継続利用 only: the holder's 住民票コード as the new municipality recorded the 転入, which
    # the card system checks against the card's (a card number alone proves nothing).
    resident_code: str | None = Field(default=None, pattern=r"^\d{11}$")

    @model_validator(mode="after")
    def _continued_use_names_the_holder(self) -> CardReport:
        if (self.kind == "continued_use") != (self.resident_code is not None):
            raise ValueError("住民票コードは継続利用の報告にだけ付けます")
        return self


class CardInfo(Strict):
    """個人番号カード管理情報 provided to the mayor of the destination's municipality
    (000 §3.3 1-⑪, C23): exactly the items the assessment lists — 個人番号, 住民票コード,
    市町村コード, 申請書ID, カード発行番号, カード有効期限, 処理結果コード — with the kind of
    processing and an id for exactly-once handling. Nothing else of File 3 (face photo,
    form image, braille, destination items) can travel: extra fields are refused
    (000 F3-PRV-05)."""

    info_id: str = Field(min_length=8, max_length=36)
    kind: CardInfoKind
    individual_number: str = Field(pattern=r"^\d{12}$")
    resident_code: str = Field(pattern=r"^\d{11}$")
    lg_code: str = Field(pattern=r"^\d{6}$")
    application_id: str = Field(pattern=r"^\d{23}$")  # 申請書ID
    card_issue_number: str = Field(pattern=r"^[0-9A-F]{16}$")  # カード発行番号
    expires_on: dt.date  # カード有効期限
    result_code: str = Field(pattern=r"^\d{2}$")  # 処理結果コード: 00 = 正常
