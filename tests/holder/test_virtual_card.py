"""The holder's virtual card (issue #15): PINs by their rules, counted before they are
tried and locked at zero, a right PIN restoring the count; nothing secret in the file in
clear; certificates only for the card's own keys."""

from __future__ import annotations

import base64
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from juki.core.errors import InvalidInput
from juki.holder import sealing
from juki.holder.virtual_card import PinLocked, PinRefused, VirtualCard
from tests.holder.helpers import AUTH_PIN, NUMBER, SIGN_PIN, certificate_for, new_card


def test_pins_follow_their_rules(tmp_path: Path) -> None:
    for sign_pin in ("ABC12", "abc123", "ABCDEF", "123456", "ABCDEFGHIJ1234567"):
        with pytest.raises(InvalidInput) as refused:
            VirtualCard.create(tmp_path / f"{sign_pin}.card", NUMBER, sign_pin, AUTH_PIN)
        assert refused.value.field == "sign_pin"
    for auth_pin in ("123", "12345", "12a4"):
        with pytest.raises(InvalidInput) as refused:
            VirtualCard.create(tmp_path / f"{auth_pin}.card", NUMBER, SIGN_PIN, auth_pin)
        assert refused.value.field == "auth_pin"
    assert not list(tmp_path.iterdir())  # nothing written for a refused card


def test_the_signing_pin_locks_after_five_wrong_tries(tmp_path: Path) -> None:
    card = new_card(tmp_path)
    for left in (4, 3, 2, 1):
        with pytest.raises(PinRefused) as wrong:
            card.sign(b"x", "WRONG1")
        assert wrong.value.tries_left == left
    card.sign(b"x", SIGN_PIN)  # a right PIN before the lock restores the count
    assert VirtualCard.load(card.path).tries_left["sign"] == 5
    for _ in range(5):
        with pytest.raises(PinRefused):
            card.sign(b"x", "WRONG1")
    again = VirtualCard.load(card.path)  # the lock is in the file, not the process
    assert again.tries_left["sign"] == 0
    with pytest.raises(PinLocked):
        again.sign(b"x", SIGN_PIN)
    assert again.authenticate(b"challenge", AUTH_PIN)  # the other PIN is not touched


def test_a_try_is_counted_before_it_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process killed while the PIN is being tried still spent the try."""
    card = new_card(tmp_path)

    def killed(*_: object) -> bytes:
        raise KeyboardInterrupt

    monkeypatch.setattr(sealing, "open_sealed", killed)
    with pytest.raises(KeyboardInterrupt):
        card.authenticate(b"c", AUTH_PIN)
    assert VirtualCard.load(card.path).tries_left["auth"] == 2


def test_nothing_secret_in_the_file_in_clear(tmp_path: Path) -> None:
    card = new_card(tmp_path)
    raw = card.path.read_bytes()
    assert SIGN_PIN.encode() not in raw
    assert AUTH_PIN.encode() not in raw
    assert b"PRIVATE KEY" not in raw
    assert stat.S_IMODE(card.path.stat().st_mode) == 0o600
    key = card.verify("sign", SIGN_PIN)
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )  # fmt: skip
    assert der[-64:] not in raw
    assert base64.b64encode(der)[100:160] not in raw  # nor as base64, as in a PEM


def test_a_changed_pin_replaces_the_old_one(tmp_path: Path) -> None:
    card = new_card(tmp_path)
    with pytest.raises(InvalidInput):
        card.change_pin("auth", AUTH_PIN, "12")
    card.change_pin("auth", AUTH_PIN, "9876")
    with pytest.raises(PinRefused):
        card.authenticate(b"c", AUTH_PIN)
    signed = card.authenticate(b"c", "9876")
    public = serialization.load_pem_public_key(card.public_keys["auth"].encode())
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(signed, b"c", padding.PKCS1v15(), hashes.SHA256())


def test_only_certificates_of_the_card_s_own_keys_are_loaded(tmp_path: Path) -> None:
    card = new_card(tmp_path)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    with pytest.raises(InvalidInput) as refused:
        card.load_certificates(None, certificate_for(other))
    assert refused.value.field == "auth_certificate"
    auth_key = serialization.load_pem_public_key(card.public_keys["auth"].encode())
    assert isinstance(auth_key, rsa.RSAPublicKey)
    card.load_certificates(None, certificate_for(auth_key))
    loaded = VirtualCard.load(card.path).certificate("auth")
    assert isinstance(loaded, x509.Certificate)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(attempts=st.lists(st.booleans(), min_size=1, max_size=6))
def test_the_count_follows_any_sequence_of_tries(
    tmp_path_factory: pytest.TempPathFactory, attempts: list[bool]
) -> None:
    """Right (True) and wrong (False) tries of the 利用者証明用 PIN, in any order: the card's
    count is always that of a card that locks at zero and is restored by a right PIN."""
    card = new_card(tmp_path_factory.mktemp("card"))
    left = 3
    for right in attempts:
        pin = AUTH_PIN if right else "0000"
        if left == 0:
            with pytest.raises(PinLocked):
                card.authenticate(b"c", pin)
        elif right:
            card.authenticate(b"c", pin)
            left = 3
        else:
            with pytest.raises(PinRefused):
                card.authenticate(b"c", pin)
            left -= 1
        assert VirtualCard.load(card.path).tries_left["auth"] == left


def test_tries_made_at_the_same_moment_each_cost_one(tmp_path: Path) -> None:
    """Found by the attack review: six guesses started together each read the count before
    any wrote it, so six guesses cost one try. Each copy of the card is a separate reader
    (as six processes would be)."""
    card = new_card(tmp_path)
    copies = [VirtualCard.load(card.path) for _ in range(6)]
    start = threading.Barrier(len(copies))

    def guess(copy: VirtualCard) -> str:
        start.wait()
        try:
            copy.authenticate(b"c", "0000")
        except PinRefused:
            return "refused"
        except PinLocked:
            return "locked"
        return "opened"

    with ThreadPoolExecutor(len(copies)) as pool:
        outcomes = sorted(pool.map(guess, copies))
    assert outcomes == ["locked"] * 3 + ["refused"] * 3
    assert VirtualCard.load(card.path).tries_left["auth"] == 0
