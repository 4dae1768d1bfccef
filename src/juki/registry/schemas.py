"""Notifications (届出) a clerk records, as API bodies. Extra fields are refused."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from juki.core import ids
from juki.core.errors import InvalidInput
from juki.core.messages import Sex
from juki.core.places import municipality
from juki.core.text import is_kana_name


def _checked(check: object, value: str | None, field: str) -> str | None:
    if value is None:
        return None
    try:
        return check(value, field=field)  # type: ignore[operator]
    except InvalidInput as exc:
        raise ValueError(exc.message) from None


class Notice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    change_date: dt.date  # 異動年月日
    notified_on: dt.date | None = None  # 届出年月日 (default: today)
    operator_id: str = Field(default="counter", min_length=1, max_length=40)
    terminal_id: str = Field(default="terminal-01", min_length=1, max_length=40)

    @field_validator("change_date")
    @classmethod
    def _not_future(cls, value: dt.date) -> dt.date:
        if value > dt.date.today() + dt.timedelta(days=14):
            raise ValueError("異動年月日が未来です")
        return value


class PersonItems(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name_kanji: str = Field(min_length=1, max_length=100)
    name_kana: str = Field(min_length=1, max_length=100)
    birth_date: dt.date
    sex: Sex
    address: str = Field(min_length=1, max_length=200)
    town_code: str = Field(default="", max_length=12)
    postal_code: str = Field(default="", pattern=r"^(\d{7})?$")

    @field_validator("name_kana")
    @classmethod
    def _kana(cls, value: str) -> str:
        if not is_kana_name(value):
            raise ValueError("ふりがなはかなで入力してください")
        return value

    @field_validator("birth_date")
    @classmethod
    def _birth(cls, value: dt.date) -> dt.date:
        if value > dt.date.today() or value.year < 1850:
            raise ValueError("生年月日が正しくありません")
        return value


class BirthNotice(Notice, PersonItems):
    """出生届."""


class MoveInNotice(Notice, PersonItems):
    """転入届. From another municipality the 転出証明書 gives the code and number."""

    origin: Literal["municipality", "abroad"] = "municipality"
    resident_code: str | None = None
    individual_number: str | None = None
    previous_lg_code: str | None = None
    previous_address: str | None = Field(default=None, max_length=200)

    @field_validator("resident_code")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        return _checked(ids.validate_resident_code, value, "resident_code")

    @field_validator("individual_number")
    @classmethod
    def _number(cls, value: str | None) -> str | None:
        return _checked(ids.validate_individual_number, value, "individual_number")

    @field_validator("previous_lg_code")
    @classmethod
    def _lg(cls, value: str | None) -> str | None:
        if value is not None:
            _checked(municipality, value, "previous_lg_code")
        return value


class MoveWithinNotice(Notice):
    """転居届."""

    address: str = Field(min_length=1, max_length=200)
    town_code: str = Field(default="", max_length=12)
    postal_code: str = Field(default="", pattern=r"^(\d{7})?$")


class MoveOutNotice(Notice):
    """転出届 with the planned destination (転出予定地)."""

    destination_address: str = Field(min_length=1, max_length=200)


class DeathNotice(Notice):
    """死亡届."""


class NameChangeNotice(Notice):
    """氏名の変更 (e.g. by marriage); the old surname may be recorded as 旧氏."""

    name_kanji: str = Field(min_length=1, max_length=100)
    name_kana: str = Field(min_length=1, max_length=100)
    former_surname_kanji: str | None = Field(default=None, max_length=50)
    former_surname_kana: str | None = Field(default=None, max_length=50)

    @field_validator("name_kana", "former_surname_kana")
    @classmethod
    def _kana(cls, value: str | None) -> str | None:
        if value is not None and not is_kana_name(value):
            raise ValueError("ふりがなはかなで入力してください")
        return value


class CorrectionNotice(Notice):
    """職権修正: any of the person's items, as corrected."""

    name_kanji: str | None = Field(default=None, min_length=1, max_length=100)
    name_kana: str | None = Field(default=None, min_length=1, max_length=100)
    birth_date: dt.date | None = None
    sex: Sex | None = None
    address: str | None = Field(default=None, min_length=1, max_length=200)


class ResidentCodeChangeNotice(Notice):
    """住民票コードの変更請求 (住基法 第30条の4)."""


class NumberChangeNotice(Notice):
    """個人番号の変更: on the person's request or ex officio when it leaked (番号法 第7条第2項)."""

    ground: Literal["request", "ex_officio"]


class ResidentRead(BaseModel):
    """What the API shows of a resident: the 個人番号 masked."""

    id: int
    resident_code: str
    individual_number: str
    name_kanji: str
    name_kana: str
    birth_date: dt.date
    sex: Sex
    address: str
    status: str
    version: int
    awaiting_number: bool


class EventRead(BaseModel):
    id: str  # the event's 依頼管理番号 (update id), not personal information
    resident_id: int
    reason: str
    change_date: dt.date
    status: str
    error_code: str | None
    error_field: str | None


class MoveOutCertificate(BaseModel):
    """転出証明書: what the destination municipality needs for the 転入届 (住基法 第22条)."""

    resident_code: str
    individual_number: str
    name_kanji: str
    name_kana: str
    birth_date: dt.date
    sex: Sex
    lg_code: str
    address: str
    destination_address: str


class MoveOutRead(EventRead):
    certificate: MoveOutCertificate
