"""The mutual-TLS port records every refused handshake (000 NET-04, F1-PRV-04; 002
REQ-PRV-05): a real uvicorn server on loopback behind the gate, real certificates."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from juki.core.pki import PkiDirectory
from juki.network.tls_gate import RefusalRecorder, gate_protocol


@dataclass
class Refusals:
    lines: list[tuple[str, str]] = field(default_factory=list)

    def write(self, peer: str, reason: str) -> None:
        self.lines.append((peer, reason))

    def wait(self, count: int, timeout: float = 10) -> list[tuple[str, str]]:
        deadline = time.monotonic() + timeout
        while len(self.lines) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.lines


@dataclass
class Port:
    url: str
    pki: PkiDirectory
    refusals: Refusals


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Port]:
    root = tmp_path_factory.mktemp("gate")
    pki = PkiDirectory(root / "pki")
    ca = pki.init()
    pki.ensure_tls("node", ca)
    pki.ensure_tls("peer", ca)
    app = FastAPI()

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    refusals = Refusals()
    # quiet_s=0: every refusal is written (the throttle has its own test below)
    gate = gate_protocol(pki.server_context("node"), RefusalRecorder(refusals.write, quiet_s=0))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        number = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=number, http=gate, loop="asyncio", log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield Port(f"https://localhost:{number}", pki, refusals)
    server.should_exit = True
    thread.join(10)


def test_a_peer_with_a_certificate_from_the_ca_is_served(port: Port) -> None:
    before = len(port.refusals.lines)
    response = httpx.get(port.url + "/health", verify=port.pki.client_context("peer"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.url.scheme == "https"
    assert len(port.refusals.lines) == before


def test_a_peer_without_a_certificate_is_refused_and_recorded(port: Port) -> None:
    before = len(port.refusals.lines)
    no_certificate = ssl.create_default_context(cafile=str(port.pki.ca_cert_path))
    with pytest.raises(httpx.HTTPError):
        httpx.get(port.url + "/health", verify=no_certificate)
    peer, reason = port.refusals.wait(before + 1)[before]
    assert peer.startswith("127.0.0.1:")
    assert "CERTIFICATE" in reason.upper()


def test_a_certificate_from_another_ca_is_refused_and_recorded(port: Port, tmp_path: Path) -> None:
    before = len(port.refusals.lines)
    stranger = PkiDirectory(tmp_path / "stranger")
    stranger.ensure_tls("intruder", stranger.init())
    # Trusts the node (only our CA), presents a certificate our CA never issued.
    foreign = ssl.create_default_context(cafile=str(port.pki.ca_cert_path))
    foreign.load_cert_chain(*(str(path) for path in stranger.tls_paths("intruder")))
    with pytest.raises(httpx.HTTPError):
        httpx.get(port.url + "/health", verify=foreign)
    peer, reason = port.refusals.wait(before + 1)[before]
    assert peer.startswith("127.0.0.1:")
    assert reason.startswith("証明書を検証できません")


def test_plain_http_on_the_tls_port_is_refused_and_recorded(port: Port) -> None:
    before = len(port.refusals.lines)
    with pytest.raises(httpx.HTTPError):
        httpx.get(port.url.replace("https:", "http:") + "/health")
    _, reason = port.refusals.wait(before + 1)[before]
    assert reason.startswith("TLS ハンドシェイク")


def test_a_flood_of_refusals_is_written_once_per_quiet_period_and_counted() -> None:
    written: list[tuple[str, str]] = []
    now = [0.0]
    recorder = RefusalRecorder(
        lambda p, r: written.append((p, r)), quiet_s=10, clock=lambda: now[0]
    )
    assert recorder.refused("10.0.0.1:1", "10.0.0.1", "x")
    assert not recorder.refused("10.0.0.1:2", "10.0.0.1", "x")
    assert not recorder.refused("10.0.0.1:3", "10.0.0.1", "x")
    assert recorder.refused("10.0.0.2:1", "10.0.0.2", "x")  # another host is its own
    assert recorder.refused("10.0.0.1:4", "10.0.0.1", "y")  # and so is another reason
    now[0] = 10.5
    assert recorder.refused("10.0.0.1:5", "10.0.0.1", "x")
    assert written == [
        ("10.0.0.1:1", "x"),
        ("10.0.0.2:1", "x"),
        ("10.0.0.1:4", "y"),
        ("10.0.0.1:5", "x (直前 2 件の拒否を省略)"),
    ]
