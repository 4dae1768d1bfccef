"""The card's 券面事項入力補助 and 住基 applications (issue #15), read by the reader software
(`reader/`) through the virtual card's APDU answers (`holder/apdu.py`): each only after its
own PIN, the 券面事項 kept only when J-LIS's signature checks with the signer the reader
holds, every wrong PIN counted on the card, and a locked PIN opening nothing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from juki.core import card_chip
from juki.core.errors import InvalidInput
from juki.holder.apdu import CardSession
from juki.holder.virtual_card import VirtualCard
from juki.reader.commands import CardError
from juki.reader.juki_ap import read_resident_code
from juki.reader.text import read_text
from tests.holder.helpers import (
    AUTH_PIN,
    JUKI_PIN,
    NUMBER,
    SIGN_PIN,
    TEXT_PIN,
    card_with_chip,
    chip_for,
    new_card,
    signer,
)

KEY, SIGNER = signer()


@pytest.fixture
def card(tmp_path: Path) -> VirtualCard:
    return card_with_chip(tmp_path, chip_for(KEY, SIGNER))


def test_the_counter_reads_the_resident_code_with_its_pin(card: VirtualCard) -> None:
    assert read_resident_code(CardSession(card).transmit, JUKI_PIN, SIGNER) == "12345678903"


def test_the_text_application_gives_the_card_face_once_j_lis_signature_checks(
    card: VirtualCard,
) -> None:
    text = read_text(CardSession(card).transmit, TEXT_PIN, SIGNER)
    assert text.individual_number == "123456789018"
    assert (text.name, text.birth_date, text.sex) == ("墨田　花子", dt.date(1990, 4, 1), "2")


def test_another_person_s_code_sealed_into_the_card_is_refused(tmp_path: Path) -> None:
    """Whoever knows a card file's 住基 PIN can seal any code into it; the code is taken
    only with J-LIS's signature over it (attack review)."""
    genuine = chip_for(KEY, SIGNER)
    swapped = genuine.model_copy(update={"resident_code": "98765432109"[:10] + "4"})
    card = card_with_chip(tmp_path, swapped)
    with pytest.raises(CardError) as refused:
        read_resident_code(CardSession(card).transmit, JUKI_PIN, SIGNER)
    assert refused.value.code == "not_genuine"


def test_a_signer_other_than_j_lis_is_refused(card: VirtualCard) -> None:
    """A card whose 券面事項 were signed by anyone but J-LIS (here: its own key, offered on
    the card) gives nothing: the reader checks with the signer it holds."""
    _other_key, other = signer()
    with pytest.raises(CardError) as refused:
        read_text(CardSession(card).transmit, TEXT_PIN, other)
    assert refused.value.code == "not_genuine"


def test_a_card_face_changed_after_signing_is_refused(tmp_path: Path) -> None:
    """The 4情報 changed on the chip (here: the name), the signature left as J-LIS made it."""
    genuine = chip_for(KEY, SIGNER)
    forged = genuine.model_copy(update={"text": genuine.text.model_copy(update={"name": "別人"})})
    card = card_with_chip(tmp_path, forged)
    with pytest.raises(CardError) as refused:
        read_text(CardSession(card).transmit, TEXT_PIN, SIGNER)
    assert refused.value.code == "not_genuine"


def test_each_application_needs_its_own_pin(card: VirtualCard) -> None:
    """The 住基用 PIN does not open the 券面事項入力補助 application, and each wrong try is
    counted on that application's PIN only."""
    with pytest.raises(CardError) as wrong:
        read_text(CardSession(card).transmit, JUKI_PIN, SIGNER)
    assert wrong.value.code == "pin_wrong"
    on_disk = VirtualCard.load(card.path).tries_left
    assert on_disk == {"sign": 5, "auth": 3, "text": 2, "juki": 3}


def test_files_are_not_read_before_the_pin(card: VirtualCard) -> None:
    session = CardSession(card)
    assert session.transmit(b"\x00\xa4\x04\x0c\x0a" + card_chip.TEXT_AID) == b"\x90\x00"
    assert session.transmit(b"\x00\xa4\x02\x0c\x02\x00\x01") == b"\x90\x00"
    assert session.transmit(b"\x00\xb0\x00\x00\x00") == b"\x69\x82"
    # J-LIS's certificate (EF 0004) is public, as on the card
    assert session.transmit(b"\x00\xa4\x02\x0c\x02\x00\x04") == b"\x90\x00"
    assert session.transmit(b"\x00\xb0\x00\x00\x00")[-2:] == b"\x90\x00"


def test_a_locked_pin_opens_nothing_even_the_right_one(card: VirtualCard) -> None:
    for _ in range(3):
        with pytest.raises(CardError):
            read_resident_code(CardSession(card).transmit, "0000", SIGNER)
    with pytest.raises(CardError) as locked:
        read_resident_code(CardSession(card).transmit, JUKI_PIN, SIGNER)
    assert locked.value.code == "pin_locked"
    # the other applications are untouched
    assert read_text(CardSession(card).transmit, TEXT_PIN, SIGNER).name == "墨田　花子"


def test_opening_an_application_ends_the_other_application_s_status(card: VirtualCard) -> None:
    """SELECT of another application clears what a PIN opened: a reader cannot read the
    住基 file on the strength of the 券面事項入力補助 PIN."""
    session = CardSession(card)
    read_text(session.transmit, TEXT_PIN, SIGNER)
    assert session.transmit(b"\x00\xa4\x04\x0c\x0a" + card_chip.JUKI_AID) == b"\x90\x00"
    assert session.transmit(b"\x00\xa4\x02\x0c\x02\x00\x01") == b"\x90\x00"
    assert session.transmit(b"\x00\xb0\x00\x00\x00") == b"\x69\x82"


def test_a_card_without_the_chip_data_has_no_such_application(tmp_path: Path) -> None:
    card = new_card(tmp_path)
    with pytest.raises(CardError) as missing:
        read_resident_code(CardSession(card).transmit, JUKI_PIN, SIGNER)
    assert missing.value.code == "card_6a82"


def test_the_file_keeps_nothing_of_the_chip_in_clear(card: VirtualCard) -> None:
    """No 個人番号, 住民票コード or name in the holder's file: sealed under the PINs."""
    text = card.path.read_text()
    for secret in ("123456789018", "12345678903", "墨田", TEXT_PIN, JUKI_PIN):
        assert secret not in text
    assert json.loads(text)["applications"].keys() == {"text", "juki"}


def test_the_chip_s_pins_follow_their_rule_and_must_be_set(tmp_path: Path) -> None:
    chip = chip_for(KEY, SIGNER)
    with pytest.raises(InvalidInput) as short:
        VirtualCard.create(
            tmp_path / "a.card", NUMBER, SIGN_PIN, AUTH_PIN, chip=chip, text_pin="12",
            juki_pin=JUKI_PIN,
        )  # fmt: skip
    assert short.value.field == "text_pin"
    with pytest.raises(InvalidInput) as unset:
        VirtualCard.create(tmp_path / "b.card", NUMBER, SIGN_PIN, AUTH_PIN, chip=chip)
    assert unset.value.field == "text_pin"
    assert not (tmp_path / "a.card").exists()
    assert not (tmp_path / "b.card").exists()


def test_change_pin_of_an_application(card: VirtualCard) -> None:
    card.change_pin("juki", JUKI_PIN, "9090")
    assert read_resident_code(CardSession(card).transmit, "9090", SIGNER) == "12345678903"
    with pytest.raises(CardError):
        read_resident_code(CardSession(card).transmit, JUKI_PIN, SIGNER)


@settings(deadline=None)  # an RSA signature per example; the first can be slow
@given(
    st.text(min_size=1, max_size=100).filter(lambda s: s.strip() == s and "\x00" not in s),
    st.text(min_size=1, max_size=200),
)
def test_the_card_face_files_round_trip(name: str, address: str) -> None:
    """Any name and address (long ones need the two-byte BER length) read back as written,
    and a flipped byte of the 4情報 file breaks the signature."""
    items = card_chip.TextItems(
        individual_number="123456789018", name=name, address=address,
        birth_date=dt.date(2001, 2, 3), sex="1",
    )  # fmt: skip
    number, four = card_chip.number_file(items), card_chip.four_items_file(items)
    signature = card_chip.signature_file(items, card_chip.sign_text(KEY, items))
    assert card_chip.verified_text(number, four, signature, SIGNER) == items
    flipped = four[:-1] + bytes([four[-1] ^ 1])
    with pytest.raises(card_chip.NotGenuine):
        card_chip.verified_text(number, flipped, signature, SIGNER)
