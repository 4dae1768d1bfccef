"""Helpers for the console's browser tests: a network served by uvicorn on a loopback port,
and Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from juki.network.embedded import EmbeddedNetwork
from tests.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    give_node_key,
    require_chromium,
    serving,
    virtual_authenticator,
)
from tests.staff import CLERK, CLERK2, READER, SUPERVISOR, Staff, staff_on

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "free_port",
    "give_key",
    "network_of",
    "require_chromium",
    "served",
    "shot",
    "virtual_authenticator",
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
# The tests' people by the part they play (their logins are personal: 000 AUTH-01).
PEOPLE: dict[str, Staff] = {
    "clerk": CLERK, "clerk2": CLERK2, "supervisor": SUPERVISOR, "reader": READER,
}  # fmt: skip
SERVED: dict[str, EmbeddedNetwork] = {}  # base URL → network, for the log-in helpers
TOTP_SECRETS: dict[tuple[str, str], str] = {}  # (municipality, login) → TOTP secret


@contextmanager
def served(network: EmbeddedNetwork) -> Iterator[str]:
    """The network's HTTP face on a free port, with its dispatcher running, and the test
    staff on every registry."""
    for lg in network.municipalities():
        for login, secret in staff_on(network.node(f"registry:{lg}")).items():
            TOTP_SECRETS[(lg, login)] = secret
    with serving(network) as base:
        SERVED[base] = network
        try:
            yield base
        finally:
            SERVED.pop(base, None)


def shot(page: object, name: str) -> None:
    """Keep a screenshot as a test artifact (test-artifacts/console/)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


# --- WebAuthn through Chromium's virtual authenticator (DevTools protocol) --------------------


def give_key(page: Any, network: EmbeddedNetwork, lg: str, login: str) -> tuple[Any, str]:
    """As if `login` had enrolled this page's authenticator at the registry of `lg`."""
    return give_node_key(page, network.node(f"registry:{lg}"), login)


def network_of(console: str) -> tuple[EmbeddedNetwork, str]:
    """The served network and municipality code of a console URL."""
    base, _, rest = console.partition("/registry/")
    return SERVED[base], rest.split("/")[0]
