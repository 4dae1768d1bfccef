"""Foreign residents' 届出 as API bodies (住基法 第4章の3): the 在留カード items and the
30条の45 category, and one body per 届出. Extra fields are refused."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from juki.core.errors import InvalidInput
from juki.registry.households.schemas import HouseholdPlacement
from juki.registry.notices.schemas import Received
from juki.registry.residents.schemas import KanaText, Notice, PersonItems

RESIDENCE_CARD = re.compile(r"^[A-Z]{2}\d{8}[A-Z]{2}$")  # 在留カード番号 (入管法 第19条の4)


def _card(value: str) -> str:
    if not RESIDENCE_CARD.fullmatch(value):
        raise ValueError("在留カード番号は英字2桁・数字8桁・英字2桁です")
    return value


ResidenceCardText = Annotated[str, AfterValidator(_card)]  # 在留カード等番号


class ForeignCategory(StrEnum):
    """住基法 第30条の45 の区分."""

    MID_LONG_TERM = "中長期在留者"
    SPECIAL_PERMANENT = "特別永住者"
    TEMPORARY_REFUGE = "一時庇護許可者"
    PROVISIONAL_STAY = "仮滞在許可者"
    BIRTH_TRANSITION = "出生による経過滞在者"
    NATIONALITY_LOSS_TRANSITION = "国籍喪失による経過滞在者"


class ResidenceItems(BaseModel):
    """The 在留カード (or 特別永住者証明書) items recorded on the 住民票 (items 64–71)."""

    model_config = ConfigDict(extra="forbid")

    nationality_code: str = Field(pattern=r"^[A-Z]{3}$")  # ISO 3166-1 alpha-3
    nationality: str = Field(min_length=1, max_length=50)
    foreign_category: ForeignCategory
    residence_card_no: ResidenceCardText | None = None
    residence_status: str | None = Field(default=None, max_length=50)
    period_of_stay: str | None = Field(default=None, max_length=20)
    stay_expires_on: dt.date | None = None

    def checked(self) -> ResidenceItems:
        """Mid- and long-term residents carry a card with a status and an expiry."""
        if self.foreign_category == ForeignCategory.MID_LONG_TERM:
            for name in ("residence_card_no", "residence_status", "stay_expires_on"):
                if getattr(self, name) is None:
                    raise InvalidInput("中長期在留者は在留カードの記載事項が必要です", field=name)
        return self


class ForeignMoveInNotice(Notice, Received, PersonItems, HouseholdPlacement):
    """法30条の46 の転入届 (from abroad)."""

    residence: ResidenceItems
    alias: str | None = Field(default=None, max_length=100)
    alias_kana: str | None = Field(default=None, max_length=100)


class ForeignEntryNotice(ForeignMoveInNotice):
    """法30条の47 の届出: living here already, now a 中長期在留者等."""


class ImmigrationNoticeEntry(Notice):
    """法30条の50 の通知 as entered: only the items that changed."""

    residence_card_no: ResidenceCardText | None = None
    residence_status: str | None = Field(default=None, max_length=50)
    period_of_stay: str | None = Field(default=None, max_length=20)
    stay_expires_on: dt.date | None = None


class AliasNotice(Notice):
    """通称の記載 (alias given) or 削除 (alias empty)."""

    alias: str | None = Field(default=None, max_length=100)
    alias_kana: str | None = Field(default=None, max_length=100)


class NaturalizationNotice(Notice):
    """帰化: the new name (if any) and the new 本籍 and 筆頭者."""

    name_kanji: str | None = Field(default=None, min_length=1, max_length=100)
    name_kana: KanaText | None = Field(default=None, min_length=1, max_length=100)
    domicile: str = Field(min_length=1, max_length=200)
    family_head_name: str = Field(min_length=1, max_length=100)
