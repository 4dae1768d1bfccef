"""Helpers for any node's console tests in a real browser: a network served by uvicorn on a
loopback port, Debian's Chromium driven by Playwright (never a downloaded browser), and
WebAuthn through Chromium's virtual authenticator (DevTools protocol)."""

from __future__ import annotations

import base64
import datetime as dt
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import cbor2
import pytest
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select
from webauthn.helpers import bytes_to_base64url

from juki.core.messaging.node import Node
from juki.duties.operators.tables import Operator, WebAuthnCredential
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app

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


def require_chromium() -> None:
    """The console's tests need Debian's chromium: `make test` installs it when run as root
    (scripts/system-packages.sh); without it these tests fail rather than pass unseen."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            "chromium is not installed: run `make test` as root, or apt-get install chromium"
        )


ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@contextmanager
def launched() -> Iterator[Any]:
    """Debian's Chromium under Playwright, for a test module's `browser` fixture."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def keep_shot(page: Any, folder: str, name: str) -> None:
    """A full-page screenshot kept as a test artifact (test-artifacts/<folder>/<name>.png)."""
    (ARTIFACTS / folder).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / folder / f"{name}.png"), full_page=True)


def log_in_with_authenticator(page: Any, console: str, login: str, password: str) -> None:
    """The console's log-in from the keyboard: the password, then the authenticator the
    page holds (`give_node_key`), with user verification; ends on the menu."""
    page.goto(f"{console}/login")
    page.bring_to_front()
    # Autofocus lands once the page is in front: wait for it (fails after 5 s if it never does).
    page.wait_for_function("document.activeElement?.id === 'f-login'", timeout=5000)
    page.keyboard.type(login)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{console}/login/second")
    page.focus("#webauthn-login")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{console}/")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(network: EmbeddedNetwork) -> Iterator[str]:
    """The network's HTTP face on a free port, with its dispatcher running; yields the
    base URL."""
    port = free_port()
    # localhost, not 127.0.0.1: WebAuthn takes a host name as relying party, never an IP.
    app = network_app(network, console_origin=f"http://localhost:{port}")
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error")
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
        yield f"http://localhost:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def virtual_authenticator(page: Any) -> tuple[Any, str]:
    """A platform authenticator that verifies its user (as a fingerprint reader would)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
    }  # fmt: skip
    found = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
    return cdp, found["authenticatorId"]


def give_node_key(page: Any, node: Node, login: str) -> tuple[Any, str]:
    """As if `login` had enrolled this page's authenticator on `node`: a fresh P-256 key in
    the virtual authenticator, its public key (COSE) in the operator's credentials."""
    key = ec.generate_private_key(ec.SECP256R1())
    numbers = key.public_key().public_numbers()
    cose = cbor2.dumps(
        {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
    )
    credential_id = os.urandom(16)
    with node.unit_of_work() as uow:
        operator = uow.session.scalars(select(Operator).where(Operator.login == login)).one()
        uow.session.add(
            WebAuthnCredential(
                operator_id=operator.id, credential_id=bytes_to_base64url(credential_id),
                public_key=cose, sign_count=0, created_at=dt.datetime.now(dt.UTC),
            )
        )  # fmt: skip
    private = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    cdp, authenticator = virtual_authenticator(page)
    cdp.send(
        "WebAuthn.addCredential",
        {
            "authenticatorId": authenticator,
            "credential": {
                "credentialId": base64.b64encode(credential_id).decode(),
                "isResidentCredential": False, "rpId": "localhost",
                "privateKey": base64.b64encode(private).decode(), "signCount": 0,
            },
        },
    )  # fmt: skip
    return cdp, authenticator
