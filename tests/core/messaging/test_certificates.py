"""Node certificates checked at every use (issue #14, item 7), at a receiving node:

- a certificate accepted once and cached is refused when it has expired since;
- `juki pki revoke` puts it on the CA's CRL and the running node refuses it from the next
  envelope; `juki pki renew` gives the node a new one that is accepted;
- a certificate of the CA that is not a node's signing certificate (a CA, no
  digitalSignature) is refused; certificates live a year, not ten;
- key files are created 0600 in a 0700 folder.
"""

from __future__ import annotations

import datetime as dt
import json
import stat
from typing import Any

import pytest
from cryptography import x509
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from juki.cli.app import app as cli
from juki.core import pki
from juki.core.messages import MessageType
from juki.core.messaging import tables
from juki.core.messaging.envelope import seal
from juki.core.pki import CERT_VALIDITY, _pem
from juki.network import housekeeping
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from tests.core.messaging.test_node import envelope_from, next_seq

SENDER, RECEIVER = "registry:131075", "cs:131075"


def sent(network: EmbeddedNetwork, raw: dict[str, Any] | None = None) -> Any:
    """One envelope from 墨田区's register to its CS; the CS's answer."""
    raw = raw or envelope_from(network, SENDER, RECEIVER, next_seq(network, SENDER, RECEIVER))
    [ack] = network.node(RECEIVER).receive([raw])
    return ack


def test_a_cached_certificate_is_refused_once_it_has_expired(
    network: EmbeddedNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sent(network).status != "refused"  # accepted, and its check cached
    _key, cert_pem = network.home.pki.node_identity(SENDER)
    expiry = x509.load_pem_x509_certificate(cert_pem).not_valid_after_utc
    later = expiry + dt.timedelta(seconds=1)
    monkeypatch.setattr(pki, "_now", lambda: later)
    network.home.pki.refresh_crl()  # the CRL itself kept fresh at that date
    ack = sent(network)
    assert (ack.status, ack.field) == ("refused", "certificate")
    assert "有効期間外" in ack.detail


def over_http(network: EmbeddedNetwork) -> Any:
    """One envelope from 墨田区's register to its CS through the network's HTTP face
    (POST /messages, as a peer process would); the CS's answer for it."""
    raw = envelope_from(network, SENDER, RECEIVER, next_seq(network, SENDER, RECEIVER))
    answer = TestClient(network_app(network)).post("/cs/131075/messages", json=[raw])
    return answer.status_code, answer.json()[0]


def test_a_revoked_certificate_is_refused_by_the_running_node_and_a_renewed_one_accepted(
    network: EmbeddedNetwork,
) -> None:
    """On SQLite and PostgreSQL, over HTTP: the same running network, before and after
    `juki pki revoke`, then after `juki pki renew` (the node re-reads its key at start:
    the test opens it again, as a restart would)."""
    assert over_http(network)[0] == 200
    home = str(network.home.root)
    runner = CliRunner()
    revoked = runner.invoke(cli, ["pki", "revoke", SENDER, "--home", home])
    assert revoked.exit_code == 0, revoked.output
    status, ack = over_http(network)
    assert (status, ack["status"], ack["field"]) == (403, "refused", "certificate")
    assert "失効" in ack["detail"]
    with network.node(RECEIVER).db.session() as session:
        (kept,) = session.execute(
            select(tables.refusals).order_by(tables.refusals.c.id.desc()).limit(1)
        ).all()
    assert (kept.claimed_sender, "失効" in kept.reason) == (SENDER, True)  # on record
    renewed = runner.invoke(cli, ["pki", "renew", SENDER, "--home", home])
    assert renewed.exit_code == 0, renewed.output
    sender = network.node(SENDER)
    sender._signing_key, cert = network.home.pki.node_identity(SENDER)  # as at a restart
    sender._certificate_pem = cert.decode()
    assert sent(network).status != "refused"  # the new certificate, new serial


def test_a_crl_not_signed_by_the_ca_stops_every_certificate(
    sqlite_network: EmbeddedNetwork,
) -> None:
    """Fail closed: a node that cannot trust the CRL trusts no certificate."""
    stranger = pki.CertificateAuthority.create("not our CA")
    crl = stranger.crl([])
    sqlite_network.home.pki.crl_path.write_bytes(crl.public_bytes(pki.serialization.Encoding.PEM))
    ack = sent(sqlite_network)
    assert (ack.status, ack.field) == ("refused", "certificate")


ENCIPHER_ONLY = x509.KeyUsage(False, False, True, False, False, False, False, False, False)
SIGN_ONLY = x509.KeyUsage(True, False, False, False, False, False, False, False, False)


@pytest.mark.parametrize(
    ("constraints", "usage"),
    [(False, ENCIPHER_ONLY), (True, SIGN_ONLY), (False, None)],
    ids=["no-digital-signature", "a-ca-certificate", "no-key-usage"],
)
def test_a_certificate_that_is_not_a_signing_certificate_is_refused(
    sqlite_network: EmbeddedNetwork, constraints: bool, usage: x509.KeyUsage | None
) -> None:
    """Issued by the network's CA, for the sender's name, but not for signing envelopes."""
    ca = sqlite_network.home.pki.ca()
    key, _cert = ca.issue_node(SENDER)
    subject = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, SENDER)])
    builder = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(ca.cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(pki._now() - dt.timedelta(minutes=5))
        .not_valid_after(pki._now() + CERT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=constraints, path_length=None), critical=True)
    )  # fmt: skip
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    wrong = builder.sign(ca.key, pki.hashes.SHA256())
    sealed = seal(
        key=key, certificate_pem=_pem(wrong).decode(), sender=SENDER, recipient=RECEIVER,
        channel_seq=next_seq(sqlite_network, SENDER, RECEIVER),
        message_type=MessageType.POOL_REQUEST, body={"records": []},
    )  # fmt: skip
    ack = sent(sqlite_network, json.loads(sealed))
    assert (ack.status, ack.field) == ("refused", "certificate")
    assert "署名用の証明書ではありません" in ack.detail


def test_certificates_live_a_year_and_keys_are_private(sqlite_network: EmbeddedNetwork) -> None:
    directory = sqlite_network.home.pki
    cert_path, key_path = directory.node_paths(SENDER)
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    assert cert.not_valid_after_utc - cert.not_valid_before_utc <= dt.timedelta(days=366)
    fresh = directory.root.parent / "pki-fresh"
    made = pki.PkiDirectory(fresh)
    made.init()
    made.ensure_node(SENDER)
    for path in (fresh / "ca.key", made.node_paths(SENDER)[1]):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(made.node_paths(SENDER)[1].parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600


def test_a_running_network_keeps_its_revocation_list_fresh(
    sqlite_network: EmbeddedNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by an attack review: the CRL was re-signed only at start, so after a month of
    uptime every envelope was refused. The housekeeping of `juki up` and `juki node serve`
    re-signs it."""
    later = pki._now() + pki.CRL_VALIDITY + dt.timedelta(days=1)
    monkeypatch.setattr(pki, "_now", lambda: later)
    assert (sent(sqlite_network).status, sent(sqlite_network).field) == ("refused", "certificate")
    housekeeping.once(list(sqlite_network.nodes.values()), sqlite_network.home.pki)
    assert sent(sqlite_network).status != "refused"


def test_text_around_a_certificate_does_not_grow_the_cache(sqlite_network: EmbeddedNetwork) -> None:
    """Found by an attack review: the verified-signature cache was keyed by the PEM text,
    and text around the block still parses, so one request could add entries at will."""
    node = sqlite_network.node(RECEIVER)
    for i in range(50):
        raw = envelope_from(sqlite_network, SENDER, RECEIVER, 10_000 + i)
        raw["certificate"] = raw["certificate"] + f"\njunk {i}\n"
        node.receive([raw])
    assert len(node._trusted) <= 2
