"""The prefecture console's pages: the menu, and the shared pages of a tier over the
prefecture's own tables and search service — 本人確認情報の照会 (002 §6.5), 一括提供 with a
second person's approval and the media write-out (002 §6.2, REQ-USE-06, REQ-OUT-01), and
利用者・権限の管理 (REQ-AUTH-01..05)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from juki.web.console import batches, identity_search
from juki.web.console.batches import BATCH_FLASHES
from juki.web.console.operators import router as operators_router
from juki.web.console.render import page
from juki.web.console.site import SiteClerk
from juki.web.rights import logged_in

FLASHES: dict[str, str] = dict(BATCH_FLASHES)

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
@logged_in  # the menu shows only what the rights allow
def home(request: Request, clerk: SiteClerk) -> HTMLResponse:
    return page(request, "home.html", "都道府県サーバ メニュー", clerk)


# The shared pages read the prefecture's own file (the app's IdentityFile).
ROUTERS = (router, identity_search.router, batches.router, operators_router)
