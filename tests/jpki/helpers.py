"""A relying party's view of JPKI (CA certificates, OCSP, CRL) and a holder's keys, for the
JPKI tests; and a card handed over at 墨田区's counter with its certificates issued."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import ocsp
from fastapi.testclient import TestClient

from juki.duties.operators import clients
from juki.duties.operators.accounts import SETUP
from juki.network.client_auth import ClientAuth
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from tests.e2e.test_card_counter import LG, card_made, report
from tests.e2e.test_reissue import card_desk

JPKI = "jpki"
IDENTITY = {"id_document": "運転免許証", "face_matched": True}  # 法 第3条第3項


def holder_key() -> rsa.RSAPrivateKey:
    """A key as the holder's card makes it (RSA-2048, e=65537)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def relying_party(network: EmbeddedNetwork, rights: dict[str, str] | None = None) -> TestClient:
    """A 署名検証者's system, registered with JPKI, acting for one of its own operators."""
    key = clients.ClientKey.generate(f"system:verifier-{uuid.uuid4().hex[:6]}")
    node = network.node(JPKI)
    with node.unit_of_work() as uow:
        clients.register_client(
            uow.session, SETUP, node.role, client_id=key.client_id, name="署名検証者（試験）",
            public_key_pem=key.public_pem(),
            rights=rights if rights is not None else {"jpki_verify": "read"},
            operators=["verifier-op-01"],
        )  # fmt: skip
    client = TestClient(network_app(network))
    client.auth = ClientAuth(key, "verifier-op-01", "verifier-terminal-1")
    return client


def ca_of(party: TestClient, kind: str) -> x509.Certificate:
    answer = party.get(f"/jpki/authorities/{kind}")
    assert answer.status_code == 200, answer.text
    return x509.load_pem_x509_certificate(answer.content)


def ocsp_ask(party: TestClient, certificate: x509.Certificate, kind: str) -> ocsp.OCSPResponse:
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(certificate, ca_of(party, kind), hashes.SHA256())
        .add_extension(x509.OCSPNonce(uuid.uuid4().bytes), critical=False)
        .build()
    )
    answer = party.post(
        "/jpki/ocsp",
        content=request.public_bytes(serialization.Encoding.DER),
        headers={"content-type": "application/ocsp-request"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/ocsp-response"
    response = ocsp.load_der_ocsp_response(answer.content)
    if response.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL:
        # a relying party checks the answer is the CA's, about this certificate
        ca_key = ca_of(party, kind).public_key()
        assert isinstance(ca_key, rsa.RSAPublicKey)
        assert response.signature_hash_algorithm is not None
        ca_key.verify(
            response.signature, response.tbs_response_bytes, padding.PKCS1v15(),
            response.signature_hash_algorithm,
        )  # fmt: skip
        assert response.serial_number == certificate.serial_number
    return response


def status_of(party: TestClient, certificate: x509.Certificate, kind: str) -> str:
    """good, unknown, or revoked:<reason> as the OCSP responder says."""
    response = ocsp_ask(party, certificate, kind)
    assert response.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    if response.certificate_status == ocsp.OCSPCertStatus.REVOKED:
        reason = response.revocation_reason
        return f"revoked:{reason.value if reason else 'unspecified'}"
    return response.certificate_status.name.lower()


def crl_of(party: TestClient, kind: str) -> x509.CertificateRevocationList:
    answer = party.get(f"/jpki/crl/{kind}")
    assert answer.status_code == 200, answer.text
    crl = x509.load_der_x509_crl(answer.content)
    assert crl.is_signature_valid(ca_of(party, kind).public_key())  # type: ignore[arg-type]
    return crl


def listed(crl: x509.CertificateRevocationList, certificate: x509.Certificate) -> str | None:
    """The reason `certificate` is on the CRL, or None."""
    entry = crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
    if entry is None:
        return None
    return str(entry.extensions.get_extension_for_class(x509.CRLReason).value.reason.value)


@dataclass
class IssuedCard:
    resident_id: int
    number: str  # カード発行番号
    desk: TestClient
    sign_key: rsa.RSAPrivateKey
    auth_key: rsa.RSAPrivateKey
    sign: x509.Certificate
    auth: x509.Certificate


def card_in_hand(network: EmbeddedNetwork, **overrides: Any) -> tuple[int, TestClient, str]:
    """A card made, set up and handed over at 墨田区's counter: (resident id, the counter's
    client, カード発行番号)."""
    rid, entry = card_made(network, **overrides)
    desk = card_desk(network)
    number = entry.card_issue_number
    assert number is not None
    report(network, desk, number, "ready")
    report(network, desk, number, "handed_over")
    return rid, desk, number


def apply_for_certificates(
    network: EmbeddedNetwork, desk: TestClient, number: str, body: dict[str, str]
) -> dict[str, str]:
    """The counter applies with the holder's public keys, the holder's identity checked;
    JPKI's answer, once delivered."""
    sent = desk.post(f"/registry/{LG}/cards/{number}/certificates", json=body | IDENTITY)
    assert sent.status_code == 202, sent.text
    assert sent.json()["status"] == "sent"
    network.pump()
    answers = desk.get(f"/registry/{LG}/cards/{number}/certificates").json()
    (answer,) = [a for a in answers if a["request_id"] == sent.json()["request_id"]]
    assert answer["status"] == "issued", answer
    return dict(answer)


def handed_over_with_certificates(network: EmbeddedNetwork) -> IssuedCard:
    """A card handed over at 墨田区's counter, where the holder's card made its two keys and
    the mayor applied for the certificates; JPKI's answer back."""
    rid, desk, number = card_in_hand(network)
    sign_key, auth_key = holder_key(), holder_key()
    body = {"sign_public_key": public_pem(sign_key), "auth_public_key": public_pem(auth_key)}
    answer = apply_for_certificates(network, desk, number, body)
    sign = x509.load_pem_x509_certificate(answer["sign_certificate"].encode())
    auth = x509.load_pem_x509_certificate(answer["auth_certificate"].encode())
    return IssuedCard(rid, number, desk, sign_key, auth_key, sign, auth)
