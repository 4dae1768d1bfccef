"""The network spread over several processes talking HTTPS with mutual TLS on loopback,
and a prefectural server killed with SIGKILL in the middle of a stream of events."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from juki.core.pki import PkiDirectory
from juki.network.accounts import local_auth
from juki.network.embedded import NetworkHome, build_node
from juki.network.serve import routes_for
from juki.registry.notice_checks import service as notice_checks
from tests.registry.helpers import INTAKE

pytestmark = pytest.mark.slow

LAYOUT = {
    "jlis": ["national", "numbering", "card", "jpki", "kiosk", "issuance"],
    "tokyo": ["prefecture:13"],
    "sumida": ["cs:131075", "registry:131075"],
}
BIRTH = {
    "name_kanji": "墨田\u3000一郎",
    "name_kana": "スミダ\u3000イチロウ",
    "sex": "1",
    "address": "東京都墨田区吾妻橋一丁目1番1号",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    def __init__(self, root: Path):
        self.root = root
        self.home = root / ".juki"
        self.pki = PkiDirectory(self.home / "pki")
        ca = self.pki.init()
        self.ports = {name: free_port() for name in LAYOUT}
        self.routes = routes_for(LAYOUT, self.ports)
        (root / "routes.json").write_text(json.dumps(self.routes))
        for name in LAYOUT:
            self.pki.ensure_tls(name, ca)
        self.pki.ensure_tls("tester", ca)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        # Signed as the local `juki` command, which `node serve` registers on its nodes.
        self.client = httpx.Client(
            verify=self.pki.client_context("tester"), timeout=30, auth=local_auth(self.home)
        )

    def start(self, name: str) -> None:
        log = (self.root / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "juki.cli",
                "node",
                "serve",
                "--nodes",
                ",".join(LAYOUT[name]),
                "--routes",
                str(self.root / "routes.json"),
                "--port",
                str(self.ports[name]),
                "--name",
                name,
                "--home",
                str(self.home),
            ],
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()  # the child holds its own descriptor
        self.wait_healthy(name)

    def wait_healthy(self, name: str, timeout: float = 60) -> None:
        url = self.routes[LAYOUT[name][0]] + "/health"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.client.get(url).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError(f"{name} did not start: {(self.root / f'{name}.log').read_text()}")

    def url(self, node_id: str, path: str) -> str:
        return self.routes[node_id] + path

    def kill(self, name: str) -> None:
        self.processes[name].send_signal(signal.SIGKILL)
        self.processes[name].wait()

    def stop(self) -> None:
        self.client.close()
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def query(self, node_id: str, sql: str) -> list[Any]:
        """Read a node's SQLite file directly (WAL lets us read while the node writes)."""
        path = self.home / "data" / f"{node_id.replace(':', '_')}.db"
        with closing(sqlite3.connect(path, timeout=30)) as conn:
            return conn.execute(sql).fetchall()

    def wait_for(self, check: Any, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.3)
        raise AssertionError("condition not reached in time")


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    running = Cluster(tmp_path)
    try:
        for name in LAYOUT:
            running.start(name)
        without_notice_check(running, "registry:131075")
        yield running
    finally:
        running.stop()


def without_notice_check(cluster: Cluster, node_id: str) -> None:
    """These tests post 届出 in one step: 届出点検 (C-01, on by default) is switched off at
    the registry, as its installer would; the running node reads the setting per 届出."""
    home = NetworkHome(cluster.home)
    node = build_node(home, node_id, home.database_url(node_id, None, "juki"))
    with node.unit_of_work() as uow:
        notice_checks.set_at_setup(uow, required=False, reason="テスト: 届出を一人で記録する")
    node.db.dispose()


def pool_ready(cluster: Cluster) -> bool:
    return bool(cluster.query("registry:131075", "SELECT count(*) FROM resident_code_pool")[0][0])


def events_done(cluster: Cluster) -> bool:
    pending = cluster.query(
        "registry:131075",
        "SELECT count(*) FROM resident_events WHERE status NOT IN ('applied', 'rejected')",
    )
    return bool(pending[0][0] == 0)


def birth(cluster: Cluster, day: int) -> dict[str, Any]:
    date = f"2026-10-{day:02d}"
    response = cluster.client.post(
        cluster.url("registry:131075", "/births"),
        json=BIRTH | {"birth_date": date, "change_date": date},
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def reconcile(cluster: Cluster) -> list[dict[str, Any]]:
    check = cluster.client.post(cluster.url("cs:131075", "/reconcile")).json()["check_id"]
    reports: list[dict[str, Any]] = []

    def done() -> bool:
        nonlocal reports
        reports = cluster.client.get(cluster.url("cs:131075", f"/reconcile/{check}")).json()[
            "reports"
        ]
        return len(reports) == 3  # the prefecture, the national server, File 3

    cluster.wait_for(done)
    return reports


def test_three_processes_over_mutual_tls(cluster: Cluster) -> None:
    cluster.wait_for(lambda: pool_ready(cluster))
    event = birth(cluster, 1)
    assert event["status"] == "awaiting_number"
    event_url = cluster.url("registry:131075", f"/events/{event['id']}")
    cluster.wait_for(lambda: cluster.client.get(event_url).json()["status"] == "applied")
    found = cluster.client.post(
        cluster.url("national", "/search"),
        json={"name_kana": "すみだ いちろう", "birth_date": "2026-10-01", "purpose": "test"},
    ).json()
    assert len(found) == 1
    assert found[0]["lg_code"] == "131075"
    assert all(len(r["differences"]) == 0 for r in reconcile(cluster))


def test_port_refuses_clients_without_a_certificate_from_the_ca(cluster: Cluster) -> None:
    url = cluster.url("national", "/health")
    no_cert = ssl.create_default_context(cafile=str(cluster.pki.ca_cert_path))
    with pytest.raises(httpx.HTTPError):
        httpx.get(url, verify=no_cert)
    stranger = PkiDirectory(cluster.root / "stranger")
    stranger.init()
    stranger.ensure_tls("intruder")
    # Trusts the node (only our CA), presents a certificate our CA never issued.
    foreign = ssl.create_default_context(cafile=str(cluster.pki.ca_cert_path))
    foreign.load_cert_chain(*(str(path) for path in stranger.tls_paths("intruder")))
    with pytest.raises(httpx.HTTPError):
        httpx.get(url, verify=foreign)
    # Both refusals are on record at every node the port serves (NET-04), not only in a log.
    for node_id in LAYOUT["jlis"]:
        sql = "SELECT reason FROM msg_refusals WHERE type = 'tls_handshake' ORDER BY id"
        cluster.wait_for(lambda node=node_id, q=sql: len(cluster.query(node, q)) >= 2, timeout=20)
        reasons = [row[0] for row in cluster.query(node_id, sql)]
        assert "CERTIFICATE" in reasons[0].upper()
        assert reasons[1].startswith("証明書を検証できません")


def test_prefecture_killed_mid_stream_applies_every_event_once_in_order(cluster: Cluster) -> None:
    cluster.wait_for(lambda: pool_ready(cluster))
    residents = [birth(cluster, 1 + i % 28)["resident_id"] for i in range(40)]
    cluster.wait_for(lambda: events_done(cluster))
    total, posted, errors = 2000, [0], []

    def stream() -> None:
        for i in range(total):
            rid = residents[i % len(residents)]
            body = {"address": f"東京都墨田区業平{i}番", "change_date": "2026-11-01"}
            body["intake"] = INTAKE.model_dump(mode="json")
            try:
                response = cluster.client.post(
                    cluster.url("registry:131075", f"/residents/{rid}/move-within"), json=body
                )
                if response.status_code != 201:
                    errors.append(response.text)
            except httpx.HTTPError as exc:
                errors.append(repr(exc))
            posted[0] += 1

    writer = threading.Thread(target=stream)
    writer.start()
    cluster.wait_for(lambda: posted[0] >= total // 3)
    cluster.kill("tokyo")  # SIGKILL: no chance to finish anything in flight
    time.sleep(1)
    cluster.start("tokyo")
    writer.join()
    assert errors == []
    cluster.wait_for(lambda: events_done(cluster), timeout=300)

    registry_order = cluster.query(
        "registry:131075", "SELECT update_id, resident_id, status FROM resident_events ORDER BY id"
    )
    assert {status for _, _, status in registry_order} == {"applied"}
    national = cluster.query(
        "national", "SELECT update_id, resident_code, update_seq FROM identity_file ORDER BY id"
    )
    duplicates = cluster.query(
        "national",
        "SELECT count(*) FROM (SELECT update_id FROM identity_file GROUP BY update_id"
        " HAVING count(*) > 1)",
    )[0][0]
    assert duplicates == 0
    assert [u for u, _, _ in national] == [u for u, _, _ in registry_order]  # once, in order
    seqs: dict[str, list[int]] = {}
    for _, code, seq in national:
        seqs.setdefault(code, []).append(seq)
    assert all(s == list(range(1, len(s) + 1)) for s in seqs.values())
    assert all(len(r["differences"]) == 0 for r in reconcile(cluster))
