"""The commands every application's reading shares: SELECT, VERIFY of a PIN, READ BINARY of
a whole file, and the status words turned into what a person is told (Japanese)."""

from __future__ import annotations

from collections.abc import Callable

Transmit = Callable[[bytes], bytes]

OK, END_OF_FILE = b"\x90\x00", b"\x62\x82"
BLOCKED = b"\x69\x83"
MAX_FILE = 4096


class CardError(Exception):
    """What the screen tells the holder (Japanese); no PIN, nothing of the card's data."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


def check(answer: bytes, what: str) -> bytes:
    if answer[-2:] != OK:
        raise CardError(f"カードを読み取れません（{what}）", f"card_{answer[-2:].hex()}")
    return answer[:-2]


def select_application(transmit: Transmit, aid: bytes) -> None:
    check(transmit(bytes([0x00, 0xA4, 0x04, 0x0C, len(aid)]) + aid), "AP")


def select_ef(transmit: Transmit, ef: bytes) -> None:
    check(transmit(b"\x00\xa4\x02\x0c\x02" + ef), "EF")


def verify_pin(transmit: Transmit, pin_ef: bytes, pin: str) -> None:
    """VERIFY the PIN of the selected application. A wrong PIN tells how many tries are
    left (63 Cx); a locked one sends the holder to the counter."""
    if not (len(pin) == 4 and pin.isascii() and pin.isdigit()):
        raise CardError("暗証番号は数字4桁です", "pin_format")
    select_ef(transmit, pin_ef)
    answer = transmit(bytes([0x00, 0x20, 0x00, 0x80, 4]) + pin.encode())
    if answer == BLOCKED:
        raise CardError(
            "暗証番号がロックされています。お住まいの市区町村の窓口で再設定してください",
            "pin_locked",
        )
    if answer[:1] == b"\x63" and answer[1] & 0xF0 == 0xC0:
        raise CardError(f"暗証番号が違います（残り{answer[1] & 0x0F}回）", "pin_wrong")
    check(answer, "暗証番号")


def read_file(transmit: Transmit, ef: bytes, what: str) -> bytes:
    """The selected application's file `ef`, read 256 bytes at a time (READ BINARY with an
    offset in P1–P2) until the card says the file ended."""
    select_ef(transmit, ef)
    data = b""
    while len(data) < MAX_FILE:
        answer = transmit(bytes([0x00, 0xB0, len(data) >> 8, len(data) & 0xFF, 0x00]))
        if answer[-2:] not in (OK, END_OF_FILE):
            check(answer, what)
        data += answer[:-2]
        if answer[-2:] == END_OF_FILE or len(answer) - 2 < 256:
            return data
    raise CardError(f"カードを読み取れません（{what}）", "card_file_too_long")
