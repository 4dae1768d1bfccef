"""Records between J-LIS's 個人番号カード管理システム (`card/`), the issuance contractor's
カード発行システム (`issuance/`) and the destination municipality (000 §2.4, §3.3 1-⑧/⑨,
C20–C22, File 3 items 75–95 and 112–116).

C20: J-LIS commissions one card per application received — the commission number and
contractor (90–91), the command (93), the expiry (94), and what goes on the chip (95
個人番号カード情報): the 住民票コード for the 住基 application and the card face for the
券面事項入力補助 application, signed by J-LIS, with the signer's certificate (the "key
information that does not depend on the user", 000 §2.4 (ii)). The card's JPKI keys are
not in it: they are made on the holder's side at 交付 (issue #15). C21: the contractor
reports the card made (or not) with its カード発行番号 and the chip's identification
(112–115); J-LIS answers whether it accepted the result, and only an accepted card is
shipped. C22: the card goes to the municipality of the destination address — a physical
delivery, whose electronic side here is the chip's contents, sent to that municipality's
register alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from juki.core.card_chip import ChipImage, TextItems
from juki.core.messages import Strict

COMMISSION_NUMBER = r"^\d{16}$"
APPLICATION_ID = r"^\d{23}$"
CARD_NUMBER = r"^[0-9A-F]{16}$"
MADE = "00"  # 処理結果コード: 正常


class ChipContents(Strict):
    """000 §4.3 item 95 個人番号カード情報: what J-LIS has the contractor write on the chip."""

    resident_code: str = Field(pattern=r"^\d{11}$")
    resident_code_signature: str = Field(pattern=r"^[0-9a-f]{512}$")  # RSA-2048, hex
    text: TextItems
    text_signature: str = Field(pattern=r"^[0-9a-f]{512}$")  # RSA-2048, hex
    signer_certificate: str = Field(min_length=100, max_length=4000)  # PEM


class CardCommission(Strict):
    """C20: one card to make."""

    commission_number: str = Field(pattern=COMMISSION_NUMBER)  # 90 発行委託番号
    contractor_code: str = Field(min_length=1, max_length=40)  # 91 事業者コード
    command: Literal["issue"]  # 93 コマンド (発行)
    expires_on: dt.date  # 94 有効期限 (as of the commission's day)
    application_id: str = Field(pattern=APPLICATION_ID)  # 65 申請書ID: the result's key
    lg_code: str = Field(pattern=r"^\d{6}$")  # where the card goes (C22)
    braille: bool = False  # 72 点字有無
    chip: ChipContents  # 95
    # 69 顔写真, printed on the card's face: the JPEG as the applicant sent it (base64) and
    # its SHA-256 as the application-receipt contractor gave it; none for an application
    # kept before File 3 held the image
    face_photo: str | None = Field(default=None, max_length=4 * 1024 * 1024)
    photo_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


class CardMade(Strict):
    """C21: the result for one commission (items 75–89 that the result fills, 92, 112–115)."""

    request_id: str = Field(min_length=1, max_length=40)  # 75 依頼管理番号
    commission_number: str = Field(pattern=COMMISSION_NUMBER)
    application_id: str = Field(pattern=APPLICATION_ID)
    result_code: str = Field(pattern=r"^\d{2}$")  # 79 処理結果コード ("00" made)
    operator_id: str = Field(min_length=1, max_length=40)  # 76 操作者ID
    terminal_id: str = Field(min_length=1, max_length=40)  # 77 操作端末ID
    card_issue_number: str | None = Field(default=None, pattern=CARD_NUMBER)  # 92
    expires_on: dt.date | None = None  # カード有効期限, as made
    juki_ap_id: str | None = Field(default=None, max_length=32)  # 112 住基AP識別情報
    crypto_id: str | None = Field(default=None, max_length=32)  # 113 暗号識別情報
    manufacturer_id: str | None = Field(default=None, max_length=32)  # 114
    card_image_number: str | None = Field(default=None, max_length=32)  # 115


class CardMadeAnswer(Strict):
    """J-LIS's answer to a result: accepted (the card may be shipped) or refused (why)."""

    commission_number: str = Field(pattern=COMMISSION_NUMBER)
    accepted: bool
    refused_code: str | None = Field(default=None, max_length=40)


class CardShipment(Strict):
    """C22: the card for the destination municipality, the chip as written."""

    commission_number: str = Field(pattern=COMMISSION_NUMBER)
    application_id: str = Field(pattern=APPLICATION_ID)
    lg_code: str = Field(pattern=r"^\d{6}$")
    shipped_on: dt.date
    chip: ChipImage


class ChipRewriteRequest(Strict):
    """The counter asks J-LIS for the chip's 券面事項入力補助 and 住基 applications again
    (through its CS): a locked or forgotten PIN of theirs (the data are sealed under it
    on the holder's card, so the counter writes them again under a new PIN), or a card
    face changed (券面記載事項の変更: a 転居 or a new name written on the card). By the
    card's number only, from the municipality that has the card."""

    request_id: str = Field(min_length=8, max_length=36)
    lg_code: str = Field(pattern=r"^\d{6}$")
    card_issue_number: str = Field(pattern=CARD_NUMBER)
    reason: Literal["pin_reset", "face_change"]
    operator_id: str = Field(min_length=1, max_length=40)
    terminal_id: str = Field(min_length=1, max_length=40)


class ChipRewrite(Strict):
    """J-LIS's answer: the chip's contents for this card as File 3 now holds them, signed
    again — or why not (the card not in use, not this municipality's)."""

    request_id: str = Field(min_length=8, max_length=36)
    lg_code: str = Field(pattern=r"^\d{6}$")
    card_issue_number: str = Field(pattern=CARD_NUMBER)
    result_code: str = Field(pattern=r"^\d{2}$")  # 00 = 正常, 90 = refused
    refused_reason: str | None = Field(default=None, max_length=100)
    chip: ChipImage | None = None
