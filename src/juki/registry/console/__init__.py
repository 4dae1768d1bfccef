"""The counter console (窓口): server-rendered pages in Japanese on the registry node.

Plain HTML forms that work without JavaScript; every page is reachable and usable from the
keyboard. Pages read through the request's unit of work; each 届出 runs in a unit of work
of its own that commits only if the whole 届出 succeeds (`views.perform`).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from juki.core.audit import log as audit
from juki.core.messaging.node import Node
from juki.core.messaging.paths import code_of
from juki.registry.console.auth import router as auth_router
from juki.registry.console.events import router as events_router
from juki.registry.console.operators import router as operators_router
from juki.registry.console.render import page
from juki.registry.console.requests import router as requests_router
from juki.registry.console.session import LoginRequired, NotPermitted
from juki.registry.console.views import router as views_router

HERE = Path(__file__).parent


def install(app: FastAPI, node: Node) -> None:
    """Add the console to a registry node's app, under /console."""
    secret = node.keys.blind_index("console-session", column="console-session")
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie=f"juki_console_{code_of(node.node_id)}",
        max_age=12 * 3600,
        same_site="strict",
    )
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")
    app.include_router(auth_router, prefix="/console", include_in_schema=False)
    app.include_router(views_router, prefix="/console", include_in_schema=False)
    app.include_router(operators_router, prefix="/console", include_in_schema=False)
    app.include_router(events_router, prefix="/console", include_in_schema=False)
    app.include_router(requests_router, prefix="/console", include_in_schema=False)

    async def _login(request: Request, _exc: Exception) -> RedirectResponse:
        return RedirectResponse(f"{request.scope.get('root_path', '')}/console/login", 303)

    app.add_exception_handler(LoginRequired, _login)

    def _refused(request: Request, exc: Exception) -> Response:
        """A page the operator has no right to: 403, and the attempt in the audit log."""
        from juki.registry.console.views import access_of

        with node.unit_of_work() as uow:
            audit.record(uow.session, access_of(request, result="refused"))
        clerk = getattr(request.state, "clerk", None)
        return page(
            request, "message.html", "権限がありません", clerk, 403,
            message=str(exc), css="refused", role="alert", links=[],
        )  # fmt: skip

    app.add_exception_handler(NotPermitted, _refused)
