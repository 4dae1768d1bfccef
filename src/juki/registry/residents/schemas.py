"""What every change of a 住民票 carries and what the API shows of one: the items' field
types (each with its own check), the common part of every 届出 (異動年月日, 届出年月日,
operator, terminal), the person's items, and the records read back. Extra fields are
refused."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from juki.core import ids
from juki.core.clock import japan_today
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


def _kana(value: str) -> str:
    if not is_kana_name(value):
        raise ValueError("ふりがなはかなで入力してください")
    return value


def _lg(value: str) -> str:
    _checked(municipality, value, "lg_code")
    return value


def _resident_code(value: str) -> str:
    return str(_checked(ids.validate_resident_code, value, "resident_code"))


def _individual_number(value: str) -> str:
    return str(_checked(ids.validate_individual_number, value, "individual_number"))


# Field types that carry their own check, so every notice that has such a field checks it
# the same way (and names the field at fault through pydantic's location).
KanaText = Annotated[str, AfterValidator(_kana)]  # ふりがな


LgCodeText = Annotated[str, AfterValidator(_lg)]  # 地方公共団体コード of a real municipality


ResidentCodeText = Annotated[str, AfterValidator(_resident_code)]  # 住民票コード


IndividualNumberText = Annotated[str, AfterValidator(_individual_number)]  # 個人番号


class Notice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # The 届出受付記録 this notice was taken under, once recorded (notices.intake).
    _intake_id: str | None = PrivateAttr(default=None)

    change_date: dt.date  # 異動年月日
    notified_on: dt.date | None = None  # 届出年月日 (default: today)
    operator_id: str = Field(default="counter", min_length=1, max_length=40)
    terminal_id: str = Field(default="terminal-01", min_length=1, max_length=40)

    @field_validator("change_date")
    @classmethod
    def _not_future(cls, value: dt.date) -> dt.date:
        if value > japan_today() + dt.timedelta(days=14):
            raise ValueError("異動年月日が未来です")
        return value


class PersonCore(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name_kanji: str = Field(min_length=1, max_length=100)
    name_kana: KanaText = Field(min_length=1, max_length=100)
    birth_date: dt.date
    sex: Sex
    # ローマ字氏名 (recorded on request, e.g. for the My Number card): Latin letters only.
    name_roman: str | None = Field(default=None, max_length=100, pattern=r"^[A-Za-z ,.'-]+$")

    @field_validator("birth_date")
    @classmethod
    def _birth(cls, value: dt.date) -> dt.date:
        if value > japan_today() or value.year < 1850:
            raise ValueError("生年月日が正しくありません")
        return value


class AddressItems(BaseModel):
    address: str = Field(min_length=1, max_length=200)
    town_code: str = Field(default="", max_length=12)
    postal_code: str = Field(default="", pattern=r"^(\d{7})?$")


class PersonItems(PersonCore, AddressItems):
    """氏名・ふりがな・生年月日・性別 and the address."""


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
    household_id: int
    relationship: str


class EventRead(BaseModel):
    id: str  # the event's 依頼管理番号 (update id), not personal information
    resident_id: int
    reason: str
    change_date: dt.date
    status: str
    error_code: str | None
    error_field: str | None


class ResidentQuery(BaseModel):
    """The counter's resident search (`search`): at least one item, or the 宛名番号."""

    model_config = ConfigDict(extra="forbid")

    name_kana: str | None = Field(default=None, max_length=100)
    birth_date: dt.date | None = None
    address: str | None = Field(default=None, max_length=200)
    addressee_id: int | None = Field(default=None, ge=1)
    include_removed: bool = False
