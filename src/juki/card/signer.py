"""J-LIS's 券面事項 signer: the key that signs each card's 個人番号 and 4情報 for its
券面事項入力補助 application (`core/card_chip.py`), made the first time it is needed and
kept in this node's database with the key sealed under the node's field key (a real one is
kept in an HSM). Readers check the card's data with this certificate, which J-LIS
publishes (`GET /card/signer-certificate`); a reader that trusted the certificate the card
itself offers would accept any card signed by anyone."""

from __future__ import annotations

import datetime as dt
import functools

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from sqlalchemy.orm import Session

from juki.card.models import CardSigner

LIFETIME = dt.timedelta(days=365 * 12)  # outlives every card it signs (10 years)
NAME = x509.Name(
    [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
        x509.NameAttribute(
            NameOID.ORGANIZATION_NAME, "Japan Agency for Local Authority Information Systems"
        ),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Individual Number Card"),
        x509.NameAttribute(NameOID.COMMON_NAME, "Card face signer"),
    ]
)


CURRENT = 1  # the one signer: made twice at once, the second insert fails, not a 2nd key


def signer(session: Session) -> tuple[rsa.RSAPrivateKey, str]:
    """The signing key and its certificate (PEM), made now if this node has none yet."""
    row = session.get(CardSigner, CURRENT)
    if row is None:
        row = _create(session)
    return _key(row.private_key_pem), row.certificate_pem


def certificate(session: Session) -> str:
    return signer(session)[1]


@functools.lru_cache(maxsize=4)
def _key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)  # only ever written by _create
    return key


def _create(session: Session) -> CardSigner:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip
    built = (
        x509.CertificateBuilder().subject_name(NAME).issuer_name(NAME)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + LIFETIME)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    row = CardSigner(
        id=CURRENT,
        private_key_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        certificate_pem=built.public_bytes(serialization.Encoding.PEM).decode(),
        created_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row
