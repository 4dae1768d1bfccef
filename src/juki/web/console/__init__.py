"""A node's browser console, the parts every node shares: the session (kept on the server,
the cookie holding only its id), the two-step log-in (password, then WebAuthn with user
verification or an administrator-granted TOTP: 000 AUTH-01/02, 001a USE-2-7), enrolment
of an authenticator, CSRF, the redirect to the log-in page, and the 403 page for a page the
operator has no right to (logged).

A node mounts its console with `install(app, node, site, routers)`: `site` says what is
its own (name, templates, audit purpose), `routers` are its pages, each declaring the right
it needs (`web/rights.py`).
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from juki.core.audit import log as audit
from juki.core.messaging.node import Node
from juki.core.messaging.paths import code_of
from juki.duties.operators.accounts import Policy
from juki.web.console.auth import router as auth_router
from juki.web.console.relying_party import ConsoleHostCheck, RelyingParty
from juki.web.console.render import page, site_of
from juki.web.console.session import LoginRequired, NotPermitted
from juki.web.console.session_store import ServerSessionMiddleware
from juki.web.console.site import SHARED_STATIC, ConsoleSite
from juki.web.console.throttle import LoginThrottle
from juki.web.rights import public


def install(app: FastAPI, node: Node, site: ConsoleSite, routers: Sequence[APIRouter]) -> None:
    """Add the console to a node's app, under /console."""
    app.state.console = site
    policy = Policy.from_env()
    app.state.login_throttle = LoginThrottle(policy.client_failures, policy.client_minutes)
    cookie = f"{site.cookie}_{code_of(node.node_id)}"
    app.add_middleware(ServerSessionMiddleware, node=node, cookie=cookie)
    app.state.relying_party = RelyingParty.from_env()  # until the server says (`configure`)
    app.add_middleware(ConsoleHostCheck, owner=app)  # outermost: a wrong Host goes no further
    static = StaticFiles(directory=SHARED_STATIC)
    if site.static is not None:  # the node's own files first
        static.all_directories = [site.static, *static.all_directories]
    public("the console's style sheet and scripts, before log-in too")(static)
    app.mount("/console/static", static, name="console-static")
    app.include_router(auth_router, prefix="/console", include_in_schema=False)
    for router in routers:
        app.include_router(router, prefix="/console", include_in_schema=False)
    app.add_exception_handler(LoginRequired, _login)
    app.add_exception_handler(NotPermitted, _refused)


async def _login(request: Request, _exc: Exception) -> RedirectResponse:
    return RedirectResponse(f"{request.scope.get('root_path', '')}/console/login", 303)


def _refused(request: Request, exc: Exception) -> Response:
    """A page the operator has no right to: 403, and the attempt in the audit log."""
    with request.app.state.node.unit_of_work() as uow:
        audit.record(uow.session, access_of(request, result="refused"))
    clerk = getattr(request.state, "clerk", None)
    return page(
        request, "message.html", "権限がありません", clerk, 403,
        message=str(exc), css="refused", role="alert", links=[],
    )  # fmt: skip


def access_of(
    request: Request,
    targets: tuple[str, ...] = (),
    *,
    result: str = "ok",
    number_touched: bool = False,
) -> audit.Access:
    """Who (the logged-in operator and terminal), what (the console route) and on whom (the
    keys in the path, and any `targets` given), under the console's purpose."""
    clerk = getattr(request.state, "clerk", None)
    route = request.scope.get("route")
    keys = tuple(f"{k}={v}" for k, v in sorted(request.path_params.items()))
    return audit.Access(
        operator=clerk.login if clerk else "-",
        terminal=clerk.terminal if clerk else "-",
        function=f"{request.method} {getattr(route, 'path', request.url.path)}"[:64],
        targets=keys + targets,
        purpose=site_of(request).purpose,
        result=result,
        number_touched=number_touched,
    )
