"""Message types and record schemas that travel between nodes (000 Appendix A).

Node packages never import each other, so the shapes they exchange live here. Each schema
forbids extra fields: a tier accepts only the items the law lets it receive (002 §6.1
1-②b, 000 P2.1 "necessary-information restriction").
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from juki.core import ids
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
        if value > dt.date.today() or value.year < 1850:
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
