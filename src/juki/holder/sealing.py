"""A secret sealed under a PIN: scrypt (RFC 7914) turns the PIN and a random salt into an
AES-256-GCM key; the card's number and the secret's name are the associated data, so a
sealed value cannot be moved to another card or slot.

A file is not a chip: a real card's chip refuses to be asked a 6th time, a file can be
copied and guessed offline. The retry counters here are kept by `juki card` and the APDU
layer (what readers and counter software see); against someone who has the file, only the
PIN's strength and scrypt's cost stand (a 4-digit PIN falls in minutes). This is a test
double of the card for software that talks to it, said plainly in `docs/jpki.md`."""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

SCRYPT_N = 2**14  # ~16 MiB, tens of milliseconds a try


class WrongPin(Exception):
    """The PIN did not open the sealed secret."""


def _key(pin: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=8, p=1).derive(pin.encode())


def seal(secret: bytes, pin: str, context: str) -> dict[str, str]:
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_key(pin, salt)).encrypt(nonce, secret, context.encode())
    return {name: base64.b64encode(value).decode() for name, value in
            (("salt", salt), ("nonce", nonce), ("sealed", sealed))}  # fmt: skip


def open_sealed(box: dict[str, str], pin: str, context: str) -> bytes:
    salt, nonce, sealed = (base64.b64decode(box[name]) for name in ("salt", "nonce", "sealed"))
    try:
        return AESGCM(_key(pin, salt)).decrypt(nonce, sealed, context.encode())
    except InvalidTag:
        raise WrongPin from None
