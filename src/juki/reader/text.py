"""The 券面事項入力補助 application: the 個人番号 and the 4情報 as printed on the card,
taken from the chip once its PIN is verified and kept only if J-LIS's signature over them
checks with the signer certificate the reader holds from J-LIS — never the one the card
offers (EF 0004), which a forged card would offer too (`core/card_chip.py`)."""

from __future__ import annotations

from cryptography import x509

from juki.core import card_chip
from juki.reader.commands import CardError, Transmit, read_file, select_application, verify_pin


def _ef(number: int) -> bytes:
    return number.to_bytes(2, "big")


def read_text(transmit: Transmit, pin: str, signer: x509.Certificate) -> card_chip.TextItems:
    select_application(transmit, card_chip.TEXT_AID)
    verify_pin(transmit, _ef(card_chip.PIN_EF), pin)
    number = read_file(transmit, _ef(card_chip.NUMBER_EF), "個人番号")
    four_items = read_file(transmit, _ef(card_chip.FOUR_ITEMS_EF), "券面事項")
    signature = read_file(transmit, _ef(card_chip.SIGNATURE_EF), "署名")
    try:
        return card_chip.verified_text(number, four_items, signature, signer)
    except card_chip.NotGenuine as refused:
        raise CardError(f"カードの券面事項を確認できません（{refused}）", "not_genuine") from None
