"""The chip of a My Number card beside its JPKI application: the 券面事項入力補助 application
(the 個人番号 and the 4情報 printed on the card, signed by J-LIS, so that software can take
them from the card instead of a clerk typing them) and the 住基 application (the
住民票コード, read at the counter for 本人確認, 001a §3.5). J-LIS's card system writes
both into the issuance commission (000 §4.3 item 95 個人番号カード情報, C20); the issuance
contractor puts them on the card; the holder's card (`holder/`) keeps them sealed under
their PINs; readers take them out with APDUs (`reader/`).

What is public and what is juki's (docs/jpki.md): the two applications' AIDs, the
券面事項入力補助 EF numbers and their tags are as open-source reader software reads real
cards ([Inference]): AID D3 92 10 00 31 00 01 01 04 08; EF 0001 個人番号 (tag FF10), EF
0002 the 4情報 (FF20 holding DF22 氏名, DF23 住所, DF24 生年月日, DF25 性別), EF 0003 J-LIS's
signature (FF30 holding DF31/DF32, the SHA-256 of EF 0001 and EF 0002, and DF33 the
signature), EF 0004 the signer's certificate, EF 0011 the PIN. Juki's choices: the
signature is RSA PKCS#1 v1.5 with SHA-256 over DF31‖DF32 (the real card's exact input is
not public), EF 0004 is an X.509 certificate (the real one is a card-verifiable
certificate), DF21 (the real card's offsets) is left out. The 住基 application's AID, D3 92
10 00 31 00 01 01 04 01, is as reader software names it; its files are not in any public
record, so EF 0001 holding DF01 住民票コード, EF 0002 J-LIS's signature over it (FF31
holding DF33) and EF 0011 its PIN are juki's: without the signature, anyone who knows the
住基 PIN of a card file could seal another person's code into it and have the counter
confirm that person.

The TLV coding (BER, ISO/IEC 8825-1 §8.1) is written here: the card's tags are of the
private class, which `cryptography` has no encoder for, and the whole of it is ten lines.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pydantic import BaseModel, ConfigDict, Field

TEXT_AID = bytes.fromhex("D3921000310001010408")  # 券面事項入力補助AP
JUKI_AID = bytes.fromhex("D3921000310001010401")  # 住基AP
NUMBER_EF, FOUR_ITEMS_EF, SIGNATURE_EF, SIGNER_EF = 0x0001, 0x0002, 0x0003, 0x0004
RESIDENT_CODE_EF, RESIDENT_CODE_SIGNATURE_EF = 0x0001, 0x0002
PIN_EF = 0x0011  # both applications
FORMAT = "juki-card-chip/1"


class TextItems(BaseModel):
    """What the 券面事項入力補助 application holds: the card's face, as J-LIS signed it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    individual_number: str = Field(pattern=r"^\d{12}$")
    name: str = Field(min_length=1, max_length=100)
    address: str = Field(min_length=1, max_length=200)
    birth_date: dt.date
    sex: Literal["1", "2"]


class ChipImage(BaseModel):
    """What the issuance contractor writes on one card (000 §4.3 items 92, 95, 112–115):
    the card's number, the chip's identification, the two applications' data and J-LIS's
    signature over the 券面事項. Carries the 個人番号: it travels sealed (HPKE to the
    contractor, then in the card's box to the municipality) and is kept, on the holder's
    side, only under the 券面事項入力補助 PIN."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["juki-card-chip/1"] = "juki-card-chip/1"
    card_issue_number: str = Field(pattern=r"^[0-9A-F]{16}$")  # 92 カード発行番号
    juki_ap_id: str = Field(pattern=r"^[0-9A-F]{1,32}$")  # 112 住基AP識別情報
    crypto_id: str = Field(pattern=r"^[0-9A-Za-z-]{1,32}$")  # 113 暗号識別情報
    manufacturer_id: str = Field(pattern=r"^[0-9A-Za-z-]{1,32}$")  # 114 カード製造者識別情報
    card_image_number: str = Field(pattern=r"^[0-9A-Za-z-]{1,32}$")  # 115 カードイメージ番号
    resident_code: str = Field(pattern=r"^\d{11}$")  # the 住基 application
    resident_code_signature: str  # hex, J-LIS's signature over EF 0001 (juki's)
    text: TextItems  # the 券面事項入力補助 application
    text_signature: str  # hex, J-LIS's signature (EF 0003's DF33)
    signer_certificate: str  # PEM (EF 0004)


# --- BER TLV -------------------------------------------------------------------------------


def tlv(tag: bytes, value: bytes) -> bytes:
    size = len(value)
    if size < 0x80:
        length = bytes([size])
    elif size < 0x100:
        length = bytes([0x81, size])
    else:
        length = bytes([0x82]) + size.to_bytes(2, "big")
    return tag + length + value


def read_tlv(data: bytes, tag: bytes) -> tuple[bytes, bytes]:
    """The value of the TLV at the start of `data` with `tag`, and what follows it."""
    if not data.startswith(tag) or len(data) < len(tag) + 1:
        raise ValueError(f"tag {tag.hex()} expected")
    at = len(tag)
    first = data[at]
    if first < 0x80:
        size, at = first, at + 1
    elif first in (0x81, 0x82):
        count = first - 0x80
        size, at = int.from_bytes(data[at + 1 : at + 1 + count], "big"), at + 1 + count
    else:
        raise ValueError("length form not supported")
    if len(data) < at + size:
        raise ValueError("truncated")
    return data[at : at + size], data[at + size :]


# --- the 券面事項入力補助 application's files ----------------------------------------------


def number_file(text: TextItems) -> bytes:
    return tlv(b"\xff\x10", text.individual_number.encode("ascii"))


def four_items_file(text: TextItems) -> bytes:
    parts = (
        (b"\xdf\x22", text.name), (b"\xdf\x23", text.address),
        (b"\xdf\x24", text.birth_date.strftime("%Y%m%d")), (b"\xdf\x25", text.sex),
    )  # fmt: skip
    return tlv(b"\xff\x20", b"".join(tlv(tag, value.encode()) for tag, value in parts))


def _signed_part(number: bytes, four_items: bytes) -> bytes:
    return tlv(b"\xdf\x31", hashlib.sha256(number).digest()) + tlv(
        b"\xdf\x32", hashlib.sha256(four_items).digest()
    )


def sign_text(key: rsa.RSAPrivateKey, text: TextItems) -> bytes:
    """J-LIS's signature over the card's 券面事項 (the digests of EF 0001 and EF 0002)."""
    signed = _signed_part(number_file(text), four_items_file(text))
    return key.sign(signed, padding.PKCS1v15(), hashes.SHA256())


def signature_file(text: TextItems, signature: bytes) -> bytes:
    signed = _signed_part(number_file(text), four_items_file(text))
    return tlv(b"\xff\x30", signed + tlv(b"\xdf\x33", signature))


class NotGenuine(Exception):
    """The card's 券面事項 do not verify under J-LIS's key: nothing of them is to be used."""


def verified_text(
    number: bytes, four_items: bytes, signature: bytes, signer: x509.Certificate
) -> TextItems:
    """The 券面事項 read from a card's three files, once J-LIS's signature over them checks
    with `signer` (which the reader has from J-LIS, not from the card it is checking)."""
    try:
        inner, _ = read_tlv(signature, b"\xff\x30")
        number_hash, rest = read_tlv(inner, b"\xdf\x31")
        four_hash, rest = read_tlv(rest, b"\xdf\x32")
        signed_value, _ = read_tlv(rest, b"\xdf\x33")
        if (number_hash, four_hash) != (
            hashlib.sha256(number).digest(), hashlib.sha256(four_items).digest(),
        ):  # fmt: skip
            raise NotGenuine("券面事項のハッシュが一致しません")
        key = signer.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise NotGenuine("署名者の鍵がRSAではありません")
        key.verify(
            signed_value, _signed_part(number, four_items), padding.PKCS1v15(), hashes.SHA256()
        )
        return _parsed(number, four_items)
    except InvalidSignature:
        raise NotGenuine("券面事項の署名を確認できません") from None
    except ValueError:
        raise NotGenuine("券面事項の形式が正しくありません") from None


def _parsed(number: bytes, four_items: bytes) -> TextItems:
    digits, _ = read_tlv(number, b"\xff\x10")
    inner, _ = read_tlv(four_items, b"\xff\x20")
    values = []
    for tag in (b"\xdf\x22", b"\xdf\x23", b"\xdf\x24", b"\xdf\x25"):
        value, inner = read_tlv(inner, tag)
        values.append(value.decode())
    name, address, birth, sex = values
    return TextItems.model_validate(
        {"individual_number": digits.decode("ascii"), "name": name, "address": address,
         "birth_date": dt.datetime.strptime(birth, "%Y%m%d").date(), "sex": sex}
    )  # fmt: skip


# --- the 住基 application's file -----------------------------------------------------------


def resident_code_file(resident_code: str) -> bytes:
    return tlv(b"\xdf\x01", resident_code.encode("ascii"))


def resident_code_of(data: bytes) -> str:
    code, _ = read_tlv(data, b"\xdf\x01")
    return code.decode("ascii")


def sign_resident_code(key: rsa.RSAPrivateKey, resident_code: str) -> bytes:
    return key.sign(resident_code_file(resident_code), padding.PKCS1v15(), hashes.SHA256())


def resident_code_signature_file(signature: bytes) -> bytes:
    return tlv(b"\xff\x31", tlv(b"\xdf\x33", signature))


def verified_resident_code(data: bytes, signature: bytes, signer: x509.Certificate) -> str:
    """The 住民票コード of a card's 住基 application, once J-LIS's signature over its file
    checks with `signer` (which the reader has from J-LIS)."""
    try:
        inner, _ = read_tlv(signature, b"\xff\x31")
        signed_value, _ = read_tlv(inner, b"\xdf\x33")
        key = signer.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise NotGenuine("署名者の鍵がRSAではありません")
        key.verify(signed_value, data, padding.PKCS1v15(), hashes.SHA256())
        return resident_code_of(data)
    except InvalidSignature:
        raise NotGenuine("住民票コードの署名を確認できません") from None
    except (ValueError, UnicodeDecodeError):
        raise NotGenuine("住民票コードの形式が正しくありません") from None
