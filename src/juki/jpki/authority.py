"""J-LIS's two certification authorities (公的個人認証法 第3条 署名用, 第22条 利用者証明用):
each a self-signed RSA-2048 CA, made the first time it is needed and kept in the node's
database with its key sealed under the node's field key.

RSA-2048 with SHA-256 is what the public record shows J-LIS's CAs and the cards using; it
is also what card readers expect when they ask the card to sign (`docs/jpki.md`). These
are not the network's node CA (`core/pki.py`): a node certificate says which system sent
an envelope, a JPKI certificate says who a person is.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from sqlalchemy.orm import Session

from juki.jpki.models import Authority

KINDS = ("sign", "auth")
CA_NAMES = {  # as J-LIS names its two CAs (C=JP, O=JPKI, OU=…)
    "sign": "JPKI for digital signature",
    "auth": "JPKI for user authentication",
}
CA_LIFETIME = dt.timedelta(days=365 * 12)  # outlives every certificate it signs (5 years)


@dataclass(frozen=True)
class CertificationAuthority:
    kind: str
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate


def authority(session: Session, kind: str) -> CertificationAuthority:
    """The CA of `kind`, made now if this JPKI has none yet."""
    row = session.get(Authority, kind)
    if row is None:
        row = _create(session, kind)
    return _loaded(row.private_key_pem, row.certificate_pem, kind)


def authorities(session: Session) -> list[CertificationAuthority]:
    return [authority(session, kind) for kind in KINDS]


@functools.lru_cache(maxsize=16)
def _loaded(key_pem: str, certificate_pem: str, kind: str) -> CertificationAuthority:
    """Parsing and checking an RSA key costs milliseconds; every OCSP answer needs one."""
    key = serialization.load_pem_private_key(key_pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return CertificationAuthority(
        kind, key, x509.load_pem_x509_certificate(certificate_pem.encode())
    )


def _create(session: Session, kind: str) -> Authority:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "JPKI"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, CA_NAMES[kind]),
            x509.NameAttribute(
                NameOID.ORGANIZATIONAL_UNIT_NAME,
                "Japan Agency for Local Authority Information Systems",
            ),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    row = Authority(
        kind=kind,
        private_key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        next_crl_number=1,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip
