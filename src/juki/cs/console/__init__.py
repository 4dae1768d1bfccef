"""The 市町村CS console: the shared log-in (`juki.web.console`: password, then WebAuthn
with user verification — 生体認証 — or an administrator-granted TOTP; 001a ACQ-4-7,
USE-2-7, C-08), the CS's own pages (`pages.py`) and the shared 利用者・権限の管理
(`web/console/operators.py`), each declaring the right it needs (`web/rights.py`)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from juki.core.messaging.node import Node
from juki.cs.console.pages import FLASHES, router
from juki.web import console
from juki.web.console.operators import router as operators_router
from juki.web.console.site import ConsoleSite, templates_for

SITE = ConsoleSite(
    system="市町村CS",
    templates=templates_for(Path(__file__).parent / "templates"),
    purpose="本人確認情報の照会・提供",
    cookie="juki_cs_console",  # the registry of the same municipality shares the host
    flashes=FLASHES,
)


def install(app: FastAPI, node: Node) -> None:
    """Add the console to a CS node's app, under /console."""
    console.install(app, node, SITE, (router, operators_router))
