"""Notifications (届出) a clerk records, as API bodies. Extra fields are refused."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
)

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


class Relationship(StrEnum):
    """続柄 (item 24), as written on a 住民票: relative to the 世帯主. Since 1995 every child
    is written 子 whatever their birth order or parents' marriage (住民基本台帳事務処理要領)."""

    HEAD = "世帯主"
    WIFE = "妻"
    HUSBAND = "夫"
    WIFE_UNREGISTERED = "妻（未届）"
    HUSBAND_UNREGISTERED = "夫（未届）"
    CHILD = "子"
    CHILD_OF_WIFE = "妻の子"
    CHILD_OF_HUSBAND = "夫の子"
    FATHER = "父"
    MOTHER = "母"
    GRANDCHILD = "孫"
    SIBLING = "兄弟姉妹"
    GRANDPARENT = "祖父母"
    RELATIVE = "縁故者"
    LODGER = "同居人"


class NotifierType(StrEnum):
    """Who made the 届出 (住基法 第26条, 第27条; 001a ACQ-2-1): the person, a member of the
    household acting for them, or an agent with a power of attorney (委任状)."""

    SELF = "本人"
    HOUSEHOLD_MEMBER = "世帯員"
    AGENT = "代理人"


class IdDocument(StrEnum):
    """The identity documents the counter accepts, face to face (001a ACQ-3-1, 001b C-03):
    the My Number card (番号法 第17条) or a photo ID issued by a public body. A fixed list."""

    MY_NUMBER_CARD = "個人番号カード"
    DRIVERS_LICENCE = "運転免許証"
    DRIVING_HISTORY = "運転経歴証明書"
    PASSPORT = "旅券"
    RESIDENCE_CARD = "在留カード"
    SPECIAL_PERMANENT_RESIDENT = "特別永住者証明書"
    DISABILITY_CERTIFICATE = "身体障害者手帳"
    OTHER_PUBLIC_PHOTO_ID = "官公署発行の顔写真付き証明書"


class Intake(BaseModel):
    """届出受付: what the counter checked when it took a 届出 in writing (001a ACQ-2-1,
    ACQ-3-1, ACQ-3-5). No name is kept here; the 届出 itself names the person."""

    model_config = ConfigDict(extra="forbid")

    notifier: NotifierType  # 届出人の区分
    id_document: IdDocument  # 本人確認書類
    proxy_letter_checked: bool = Field(default=False, validate_default=True)  # 委任状の確認
    # 届書の保管番号 or scan reference of the paper slip (ACQ-3-5): letters, digits, hyphens.
    slip_reference: str | None = Field(default=None, max_length=40, pattern=r"^[0-9A-Za-z-]+$")

    @field_validator("proxy_letter_checked")
    @classmethod
    def _agent_needs_proxy_letter(cls, value: bool, info: ValidationInfo) -> bool:
        if info.data.get("notifier") == NotifierType.AGENT and not value:
            raise ValueError("代理人による届出は委任状の確認が必要です")
        return value


class Notice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # The 届出受付記録 this notice was taken under, once recorded (registry.intake).
    _intake_id: str | None = PrivateAttr(default=None)

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


class Received(BaseModel):
    """A 届出 made at the counter (住基法 第22条–第25条, 第30条の46–第30条の48): it cannot be
    recorded without its intake (ACQ-2-1: mandatory fields)."""

    intake: Intake


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
        if value > dt.date.today() or value.year < 1850:
            raise ValueError("生年月日が正しくありません")
        return value


class AddressItems(BaseModel):
    address: str = Field(min_length=1, max_length=200)
    town_code: str = Field(default="", max_length=12)
    postal_code: str = Field(default="", pattern=r"^(\d{7})?$")


class PersonItems(PersonCore, AddressItems):
    """氏名・ふりがな・生年月日・性別 and the address."""


class HouseholdPlacement(BaseModel):
    """Where the person sits in a household: an existing one (世帯番号 + 続柄), or, with no
    household given, a new household with the person as its 世帯主."""

    household_id: int | None = Field(default=None, ge=1)
    relationship: Relationship = Relationship.HEAD


class HouseholdEffects(BaseModel):
    """For a 届出 that changes who lives in a household: the other members moving with the
    person, and the 続柄 that change because of it (e.g. a new 世帯主 when the head leaves).
    Afterwards every household must have exactly one 世帯主 among its members."""

    members: list[int] = Field(default_factory=list, max_length=30)  # 宛名番号
    relationships: dict[int, Relationship] = Field(default_factory=dict)


class BirthNotice(Notice, PersonItems, HouseholdPlacement):
    """出生届: the child joins a parent's household (or, for an initial load, its own)."""


class MoveInNotice(Notice, Received, PersonItems, HouseholdPlacement):
    """転入届. From another municipality the 転出証明書 gives the code and number."""

    origin: Literal["municipality", "abroad"] = "municipality"
    resident_code: ResidentCodeText | None = None
    individual_number: IndividualNumberText | None = None
    # The CS's 個人番号の真正性確認 of the two (001a ACQ-3-2), unless the card was shown.
    number_check_id: str | None = Field(default=None, max_length=36)
    previous_lg_code: LgCodeText | None = None
    previous_address: str | None = Field(default=None, max_length=200)
    # 未届転入: moved in on this day but did not notify within 14 days (住基法 第22条);
    # the unreported period (items 51–52) runs to the day of the 届出.
    unreported_from: dt.date | None = None
    # 最終住民登録地 (items 46–48): for a 国外転入, where the person was last registered in
    # Japan before going abroad (from the 戸籍の附票).
    last_registered_lg_code: LgCodeText | None = None
    last_registered_address: str | None = Field(default=None, max_length=200)


class MoveWithinNotice(Notice, Received, HouseholdEffects):
    """転居届: the person (and `members` moving with them). A whole household moves as it is;
    part of one forms a new household, or joins `household_id` at the new address."""

    household_id: int | None = Field(default=None, ge=1)
    address: str = Field(min_length=1, max_length=200)
    town_code: str = Field(default="", max_length=12)
    postal_code: str = Field(default="", pattern=r"^(\d{7})?$")


class MoveOutNotice(Notice, Received, HouseholdEffects):
    """転出届 with the planned destination (転出予定地)."""

    destination_address: str = Field(min_length=1, max_length=200)
    destination_lg_code: LgCodeText | None = None


class DeathNotice(Notice, HouseholdEffects):
    """死亡届 (from the 戸籍 side); a new 世帯主 is named when the head dies."""


class MoveInMember(PersonCore):
    """One person of a household moving in together (世帯の転入)."""

    model_config = ConfigDict(extra="forbid")

    relationship: Relationship
    resident_code: ResidentCodeText | None = None
    individual_number: IndividualNumberText | None = None
    number_check_id: str | None = Field(default=None, max_length=36)  # number_checks


class HouseholdMoveInNotice(Notice, Received, AddressItems):
    """転入届 for a household: one 世帯主 and the members, one shared address."""

    origin: Literal["municipality", "abroad"] = "municipality"
    previous_lg_code: LgCodeText | None = None
    previous_address: str | None = Field(default=None, max_length=200)
    unreported_from: dt.date | None = None  # 未届転入
    last_registered_lg_code: LgCodeText | None = None  # 最終住民登録地 (国外転入)
    last_registered_address: str | None = Field(default=None, max_length=200)
    members: list[MoveInMember] = Field(min_length=1, max_length=30)


class HouseholdChangeNotice(Notice, Received, HouseholdEffects):
    """世帯変更届 (住基法 第25条): 世帯主変更, 世帯分離 (members leave to a new household at
    the same address) or 世帯合併 (the members of `from_household_id` join this one)."""

    kind: Literal["head_change", "split", "merge"]
    from_household_id: int | None = Field(default=None, ge=1)


class CancellationNotice(Notice):
    """異動の取消し: the person's last change was recorded in error."""

    reason: str = Field(min_length=1, max_length=200)


class NameChangeNotice(Notice):
    """氏名の変更 (e.g. by marriage); the old surname may be recorded as 旧氏."""

    name_kanji: str = Field(min_length=1, max_length=100)
    name_kana: KanaText = Field(min_length=1, max_length=100)
    former_surname_kanji: str | None = Field(default=None, max_length=50)
    former_surname_kana: KanaText | None = Field(default=None, max_length=50)


class CorrectionNotice(Notice):
    """職権修正: any of the person's items, as corrected."""

    name_kanji: str | None = Field(default=None, min_length=1, max_length=100)
    name_kana: KanaText | None = Field(default=None, min_length=1, max_length=100)
    birth_date: dt.date | None = None
    sex: Sex | None = None
    address: str | None = Field(default=None, min_length=1, max_length=200)

    @field_validator("birth_date")
    @classmethod
    def _birth(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and (value > dt.date.today() or value.year < 1850):
            raise ValueError("生年月日が正しくありません")
        return value


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


class ApplicationFormRead(BaseModel):
    """One 送付先情報 sent for a person (個人番号通知書と交付申請書, or a 交付申請書 reissued
    after the 4情報 changed, 000 P3.4) and the card system's answer, by keys only."""

    model_config = ConfigDict(from_attributes=True)

    destination_id: str  # 送付先管理番号
    kind: Literal["notice", "reissue"]
    status: str  # sent | registered | refused
    extracted_at: dt.datetime
    answered_at: dt.datetime | None
    application_id: str | None  # the reissued form's new 申請書ID
    refused_by: str | None
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


class HouseholdMemberRead(BaseModel):
    id: int  # 宛名番号
    relationship: str


class HouseholdRead(BaseModel):
    id: int  # 世帯番号
    status: str
    members: list[HouseholdMemberRead]


class PendingNoticeRead(BaseModel):
    """A 届出 entered for its check (届出点検), without the personal items it holds: the
    person by 宛名番号, the household by 世帯番号."""

    id: int  # 点検番号
    kind: str
    label: str  # 出生届, 転入届 …
    status: str  # entered | applied | sent_back | withdrawn
    resident_id: int | None
    household_id: int | None
    entered_by: str
    entered_terminal: str
    entered_at: dt.datetime
    decided_by: str | None
    decided_terminal: str | None
    decided_at: dt.datetime | None
    update_ids: list[str]  # the events applied (依頼管理番号)
    resident_ids: list[int]  # the people the applied 届出 recorded


class PendingNoticeDetail(PendingNoticeRead):
    """What the checker compares with the paper: the notice as entered (個人番号 masked)."""

    notice: dict[str, Any]
    reason: str | None  # 差戻しの理由


class SendBack(BaseModel):
    """差戻し: why the checker returns the entry to the clerk."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=200)


class CheckedRead(PendingNoticeRead):
    """The entry once checked and applied: its events, and for a 転出 the 転出証明書."""

    events: list[EventRead]
    certificate: MoveOutCertificate | None = None
