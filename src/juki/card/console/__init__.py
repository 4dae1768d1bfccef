"""The 個人番号カード管理システム console for J-LIS staff: the shared log-in
(`juki.web.console`: a personal ID and password, then WebAuthn with user verification —
生体認証 — or an administrator-granted TOTP; 000 AUTH-01, AUTH-02 in its File 3 variant, as
F3-USE-02 asks) and the card system's pages (`pages.py`): 申請状況照会 by 申請書ID, the
statistics (counts only, F3-USE-04), the print stops left unacknowledged, and 利用者・権限の
管理 (ACL-01..05), each declaring its right (`web/rights.py`); every page and every refusal
in the audit log (LOG-01)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from juki.card.console.pages import ROUTERS
from juki.core.messaging.node import Node
from juki.web import console
from juki.web.console.site import ConsoleSite, templates_for

SITE = ConsoleSite(
    system="個人番号カード管理システム",
    templates=templates_for(Path(__file__).parent / "templates"),
    purpose="個人番号カード用管理ファイルの照会（機構）",
    cookie="juki_card_console",
)


def install(app: FastAPI, node: Node) -> None:
    """Add the console to the card management system's app, under /console."""
    console.install(app, node, SITE, ROUTERS)
