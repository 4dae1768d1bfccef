"""Notifications (届出) a clerk records, as API bodies: who made the 届出 and how they were
identified (届出受付), and one body per 届出. Extra fields are refused."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from juki.core.clock import japan_today
from juki.core.messages import Sex
from juki.registry.households.schemas import HouseholdEffects, HouseholdPlacement, Relationship
from juki.registry.residents.schemas import (
    AddressItems,
    EventRead,
    IndividualNumberText,
    KanaText,
    LgCodeText,
    Notice,
    PersonCore,
    PersonItems,
    ResidentCodeText,
)


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


class Received(BaseModel):
    """A 届出 made at the counter (住基法 第22条–第25条, 第30条の46–第30条の48): it cannot be
    recorded without its intake (ACQ-2-1: mandatory fields)."""

    intake: Intake


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
        if value is not None and (value > japan_today() or value.year < 1850):
            raise ValueError("生年月日が正しくありません")
        return value


class ResidentCodeChangeNotice(Notice):
    """住民票コードの変更請求 (住基法 第30条の4)."""


class NumberChangeNotice(Notice):
    """個人番号の変更: on the person's request or ex officio when it leaked (番号法 第7条第2項)."""

    ground: Literal["request", "ex_officio"]


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


class CorrectionProposal(BaseModel):
    """職権修正 as entered by the first clerk: the corrected items and why (`corrections`)."""

    model_config = ConfigDict(extra="forbid")

    correction: CorrectionNotice
    reason: str = Field(min_length=1, max_length=200)


class NumberCheckBody(BaseModel):
    """個人番号の真正性確認 (`number_checks`), API body: the pair as entered; the number goes
    in the body, never in a URL."""

    model_config = ConfigDict(extra="forbid")
    resident_code: ResidentCodeText
    individual_number: IndividualNumberText
