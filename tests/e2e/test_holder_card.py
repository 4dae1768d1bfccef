"""The holder's card end to end (issue #15), on SQLite and PostgreSQL: at 墨田区's counter
the holder's virtual card makes its keys, the mayor applies with the public keys only, and
JPKI's certificates go onto the card; a relying party then accepts a signature made by
the card through a reader (APDU) and a log-in by its 利用者証明用 key — and refuses both
from the next request on once the card is suspended at the counter, and again for good
once it is abolished. The revoked credential that still authenticated, a real failure of
a peer platform, is exactly what these tests look for."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from fastapi.testclient import TestClient

from juki.holder.apdu import JPKI_AID, CardSession
from juki.holder.virtual_card import PinLocked, PinRefused, VirtualCard
from juki.network.embedded import EmbeddedNetwork
from tests.e2e.test_card_counter import report
from tests.jpki.helpers import (
    apply_for_certificates,
    ca_of,
    card_in_hand,
    relying_party,
    status_of,
)

SIGN_PIN, AUTH_PIN = "JUKI2026", "4831"
SHA256_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def holder_with_card(network: EmbeddedNetwork, folder: Path) -> tuple[VirtualCard, TestClient, str]:
    _rid, desk, number = card_in_hand(network)
    card = VirtualCard.create(folder / "holder.card", number, SIGN_PIN, AUTH_PIN)
    body = {f"{kind}_public_key": pem for kind, pem in card.public_keys.items()}
    answer = apply_for_certificates(network, desk, number, body)
    card.load_certificates(answer["sign_certificate"], answer["auth_certificate"])
    return card, desk, number


def signed_through_a_reader(card: VirtualCard, document: bytes) -> bytes:
    session = CardSession(card)
    for apdu in (
        bytes([0x00, 0xA4, 0x04, 0x0C, len(JPKI_AID)]) + JPKI_AID,
        bytes.fromhex("00A4020C02001B"),
        bytes([0x00, 0x20, 0x00, 0x80, len(SIGN_PIN)]) + SIGN_PIN.encode(),
        bytes.fromhex("00A4020C02001A"),
    ):
        assert session.transmit(apdu) == b"\x90\x00"
    info = SHA256_INFO + hashlib.sha256(document).digest()
    answer = session.transmit(bytes([0x80, 0x2A, 0x00, 0x80, len(info)]) + info + b"\x00")
    assert answer[-2:] == b"\x90\x00"
    return answer[:-2]


def accepts(
    party: TestClient, certificate: x509.Certificate, kind: str, data: bytes, signature: bytes
) -> bool:
    """What a relying party does: the certificate is the CA's, the signature is by its
    key, and the CA says, now, that the certificate is good."""
    certificate.verify_directly_issued_by(ca_of(party, kind))
    public = certificate.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(
        signature, hashlib.sha256(data).digest(), padding.PKCS1v15(), Prehashed(hashes.SHA256())
    )
    return status_of(party, certificate, kind) == "good"


def test_a_suspended_card_is_refused_by_the_relying_party_on_the_next_request(
    network: EmbeddedNetwork, tmp_path: Path
) -> None:
    card, desk, number = holder_with_card(network, tmp_path)
    party = relying_party(network)
    sign_cert, auth_cert = card.certificate("sign"), card.certificate("auth")
    assert sign_cert is not None
    assert auth_cert is not None
    document = "確定申告書".encode()
    challenge = os.urandom(32)
    assert accepts(party, sign_cert, "sign", document, signed_through_a_reader(card, document))
    assert accepts(party, auth_cert, "auth", challenge, card.authenticate(challenge, AUTH_PIN))
    report(network, desk, number, "suspended", "紛失")
    assert not accepts(party, sign_cert, "sign", document, signed_through_a_reader(card, document))
    assert not accepts(party, auth_cert, "auth", challenge, card.authenticate(challenge, AUTH_PIN))
    report(network, desk, number, "resumed")  # found again
    assert accepts(party, auth_cert, "auth", challenge, card.authenticate(challenge, AUTH_PIN))
    report(network, desk, number, "abolished", "破損")
    assert not accepts(party, auth_cert, "auth", challenge, card.authenticate(challenge, AUTH_PIN))


def test_no_pin_and_no_private_key_reach_any_server(
    network: EmbeddedNetwork, tmp_path: Path
) -> None:
    card, _desk, _number = holder_with_card(network, tmp_path)
    key = card.verify("auth", AUTH_PIN)
    private_numbers = str(key.private_numbers().d).encode()
    for node in network.nodes.values():
        database = node.db.engine.url.database
        if database and os.path.exists(database):  # SQLite: read the files whole
            blob = Path(database).read_bytes()
            for wal in (Path(database + "-wal"),):
                blob += wal.read_bytes() if wal.exists() else b""
            assert SIGN_PIN.encode() not in blob, node.node_id
            assert private_numbers[:40] not in blob, node.node_id


def test_a_locked_pin_is_replaced_at_the_counter_and_the_old_certificate_ends(
    network: EmbeddedNetwork, tmp_path: Path
) -> None:
    card, desk, number = holder_with_card(network, tmp_path)
    party = relying_party(network)
    old = card.certificate("auth")
    assert old is not None
    for _ in range(3):
        with pytest.raises(PinRefused):
            card.authenticate(b"c", "0000")
    with pytest.raises(PinLocked):
        card.authenticate(b"c", AUTH_PIN)
    public = card.reset_key("auth", "5902")  # at the counter, the holder's identity confirmed
    answer = apply_for_certificates(network, desk, number, {"auth_public_key": public})
    assert answer["sign_certificate"] is None
    card.load_certificates(None, answer["auth_certificate"])
    new = card.certificate("auth")
    assert new is not None
    challenge = os.urandom(32)
    assert accepts(party, new, "auth", challenge, card.authenticate(challenge, "5902"))
    assert status_of(party, old, "auth") == "revoked:superseded"
    sign_cert = card.certificate("sign")
    assert sign_cert is not None
    assert status_of(party, sign_cert, "sign") == "good"  # the other certificate stays
