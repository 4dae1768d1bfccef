"""The 住基 application: the 住民票コード the counter reads for 本人確認 (001a §3.5 2-②)
and 特例転入, once the holder's 住基用 PIN is verified, kept only if J-LIS's signature over
it checks with the signer certificate the reader holds from J-LIS (`core/card_chip.py`).
Whether the code is the holder's is the national server's answer (`registry/notices/
identity_confirmations.py`) and the clerk's look at the card's photo."""

from __future__ import annotations

from cryptography import x509

from juki.core import card_chip
from juki.reader.commands import CardError, Transmit, read_file, select_application, verify_pin


def read_resident_code(transmit: Transmit, pin: str, signer: x509.Certificate) -> str:
    select_application(transmit, card_chip.JUKI_AID)
    verify_pin(transmit, card_chip.PIN_EF.to_bytes(2, "big"), pin)
    data = read_file(transmit, card_chip.RESIDENT_CODE_EF.to_bytes(2, "big"), "住民票コード")
    signature = read_file(transmit, card_chip.RESIDENT_CODE_SIGNATURE_EF.to_bytes(2, "big"), "署名")
    try:
        return card_chip.verified_resident_code(data, signature, signer)
    except card_chip.NotGenuine as refused:
        raise CardError(
            f"カードの住民票コードを確認できません（{refused}）", "not_genuine"
        ) from None
