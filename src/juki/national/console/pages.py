"""The national server console's pages: the menu, 本人確認情報の照会 over 機構保存本人確認情報
(the API's search service), the monthly statistics (000 P2.6: counts only, the same as
`GET /national/statistics`) and 利用者・権限の管理."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from juki.core.audit import log as audit
from juki.core.clock import JST
from juki.core.errors import JukiError
from juki.core.messages import CHANGE_REASON_LABELS, ChangeReason
from juki.core.places import prefecture_name
from juki.national import statistics
from juki.web.console import access_of, identity_search
from juki.web.console.operators import router as operators_router
from juki.web.console.render import page
from juki.web.console.site import SiteClerk
from juki.web.rights import logged_in, needs

TITLE_STATISTICS = "提供件数・更新件数の統計"

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
@logged_in  # the menu shows only what the rights allow
def home(request: Request, clerk: SiteClerk) -> HTMLResponse:
    return page(request, "home.html", "住基全国サーバ メニュー", clerk)


def _reason(code: str) -> str:
    try:
        return CHANGE_REASON_LABELS[ChangeReason(code)]
    except ValueError:
        return code


@router.get("/statistics", response_class=HTMLResponse)
@needs("statistics", "read")  # as the API's GET /statistics
def statistics_page(request: Request, clerk: SiteClerk, month: str = "") -> HTMLResponse:
    """A month's counts (provisions per body and duty, updates per prefecture and 異動事由);
    the month is the query's only input, and nothing per person is shown or logged."""
    month = month.strip()[:7] or dt.datetime.now(JST).strftime("%Y-%m")
    node = request.app.state.node
    try:
        with node.unit_of_work() as uow:
            counted = statistics.monthly(uow.session, month)
            audit.record(uow.session, access_of(request, (f"month={month}",)))
    except JukiError as refused:
        with node.unit_of_work() as uow:
            audit.record(uow.session, access_of(request, result="refused"))
        return page(
            request, "statistics.html", TITLE_STATISTICS, clerk, refused.status,
            errors={refused.field or "month": refused.message}, month=month, counted=None,
        )  # fmt: skip
    return page(
        request, "statistics.html", TITLE_STATISTICS, clerk, month=month, counted=counted,
        reason=_reason, prefecture=prefecture_name,
    )  # fmt: skip


# The shared page reads J-LIS's own file (the app's IdentityFile).
ROUTERS = (router, identity_search.router, operators_router)
