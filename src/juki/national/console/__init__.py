"""The 住基全国サーバ console for J-LIS staff: the shared log-in (`juki.web.console`:
password, then WebAuthn with user verification — 生体認証 — or an administrator-granted
TOTP; 000 AUTH-01/02 as F2-USE-02 asks for J-LIS terminals) and J-LIS's pages
(`pages.py`): 本人確認情報の照会, the monthly statistics (counts only) and 利用者・権限の管理,
each declaring its right (`web/rights.py`)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from juki.core.messaging.node import Node
from juki.national.console.pages import ROUTERS
from juki.web import console
from juki.web.console.site import ConsoleSite, templates_for

SITE = ConsoleSite(
    system="住基全国サーバ",
    templates=templates_for(Path(__file__).parent / "templates"),
    purpose="機構保存本人確認情報の照会・提供",
    cookie="juki_national_console",
)


def install(app: FastAPI, node: Node) -> None:
    """Add the console to the national server's app, under /console."""
    console.install(app, node, SITE, ROUTERS)
