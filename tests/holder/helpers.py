"""A virtual card for the holder tests, and a certificate for one of its keys made by a
throwaway CA (the JPKI node issues the real ones in the end-to-end tests)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from juki.core.card_chip import ChipImage, TextItems, sign_resident_code, sign_text
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


TEXT_PIN, JUKI_PIN = "5512", "6603"


def signer() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A stand-in for J-LIS's 券面事項 signer (the card node makes the real one)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, x509.load_pem_x509_certificate(certificate_for(key.public_key()).encode())


def chip_for(key: rsa.RSAPrivateKey, certificate: x509.Certificate, **text: object) -> ChipImage:
    items = TextItems.model_validate(
        {"individual_number": "123456789018", "name": "墨田　花子",
         "address": "東京都墨田区吾妻橋一丁目23番20号", "birth_date": "1990-04-01", "sex": "2"}
        | text
    )  # fmt: skip
    return ChipImage(
        card_issue_number=NUMBER, juki_ap_id="01", crypto_id="RSA2048", manufacturer_id="M01",
        card_image_number="IMG-0001", resident_code="12345678903",
        resident_code_signature=sign_resident_code(key, "12345678903").hex(), text=items,
        text_signature=sign_text(key, items).hex(),
        signer_certificate=certificate.public_bytes(serialization.Encoding.PEM).decode(),
    )  # fmt: skip


def card_with_chip(folder: Path, chip: ChipImage) -> VirtualCard:
    return VirtualCard.create(
        folder / "holder.card", NUMBER, SIGN_PIN, AUTH_PIN, chip=chip, text_pin=TEXT_PIN,
        juki_pin=JUKI_PIN,
    )  # fmt: skip
