"""The two certificates of a card, built from public keys made on the holder's side.

署名用電子証明書 (法 第3条): the holder's 4情報 in the subject's alternative names, as
JPKI's profile carries them (otherName, under J-LIS's arc 1.2.392.200149.8.5.5; the
exact sub-arcs are [Inference] from public reader software, `docs/jpki.md`); key usage
digitalSignature + nonRepudiation. 利用者証明用電子証明書 (法 第22条): nothing about the
person at all, digitalSignature only. Neither carries the 個人番号 (番号法 forbids it on
a certificate anyone may be shown; the types here have no field for it).

Both expire on the holder's 5th birthday after issue, at the end of that day in Japan.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID, ObjectIdentifier

from juki.core.birthdays import certificate_expiry
from juki.core.clock import JST
from juki.core.errors import InvalidInput
from juki.jpki.authority import CertificationAuthority

# otherName types of the 署名用 certificate's subjectAltName ([Inference], docs/jpki.md)
NAME_OID = ObjectIdentifier("1.2.392.200149.8.5.5.1")  # 氏名
SEX_OID = ObjectIdentifier("1.2.392.200149.8.5.5.3")  # 性別
BIRTH_OID = ObjectIdentifier("1.2.392.200149.8.5.5.4")  # 生年月日
ADDRESS_OID = ObjectIdentifier("1.2.392.200149.8.5.5.5")  # 住所
KEY_SIZE, EXPONENT = 2048, 65537


@dataclass(frozen=True)
class FourItems:
    """基本4情報 as the 署名用 certificate carries them."""

    name: str
    birth_date: dt.date
    sex: str
    address: str


def holder_key(pem: str, field: str) -> rsa.RSAPublicKey:
    """The holder's public key, or a clear refusal naming the field. RSA of 2048 bits
    (施行規則 第2条: the factoring of a 2048-bit or larger modulus; the card's keys are
    2048 bits, so exactly that is taken)."""
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except ValueError:
        raise InvalidInput("公開鍵を読み取れません", field=field) from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise InvalidInput("公開鍵は RSA でなければなりません", field=field)
    if key.key_size != KEY_SIZE or key.public_numbers().e != EXPONENT:
        raise InvalidInput("公開鍵は RSA 2048 ビット (e=65537) でなければなりません", field=field)
    return key


def key_digest(key: rsa.RSAPublicKey) -> str:
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def expiry_of(birth: dt.date, issued: dt.datetime) -> dt.datetime:
    """The end of the 5th birthday after issue, in Japan."""
    day = certificate_expiry(birth, issued.astimezone(JST).date())
    return dt.datetime.combine(day, dt.time(23, 59, 59), JST)


def build(
    ca: CertificationAuthority,
    key: rsa.RSAPublicKey,
    lg_code: str,
    items: FourItems,
    issued: dt.datetime,
) -> x509.Certificate:
    """One certificate of `ca.kind` for `key`; the 4情報 go only into a 署名用 one."""
    subject = [x509.NameAttribute(NameOID.COUNTRY_NAME, "JP")]
    if ca.kind == "sign":  # the municipality of address, as the 署名用 subject names it
        subject.append(x509.NameAttribute(NameOID.LOCALITY_NAME, lg_code))
    subject.append(x509.NameAttribute(NameOID.COMMON_NAME, secrets.token_hex(12).upper()))
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(subject))
        .issuer_name(ca.certificate.subject)
        .public_key(key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(issued)
        .not_valid_after(expiry_of(items.birth_date, issued))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(signing=ca.kind == "sign"), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
    )
    if ca.kind == "sign":
        builder = builder.add_extension(_four_items(items), critical=False)
    return builder.sign(ca.key, hashes.SHA256())


def four_items_of(certificate: x509.Certificate) -> FourItems:
    """The 4情報 a 署名用 certificate carries (as a relying party reads them)."""
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    values = {n.type_id: _utf8(n.value) for n in names.get_values_for_type(x509.OtherName)}
    return FourItems(
        name=values[NAME_OID],
        birth_date=dt.date.fromisoformat(values[BIRTH_OID]),
        sex=values[SEX_OID],
        address=values[ADDRESS_OID],
    )


def _four_items(items: FourItems) -> x509.SubjectAlternativeName:
    return x509.SubjectAlternativeName(
        [
            x509.OtherName(NAME_OID, _der_utf8(items.name)),
            x509.OtherName(SEX_OID, _der_utf8(items.sex)),
            x509.OtherName(BIRTH_OID, _der_utf8(items.birth_date.strftime("%Y%m%d"))),
            x509.OtherName(ADDRESS_OID, _der_utf8(items.address)),
        ]
    )


def _usage(*, signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=signing, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip


# An otherName's value is DER; `cryptography` has no public encoder for a lone UTF8String,
# so these two encode and decode the one shape used here (X.690 §8.23, definite lengths).
def _der_utf8(text: str) -> bytes:
    body = text.encode()
    if len(body) < 0x80:
        return bytes([0x0C, len(body)]) + body
    size = len(body).to_bytes((len(body).bit_length() + 7) // 8, "big")
    return bytes([0x0C, 0x80 | len(size)]) + size + body


def _utf8(der: bytes) -> str:
    if der[0] != 0x0C:
        raise ValueError("not a UTF8String")
    if der[1] < 0x80:
        return der[2 : 2 + der[1]].decode()
    width = der[1] & 0x7F
    size = int.from_bytes(der[2 : 2 + width], "big")
    return der[2 + width : 2 + width + size].decode()
