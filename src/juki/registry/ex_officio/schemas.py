"""What the mayor records ex officio and what the 戸籍 side notifies, as API bodies. Extra
fields are refused."""

from __future__ import annotations

from pydantic import Field

from juki.registry.households.schemas import HouseholdPlacement
from juki.registry.residents.schemas import KanaText, LgCodeText, Notice, PersonItems


class ExOfficioEntryNotice(Notice, PersonItems, HouseholdPlacement):
    """職権記載 of a person found living here without a 住民票."""

    evidence: str = Field(min_length=1, max_length=200)  # 実態調査の結果など


class RestoreNotice(Notice, HouseholdPlacement):
    """職権記載 restoring a 除票 made in error (職権回復)."""

    evidence: str = Field(min_length=1, max_length=200)


class KosekiNotice(Notice):
    """戸籍に関する届出に基づく通知 from the 本籍地 (住基法 第9条第2項)."""

    name_kanji: str | None = Field(default=None, min_length=1, max_length=100)
    name_kana: KanaText | None = Field(default=None, min_length=1, max_length=100)
    domicile_lg_code: LgCodeText | None = None
    domicile: str | None = Field(default=None, min_length=1, max_length=200)
    family_head_name: str | None = Field(default=None, min_length=1, max_length=100)
