"""送付先情報 as the API shows it: by keys only."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from juki.registry.notices.schemas import IdDocument


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


class CardRead(BaseModel):
    """A 個人番号カード as the register knows it: by its number, never the holder's."""

    model_config = ConfigDict(from_attributes=True)

    card_issue_number: str  # カード発行番号
    application_id: str  # 申請書ID
    expires_on: dt.date  # カード有効期限
    status: str  # awaiting_handover | ready | active | suspended | abolished | collected


class CardReportCreate(BaseModel):
    """A counter operation on a card (000 8-①): 交付前設定, 交付, 一時停止 (with its reason),
    一時停止解除, 廃止 (with its reason), 回収, 返還 (the holder hands the card back: 廃止
    with its reason and 回収 in one step — at a 国外転出, or whenever they choose)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal[
        "ready", "handed_over", "suspended", "resumed", "abolished", "collected", "returned"
    ]
    reason: str = Field(default="", max_length=200)


class CardReportRead(BaseModel):
    report_id: str
    kind: str
    card_issue_number: str


PUBLIC_KEY = r"^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n?$"


class CertificateApplicationCreate(BaseModel):
    """電子証明書の発行申請: the public keys the holder's card made (PEM). Either may be left
    out (法 第3条第1項 ただし書: no 署名用 certificate for a holder under 15 or one who does
    not want it; one certificate again after its PIN was reset), not both."""

    model_config = ConfigDict(extra="forbid")

    sign_public_key: str | None = Field(default=None, max_length=1000, pattern=PUBLIC_KEY)
    auth_public_key: str | None = Field(default=None, max_length=1000, pattern=PUBLIC_KEY)
    # 法 第3条第3項 / 第22条第3項: the mayor confirms the applicant is who they say
    id_document: IdDocument
    face_matched: Literal[True]

    @model_validator(mode="after")
    def _one_key_at_least(self) -> CertificateApplicationCreate:
        if self.sign_public_key is None and self.auth_public_key is None:
            raise ValueError("公開鍵を1つ以上指定してください")
        return self


class CertificateApplicationRead(BaseModel):
    """An application and JPKI's answer: the certificates to load onto the card, or why not."""

    model_config = ConfigDict(from_attributes=True)

    request_id: str
    status: str  # sent | issued | refused
    requested_at: dt.datetime
    answered_at: dt.datetime | None
    sign_certificate: str | None
    auth_certificate: str | None
    refused_field: str | None
    refused_reason: str | None


class ContinuationCreate(BaseModel):
    """継続利用 of a card the holder brought when moving in (001a §3.3 3-⑥): the holder by
    宛名番号 here, the card by the number read from it."""

    model_config = ConfigDict(extra="forbid")

    resident_id: int = Field(ge=1, le=2**31 - 1)
    card_issue_number: str = Field(pattern=r"^[0-9A-F]{16}$")


class ContinuationRead(BaseModel):
    report_id: str
    resident_id: int
    card_issue_number: str
    status: str
    refused_reason: str | None = None


class ChipRewriteCreate(BaseModel):
    """The counter asks J-LIS for the chip's contents again: a 券面事項入力補助 or 住基 PIN
    to reset (`pin_reset`), or the card face changed (`face_change`). The holder is
    present with the card, whose photo the clerk matched against them."""

    model_config = ConfigDict(extra="forbid")

    reason: Literal["pin_reset", "face_change"]
    face_matched: Literal[True]  # カードの顔写真と本人を照合した


class ChipRewriteRead(BaseModel):
    """A chip rewrite asked: waiting (`sent`), ready to give (`received`), given, or not
    (`refused` by J-LIS, `stale`: J-LIS's file had not the latest change yet — ask again;
    `superseded` by a later request)."""

    model_config = ConfigDict(from_attributes=True)

    request_id: str
    card_issue_number: str
    reason: str
    status: str = "sent"
    requested_at: dt.datetime | None = None
    refused_reason: str | None = None
