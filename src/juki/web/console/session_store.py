"""The console's session middleware: `request.session` as Starlette's SessionMiddleware
offers it, but kept on the server (`duties/operators/console_sessions.py`, issue #14).

The cookie holds a random id and nothing else: HttpOnly, SameSite=Strict, Secure whenever
the console is served over TLS, with no expiry of its own (the server decides when a
session ends). A new id is issued when a session starts and when a log-in step succeeds
(session fixation: an id planted before the log-in is worthless after it); `end` deletes
the row and clears the cookie.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import anyio.to_thread
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from juki.core.messaging.node import Node
from juki.duties.operators import console_sessions as store


class ServerSession(dict[str, Any]):
    """The session's data for one request, remembering what it was at the start (so only
    the keys this request changed are written back) and whether it was renewed or ended."""

    def __init__(self, token: str | None, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.token = token
        self.original = dict(data)
        self.renew = False  # a new id at the end of this request (log-in steps)
        self.ended = False  # the row deleted at the end of this request (log-out, idle)

    def changes(self) -> tuple[dict[str, Any], set[str]]:
        changed = {k: v for k, v in self.items() if k not in self.original or self.original[k] != v}
        return changed, set(self.original) - set(self)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ServerSessionMiddleware:
    def __init__(self, app: ASGIApp, node: Node, cookie: str, scoped: bool = False) -> None:
        # scoped: the cookie's Path is the app's own mount (マイナポータル: its holders'
        # cookie never goes to a staff console on the same host, nor theirs to it).
        self.app, self.node, self.cookie, self.scoped = app, node, cookie, scoped

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        token = HTTPConnection(scope).cookies.get(self.cookie)
        stored = await anyio.to_thread.run_sync(self._load, token) if token else None
        session = ServerSession(token if stored else None, stored.data if stored else {})
        scope["session"] = session
        stale_cookie = token is not None and stored is None

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = await anyio.to_thread.run_sync(self._save, session)
                if cookie is None and stale_cookie:
                    cookie = ""
                if cookie is not None:
                    MutableHeaders(scope=message).append("Set-Cookie", self._cookie(scope, cookie))
            await send(message)

        await self.app(scope, receive, send_wrapper)

    def _load(self, token: str) -> store.Stored | None:
        with self.node.unit_of_work() as uow:
            return store.load(uow.session, token, _now())

    def _save(self, session: ServerSession) -> str | None:
        """Write the session back; the cookie's new value ("" to clear it), or None."""
        now = _now()
        with self.node.unit_of_work() as uow:
            db = uow.session
            if session.token and (session.ended or session.renew):
                store.end(db, session.token)
            if session.ended or (not session and not session.token):
                return "" if session.token else None
            if session.token is None or session.renew:
                return store.create(db, dict(session), now)
            changed, removed = session.changes()
            if changed or removed:
                store.merge(db, session.token, changed, removed, now)
            return None

    def _cookie(self, scope: Scope, value: str) -> str:
        path = (str(scope.get("root_path") or "") or "/") if self.scoped else "/"
        parts = [f"{self.cookie}={value}", f"Path={path}", "HttpOnly", "SameSite=Strict"]
        if scope.get("scheme") in ("https", "wss"):
            parts.append("Secure")
        if not value:
            parts.append("Max-Age=0")
        return "; ".join(parts)
