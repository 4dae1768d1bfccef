"""The terminal's card reader: the ISO/IEC 7816-4 commands it sends the card's JPKI
application (the same as `holder/apdu.py` answers; AID and EF numbers [Inference], see
docs/jpki.md) to read the 利用者証明用 certificate and have the card sign with its key once
the holder's PIN opened it. Works with anything that answers APDUs (`Transmit`)."""

from __future__ import annotations

from collections.abc import Callable

Transmit = Callable[[bytes], bytes]

JPKI_AID = bytes.fromhex("D392F000260100000001")
AUTH_CERTIFICATE_EF = b"\x00\x0a"
AUTH_KEY_EF = b"\x00\x17"
AUTH_PIN_EF = b"\x00\x18"
OK, END_OF_FILE = b"\x90\x00", b"\x62\x82"
MAX_CERTIFICATE = 4096


class CardError(Exception):
    """What the screen tells the holder (Japanese); no PIN, nothing of the card's data."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


def _check(answer: bytes, what: str) -> bytes:
    if answer[-2:] != OK:
        raise CardError(f"カードを読み取れません（{what}）", f"card_{answer[-2:].hex()}")
    return answer[:-2]


def _select_ef(transmit: Transmit, ef: bytes) -> None:
    _check(transmit(b"\x00\xa4\x02\x0c\x02" + ef), "EF")


def select_application(transmit: Transmit) -> None:
    _check(transmit(bytes([0x00, 0xA4, 0x04, 0x0C, len(JPKI_AID)]) + JPKI_AID), "AP")


def read_auth_certificate(transmit: Transmit) -> bytes:
    """The 利用者証明用 certificate (DER), read 256 bytes at a time (READ BINARY with an
    offset in P1–P2) until the card says the file ended."""
    select_application(transmit)
    _select_ef(transmit, AUTH_CERTIFICATE_EF)
    der = b""
    while len(der) < MAX_CERTIFICATE:
        answer = transmit(bytes([0x00, 0xB0, len(der) >> 8, len(der) & 0xFF, 0x00]))
        if answer[-2:] not in (OK, END_OF_FILE):
            _check(answer, "証明書")
        der += answer[:-2]
        if answer[-2:] == END_OF_FILE or len(answer) - 2 < 256:
            return der
    raise CardError("カードを読み取れません（証明書）", "card_certificate_too_long")


def sign_with_auth_key(transmit: Transmit, pin: str, digest_info: bytes) -> bytes:
    """VERIFY the 利用者証明用 PIN on the card, then COMPUTE DIGITAL SIGNATURE over the
    DigestInfo with its key. A wrong PIN tells how many tries are left (63 Cx)."""
    if not (len(pin) == 4 and pin.isascii() and pin.isdigit()):
        raise CardError("暗証番号は数字4桁です", "pin_format")
    select_application(transmit)
    _select_ef(transmit, AUTH_PIN_EF)
    answer = transmit(bytes([0x00, 0x20, 0x00, 0x80, 4]) + pin.encode())
    if answer == b"\x69\x83":
        raise CardError(
            "暗証番号がロックされています。お住まいの市区町村の窓口で再設定してください",
            "pin_locked",
        )
    if answer[:1] == b"\x63" and answer[1] & 0xF0 == 0xC0:
        raise CardError(f"暗証番号が違います（残り{answer[1] & 0x0F}回）", "pin_wrong")
    _check(answer, "暗証番号")
    _select_ef(transmit, AUTH_KEY_EF)
    command = bytes([0x80, 0x2A, 0x00, 0x80, len(digest_info)]) + digest_info + b"\x00"
    return _check(transmit(command), "署名")
