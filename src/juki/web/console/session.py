"""The operator's session in a node's console: two-step log-in, idle lock, CSRF token, and
the declared rights of every page (000 AUTH-01/02, ACL-01; 001a USE-2-2, USE-2-7).

The session is kept in the node's database (`session_store.py`); the cookie, named per
node, holds only its random id. The session holds the operator's login, the account's
session epoch, the terminal, a CSRF token, when they were last active and, during log-in,
the pending WebAuthn challenge; never personal information. Log-out and the idle lock
delete it on the server, so a copied cookie is worth nothing after them (issue #14).

Each page declares the right it needs where it is defined (`web/rights.py`: a duty and
read or update, any of several duties, or any logged-in operator), as GOV.UK Notify
declares each endpoint's authentication: a page without a declaration is refused (deny by
default), and a test checks that every console route has one.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from juki.core.errors import JukiError
from juki.duties.operators import accounts, console_sessions, rights
from juki.duties.operators.duties import covers
from juki.web import rights as declarations
from juki.web.console.session_store import ServerSession

IDLE_LOCK_S = 30 * 60  # an unattended terminal locks after 30 minutes (001a USE-2-2)
PENDING_S = 5 * 60  # the second factor must follow the password within five minutes


class LoginRequired(Exception):
    """Raised by `current_clerk`; the console answers with a redirect to the log-in page."""


class CsrfRefused(JukiError):
    status = 403
    code = "csrf"


class NotPermitted(JukiError):
    """The operator lacks the page's right; the console answers 403 and logs the attempt."""

    status = 403
    code = "not_permitted"


@dataclass(frozen=True)
class ClerkSession:
    login: str
    name: str
    terminal: str
    csrf: str
    rights: Mapping[str, str] = field(default_factory=dict)

    def may(self, duty: str, access: str = "read") -> bool:
        held = self.rights.get(duty)
        return held is not None and covers(held, access)


def _server(request: Request) -> ServerSession:
    session = request.session
    assert isinstance(session, ServerSession)  # installed by `console.install`
    return session


def start(request: Request, login: str, epoch: int, name: str, terminal: str) -> None:
    """Logged in: a new session id (an id known before the log-in is worthless after it)."""
    _renew(request)
    request.session.update(
        login=login,
        epoch=epoch,
        name=name,
        terminal=terminal,
        csrf=secrets.token_urlsafe(24),
        seen=time.time(),
    )


def begin_second_step(request: Request, login: str, epoch: int, terminal: str) -> None:
    """After the password: the session knows who is logging in, but is not logged in."""
    token = request.session.get("login_csrf") or secrets.token_urlsafe(24)
    _renew(request)
    request.session.update(
        pending=login, pending_epoch=epoch, terminal=terminal, login_csrf=token,
        pending_since=time.time(),
    )  # fmt: skip


def pending_login(request: Request) -> tuple[str, int] | None:
    session = request.session
    if "pending" not in session or time.time() - float(session.get("pending_since", 0)) > PENDING_S:
        return None
    return str(session["pending"]), int(session.get("pending_epoch", -1))


def login_token(request: Request) -> str:
    """A CSRF token for the log-in forms themselves, kept in the not yet logged-in session."""
    token: str = request.session.setdefault("login_csrf", secrets.token_urlsafe(24))
    return token


def check_login_token(request: Request, given: str) -> None:
    expected = str(request.session.get("login_csrf", ""))
    if not expected or not secrets.compare_digest(given, expected):
        raise CsrfRefused("ログイン画面を開き直してください", field="csrf")


def _renew(request: Request) -> None:
    session = _server(request)
    session.clear()
    session.renew = True


def end(request: Request) -> None:
    """Log-out, the idle lock, an account that is no longer valid: the row is deleted at
    the end of the request and the cookie cleared."""
    session = _server(request)
    session.clear()
    session.ended = True


def take(request: Request, name: str) -> str:
    """Take a single-use value (a WebAuthn challenge) out of the session on the server, so
    that it is answered once: another request carrying the same cookie finds it gone."""
    session = _server(request)
    session.pop(name, None)
    session.original.pop(name, None)
    if session.token is None:
        return ""
    with request.app.state.node.unit_of_work() as uow:
        value = console_sessions.take(uow.session, session.token, name, accounts.now())
    return "" if value is None else str(value)


def current_clerk(request: Request, idle_lock_s: float | None = None) -> ClerkSession:
    """The logged-in operator, read again from the node's tables, and checked against the
    right the matched page declares (none: refused). Without `idle_lock_s`, IDLE_LOCK_S as
    it is at the time of the request."""
    session = request.session
    if "login" not in session:
        raise LoginRequired
    limit = IDLE_LOCK_S if idle_lock_s is None else idle_lock_s
    if time.time() - float(session.get("seen", 0)) > limit:
        end(request)
        raise LoginRequired
    # The account and its rights are read again on every request: a suspended or retired
    # operator is out at once (the epoch moved), and a revoked right applies at once.
    with request.app.state.node.unit_of_work() as uow:
        operator = accounts.still_valid(
            uow.session, session["login"], int(session.get("epoch", -1))
        )
        held = rights.rights_of(uow.session, operator.id) if operator is not None else None
    if held is None:
        end(request)
        raise LoginRequired
    session["seen"] = time.time()
    request.state.clerk = clerk = ClerkSession(
        login=session["login"],
        name=session["name"],
        terminal=session["terminal"],
        csrf=session["csrf"],
        rights=held,
    )
    declared = declarations.of_request(request.scope)
    if declared is None or not declared.permits(clerk.may):  # deny by default
        raise NotPermitted("この画面を利用する権限がありません", field="rights")
    return clerk


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form as plain strings, after checking its CSRF token."""
    form = await request.form()
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    expected = request.session.get("csrf")
    if not expected or not secrets.compare_digest(fields.get("csrf", ""), str(expected)):
        raise CsrfRefused("フォームの有効期限が切れました。もう一度操作してください", field="csrf")
    return fields


Form = Annotated[dict[str, str], Depends(form_fields)]


def checked(fields: Mapping[str, str], prefix: str) -> list[int]:
    """Ids of ticked checkboxes named `<prefix><id>`."""
    return [
        int(k.removeprefix(prefix))
        for k in fields
        if k.startswith(prefix) and k[len(prefix) :].isdigit()
    ]
