"""マイナポータル's pages, in Japanese, for the holder's browser: the top page, the log-in
(the number the app reads, then the page follows the log-in until the card is checked),
the 情報提供等記録 (who asked whom for what about me, when, under which 事務, and what came
of it — refusals included), and log-out.

The session is kept on the server (`web/console/session_store.py`, its own cookie); a new
id is issued at log-in (an id known before is worthless after); it ends after 30 minutes
without use [juki's choice] or 12 hours in all. Only the browser that opened a log-in can
take it. Pages that show a person's records are in the audit log."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from juki.core.audit import log as audit
from juki.core.clock import in_japan
from juki.core.errors import JukiError
from juki.core.infonet_messages import SERIAL
from juki.core.messaging.node import Node
from juki.core.wareki import wareki
from juki.portal import service
from juki.portal.api import router as app_router
from juki.web import rights
from juki.web.app import UoW
from juki.web.console.session import Form
from juki.web.console.session_store import ServerSession, ServerSessionMiddleware
from juki.web.rights import holder_logged_in, public

IDLE_S = 30 * 60
COOKIE = "juki_portal"
OUTCOMES = {"provided": "提供", "not_provided": "提供なし", "refused": "不可", "pending": "照会中"}
TEMPLATES = Jinja2Templates(directory=FilePath(__file__).parent / "templates")
TEMPLATES.env.globals["wareki"] = wareki
TEMPLATES.env.filters["jst"] = lambda moment: in_japan(moment).strftime("%H:%M")
TEMPLATES.env.filters["jst_date"] = lambda moment: in_japan(moment).date()
router = APIRouter()
AskId = Annotated[str, Path(pattern=SERIAL, description="照会番号")]


class HolderLoginRequired(Exception):
    pass


@dataclass(frozen=True)
class HolderSession:
    holder_id: int
    csrf: str


@rights.checks_declaration
def current_holder(request: Request) -> HolderSession:
    """The holder logged in to this browser, for a page that declares `holder`; idle for
    30 minutes, the session ends."""
    declared = rights.of_request(request.scope)
    session = request.session
    if declared is None or declared.kind != "holder" or "holder" not in session:
        raise HolderLoginRequired
    if time.time() - float(session.get("seen", 0)) > IDLE_S:
        _end(request)
        raise HolderLoginRequired
    session["seen"] = time.time()
    return HolderSession(int(session["holder"]), str(session["csrf"]))


Holder = Annotated[HolderSession, Depends(current_holder)]


def _base(request: Request) -> str:
    return str(request.scope.get("root_path", ""))


def _page(
    request: Request, template: str, title: str, status: int = 200, **context: Any
) -> HTMLResponse:
    csrf = request.session.setdefault("csrf", secrets.token_urlsafe(24))
    return TEMPLATES.TemplateResponse(
        request, template,
        {"title": title, "base": _base(request), "csrf": csrf,
         "logged_in": "holder" in request.session, "outcomes": OUTCOMES} | context,
        status_code=status,
    )  # fmt: skip


def _csrf_ok(request: Request, fields: dict[str, str]) -> bool:
    expected = str(request.session.get("csrf", ""))
    return bool(expected) and secrets.compare_digest(fields.get("csrf", ""), expected)


def _end(request: Request) -> None:
    session = request.session
    assert isinstance(session, ServerSession)
    session.clear()
    session.ended = True


# --- before log-in ----------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
@public("the portal's top page: nothing personal, the way in")
def top(request: Request) -> Response:
    if "holder" in request.session:
        return RedirectResponse(f"{_base(request)}/records", 303)
    return _page(request, "top.html", "マイナポータル")


@router.post("/login")
@public("starts a log-in: the card, through the holder's app, is what logs anyone in")
def start(request: Request, fields: Form, uow: UoW) -> Response:
    if not _csrf_ok(request, fields):
        return _page(request, "top.html", "マイナポータル", 400, error="画面を開き直してください。")
    login = service.open_login(uow)
    # A new session id for the log-in: an id planted in this browser before (session
    # fixation) must not be the one the holder's log-in lands in.
    session = request.session
    assert isinstance(session, ServerSession)
    session.clear()
    session.renew = True
    session.update(login_id=login.id, csrf=secrets.token_urlsafe(24))
    return RedirectResponse(f"{_base(request)}/login", 303)


@router.get("/login", response_class=HTMLResponse)
@public("follows the log-in this browser opened, until the card is checked")
def waiting(request: Request, uow: UoW) -> Response:
    login_id = request.session.get("login_id")
    if not login_id:
        return RedirectResponse(f"{_base(request)}/", 303)
    try:
        login, taken = service.finish(uow, str(login_id))
    except JukiError:
        request.session.pop("login_id", None)
        return RedirectResponse(f"{_base(request)}/", 303)
    if taken and login.holder_id is not None:
        _logged_in(request, login.holder_id)
        return RedirectResponse(f"{_base(request)}/records", 303)
    if login.status == "used":  # taken by another request already: this one gets nothing
        request.session.pop("login_id", None)
        return RedirectResponse(f"{_base(request)}/", 303)
    if login.status in service.WAITING:
        return _page(request, "login.html", "ログイン", login=login, code=_grouped(login.id))
    request.session.pop("login_id", None)
    reason = service.REFUSALS.get(login.verdict or "", "ログインできませんでした。")
    if login.status == "expired":
        reason = "ログインの受付時間（5分）が過ぎました。もう一度お試しください。"
    return _page(request, "top.html", "マイナポータル", 403, error=reason)


def _logged_in(request: Request, holder_id: int) -> None:
    """A new session id for the holder (session fixation: the id the log-in began under
    is worthless after)."""
    session = request.session
    assert isinstance(session, ServerSession)
    session.clear()
    session.renew = True
    session.update(
        holder=holder_id, login=f"holder:{holder_id}", csrf=secrets.token_urlsafe(24),
        seen=time.time(),
    )  # fmt: skip


def _grouped(login_id: str) -> str:
    return " ".join(login_id[i : i + 4] for i in range(0, len(login_id), 4))


# --- logged in --------------------------------------------------------------------------------


@router.get("/records")
@holder_logged_in
def records(request: Request, holder: Holder, uow: UoW) -> Response:
    """A fresh request for the holder's 情報提供等記録; the page follows it."""
    asked = service.ask_records(uow, holder.holder_id)
    return RedirectResponse(f"{_base(request)}/records/{asked.id}", 303)


@router.get("/records/{ask_id}", response_class=HTMLResponse)
@holder_logged_in
def records_page(request: Request, ask_id: AskId, holder: Holder, uow: UoW) -> Response:
    try:
        answer = service.records_of(uow, holder.holder_id, ask_id)
    except JukiError:
        return _page(
            request, "message.html", "情報提供等記録", 404, message="照会が見つかりません。"
        )
    if answer is not None:
        audit.record(
            uow.session,
            audit.Access(
                operator=f"holder:{holder.holder_id}", terminal="browser",
                function="GET /records/{ask_id}", targets=(f"ask={ask_id}",),
                purpose="情報提供等記録表示（本人）",
            ),
        )  # fmt: skip
    return _page(request, "records.html", "情報提供等記録", answer=answer, ask_id=ask_id)


@router.post("/logout")
@holder_logged_in
def logout(request: Request, holder: Holder, fields: Form) -> Response:
    if not _csrf_ok(request, fields):
        return _page(
            request, "message.html", "ログアウト", 400, message="画面を開き直してください。"
        )
    _end(request)
    return RedirectResponse(f"{_base(request)}/", 303)


async def _to_top(request: Request, _exc: Exception) -> RedirectResponse:
    return RedirectResponse(f"{_base(request)}/", 303)


def install(app: FastAPI, node: Node) -> None:
    """The pages and the app's API on the portal's app."""
    app.add_middleware(ServerSessionMiddleware, node=node, cookie=COOKIE, scoped=True)
    app.include_router(app_router)
    app.include_router(router, include_in_schema=False)
    app.add_exception_handler(HolderLoginRequired, _to_top)
