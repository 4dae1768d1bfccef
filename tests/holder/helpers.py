"""A virtual card for the holder tests, and a certificate for one of its keys made by a
throwaway CA (the JPKI node issues the real ones in the end-to-end tests)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from juki.holder.virtual_card import VirtualCard

NUMBER = "0123456789ABCDEF"
SIGN_PIN, AUTH_PIN = "ABC123", "7295"


def new_card(folder: Path) -> VirtualCard:
    return VirtualCard.create(folder / "holder.card", NUMBER, SIGN_PIN, AUTH_PIN)


def certificate_for(key: rsa.RSAPublicKey) -> str:
    ca = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    now = dt.datetime.now(dt.UTC)
    built = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key)
        .serial_number(x509.random_serial_number()).not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1)).sign(ca, hashes.SHA256())
    )  # fmt: skip
    return built.public_bytes(serialization.Encoding.PEM).decode()
