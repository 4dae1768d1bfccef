"""The 住基 application: the 住民票コード the counter reads for 本人確認 (001a §3.5 2-②)
and 特例転入, once the holder's 住基用 PIN is verified. The code is checked only for its
form here; whether it is the holder's is the national server's answer (`registry/notices/
identity_confirmations.py`)."""

from __future__ import annotations

from juki.core import card_chip
from juki.core.errors import InvalidInput
from juki.core.ids import validate_resident_code
from juki.reader.commands import CardError, Transmit, read_file, select_application, verify_pin


def read_resident_code(transmit: Transmit, pin: str) -> str:
    select_application(transmit, card_chip.JUKI_AID)
    verify_pin(transmit, card_chip.PIN_EF.to_bytes(2, "big"), pin)
    data = read_file(transmit, card_chip.RESIDENT_CODE_EF.to_bytes(2, "big"), "住民票コード")
    try:
        code = card_chip.resident_code_of(data)
        validate_resident_code(code)
    except (ValueError, InvalidInput):
        raise CardError("カードの住民票コードを読み取れません", "card_resident_code") from None
    return code
