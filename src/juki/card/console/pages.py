"""The card management system console's pages: the menu; 申請状況照会 (one application by its
申請書ID: state, dates, history; read-only — card/inquiry.py); the statistics (000
F3-USE-04: counts by processing state, cards issued and valid cards, the same as
`GET /card/statistics`); the print stops no contractor acknowledged in time, for J-LIS's
follow-up (`printing.unacknowledged_stops`, as `GET /card/reports/print-stops`); and
利用者・権限の管理 (web/console/operators.py).

Each page declares the duty it serves (000 ACL-01; `web/rights.py`) and is in the
audit log with its keys (LOG-01: the 申請書ID looked up, the 申請書IDs listed), refusals
included. The 申請書ID is posted, never put in a URL; nothing typed is logged or shown back
when it is refused (it could be anything, a 個人番号 too)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from juki.card import applications, inquiry, printing
from juki.core.audit import log as audit
from juki.core.clock import JST
from juki.core.errors import InvalidInput, JukiError
from juki.core.places import municipality
from juki.web.console import access_of
from juki.web.console.operators import router as operators_router
from juki.web.console.render import page
from juki.web.console.session import ClerkSession, Form
from juki.web.console.site import SiteClerk
from juki.web.rights import POSTED_KEYS, logged_in, needs

TITLE_APPLICATION = "申請状況照会"
TITLE_STATISTICS = "処理状況の統計"
TITLE_STOPS = "確認されていない印刷停止"

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
@logged_in  # the menu shows only what the rights allow
def home(request: Request, clerk: SiteClerk) -> HTMLResponse:
    return page(request, "home.html", "個人番号カード管理システム メニュー", clerk)


# --- 申請状況照会 ---------------------------------------------------------------------------


def _application_page(
    request: Request, clerk: ClerkSession, status: int = 200, **context: object
) -> HTMLResponse:
    return page(
        request, "application.html", TITLE_APPLICATION, clerk, status,
        status_names=inquiry.STATUS_NAMES, kind_names=inquiry.KIND_NAMES, place=_place,
        result_name=inquiry.result_name,
        **({"value": ""} | context),
    )  # fmt: skip


def _place(lg_code: str) -> str:
    try:
        found = municipality(lg_code)
    except InvalidInput:
        return ""
    return f"{found.prefecture}{found.name}"


@router.get("/applications", response_class=HTMLResponse)
@needs("card_inquiry", "read")
def application_form(request: Request, clerk: SiteClerk) -> HTMLResponse:
    return _application_page(request, clerk)


@router.post("/applications", response_class=HTMLResponse)
@needs("card_inquiry", "read", read_by_post=POSTED_KEYS)  # the 申請書ID: still a read
def application_lookup(request: Request, clerk: SiteClerk, fields: Form) -> HTMLResponse:
    """One application by its 申請書ID. A malformed ID is refused before any read and
    logged without it; a well-formed one is the audit entry's key, found or not."""
    node = request.app.state.node
    try:
        application_id = inquiry.application_id_of(fields.get("application_id", "")[:100])
    except JukiError as refused:
        with node.unit_of_work() as uow:
            audit.record(uow.session, access_of(request, result="refused"))
        errors = {"application_id": refused.message}
        return _application_page(request, clerk, refused.status, errors=errors)
    key = (f"申請書ID={application_id}",)
    try:
        with node.unit_of_work() as uow:
            found = inquiry.application_status(uow.session, application_id)
            audit.record(uow.session, access_of(request, key))
    except JukiError as refused:
        with node.unit_of_work() as uow:
            audit.record(uow.session, access_of(request, key, result="not_found"))
        errors = {"application_id": refused.message}
        return _application_page(
            request, clerk, refused.status, errors=errors, value=application_id
        )
    return _application_page(request, clerk, found=found, value=application_id)


# --- statistics (000 F3-USE-04) ------------------------------------------------------------


@router.get("/statistics", response_class=HTMLResponse)
@needs("statistics", "read")  # as the API's GET /statistics
def statistics_page(request: Request, clerk: SiteClerk) -> HTMLResponse:
    """Counts by processing state, forms handed over, cards issued and valid: nothing per
    person, nothing to type."""
    with request.app.state.node.unit_of_work() as uow:
        counted = applications.statistics(uow.session)
        audit.record(uow.session, access_of(request))
    return page(
        request, "statistics.html", TITLE_STATISTICS, clerk, counted=counted,
        status_names=inquiry.STATUS_NAMES, today=dt.datetime.now(JST).date(),
    )  # fmt: skip


# --- print stops left unacknowledged (印刷停止) ----------------------------------------------


def _day(text: str) -> dt.date:
    if not text:
        return dt.datetime.now(JST).date()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "基準日は YYYY-MM-DD（例 2026-11-24）で入力してください", field="as_of"
        ) from None


@router.get("/print-stops", response_class=HTMLResponse)
@needs("card_contracts", "read")  # as GET /reports/print-stops
def print_stops_page(request: Request, clerk: SiteClerk, as_of: str = "") -> HTMLResponse:
    """The stops no contractor acknowledged within STOP_ACK_DAYS of `as_of` (today by
    default), each by 申請書ID, batch and contractor, for J-LIS to follow up."""
    node = request.app.state.node
    text = as_of.strip()[:10]
    try:
        day = _day(text)
        with node.unit_of_work() as uow:
            lines = printing.unacknowledged_stops(uow.session, day)
            keys = (f"as_of={day}", *(f"申請書ID={line.application_id}" for line in lines))
            audit.record(uow.session, access_of(request, keys))
    except JukiError as refused:
        with node.unit_of_work() as uow:
            audit.record(uow.session, access_of(request, result="refused"))
        return page(
            request, "print_stops.html", TITLE_STOPS, clerk, refused.status,
            errors={refused.field or "as_of": refused.message}, as_of="", lines=None,
            days=printing.STOP_ACK_DAYS,
        )  # fmt: skip
    return page(
        request, "print_stops.html", TITLE_STOPS, clerk, as_of=day.isoformat(), lines=lines,
        days=printing.STOP_ACK_DAYS,
    )  # fmt: skip


ROUTERS = (router, operators_router)
