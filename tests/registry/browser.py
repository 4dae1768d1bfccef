"""Helpers for the console's browser tests: a network served by uvicorn on a loopback port,
and Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.registry import clerks

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
PASSWORDS = {
    "kakari": "kakari-password-1",
    "kakari2": "kakari2-password-1",
    "kanri": "kanri-password-12",
}


def require_chromium() -> None:
    """The console's tests need Debian's chromium: `make test` installs it when run as root
    (scripts/system-packages.sh); without it these tests fail rather than pass unseen."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            "chromium is not installed: run `make test` as root, or apt-get install chromium"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def served(network: EmbeddedNetwork) -> Iterator[str]:
    """The network's HTTP face on a free port, with its dispatcher running."""
    for lg in network.municipalities():
        with network.node(f"registry:{lg}").unit_of_work() as uow:
            clerks.create_clerk(uow, "kakari", "墨田　係員", PASSWORDS["kakari"], "clerk")
            clerks.create_clerk(uow, "kakari2", "墨田　係員二", PASSWORDS["kakari2"], "clerk")
            clerks.create_clerk(uow, "kanri", "墨田　監督者", PASSWORDS["kanri"], "supervisor")
    port = free_port()
    config = uvicorn.Config(network_app(network), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    network.start_dispatcher()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def shot(page: object, name: str) -> None:
    """Keep a screenshot as a test artifact (test-artifacts/console/)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
