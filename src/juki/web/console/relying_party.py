"""Where a node's console is served, configured, never read from the request (issue #14,
item 3): WebAuthn's relying party ID and the origin a browser's answer must carry (W3C
WebAuthn Level 2 §7.2 steps 9 and 13), and the Host every console request must name.

Before, both came from the request's Host header, so whoever chose the Host chose what
the server checked the authenticator's answer against. Now the server that mounts the
node says where it is served (`configure`: `juki up` its base URL, `juki node serve` its
own port), else `JUKI_CONSOLE_ORIGIN`, else http://localhost:8700; a console request
naming another Host is answered 421 (RFC 9110 §15.5.20) and goes no further, which also
closes the console to DNS rebinding.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from starlette.datastructures import Headers
from starlette.responses import HTMLResponse
from starlette.routing import Mount
from starlette.types import ASGIApp, Receive, Scope, Send

DEFAULT_ORIGIN = "http://localhost:8700"
ORIGIN_ENV = "JUKI_CONSOLE_ORIGIN"
MISDIRECTED = (
    "<!doctype html><html lang=ja><meta charset=utf-8><title>接続先が違います</title>"
    "<p>このコンソールは {origin} で開いてください。</p></html>"
)


@dataclass(frozen=True)
class RelyingParty:
    origin: str  # scheme://host[:port], as the browser sends it in clientDataJSON

    @classmethod
    def of(cls, origin: str) -> RelyingParty:
        parts = urlsplit(origin.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
            raise ValueError(f"{ORIGIN_ENV}: scheme://host[:port] expected, not {origin!r}")
        return cls(f"{parts.scheme}://{parts.netloc}".lower())

    @classmethod
    def from_env(cls) -> RelyingParty:
        return cls.of(os.environ.get(ORIGIN_ENV) or DEFAULT_ORIGIN)

    @property
    def rp_id(self) -> str:
        """The RP ID: the origin's host name (a registrable suffix would do; WebAuthn takes
        no IP address, hence localhost for a local network)."""
        return urlsplit(self.origin).hostname or ""

    @property
    def host(self) -> str:
        """The Host header a request to this origin carries."""
        return urlsplit(self.origin).netloc


def of_request(request: Request) -> RelyingParty:
    relying_party: RelyingParty = request.app.state.relying_party
    return relying_party


def configure(app: FastAPI, origin: str) -> None:
    """Every console mounted in `app` (and `app`'s own) is served at `origin`."""
    relying_party = RelyingParty.of(origin)
    apps = [app] + [r.app for r in app.routes if isinstance(r, Mount)]
    for each in apps:
        state = getattr(each, "state", None)
        if state is not None and getattr(state, "console", None) is not None:
            state.relying_party = relying_party


class ConsoleHostCheck:
    """A console request must name the configured Host; any other is refused with 421."""

    def __init__(self, app: ASGIApp, owner: FastAPI) -> None:
        self.app, self.owner = app, owner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _is_console(scope):
            expected: RelyingParty = self.owner.state.relying_party
            given = Headers(scope=scope).get("host", "").lower()
            if given != expected.host:
                page = MISDIRECTED.format(origin=expected.origin)
                await HTMLResponse(page, status_code=421)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _is_console(scope: Scope) -> bool:
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path == "/console" or path.startswith("/console/")
