"""The counter console (窓口): server-rendered pages in Japanese on the registry node.

Plain HTML forms that work without JavaScript; every page is reachable and usable from the
keyboard. Pages read through the request's unit of work; each 届出 runs in a unit of work
of its own that commits only if the whole 届出 succeeds (`views.perform`).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from juki.core.messaging.node import Node
from juki.registry.console.cards import router as cards_router
from juki.registry.console.events import router as events_router
from juki.registry.console.notice_checks import router as notice_checks_router
from juki.registry.console.office import router as office_router
from juki.registry.console.render import FLASHES, templates
from juki.registry.console.requests import router as requests_router
from juki.registry.console.views import router as views_router
from juki.web import console
from juki.web.console.operators import router as operators_router
from juki.web.console.site import ConsoleSite

HERE = Path(__file__).parent

SITE = ConsoleSite(
    system="住民記録システム",
    templates=templates,
    purpose="住民基本台帳事務",
    static=HERE / "static",
    cookie="juki_console",
    flashes=FLASHES,
)


def install(app: FastAPI, node: Node) -> None:
    """Add the console to a registry node's app, under /console (log-in and session:
    `juki.web.console`)."""
    routers = (views_router, office_router, operators_router, events_router, requests_router,
               notice_checks_router, cards_router)  # fmt: skip
    console.install(app, node, SITE, routers)
