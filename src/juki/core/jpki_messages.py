"""Records that travel to and from the 公的個人認証サービス (JPKI, `jpki/`).

The seeds are silent on JPKI (it is outside the PIAs); these follow 公的個人認証法 (電子署名等
に係る地方公共団体情報システム機構の認証業務に関する法律): the holder applies through the
mayor of the municipality of their address (第3条 署名用, 第22条 利用者証明用), who confirms
who they are and sends the application to J-LIS (機構); J-LIS issues the certificates and
records them; a 署名用 certificate ends when any of the 4情報 changes or the person leaves
the register (第12条), a 利用者証明用 certificate when the person leaves the register
(第31条); a certificate is held (一時保留) while its card is suspended.

The holder's keys are made on the holder's side: only the two public keys travel (PEM,
SubjectPublicKeyInfo). No record carries the 個人番号.
"""

from __future__ import annotations

import datetime as dt
from typing import Final, Literal

from pydantic import Field, model_validator

from juki.core.messages import ChangeReason, Sex, Strict

CertificateKind = Literal["sign", "auth"]  # 署名用電子証明書, 利用者証明用電子証明書
KIND_LABELS: dict[str, str] = {"sign": "署名用電子証明書", "auth": "利用者証明用電子証明書"}
ISSUED: Final = "00"  # 処理結果コード, as the card system answers
ISSUE_REFUSED: Final = "90"

PUBLIC_KEY_PEM = r"^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n?$"


class JpkiIssueRequest(Strict):
    """電子証明書の発行申請, sent by the mayor of the holder's municipality (法 第3条第1項,
    第22条第1項): which card, the holder's 4情報 as the register holds them today (the
    署名用 certificate carries them), the 住民票コード (J-LIS's index of its certificates, 法
    第12条の2 / 000 §6.4) and the public keys made on the holder's card. Either key may be
    left out: no 署名用 certificate for a holder under 15 or one who does not want it, and
    one certificate alone when its PIN was reset at the counter (a new key, `juki card
    reset-pin`), but not both."""

    request_id: str = Field(min_length=8, max_length=36)
    lg_code: str = Field(pattern=r"^\d{6}$")
    card_issue_number: str = Field(pattern=r"^[0-9A-F]{16}$")
    resident_code: str = Field(pattern=r"^\d{11}$")
    name_kanji: str = Field(min_length=1, max_length=100)
    birth_date: dt.date
    sex: Sex
    address: str = Field(min_length=1, max_length=200)
    sign_public_key: str | None = Field(default=None, max_length=1000, pattern=PUBLIC_KEY_PEM)
    auth_public_key: str | None = Field(default=None, max_length=1000, pattern=PUBLIC_KEY_PEM)
    operator_id: str = Field(min_length=1, max_length=40)
    terminal_id: str = Field(min_length=1, max_length=40)

    @model_validator(mode="after")
    def _one_key_at_least(self) -> JpkiIssueRequest:
        if self.sign_public_key is None and self.auth_public_key is None:
            raise ValueError("公開鍵がありません")
        return self


class JpkiIssued(Strict):
    """J-LIS's answer to one application: the certificates (PEM), or `90` with the field
    and the reason in Japanese."""

    request_id: str = Field(min_length=8, max_length=36)
    lg_code: str = Field(pattern=r"^\d{6}$")
    card_issue_number: str = Field(pattern=r"^[0-9A-F]{16}$")
    result_code: Literal["00", "90"]
    sign_certificate: str | None = Field(default=None, max_length=8000)
    auth_certificate: str | None = Field(default=None, max_length=8000)
    refused_field: str | None = Field(default=None, max_length=40)
    refused_reason: str | None = Field(default=None, max_length=200)


CardStatusAction = Literal["hold", "release", "revoke", "transfer"]


class JpkiCardStatus(Strict):
    """The mayor's request on a card's certificates, sent once the card management system
    has answered the counter's report `00` (registry -> CS -> JPKI): the card suspended
    (一時保留 of both certificates), its suspension lifted (保留解除), or the card ended
    (廃止: both revoked); or, from the new municipality after the card's 継続利用, the
    card's certificates answered for there (`transfer`: JPKI checks that its latest
    異動等失効情報 puts the holder in that municipality, and answers with the live
    certificates as `JpkiIssued`). By the card's number only; no personal data (000
    F3-USE-01 keeps the card system's data from JPKI; this comes from the municipality)."""

    request_id: str = Field(min_length=8, max_length=36)
    lg_code: str = Field(pattern=r"^\d{6}$")
    card_issue_number: str = Field(pattern=r"^[0-9A-F]{16}$")
    action: CardStatusAction
    reason: str = Field(default="", max_length=200)
    operator_id: str = Field(min_length=1, max_length=40)
    terminal_id: str = Field(min_length=1, max_length=40)


class JpkiChange(Strict):
    """異動等失効情報: a change of a person's record, from the national server, which J-LIS
    connects to JPKI (000 §2.3; §2.3 forbids 特定個人情報 on that link, so no 個人番号). The
    4情報 as they stand after the change; of a person with no certificate JPKI keeps only a
    keyed digest of them (to refuse an application made from older ones)."""

    update_id: str = Field(min_length=8, max_length=36)
    resident_code: str = Field(pattern=r"^\d{11}$")
    previous_resident_code: str | None = Field(default=None, pattern=r"^\d{11}$")
    name_kanji: str = Field(min_length=1, max_length=100)
    birth_date: dt.date
    sex: Sex
    address: str = Field(min_length=1, max_length=200)
    reason: ChangeReason
    change_date: dt.date
    lg_code: str | None = Field(default=None, pattern=r"^\d{6}$")  # where the person lives now
