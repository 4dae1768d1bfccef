"""What the card system's API accepts and answers (pydantic, extra fields refused)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApplicationCreate(Strict):
    """One 交付申請 as the application-receipt contractor captured it from the returned
    form (000 §3.3 1-⑥; items 65-72 of 別添2-(3)): the pre-printed 申請書ID that links it
    to the person, and what the applicant wrote. Nothing else is accepted (F3-ACQ-02)."""

    application_id: str = Field(pattern=r"^\d{23}$")  # 65 申請書ID
    applied_on: dt.date  # 71 申請年月日
    photo_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")  # 69 顔写真 (its digest)
    braille: bool = False  # 72 点字有無
    # The 個人番号 pre-printed on the form, if the contractor captured it: not used in any
    # later processing and never stored (000 §3.3 1-⑦, F3-ACQ-05).
    individual_number: str | None = Field(default=None, max_length=16)


class IssuanceResult(Strict):
    """The card issuance system's result for one card (000 §3.3 1-⑨, C21): which 申請書ID
    it was made for, its カード発行番号 and カード有効期限, and the 処理結果コード ("00" =
    正常; any other code: not made). Nothing else is accepted."""

    application_id: str = Field(pattern=r"^\d{23}$")  # 申請書ID
    card_issue_number: str = Field(pattern=r"^[0-9A-F]{16}$")  # カード発行番号
    expires_on: dt.date  # カード有効期限
    result_code: str = Field(pattern=r"^\d{2}$")  # 処理結果コード


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
