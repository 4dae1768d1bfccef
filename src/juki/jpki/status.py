"""Certificate status as relying parties ask it: a CRL per CA (RFC 5280 §5) and an OCSP
responder (RFC 6960), both signed by the CA itself (RFC 6960 §4.2.2.2 allows the CA to
sign its own responses). A certificate on hold (一時保留) is listed with reason
certificateHold and leaves the list when the hold is lifted (RFC 5280 §5.3.1).

Both are built from the certificates table at each request, so a suspension or
revocation is seen by the very next question (the issue's "must hold": no revoked
credential that still authenticates). Neither carries anything about the person: serials,
dates and reasons only.
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from juki.jpki.authority import KINDS, CertificationAuthority, authority
from juki.jpki.models import Authority, IssuedCertificate
from juki.jpki.service import ON_HOLD, REVOKED, VALID

CRL_LIFETIME = dt.timedelta(hours=24)  # nextUpdate: a relying party fetches again daily
OCSP_LIFETIME = dt.timedelta(minutes=10)


def crl(session: Session, kind: str) -> bytes:
    """The current CRL of the CA of `kind`, DER."""
    ca = authority(session, kind)
    now = dt.datetime.now(dt.UTC)
    # One statement takes the number and moves it on: two fetches at once never share one
    # (RFC 5280 §5.2.3).
    taken = session.execute(
        update(Authority)
        .where(Authority.kind == kind)
        .values(next_crl_number=Authority.next_crl_number + 1)
        .returning(Authority.next_crl_number)
    ).scalar_one()
    number = taken - 1
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.certificate.subject)
        .last_update(now)
        .next_update(now + CRL_LIFETIME)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
    )
    listed = select(IssuedCertificate).where(
        IssuedCertificate.kind == kind,
        IssuedCertificate.status.in_((ON_HOLD, REVOKED)),
        IssuedCertificate.not_after > now,  # an expired certificate leaves the list
    )
    for cert in session.scalars(listed.order_by(IssuedCertificate.id)):
        builder = builder.add_revoked_certificate(_entry(cert))
    return builder.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _entry(cert: IssuedCertificate) -> x509.RevokedCertificate:
    reason = x509.ReasonFlags(cert.revocation_reason or "unspecified")
    return (
        x509.RevokedCertificateBuilder()
        .serial_number(int(cert.serial, 16))
        .revocation_date(cert.status_at)
        .add_extension(x509.CRLReason(reason), critical=False)
        .build()
    )


def ocsp_answer(session: Session, request_der: bytes) -> bytes:
    """The OCSP response (DER) to one request: good, revoked (with its reason; on hold is
    revoked with certificateHold) or unknown; `malformedRequest` for what does not parse,
    `unauthorized` for a certificate of another CA (RFC 6960 §2.3)."""
    try:
        request = ocsp.load_der_ocsp_request(request_der)
        serial = request.serial_number
        algorithm = request.hash_algorithm
    # ValueError: not DER / not an OCSPRequest. NotImplementedError: what `cryptography`
    # raises for a request naming several certificates ("OCSP request contains more than
    # one request"; RFC 6960 allows it, this responder answers one at a time: a known
    # limit, docs/jpki.md). UnsupportedAlgorithm: a hash it does not know. All three are
    # the asker's to fix: malformedRequest, never a 500 (tests/jpki/test_status.py).
    except (ValueError, NotImplementedError, UnsupportedAlgorithm):
        return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    ca = _issuer_of(session, request)
    if ca is None:
        return _unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
    now = dt.datetime.now(dt.UTC)
    found = session.scalar(
        select(IssuedCertificate).where(
            IssuedCertificate.serial == format(serial, "x"), IssuedCertificate.kind == ca.kind
        )
    )
    builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
        issuer_name_hash=request.issuer_name_hash,
        issuer_key_hash=request.issuer_key_hash,
        serial_number=serial,
        algorithm=algorithm,
        cert_status=_status(found),
        this_update=now,
        next_update=now + OCSP_LIFETIME,
        revocation_time=found.status_at if found and _revoked(found) else None,
        revocation_reason=_reason(found) if found and _revoked(found) else None,
    )
    builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, ca.certificate)
    for extension in request.extensions:  # echo the nonce (RFC 8954)
        if isinstance(extension.value, x509.OCSPNonce):
            builder = builder.add_extension(extension.value, critical=False)
    return builder.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _issuer_of(session: Session, request: ocsp.OCSPRequest) -> CertificationAuthority | None:
    for kind in KINDS:
        ca = authority(session, kind)
        name_hash, key_hash = _hashes(ca.certificate, request.hash_algorithm)
        if (name_hash, key_hash) == (request.issuer_name_hash, request.issuer_key_hash):
            return ca
    return None


def _hashes(certificate: x509.Certificate, algorithm: hashes.HashAlgorithm) -> tuple[bytes, bytes]:
    """issuerNameHash and issuerKeyHash as RFC 6960 §4.1.1 defines them: the hash of the
    issuer's DER name, and of its subjectPublicKey BIT STRING's value (for RSA, the
    RSAPublicKey DER, as OpenSSL computes it)."""
    name = hashes.Hash(algorithm)
    name.update(certificate.subject.public_bytes())
    key = hashes.Hash(algorithm)
    key.update(
        certificate.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.PKCS1
        )
    )
    return name.finalize(), key.finalize()


def _status(found: IssuedCertificate | None) -> ocsp.OCSPCertStatus:
    if found is None:
        return ocsp.OCSPCertStatus.UNKNOWN
    return ocsp.OCSPCertStatus.REVOKED if _revoked(found) else ocsp.OCSPCertStatus.GOOD


def _revoked(found: IssuedCertificate | None) -> bool:
    return found is not None and found.status != VALID


def _reason(found: IssuedCertificate) -> x509.ReasonFlags:
    return x509.ReasonFlags(found.revocation_reason or "unspecified")


def _unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    response = ocsp.OCSPResponseBuilder.build_unsuccessful(status)
    return response.public_bytes(serialization.Encoding.DER)
