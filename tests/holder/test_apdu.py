"""The virtual card answers a reader's ISO/IEC 7816-4 commands to the JPKI application as a
card does (issue #15): SELECT, VERIFY (with the tries-left query), READ BINARY of the
certificates (the 署名用 one only after its PIN), COMPUTE DIGITAL SIGNATURE over a
DigestInfo; malformed and out-of-order commands get their status words and change
nothing but a PIN's count."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from hypothesis import given, settings
from hypothesis import strategies as st

from juki.holder.apdu import JPKI_AID, CardSession
from juki.holder.virtual_card import VirtualCard
from tests.holder.helpers import AUTH_PIN, SIGN_PIN, certificate_for, new_card

SELECT_JPKI = bytes([0x00, 0xA4, 0x04, 0x0C, len(JPKI_AID)]) + JPKI_AID
SHA256_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def select_ef(ef: int) -> bytes:
    return bytes([0x00, 0xA4, 0x02, 0x0C, 0x02]) + ef.to_bytes(2, "big")


def verify(pin: str) -> bytes:
    return bytes([0x00, 0x20, 0x00, 0x80, len(pin)]) + pin.encode()


def read(offset: int, size: int) -> bytes:
    return bytes([0x00, 0xB0, offset >> 8, offset & 0xFF, size % 256])


def sign(digest_info: bytes) -> bytes:
    return bytes([0x80, 0x2A, 0x00, 0x80, len(digest_info)]) + digest_info + b"\x00"


@pytest.fixture
def card(tmp_path: Path) -> VirtualCard:
    made = new_card(tmp_path)
    keys = {
        k: serialization.load_pem_public_key(made.public_keys[k].encode()) for k in ("sign", "auth")
    }
    assert isinstance(keys["sign"], rsa.RSAPublicKey)
    assert isinstance(keys["auth"], rsa.RSAPublicKey)
    made.load_certificates(certificate_for(keys["sign"]), certificate_for(keys["auth"]))
    return made


def read_whole(session: CardSession) -> bytes:
    data, offset = b"", 0
    while True:
        answer = session.transmit(read(offset, 0))
        data += answer[:-2]
        offset += len(answer) - 2
        if answer[-2:] != b"\x90\x00":
            assert answer[-2:] == b"\x62\x82"
            return data


def test_a_reader_reads_the_certificates_and_has_the_card_sign(card: VirtualCard) -> None:
    session = CardSession(card)
    assert session.transmit(SELECT_JPKI) == b"\x90\x00"
    assert session.transmit(select_ef(0x000A)) == b"\x90\x00"
    auth_der = read_whole(session)
    assert x509.load_der_x509_certificate(auth_der) == card.certificate("auth")
    assert session.transmit(select_ef(0x0001)) == b"\x90\x00"
    assert session.transmit(read(0, 0)) == b"\x69\x82"  # the 4情報: the PIN first
    assert session.transmit(select_ef(0x001B)) == b"\x90\x00"
    assert session.transmit(verify(SIGN_PIN)) == b"\x90\x00"
    assert session.transmit(select_ef(0x0001)) == b"\x90\x00"
    assert x509.load_der_x509_certificate(read_whole(session)) == card.certificate("sign")
    assert session.transmit(select_ef(0x001A)) == b"\x90\x00"
    digest = hashlib.sha256("申請書".encode()).digest()
    answer = session.transmit(sign(SHA256_INFO + digest))
    assert answer[-2:] == b"\x90\x00"
    public = card.certificate("sign").public_key()  # type: ignore[union-attr]
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(answer[:-2], digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))


def test_the_pin_count_through_the_reader(card: VirtualCard) -> None:
    session = CardSession(card)
    session.transmit(SELECT_JPKI)
    session.transmit(select_ef(0x0018))
    assert session.transmit(bytes([0x00, 0x20, 0x00, 0x80])) == b"\x63\xc3"  # 3 left
    assert session.transmit(verify("0000")) == b"\x63\xc2"
    assert session.transmit(verify("0000")) == b"\x63\xc1"
    assert session.transmit(verify(AUTH_PIN)) == b"\x90\x00"
    for left in (2, 1):
        assert session.transmit(verify("0000")) == bytes([0x63, 0xC0 | left])
    assert session.transmit(verify("0000")) == b"\x69\x83"  # blocked
    assert session.transmit(verify(AUTH_PIN)) == b"\x69\x83"
    session.transmit(select_ef(0x0017))
    assert session.transmit(sign(SHA256_INFO + bytes(32))) == b"\x69\x82"  # key closed


def test_what_a_card_refuses(card: VirtualCard) -> None:
    session = CardSession(card)
    assert session.transmit(select_ef(0x000A)) == b"\x6a\x82"  # no application selected
    unknown_aid = bytes([0x00, 0xA4, 0x04, 0x0C, 0x03, 0xA0, 0x00, 0x01])
    assert session.transmit(unknown_aid) == b"\x6a\x82"
    assert session.transmit(SELECT_JPKI) == b"\x90\x00"
    assert session.transmit(select_ef(0x0002)) == b"\x6a\x82"  # no CA certificate here
    assert session.transmit(b"\x00\xa4") == b"\x67\x00"  # truncated
    assert session.transmit(bytes([0x00, 0x20, 0x00, 0x80, 0x05, 0x31])) == b"\x67\x00"  # Lc wrong
    assert session.transmit(bytes([0x90, 0xB0, 0x00, 0x00, 0x00])) == b"\x6e\x00"
    assert session.transmit(bytes([0x00, 0xCA, 0x00, 0x00, 0x00])) == b"\x6d\x00"
    assert session.transmit(verify(AUTH_PIN)) == b"\x69\x86"  # no PIN EF selected
    session.transmit(select_ef(0x0018))
    assert session.transmit(verify(AUTH_PIN)) == b"\x90\x00"
    session.transmit(select_ef(0x0017))
    sha1_info = bytes.fromhex("3021300906052b0e03021a05000414") + bytes(20)
    assert session.transmit(sign(sha1_info)) == b"\x6a\x80"  # no SHA-1 signatures
    bad_p2 = bytes([0x80, 0x2A, 0x00, 0x81, len(SHA256_INFO) + 32]) + SHA256_INFO + bytes(32)
    assert session.transmit(bad_p2) == b"\x6b\x00"
    session.transmit(select_ef(0x000A))
    assert session.transmit(read(0x7000, 16)) == b"\x6b\x00"  # past the end of the file
    assert session.transmit(read(0x8100, 16)) == b"\x6b\x00"  # a short EF id: not supported
    assert session.transmit(SELECT_JPKI) == b"\x90\x00"  # a new selection closes the keys
    session.transmit(select_ef(0x0017))
    assert session.transmit(sign(SHA256_INFO + bytes(32))) == b"\x69\x82"
    assert VirtualCard.load(card.path).tries_left == {"sign": 5, "auth": 3}


@settings(max_examples=300, deadline=None)
@given(apdu=st.binary(max_size=40))
def test_any_bytes_get_a_status_word_and_never_a_secret(
    tmp_path_factory: pytest.TempPathFactory, apdu: bytes
) -> None:
    session = CardSession(VirtualCard.load(_shared_card(tmp_path_factory).path))
    session.transmit(SELECT_JPKI)
    answer = session.transmit(apdu)
    assert len(answer) >= 2
    assert answer[-2] in (0x90, 0x62, 0x63, 0x67, 0x69, 0x6A, 0x6B, 0x6D, 0x6E)


_CARDS: dict[str, VirtualCard] = {}


def _shared_card(factory: pytest.TempPathFactory) -> VirtualCard:
    """One card for the fuzzing (made once: RSA keys take a while)."""
    if "card" not in _CARDS:
        _CARDS["card"] = new_card(factory.mktemp("fuzz"))
    return _CARDS["card"]
