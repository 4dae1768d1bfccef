"""The 都道府県サーバ console: the shared log-in (`juki.web.console`: password, then
WebAuthn with user verification — 生体認証 — or an administrator-granted TOTP; 002
REQ-AUTH-01/02, REQ-UI-01) and the prefecture's pages (`pages.py`): 本人確認情報の照会,
一括提供 under two-person control, 利用者・権限の管理 — each declaring its right
(`web/rights.py`)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from juki.core.messaging.node import Node
from juki.prefecture.console.pages import FLASHES, ROUTERS
from juki.web import console
from juki.web.console.site import ConsoleSite, templates_for

SITE = ConsoleSite(
    system="都道府県サーバ",
    templates=templates_for(Path(__file__).parent / "templates"),
    purpose="本人確認情報の照会・提供（都道府県知事）",
    cookie="juki_prefecture_console",
    flashes=FLASHES,
)


def install(app: FastAPI, node: Node) -> None:
    """Add the console to a prefecture node's app, under /console."""
    console.install(app, node, SITE, ROUTERS)
