"""API bodies of the prefectural server's own functions. Extra fields are refused."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from juki.core import ids
from juki.core.errors import InvalidInput
from juki.core.messages import Sex
from juki.core.text import is_kana_name

Text = Annotated[str, StringConstraints(strip_whitespace=True)]


def _resident_code(value: str) -> str:
    try:
        return ids.validate_resident_code(value)
    except InvalidInput as exc:
        raise ValueError(exc.message) from None


def _kana(value: str) -> str:
    if not is_kana_name(value):
        raise ValueError("ふりがなはかなで入力してください")
    return value


class ManualCorrectionCreate(BaseModel):
    """手動修正の入力 (002 REQ-ACQ-09): the items to correct, why, and on whose request."""

    model_config = ConfigDict(extra="forbid")

    resident_code: Annotated[str, AfterValidator(_resident_code)]
    reason: Annotated[Text, Field(min_length=1, max_length=500)]
    request_reference: Annotated[Text, Field(min_length=1, max_length=100)]
    name_kanji: Annotated[Text, Field(min_length=1, max_length=100)] | None = None
    name_kana: (
        Annotated[Text, Field(min_length=1, max_length=100), AfterValidator(_kana)] | None
    ) = None
    birth_date: dt.date | None = None
    sex: Sex | None = None
    address: Annotated[Text, Field(min_length=1, max_length=200)] | None = None
    town_code: Annotated[str, Field(pattern=r"^\d{0,12}$")] | None = None

    def corrected(self) -> dict[str, str]:
        """The corrected items, as stored (dates in ISO form)."""
        items = self.model_dump(
            exclude={"resident_code", "reason", "request_reference"}, exclude_none=True
        )
        return {name: str(value) for name, value in items.items()}


class ManualCorrectionRead(BaseModel):
    """What the API shows of a correction: never the values, only the item names."""

    id: int
    status: str
    items: list[str]
    reason: str
    request_reference: str
    requested_by: str
    requested_at: dt.datetime
    approved_by: str | None
    approved_at: dt.datetime | None


class StatisticsJobCreate(BaseModel):
    """A statistics job states its purpose (002 REQ-STAT-01)."""

    model_config = ConfigDict(extra="forbid")

    purpose: Annotated[Text, Field(max_length=200)]


class MunicipalityCount(BaseModel):
    lg_code: str
    residents: int


class StatisticsResult(BaseModel):
    job_id: int
    purpose: str
    counts: list[MunicipalityCount]
