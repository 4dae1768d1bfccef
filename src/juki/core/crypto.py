"""Signing keys, field encryption and keyed transforms (design §4, §5).

- Envelopes are signed with Ed25519 (RFC 8032); the key is certified by the network's CA.
- 個人番号 at rest: AES-256-GCM (NIST SP 800-38D) with the column name as associated data,
  plus a keyed HMAC-SHA-256 blind index (RFC 2104) for equality lookup.
- keyed_digits: an HMAC-SHA-256 PRF reduced to decimal digits by rejection sampling, the
  non-invertible "conversion of the 住民票コード" of 番号法 第8条第2項.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE_BYTES = 12


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def sign(key: Ed25519PrivateKey, payload: bytes) -> str:
    return b64(key.sign(payload))


def verify(public_key: Ed25519PublicKey, payload: bytes, signature: str) -> bool:
    """True when `signature` (base64) is a valid Ed25519 signature of payload."""
    try:
        public_key.verify(unb64(signature), payload)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class FieldKeys:
    """A node's secrets for personal data at rest: one AES key, one blind-index key."""

    encryption_key: bytes
    index_key: bytes

    @classmethod
    def generate(cls) -> FieldKeys:
        return cls(AESGCM.generate_key(bit_length=256), secrets.token_bytes(32))

    def to_text(self) -> str:
        return f"{b64(self.encryption_key)}.{b64(self.index_key)}"

    @classmethod
    def from_text(cls, text: str) -> FieldKeys:
        enc, idx = text.strip().split(".")
        return cls(unb64(enc), unb64(idx))

    def encrypt(self, value: str, *, column: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + AESGCM(self.encryption_key).encrypt(nonce, value.encode(), column.encode())

    def decrypt(self, blob: bytes, *, column: str) -> str:
        nonce, sealed = blob[:_NONCE_BYTES], blob[_NONCE_BYTES:]
        return AESGCM(self.encryption_key).decrypt(nonce, sealed, column.encode()).decode()

    def blind_index(self, value: str, *, column: str) -> str:
        """Deterministic keyed digest for lookups: equal values give equal indexes."""
        mac = hmac.new(self.index_key, f"{column}\x00{value}".encode(), hashlib.sha256)
        return mac.hexdigest()


def keyed_digits(key: bytes, message: str, digits: int) -> str:
    """A `digits`-long decimal string from HMAC-SHA-256(key, message), uniformly distributed.

    Rejection sampling over 64-bit blocks avoids the modulo bias of a plain `% 10**digits`;
    without the key the output reveals nothing of the message (PRF security of HMAC).
    """
    modulus = 10**digits
    limit = (2**64 // modulus) * modulus
    counter = 0
    while True:
        block = hmac.new(key, f"{message}\x00{counter}".encode(), hashlib.sha256).digest()
        for offset in range(0, 32, 8):
            value = int.from_bytes(block[offset : offset + 8], "big")
            if value < limit:
                return f"{value % modulus:0{digits}d}"
        counter += 1
