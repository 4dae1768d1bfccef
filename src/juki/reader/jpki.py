"""The JPKI application (AID and EF numbers [Inference], see docs/jpki.md and
`holder/apdu.py`): read the 利用者証明用 certificate and have the card sign with its key
once the holder's PIN opened it."""

from __future__ import annotations

from juki.reader.commands import (
    CardError,
    Transmit,
    check,
    read_file,
    select_application,
    select_ef,
    verify_pin,
)

JPKI_AID = bytes.fromhex("D392F000260100000001")
AUTH_CERTIFICATE_EF = b"\x00\x0a"
AUTH_KEY_EF = b"\x00\x17"
AUTH_PIN_EF = b"\x00\x18"

__all__ = ["CardError", "Transmit", "read_auth_certificate", "sign_with_auth_key"]


def read_auth_certificate(transmit: Transmit) -> bytes:
    """The 利用者証明用 certificate (DER)."""
    select_application(transmit, JPKI_AID)
    return read_file(transmit, AUTH_CERTIFICATE_EF, "証明書")


def sign_with_auth_key(transmit: Transmit, pin: str, digest_info: bytes) -> bytes:
    """VERIFY the 利用者証明用 PIN on the card, then COMPUTE DIGITAL SIGNATURE over the
    DigestInfo with its key."""
    if not (len(pin) == 4 and pin.isascii() and pin.isdigit()):
        raise CardError("暗証番号は数字4桁です", "pin_format")
    select_application(transmit, JPKI_AID)
    verify_pin(transmit, AUTH_PIN_EF, pin)
    select_ef(transmit, AUTH_KEY_EF)
    command = bytes([0x80, 0x2A, 0x00, 0x80, len(digest_info)]) + digest_info + b"\x00"
    return check(transmit(command), "署名")
