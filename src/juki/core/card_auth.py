"""Proof that a card is present (利用者証明, 公的個人認証法 第22条): the card signs a fresh,
single-use challenge with its 利用者証明用 key after its holder typed the PIN into it, and
the relying party checks the signature with the key in the certificate presented. Used
by the 証明書交付センター (kiosk/) and マイナポータル (portal/); whether the certificate is
good now and whose it is stays JPKI's to say.

The card signs a DigestInfo (RFC 8017 §9.2, SHA-256) with PKCS#1 v1.5, as the JPKI AP's
COMPUTE DIGITAL SIGNATURE does; the relying party verifies over the message itself."""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from juki.core.errors import InvalidInput

SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")  # RFC 8017 §9.2


def digest_info(message: bytes) -> bytes:
    """What the reader sends the card with COMPUTE DIGITAL SIGNATURE for `message`."""
    return SHA256_DIGEST_INFO + hashlib.sha256(message).digest()


def certificate_of(text: str) -> x509.Certificate:
    """The presented certificate (DER, base64), refused by field if it is not one with an
    RSA key (the card's)."""
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(text, validate=True))
        key = certificate.public_key()
    except (binascii.Error, ValueError, UnsupportedAlgorithm):
        raise InvalidInput("電子証明書を読み取れません", field="certificate") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise InvalidInput("利用者証明用電子証明書ではありません", field="certificate")
    return certificate


def der_text(certificate: x509.Certificate) -> str:
    return base64.b64encode(certificate.public_bytes(Encoding.DER)).decode()


def signed_by(certificate: x509.Certificate, signature_b64: str, message: bytes) -> bool:
    """Whether the card holding `certificate`'s key signed `message`."""
    key = certificate.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return True
