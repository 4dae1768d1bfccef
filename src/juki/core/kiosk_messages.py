"""Records of 証明書自動交付 (コンビニ交付: 001a §2.6 System 6, 001b F-CONV and I-26): a
kiosk terminal → J-LIS's 証明書交付センター (`kiosk/`) → the holder's municipality's
証明書自動交付システム (`registry/kiosk/`) → the centre → the kiosk.

The person is identified by the 利用者証明用電子証明書 on their card (001a §6 "Identifies
the person at the kiosk"): the kiosk's card reader has the card sign the centre's challenge
after the holder typed the PIN into the card (the PIN never leaves the terminal), the
centre checks the signature, asks JPKI whether the certificate is good now and whose
municipality it is, and asks that municipality. The municipality finds the holder by the
card, not by anything the kiosk says, so no record carries the 4情報, the 住民票コード or
the 個人番号.

The PDF is sealed by the municipality to a key the terminal made for this one session
(HPKE, RFC 9180, `seal_document`), so the centre relays what it cannot read [juki's
choice: the seeds say only that S11 sends the PDF to S12, which sends it to the kiosk],
and a PDF sealed for one session cannot be opened by another terminal's session.
"""

from __future__ import annotations

import base64
from typing import Final, Literal

from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from pydantic import Field

from juki.core.messages import Strict

SESSION_ID = r"^[0-9a-f]{32}$"
CARD_NUMBER = r"^[0-9A-F]{16}$"
SERIAL = r"^[0-9a-f]{1,40}$"
X25519_KEY_B64 = r"^[A-Za-z0-9_-]{43}=$"  # 32 bytes, URL-safe base64
ISSUED: Final = "00"
REFUSED: Final = "90"
DocumentKind = Literal["copy", "entries"]  # 住民票の写し, 住民票記載事項証明書
Scope = Literal["person", "household"]  # 本人のみ, 世帯全員
# JPKI's verdict on the presented certificate
Verdict = Literal["good", "on_hold", "revoked", "expired", "unknown", "not_auth"]

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM)


class KioskIdentify(Strict):
    """センター → JPKI: is this 利用者証明用 certificate one JPKI issued, good now, and of
    which municipality's mayor (who applied for it, and who holds the card)?"""

    session_id: str = Field(pattern=SESSION_ID)
    certificate: str = Field(min_length=100, max_length=4000)  # DER, base64


class KioskIdentified(Strict):
    session_id: str = Field(pattern=SESSION_ID)
    verdict: Verdict
    lg_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    card_issue_number: str | None = Field(default=None, pattern=CARD_NUMBER)
    serial: str | None = Field(default=None, pattern=SERIAL)


class KioskRequest(Strict):
    """センター → the municipality: the certificate asked for at the kiosk, for the holder
    of this card (the municipality's own record of the card and its 利用者証明用
    certificate decides who that is), sealed to the terminal's session key."""

    session_id: str = Field(pattern=SESSION_ID)
    card_issue_number: str = Field(pattern=CARD_NUMBER)
    serial: str = Field(pattern=SERIAL)
    kind: DocumentKind
    scope: Scope
    include_individual_number: bool
    include_domicile: bool
    terminal_id: str = Field(min_length=1, max_length=40)
    terminal_key: str = Field(pattern=X25519_KEY_B64)


class KioskDocument(Strict):
    """The municipality's answer: the PDF sealed to the session's key and the fee, or `90`
    with a reason the kiosk may show (no personal data either way)."""

    session_id: str = Field(pattern=SESSION_ID)
    result: Literal["00", "90"]
    issue_no: str | None = Field(default=None, max_length=20)
    fee_yen: int = Field(default=0, ge=0, le=10_000)
    sealed_pdf: str | None = Field(default=None, max_length=2_000_000)  # base64
    refused_code: str | None = Field(default=None, max_length=40)
    refused_reason: str | None = Field(default=None, max_length=200)


class KioskOutcome(Strict):
    """センター → the municipality: whether the document it made reached the kiosk (the
    terminal collected it) or not (the session ended first). The municipality takes the
    fee, and its 交付履歴 says handed over, only on the first."""

    session_id: str = Field(pattern=SESSION_ID)
    issue_no: str = Field(min_length=1, max_length=20)
    delivered: bool


def key_text(key: X25519PublicKey) -> str:
    return base64.urlsafe_b64encode(key.public_bytes_raw()).decode()


def _info(session_id: str) -> bytes:
    return f"juki kiosk document v1 {session_id}".encode()


class UnusableKey(ValueError):
    pass


def seal_document(pdf: bytes, terminal_key: str, session_id: str) -> str:
    """Seal a PDF to the terminal's session key, bound to the session (RFC 9180 `info`).
    Raises `UnusableKey` for a key nothing can be sealed to (not 32 bytes of base64, or a
    low-order point such as all zeros: X25519 refuses the shared secret)."""
    try:
        key = X25519PublicKey.from_public_bytes(
            base64.urlsafe_b64decode(terminal_key.encode("ascii"))
        )
        return base64.b64encode(SUITE.encrypt(pdf, key, info=_info(session_id))).decode()
    except (ValueError, UnicodeError) as bad:  # binascii.Error is a ValueError
        raise UnusableKey(str(bad)) from None


def open_document(sealed: str, private_key: X25519PrivateKey, session_id: str) -> bytes:
    """The terminal's side; raises if the PDF was sealed for another key or session."""
    return SUITE.decrypt(base64.b64decode(sealed), private_key, info=_info(session_id))
