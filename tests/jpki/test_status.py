"""What JPKI refuses, and how (issue #15 "bad input"): keys that are not RSA-2048, one key
for both certificates, a key already certified, an application for a suspended card; an
OCSP request that does not parse, one about another CA's certificate, an unknown serial;
a caller without the verifier's right. Each refusal names the field and keeps nothing."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509 import ocsp
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from juki.jpki.models import IssuedCertificate
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from tests.e2e.test_card_counter import LG, card_made, report
from tests.e2e.test_reissue import card_desk
from tests.jpki.helpers import (
    IDENTITY,
    JPKI,
    ca_of,
    handed_over_with_certificates,
    holder_key,
    ocsp_ask,
    public_pem,
    relying_party,
    status_of,
)


def issued_count(network: EmbeddedNetwork) -> int:
    with network.node(JPKI).db.session() as session:
        return int(session.scalar(select(func.count()).select_from(IssuedCertificate)) or 0)


def ec_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def answer_to(
    network: EmbeddedNetwork, desk: TestClient, number: str, body: dict[str, str]
) -> dict[str, str]:
    sent = desk.post(f"/registry/{LG}/cards/{number}/certificates", json=body | IDENTITY)
    assert sent.status_code == 202, sent.text
    network.pump()
    found = desk.get(f"/registry/{LG}/cards/{number}/certificates").json()
    (answer,) = [a for a in found if a["request_id"] == sent.json()["request_id"]]
    return dict(answer)


def test_bad_keys_are_refused_naming_the_field(network: EmbeddedNetwork) -> None:
    card = handed_over_with_certificates(network)
    before = issued_count(network)
    short = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    same = holder_key()
    fresh = public_pem(holder_key())
    cases = [
        ({"sign_public_key": fresh, "auth_public_key": public_pem(short)}, "auth_public_key"),
        ({"sign_public_key": ec_pem(), "auth_public_key": fresh}, "sign_public_key"),
        (
            {"sign_public_key": public_pem(same), "auth_public_key": public_pem(same)},
            "auth_public_key",
        ),
        # the holder's key of the certificates already issued: certified once only
        ({"auth_public_key": public_pem(card.auth_key)}, "auth_public_key"),
    ]
    for body, field in cases:
        answer = answer_to(network, card.desk, card.number, body)
        assert (answer["status"], answer["refused_field"]) == ("refused", field), answer
        assert answer["refused_reason"]  # in Japanese, for the clerk
    assert issued_count(network) == before  # nothing kept of a refused application
    assert status_of(relying_party(network), card.auth, "auth") == "good"  # not superseded
    broken = card.desk.post(
        f"/registry/{LG}/cards/{card.number}/certificates", json={"auth_public_key": "鍵"}
    )
    assert broken.status_code == 422
    assert "auth_public_key" in broken.text
    none = card.desk.post(f"/registry/{LG}/cards/{card.number}/certificates", json={})
    assert none.status_code == 422  # one key at least


def test_a_new_certificate_supersedes_the_one_before(network: EmbeddedNetwork) -> None:
    """再発行: new keys on the same card; the earlier 利用者証明用 certificate ends."""
    card = handed_over_with_certificates(network)
    answer = answer_to(
        network, card.desk, card.number, {"auth_public_key": public_pem(holder_key())}
    )
    assert answer["status"] == "issued"
    assert answer["sign_certificate"] is None
    party = relying_party(network)
    new = x509.load_pem_x509_certificate(answer["auth_certificate"].encode())
    assert status_of(party, card.auth, "auth") == "revoked:superseded"
    assert status_of(party, new, "auth") == "good"
    assert status_of(party, card.sign, "sign") == "good"  # the other kind stays


def test_no_certificates_for_a_card_not_in_hand(network: EmbeddedNetwork) -> None:
    _rid, entry = card_made(network)  # made, not yet set up at the counter
    desk = card_desk(network)
    number = entry.card_issue_number
    assert number is not None
    body = {"auth_public_key": public_pem(holder_key())} | IDENTITY
    refused = desk.post(f"/registry/{LG}/cards/{number}/certificates", json=body)
    assert refused.status_code == 409
    assert refused.json()["field"] == "card_issue_number"
    url = f"/registry/{LG}/cards/{number}/certificates"
    report(network, desk, number, "ready")
    assert desk.post(url, json=body).status_code == 409  # set up, not handed over
    report(network, desk, number, "handed_over")
    unchecked = {k: v for k, v in body.items() if k not in IDENTITY}  # no identity check
    answer = desk.post(url, json=unchecked)
    assert answer.status_code == 422
    assert "id_document" in answer.text
    report(network, desk, number, "suspended", "紛失")
    assert desk.post(url, json=body).status_code == 409
    assert issued_count(network) == 0


def test_what_the_ocsp_responder_cannot_answer(network: EmbeddedNetwork) -> None:
    card = handed_over_with_certificates(network)
    party = relying_party(network)
    broken = party.post(
        "/jpki/ocsp",
        content=b"\x30\x03\x02\x01",
        headers={"content-type": "application/ocsp-request"},
    )
    assert (
        ocsp.load_der_ocsp_response(broken.content).response_status
        == ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    )
    # a certificate of another CA (the network's node CA), under that CA
    node_ca = network.home.pki.ca_cert()
    foreign = ocsp_ask_about(party, node_ca, node_ca)
    assert foreign.response_status == ocsp.OCSPResponseStatus.UNAUTHORIZED
    # a certificate named under the other CA's name and this CA's key: no CA of JPKI's
    mixed = ocsp_ask(party, card.auth, "sign")
    assert mixed.response_status == ocsp.OCSPResponseStatus.UNAUTHORIZED
    # a serial the 署名用 CA never issued (the 利用者証明用 certificate's), under its hashes
    sign_ca = ca_of(party, "sign")
    name_hash = hashes.Hash(hashes.SHA256())
    name_hash.update(sign_ca.subject.public_bytes())
    key_hash = hashes.Hash(hashes.SHA256())
    key_hash.update(sign_ca.public_key().public_bytes(Encoding.DER, PublicFormat.PKCS1))
    request = ocsp.OCSPRequestBuilder().add_certificate_by_hash(
        name_hash.finalize(), key_hash.finalize(), card.auth.serial_number, hashes.SHA256()
    )
    unknown = post_ocsp(party, request.build().public_bytes(Encoding.DER))
    assert unknown.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert unknown.certificate_status == ocsp.OCSPCertStatus.UNKNOWN
    assert ocsp_ask(party, card.sign, "sign").response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    # a hash the responder does not know (SHA-256's OID with its last arc changed): refused
    # as malformed, not a 500 (attack review)
    der = ocsp.OCSPRequestBuilder().add_certificate(card.sign, sign_ca, hashes.SHA256()).build()
    sha256_oid = bytes.fromhex("0609608648016503040201")
    odd = der.public_bytes(Encoding.DER).replace(sha256_oid, sha256_oid[:-1] + b"\x7f")
    assert post_ocsp(party, odd).response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    # two certificates in one request (RFC 6960 allows a list; `cryptography` reads one and
    # raises NotImplementedError): malformedRequest, not a 500
    assert (
        post_ocsp(party, two_requests(der.public_bytes(Encoding.DER))).response_status
        == ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    )


def _tlv(tag: int, body: bytes) -> bytes:
    size = len(body)
    if size < 128:
        return bytes([tag, size]) + body
    octets = size.to_bytes((size.bit_length() + 7) // 8, "big")  # DER: the fewest octets
    return bytes([tag, 0x80 | len(octets)]) + octets + body


def _inner(der: bytes) -> tuple[bytes, bytes]:
    """A DER value's contents, and what follows it."""
    size, start = der[1], 2
    if size & 0x80:
        count = size & 0x7F
        size, start = int.from_bytes(der[2 : 2 + count], "big"), 2 + count
    return der[start : start + size], der[start + size :]


def two_requests(der: bytes) -> bytes:
    """The same OCSPRequest with its one Request listed twice (RFC 6960 §4.1.1)."""
    tbs, _ = _inner(_inner(der)[0])
    request_list, rest = _inner(tbs)
    return _tlv(0x30, _tlv(0x30, _tlv(0x30, request_list + request_list) + rest))


def post_ocsp(party: TestClient, der: bytes) -> ocsp.OCSPResponse:
    answer = party.post(
        "/jpki/ocsp", content=der, headers={"content-type": "application/ocsp-request"}
    )
    assert answer.status_code == 200, answer.text
    return ocsp.load_der_ocsp_response(answer.content)


def ocsp_ask_about(
    party: TestClient, certificate: x509.Certificate, issuer: x509.Certificate
) -> ocsp.OCSPResponse:
    from cryptography.hazmat.primitives import hashes, serialization

    request = (
        ocsp.OCSPRequestBuilder().add_certificate(certificate, issuer, hashes.SHA256()).build()
    )
    answer = party.post(
        "/jpki/ocsp", content=request.public_bytes(serialization.Encoding.DER),
        headers={"content-type": "application/ocsp-request"},
    )  # fmt: skip
    return ocsp.load_der_ocsp_response(answer.content)


@pytest.mark.parametrize("path", ["/jpki/crl/sign", "/jpki/authorities/auth"])
def test_status_is_for_agreed_relying_parties_only(
    sqlite_network: EmbeddedNetwork, path: str
) -> None:
    anonymous = TestClient(network_app(sqlite_network))
    assert anonymous.get(path).status_code == 401
    other = relying_party(sqlite_network, {"jpki_serial_index": "read"})
    assert other.get(path).status_code == 403
    assert other.post("/jpki/ocsp", content=b"").status_code == 403
    assert relying_party(sqlite_network).get(path).status_code == 200
