"""A software WebAuthn authenticator (W3C WebAuthn Level 2 §6, packed as a browser posts
it), so that the server's side of the ceremonies can be attacked without a browser: an
assertion without user verification, with a lower signature counter, for another
challenge or from another origin. An ES256 key pair (COSE alg -7) from `cryptography`;
attestation "none"."""

from __future__ import annotations

import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import bytes_to_base64url

P256 = ec.SECP256R1()
UP, UV, AT = 0x01, 0x04, 0x40  # flags: user present, user verified, attested data


def _b64(data: bytes) -> str:
    return bytes_to_base64url(data)


@dataclass
class SoftAuthenticator:
    rp_id: str
    origin: str
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(P256))
    credential_id: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    sign_count: int = 0

    @property
    def id(self) -> str:
        return _b64(self.credential_id)

    def cose_public_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        x, y = numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")
        return bytes(cbor2.dumps({1: 2, 3: -7, -1: 1, -2: x, -3: y}))  # EC2, ES256, P-256

    def _auth_data(self, flags: int, count: int, attested: bytes = b"") -> bytes:
        rp_hash = hashlib.sha256(self.rp_id.encode()).digest()
        return rp_hash + bytes([flags]) + struct.pack(">I", count) + attested

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
        ).encode()

    def register(self, options: str, *, verified: bool = True) -> str:
        """The answer to navigator.credentials.create (options as the page carries them)."""
        challenge = json.loads(options)["challenge"]
        attested = bytes(16) + struct.pack(">H", len(self.credential_id))
        attested += self.credential_id + self.cose_public_key()
        flags = UP | AT | (UV if verified else 0)
        auth_data = self._auth_data(flags, self.sign_count, attested)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        response = {
            "clientDataJSON": _b64(self._client_data("webauthn.create", challenge, self.origin)),
            "attestationObject": _b64(attestation),
            "transports": ["internal"],
        }
        return self._answer(response)

    def answer(
        self,
        options_or_challenge: str,
        *,
        verified: bool = True,
        origin: str | None = None,
        rp_id: str | None = None,
        count: int | None = None,
    ) -> str:
        """The answer to navigator.credentials.get. Each keyword bends one thing an attacker
        or a faulty authenticator would: no user verification, another origin or RP ID, a
        signature counter that went back."""
        text = options_or_challenge
        challenge = json.loads(text)["challenge"] if text.startswith("{") else text
        if count is None:
            self.sign_count += 1
            count = self.sign_count
        flags = UP | (UV if verified else 0)
        auth_data = SoftAuthenticator(rp_id or self.rp_id, self.origin)._auth_data(flags, count)
        client_data = self._client_data("webauthn.get", challenge, origin or self.origin)
        signed = auth_data + hashlib.sha256(client_data).digest()
        signature = self.key.sign(signed, ec.ECDSA(hashes.SHA256()))
        response = {
            "clientDataJSON": _b64(client_data), "authenticatorData": _b64(auth_data),
            "signature": _b64(signature),
        }  # fmt: skip
        return self._answer(response)

    def _answer(self, response: dict[str, Any]) -> str:
        return json.dumps(
            {"id": self.id, "rawId": self.id, "type": "public-key", "response": response,
             "clientExtensionResults": {}}
        )  # fmt: skip
