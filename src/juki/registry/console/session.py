"""The clerk's session in the console: log-in, idle lock, CSRF token.

The session is a signed cookie (Starlette's SessionMiddleware, itsdangerous) named per
municipality, holding only the clerk's login, the terminal, a CSRF token and when the clerk
was last active; never personal information.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from juki.core.errors import JukiError
from juki.registry.clerks import clerk_by_login

IDLE_LOCK_S = 30 * 60  # an unattended counter terminal locks after 30 minutes


class LoginRequired(Exception):
    """Raised by `current_clerk`; the console answers with a redirect to the log-in page."""


class CsrfRefused(JukiError):
    status = 403
    code = "csrf"


@dataclass(frozen=True)
class ClerkSession:
    login: str
    name: str
    role: str
    terminal: str
    csrf: str

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"


def start(request: Request, login: str, name: str, role: str, terminal: str) -> None:
    request.session.clear()
    request.session.update(
        login=login,
        name=name,
        role=role,
        terminal=terminal,
        csrf=secrets.token_urlsafe(24),
        seen=time.time(),
    )


def login_token(request: Request) -> str:
    """A CSRF token for the log-in form itself, kept in the (not yet logged-in) session."""
    token: str = request.session.setdefault("login_csrf", secrets.token_urlsafe(24))
    return token


def check_login_token(request: Request, given: str) -> None:
    expected = str(request.session.get("login_csrf", ""))
    if not expected or not secrets.compare_digest(given, expected):
        raise CsrfRefused("ログイン画面を開き直してください", field="csrf")


def end(request: Request) -> None:
    request.session.clear()


def current_clerk(request: Request) -> ClerkSession:
    session = request.session
    if "login" not in session:
        raise LoginRequired
    if time.time() - float(session.get("seen", 0)) > IDLE_LOCK_S:
        session.clear()
        raise LoginRequired
    # The account is read again on every request: a suspended clerk is out at once and a
    # changed role applies at once, whatever the cookie says.
    with request.app.state.node.unit_of_work() as uow:
        account = clerk_by_login(uow, session["login"])
        role = account.role if account is not None else None
    if role is None:
        session.clear()
        raise LoginRequired
    session["seen"] = time.time()
    request.state.clerk = clerk = ClerkSession(
        login=session["login"],
        name=session["name"],
        role=role,
        terminal=session["terminal"],
        csrf=session["csrf"],
    )
    return clerk


Clerk = Annotated[ClerkSession, Depends(current_clerk)]


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
