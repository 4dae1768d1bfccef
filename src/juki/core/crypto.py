"""Signing keys, field encryption and keyed transforms (design §4, §5).

- Envelopes are signed with Ed25519 (RFC 8032); the key is certified by the network's CA.
- 個人番号 at rest: AES-256-GCM (NIST SP 800-38D) with the column name as associated data,
  plus a keyed HMAC-SHA-256 blind index (RFC 2104) for equality lookup. Each ciphertext
  names the version of the key that sealed it (`FieldKeys`), so `juki keys rotate` can
  seal everything again under a new key while the old one still opens what it sealed.
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

from cryptography.exceptions import InvalidSignature, InvalidTag
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


# Every label (associated data) sealed values are stored under; `juki keys rotate` tries
# them on each binary column to find what it must seal again (`sealed_label`).
SEALED_LABELS: set[str] = set()


def sealed_label(label: str) -> str:
    """Declare a label under which values are sealed with FieldKeys (see SEALED_LABELS)."""
    SEALED_LABELS.add(label)
    return label


_MAGIC = b"JK"  # a versioned ciphertext: b"JK" + version (1 byte) + nonce + sealed
_LEGACY_VERSION = 1  # ciphertext from before versions: nonce + sealed, under version 1


@dataclass(frozen=True)
class FieldKeys:
    """A node's secrets for personal data at rest: its AES keys by version (the current
    one seals, every one opens what it sealed) and one blind-index key.

    The blind-index key is not rotated: an index cannot be recomputed without the clear
    value of every indexed column; rotating it is a re-registration, not a key change."""

    encryption_key: bytes  # the current version's
    index_key: bytes
    version: int = _LEGACY_VERSION
    older: tuple[tuple[int, bytes], ...] = ()  # (version, key) of earlier keys

    @classmethod
    def generate(cls) -> FieldKeys:
        return cls(AESGCM.generate_key(bit_length=256), secrets.token_bytes(32))

    def rotated(self) -> FieldKeys:
        """A new current key (the next version); the earlier ones kept to open old values."""
        if self.version >= 255:
            raise ValueError("key versions are exhausted (255)")
        older = ((self.version, self.encryption_key), *self.older)
        return FieldKeys(
            AESGCM.generate_key(bit_length=256), self.index_key, self.version + 1, older
        )

    def to_text(self) -> str:
        if not self.older and self.version == _LEGACY_VERSION:
            return f"{b64(self.encryption_key)}.{b64(self.index_key)}"
        versions = ((self.version, self.encryption_key), *self.older)
        return ",".join(f"{v}:{b64(k)}" for v, k in versions) + f".{b64(self.index_key)}"

    @classmethod
    def from_text(cls, text: str) -> FieldKeys:
        encryption, index = text.strip().split(".")
        if ":" not in encryption:
            return cls(unb64(encryption), unb64(index))
        versions = [
            (int(v), unb64(k)) for v, k in (part.split(":") for part in encryption.split(","))
        ]
        (version, key), *older = versions
        return cls(key, unb64(index), version, tuple(older))

    def _key(self, version: int) -> bytes | None:
        if version == self.version:
            return self.encryption_key
        return dict(self.older).get(version)

    def encrypt(self, value: str, *, column: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(self.encryption_key).encrypt(nonce, value.encode(), column.encode())
        return _MAGIC + bytes([self.version]) + nonce + sealed

    def decrypt(self, blob: bytes, *, column: str) -> str:
        return self.open(blob, column=column)[1]

    def open(self, blob: bytes, *, column: str) -> tuple[int, str]:
        """The version that sealed `blob`, and its clear value. InvalidTag when no key of
        this node sealed it under this label."""
        if blob[:2] == _MAGIC and len(blob) > 3 + _NONCE_BYTES:
            version, nonce, sealed = blob[2], blob[3 : 3 + _NONCE_BYTES], blob[3 + _NONCE_BYTES :]
            key = self._key(version)
            if key is not None:
                try:
                    return version, AESGCM(key).decrypt(nonce, sealed, column.encode()).decode()
                except InvalidTag:
                    pass  # a legacy blob whose random nonce began with the magic bytes
        key = self._key(_LEGACY_VERSION)
        if key is None:
            raise InvalidTag
        nonce, sealed = blob[:_NONCE_BYTES], blob[_NONCE_BYTES:]
        return _LEGACY_VERSION, AESGCM(key).decrypt(nonce, sealed, column.encode()).decode()

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
