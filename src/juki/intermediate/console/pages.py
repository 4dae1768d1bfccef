"""The 中間サーバー console's pages: the menu; 自動応答不可の審査 (the queue of held answers, one
case with the 副本 it would give, and the decision: `review.py`); 副本の照会 by 統合宛名番号
(NWS-7-2, posted, never in a URL); the 副本's export as CSV for comparison with the
business system (NWS-7-3, administrators only: `data_export`, in the output log).

Every page that shows a person is in the audit log with its keys (the permit, the
統合宛名番号), in the page's own transaction; refusals too. Nothing typed that is refused
is logged or shown back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from juki.core.audit import log as audit
from juki.core.audit import outputs
from juki.core.errors import InvalidInput, JukiError, NotFound
from juki.core.infonet_messages import ATENA_ID, CHECK_ID, PERMIT_ID, ResidentRecordCopy
from juki.core.messages import CHANGE_REASON_LABELS, ChangeReason
from juki.core.messaging.node import UnitOfWork
from juki.core.places import municipality
from juki.core.wareki import wareki
from juki.intermediate import checks, exchange, review
from juki.intermediate.models import Fukuhon
from juki.web.app import UoW
from juki.web.console import access_of
from juki.web.console.render import base_of, page
from juki.web.console.session import ClerkSession, Form
from juki.web.console.site import SiteClerk
from juki.web.rights import POSTED_KEYS, logged_in, needs

T = TypeVar("T")
TITLE_QUEUE = "自動応答不可の審査"
TITLE_CASE = "情報提供の審査"
TITLE_COPY = "副本の照会"
TITLE_CHECKS = "副本と原本の突合"
CHECK_RESULTS = {
    "same": "一致", "differs": "不一致", "missing": "副本なし", "unlinked": "統合宛名なし",
    "extra": "原本なし",
}  # fmt: skip
FLASHES = {
    "provided": "審査のうえ提供しました（照会者の鍵で暗号化して送信しました）。",
    "withheld": "提供しないことにしました（照会者には「提供なし」と伝わります）。",
    "not_held": "副本がないため提供できませんでした（照会者には「提供なし」と伝わります）。",
    "refused": "照会者の鍵で暗号化できないため、提供を拒否しました。",
}
# The 副本's items as the staff read them (core/infonet_messages.ResidentRecordCopy).
COPY_LABELS = {
    "name_kanji": "氏名", "name_kana": "ふりがな", "birth_date": "生年月日", "sex": "性別",
    "address": "住所", "became_resident_on": "住民となった年月日", "status": "状態",
    "change_reason": "最終異動事由", "change_date": "最終異動日",
}  # fmt: skip
STATUS_NAMES = {"resident": "住民", "removed": "消除"}
PermitId = Annotated[str, Path(pattern=PERMIT_ID, description="提供許可証の番号")]

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
@logged_in  # the menu shows only what the rights allow
def home(request: Request, clerk: SiteClerk, uow: UoW) -> HTMLResponse:
    waiting = len(review.waiting(uow)) if clerk.may("provision_review") else 0
    return page(request, "home.html", "中間サーバー メニュー", clerk, waiting=waiting)


# --- 自動応答不可の審査 (NWS-5-3) --------------------------------------------------------------


@router.get("/reviews", response_class=HTMLResponse)
@needs("provision_review", "read")
def queue(request: Request, clerk: SiteClerk, uow: UoW) -> HTMLResponse:
    """The held answers waiting, oldest first: the request only (row, 事務, requester,
    items, deadline), no personal data."""
    waiting = review.waiting(uow)
    audit.record(uow.session, access_of(request, tuple(f"permit={h.permit_id}" for h in waiting)))
    cases = [(h, _request_of(h.request)) for h in waiting]
    return page(request, "reviews.html", TITLE_QUEUE, clerk, cases=cases, place=_place)


@router.get("/reviews/{permit_id}", response_class=HTMLResponse)
@needs("provision_review", "read")
def case_page(request: Request, permit_id: PermitId, clerk: SiteClerk, uow: UoW) -> HTMLResponse:
    """One held answer: the request and the 副本 it would give, for staff to re-check."""
    try:
        found = review.case(uow, permit_id)
    except NotFound as missing:
        audit.record(uow.session, access_of(request, result="not_found"))
        return _missing(request, clerk, missing)
    audit.record(uow.session, access_of(request, (f"atena_id={found.atena_id}",)))
    return _case_page(request, clerk, found)


def _missing(request: Request, clerk: ClerkSession, missing: NotFound) -> HTMLResponse:
    return page(
        request, "message.html", TITLE_CASE, clerk, 404, message=missing.message,
        css="refused", role="alert", links=[(TITLE_QUEUE, f"{base_of(request)}/reviews")],
    )  # fmt: skip


@router.post("/reviews/{permit_id}", response_class=HTMLResponse)
@needs("provision_review", "update")
def decide(request: Request, permit_id: PermitId, clerk: SiteClerk, fields: Form) -> Response:
    """提供する or 提供しない, with the reason (required to withhold); decided once."""
    decision = fields.get("decision", "")
    note = fields.get("note", "")

    def act(uow: UnitOfWork) -> str:
        if decision not in ("provide", "withhold"):
            raise InvalidInput("「提供する」か「提供しない」を選んでください", field="decision")
        reviewer = f"{clerk.login}@{clerk.terminal}"
        return review.decide(uow, permit_id, decision, reviewer, note)  # type: ignore[arg-type]

    outcome, errors = _perform(request, act)
    if outcome is not None:
        return RedirectResponse(f"{base_of(request)}/reviews?done={outcome}", 303)
    with request.app.state.node.unit_of_work() as uow:
        try:
            found = review.case(uow, permit_id)
        except NotFound as missing:
            return _missing(request, clerk, missing)
    return _case_page(
        request, clerk, found, 409 if "permit_id" in errors else 422, errors=errors,
        decision=decision, note=note[: review.NOTE_MAX],
    )  # fmt: skip


def _case_page(
    request: Request, clerk: ClerkSession, found: review.HeldCase, status: int = 200,
    **context: object,
) -> HTMLResponse:  # fmt: skip
    return page(
        request, "review.html", TITLE_CASE, clerk, status, case=found, place=_place,
        copies={kind: _shown(data) for kind, data in found.copies.items()},
        **({"decision": "", "note": ""} | context),
    )  # fmt: skip


# --- 副本の照会 (NWS-7-2) and its export (NWS-7-3) -------------------------------------------


@router.get("/fukuhon", response_class=HTMLResponse)
@needs("fukuhon_view", "read")
def copy_form(request: Request, clerk: SiteClerk) -> HTMLResponse:
    return page(request, "fukuhon.html", TITLE_COPY, clerk, atena_id="")


@router.post("/fukuhon", response_class=HTMLResponse)
@needs("fukuhon_view", "read", read_by_post=POSTED_KEYS)
def copy_lookup(request: Request, clerk: SiteClerk, fields: Form) -> HTMLResponse:
    atena_id = fields.get("atena_id", "").strip()

    def read(uow: UnitOfWork) -> list[dict[str, object]]:
        if not _is_atena_id(atena_id):
            raise InvalidInput("団体内統合宛名番号の形式が正しくありません", field="atena_id")
        return [
            {"kind": c.kind, "removed": c.removed, "hold": c.hold, "at": c.registered_at,
             "items": _shown(json.loads(c.data))}
            for c in exchange.copies_of(uow, atena_id)
        ]  # fmt: skip

    keys = (f"atena_id={atena_id}",) if _is_atena_id(atena_id) else ()  # never what was typed
    shown, errors = _perform(request, read, keys)
    if shown is None:
        status = 404 if "atena_id" in errors and _is_atena_id(atena_id) else 422
        return page(
            request, "fukuhon.html", TITLE_COPY, clerk, status, errors=errors,
            atena_id=atena_id if _is_atena_id(atena_id) else "",
        )  # fmt: skip
    return page(request, "fukuhon.html", TITLE_COPY, clerk, atena_id=atena_id, found=shown)


@router.post("/fukuhon/export")
@needs("data_export", "update")  # copying data out of the system: administrators (001a USE-4-2)
def export(request: Request, clerk: SiteClerk, _form: Form) -> Response:
    """Every 副本 as CSV (UTF-8 with BOM), one line per person and kind, for comparison with
    the business system's original (NWS-7-3); in the output log with every 統合宛名番号."""

    def write(uow: UnitOfWork) -> str:
        copies = uow.session.scalars(select(Fukuhon).order_by(Fukuhon.atena_id, Fukuhon.kind))
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["団体内統合宛名番号", "種別", "消除", "自動応答不可", "登録日時",
                         *COPY_LABELS.values()])  # fmt: skip
        keys = []
        for copy in copies:
            data = json.loads(copy.data)
            writer.writerow(
                [copy.atena_id, copy.kind, int(copy.removed), int(copy.hold),
                 copy.registered_at.isoformat(), *(data.get(k) or "" for k in COPY_LABELS)]
            )  # fmt: skip
            keys.append(f"atena_id={copy.atena_id}")
        outputs.record_output(
            uow.session, operator=clerk.login, terminal=clerk.terminal,
            form="副本（CSV）", purpose="副本と原本の突合（NWS-7-3）", targets=tuple(keys),
        )  # fmt: skip
        return out.getvalue()

    with request.app.state.node.unit_of_work() as uow:
        body = write(uow)
    return Response(
        body.encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="fukuhon.csv"',
                 "Cache-Control": "no-store"},
    )  # fmt: skip


# --- 副本の突合 (NWS-7-3): the comparison with the business system's originals ---------------

CheckId = Annotated[str, Path(pattern=CHECK_ID, description="突合の番号")]
COMPARES = "compares the 副本 with the register's originals as digests; no data changes"


@router.get("/fukuhon/checks", response_class=HTMLResponse)
@needs("fukuhon_view", "read")
def check_list(request: Request, clerk: SiteClerk, uow: UoW) -> HTMLResponse:
    return page(request, "checks.html", TITLE_CHECKS, clerk, runs=checks.recent(uow))


@router.post("/fukuhon/checks")
@needs("fukuhon_view", "read", read_by_post=COMPARES)
def check_start(request: Request, clerk: SiteClerk, _form: Form) -> Response:
    run, _errors = _perform(request, lambda uow: checks.start(uow, clerk.login))
    where = f"/fukuhon/checks/{run.id}" if run is not None else "/fukuhon/checks"
    return RedirectResponse(f"{base_of(request)}{where}", 303)


@router.get("/fukuhon/checks/{check_id}", response_class=HTMLResponse)
@needs("fukuhon_view", "read")
def check_report(request: Request, check_id: CheckId, clerk: SiteClerk, uow: UoW) -> HTMLResponse:
    try:
        run, counts, off = checks.report(uow, check_id)
    except NotFound as missing:
        back = [(TITLE_CHECKS, f"{base_of(request)}/fukuhon/checks")]
        return page(
            request, "message.html", TITLE_CHECKS, clerk, 404, message=missing.message,
            css="refused", role="alert", links=back,
        )  # fmt: skip
    audit.record(uow.session, access_of(request))
    return page(
        request, "check.html", TITLE_CHECKS, clerk, run=run, counts=counts, off=off,
        names=CHECK_RESULTS,
    )  # fmt: skip


# --- helpers --------------------------------------------------------------------------------


def _perform(
    request: Request, action: Callable[[UnitOfWork], T], targets: tuple[str, ...] = ()
) -> tuple[T | None, dict[str, str]]:
    """Run one action in its own unit of work, logged with it; a refusal rolls it back and
    is logged alone (`refused`), its message by field."""
    node = request.app.state.node
    try:
        with node.unit_of_work() as uow:
            result = action(uow)
            audit.record(uow.session, access_of(request, targets))
            return result, {}
    except (ValidationError, JukiError) as refused:
        with node.unit_of_work() as uow:
            audit.record(uow.session, access_of(request, targets, result="refused"))
        field = refused.field if isinstance(refused, JukiError) else None
        return None, {field or "form": getattr(refused, "message", "入力が正しくありません")}


def _is_atena_id(value: str) -> bool:
    return re.fullmatch(ATENA_ID, value) is not None


def _request_of(text: str) -> dict[str, object]:
    return json.loads(text)


def _shown(data: object) -> list[tuple[str, str]]:
    """A 副本's items as label and value, in the order of the record."""
    if not isinstance(data, dict):
        return []
    try:
        copy = ResidentRecordCopy.model_validate(data)
    except ValidationError:
        return [(str(k), str(v)) for k, v in data.items()]
    shown: dict[str, object] = dict(copy)
    shown["sex"] = {"1": "男", "2": "女"}[copy.sex]
    shown["status"] = STATUS_NAMES.get(copy.status, copy.status)
    shown["change_reason"] = _reason_label(copy.change_reason)
    return [(COPY_LABELS[k], _text(v)) for k, v in shown.items()]


def _reason_label(reason: str) -> str:
    try:
        return CHANGE_REASON_LABELS[ChangeReason(reason)]
    except ValueError:
        return reason


def _text(value: object) -> str:
    """Dates as people read them: 和暦 (jyuki-standard's screens)."""
    if isinstance(value, dt.date):
        return wareki(value)
    return "" if value is None else str(value)


def _place(code: str) -> str:
    try:
        found = municipality(code)
    except InvalidInput:
        return code
    return f"{found.prefecture}{found.name}"
