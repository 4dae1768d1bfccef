"""Card authentications per second, end to end (`juki bench card`), beside raw
`cryptography` in the same run.

One authentication is what a relying party does for a log-in with the card: a fresh
challenge, the card's 利用者証明用 key signing it through the reader (COMPUTE DIGITAL
SIGNATURE APDU on a session whose PIN was verified once, as a reader keeps it), the
signature verified against the certificate, and the certificate's status asked of JPKI's
OCSP responder over HTTP (an API token per request, the responder reading its database and
signing the answer). The baselines, timed on the same keys in the same run: the RSA-2048
signature and verification alone, and building and signing one OCSP response alone.

A one-municipality embedded network on SQLite in a temporary directory; the card is issued
through JPKI's own service (the counter's path is what the tests cover). Prints a summary
and one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import tempfile
import time
import uuid
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509 import ocsp
from fastapi.testclient import TestClient

from juki.core.jpki_messages import JpkiIssueRequest
from juki.duties.operators import clients
from juki.duties.operators.accounts import SETUP
from juki.holder.apdu import JPKI_AID, CardSession
from juki.holder.virtual_card import VirtualCard
from juki.jpki import service
from juki.jpki.authority import authority
from juki.network.client_auth import ClientAuth
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app

SHA256_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
PIN = "4831"


def issued_card(network: EmbeddedNetwork, folder: Path) -> VirtualCard:
    card = VirtualCard.create(folder / "holder.card", "0123456789ABCDEF", "JUKI2026", PIN)
    request = JpkiIssueRequest(
        request_id=str(uuid.uuid4()), lg_code="131075", card_issue_number="0123456789ABCDEF",
        resident_code="12345678901", name_kanji="墨田\u3000花子", birth_date=dt.date(1990, 4, 1),
        sex="2", address="東京都墨田区吾妻橋一丁目2番3号", sign_public_key=card.public_keys["sign"],
        auth_public_key=card.public_keys["auth"], operator_id="bench", terminal_id="bench",
    )  # fmt: skip
    with network.node("jpki").unit_of_work() as uow:
        answer = service.issue(uow.session, request, "131075", uow.node.keys)
    card.load_certificates(answer.sign_certificate, answer.auth_certificate)
    return card


def relying_party(network: EmbeddedNetwork) -> TestClient:
    key = clients.ClientKey.generate("system:bench-verifier")
    with network.node("jpki").unit_of_work() as uow:
        clients.register_client(
            uow.session, SETUP, "jpki", client_id=key.client_id, name="bench",
            public_key_pem=key.public_pem(), rights={"jpki_verify": "read"},
            operators=["bench-op"],
        )  # fmt: skip
    party = TestClient(network_app(network))
    party.auth = ClientAuth(key, "bench-op", "bench-terminal")
    return party


def authenticate_once(
    session: CardSession, party: TestClient, certificate: x509.Certificate, ca: x509.Certificate
) -> None:
    challenge = os.urandom(32)
    digest = hashlib.sha256(challenge).digest()
    answer = session.transmit(bytes([0x80, 0x2A, 0x00, 0x80, 51]) + SHA256_INFO + digest + b"\x00")
    assert answer[-2:] == b"\x90\x00"
    public = certificate.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(answer[:-2], digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
    request = ocsp.OCSPRequestBuilder().add_certificate(certificate, ca, hashes.SHA256()).build()
    reply = party.post(
        "/jpki/ocsp", content=request.public_bytes(serialization.Encoding.DER),
        headers={"content-type": "application/ocsp-request"},
    )  # fmt: skip
    status = ocsp.load_der_ocsp_response(reply.content)
    assert status.certificate_status == ocsp.OCSPCertStatus.GOOD


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--authentications", type=int, default=300)
    args = parser.parse_args()
    n = args.authentications
    with tempfile.TemporaryDirectory() as folder:
        network = EmbeddedNetwork(Path(folder) / ".juki", topology={"13": ["131075"]})
        card = issued_card(network, Path(folder))
        party = relying_party(network)
        certificate = card.certificate("auth")
        assert certificate is not None
        with network.node("jpki").db.session() as db:
            ca = authority(db, "auth")
        session = CardSession(card)
        for apdu in (bytes([0x00, 0xA4, 0x04, 0x0C, 10]) + JPKI_AID,
                     bytes.fromhex("00A4020C020018"), bytes([0, 0x20, 0, 0x80, 4]) + PIN.encode(),
                     bytes.fromhex("00A4020C020017")):  # fmt: skip
            assert session.transmit(apdu) == b"\x90\x00"
        authenticate_once(session, party, certificate, ca.certificate)  # warm caches

        started = time.perf_counter()
        for _ in range(n):
            authenticate_once(session, party, certificate, ca.certificate)
        end_to_end = time.perf_counter() - started

        key = card.verify("auth", PIN)
        started = time.perf_counter()
        for _ in range(n):
            digest = hashlib.sha256(os.urandom(32)).digest()
            signed = key.sign(digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
            key.public_key().verify(signed, digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
        raw_rsa = time.perf_counter() - started

        started = time.perf_counter()
        for _ in range(n):
            (
                ocsp.OCSPResponseBuilder()
                .add_response(
                    cert=certificate,
                    issuer=ca.certificate,
                    algorithm=hashes.SHA256(),
                    cert_status=ocsp.OCSPCertStatus.GOOD,
                    this_update=dt.datetime.now(dt.UTC),
                    next_update=None,
                    revocation_time=None,
                    revocation_reason=None,
                )
                .responder_id(ocsp.OCSPResponderEncoding.HASH, ca.certificate)
                .sign(ca.key, hashes.SHA256())
            )
        raw_ocsp = time.perf_counter() - started
        network.close()
    result = {
        "authentications": n,
        "end_to_end_per_s": rate(n, end_to_end),
        "raw_rsa_sign_and_verify_per_s": rate(n, raw_rsa),
        "raw_ocsp_response_per_s": rate(n, raw_ocsp),
    }
    print(
        f"card authentication end to end (APDU signature, verification, OCSP over HTTP): "
        f"{result['end_to_end_per_s']}/s\n"
        f"  baseline, same run: RSA-2048 sign + verify {result['raw_rsa_sign_and_verify_per_s']}/s,"
        f" one OCSP response built and signed {result['raw_ocsp_response_per_s']}/s"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
