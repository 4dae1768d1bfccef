"""The 中間サーバー console for the institution's staff (001a §2.4 ⑦, NWS-5-4: log-in and
log-out recorded with the staff member, time and operations — the shared log-in of
`juki.web.console`, every step in the audit log): the review of answers held for staff
(自動応答不可, NWS-5-3), the 副本 view (NWS-7-2) and its export for comparison with the
business system (NWS-7-3), and 利用者・権限の管理; each page declares its right
(`web/rights.py`). No page shows a 符号 (NWS-8-2)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from juki.core.messaging.node import Node
from juki.intermediate.console.pages import FLASHES, router
from juki.web import console
from juki.web.console.operators import router as operators_router
from juki.web.console.site import ConsoleSite, templates_for

SITE = ConsoleSite(
    system="中間サーバー",
    templates=templates_for(Path(__file__).parent / "templates"),
    purpose="情報提供の審査・副本の確認（中間サーバー）",
    cookie="juki_intermediate_console",
    flashes=FLASHES,
)


def install(app: FastAPI, node: Node) -> None:
    """Add the console to a 中間サーバー's app, under /console."""
    console.install(app, node, SITE, (router, operators_router))
