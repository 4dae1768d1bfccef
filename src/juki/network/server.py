"""Serving an embedded network over HTTP: one parent app, each node mounted at its path;
and the uvicorn server both `juki up` and `juki node serve` run, which rests when idle."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.config import STARTUP_FAILURE

from juki.core.messaging.paths import role_of
from juki.network.embedded import EmbeddedNetwork
from juki.network.topology import ROLE_IDENTITY_FILES, ROLE_INSTALLS, ROLE_ROUTERS, url_path
from juki.web.app import node_app, refusals_by_field
from juki.web.console.relying_party import configure

TITLES = {
    "registry": "既存住基システム",
    "cs": "市町村CS",
    "prefecture": "都道府県サーバ",
    "national": "住基全国サーバ",
    "numbering": "個人番号生成システム",
    "card": "個人番号カード管理システム",
    "jpki": "公的個人認証サービス",
    "kiosk": "証明書交付センター",
    "issuance": "カード発行システム",
    "infonet": "情報提供ネットワークシステム",
    "atena": "団体内統合宛名システム",
    "intermediate": "中間サーバー",
    "portal": "マイナポータル",
}


def network_app(network: EmbeddedNetwork, console_origin: str | None = None) -> FastAPI:
    """The network's HTTP face: every node's app under its path. `console_origin`: where
    it is served (the consoles' WebAuthn relying party and Host); None leaves each console
    at `JUKI_CONSOLE_ORIGIN` or its default (`web/console/relying_party.py`)."""
    app = FastAPI(title="juki network", version="0.1.0")
    refusals_by_field(app)
    for node_id, node in network.nodes.items():
        role = role_of(node_id)
        app.mount(
            url_path(node_id),
            node_app(
                node,
                ROLE_ROUTERS[role],
                f"{TITLES[role]} {node_id}",
                ROLE_INSTALLS.get(role),
                ROLE_IDENTITY_FILES.get(role),
            ),
        )

    @app.get("/", summary="The nodes of this network and where their APIs are")
    def index() -> dict[str, object]:
        return {
            "nodes": {
                n: {
                    "api": url_path(n),
                    "openapi": f"{url_path(n)}/openapi.json",
                    "docs": f"{url_path(n)}/docs",
                }
                for n in network.nodes
            }
        }

    if console_origin is not None:
        configure(app, console_origin)
    return app


class RestingServer(uvicorn.Server):
    """uvicorn's server, waking once a second instead of ten times a second.

    uvicorn's main loop wakes every 0.1 s to see whether a signal asked it to stop, and
    every tenth time refreshes the Date header; on an idle network that alone used a third
    of a percent of a core (bench/idle.py). This loop wakes on each whole second, when the
    Date header (RFC 9110 §6.6.1, to the second) changes, and at once when a
    signal asks it to stop."""

    _stop_asked: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    async def main_loop(self) -> None:
        self._loop, self._stop_asked = asyncio.get_running_loop(), asyncio.Event()
        while not await self.on_tick(0):  # counter 0: on_tick refreshes the Date header
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1 - time.time() % 1):
                    await self._stop_asked.wait()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        if self._loop is not None and self._stop_asked is not None:
            # A signal handler may only wake the loop this way (asyncio.Runner does the same).
            self._loop.call_soon_threadsafe(self._stop_asked.set)


def run_http(app: FastAPI, **options: Any) -> None:
    """`uvicorn.run(app, **options)` for one process without reload, on the resting server."""
    server = RestingServer(uvicorn.Config(app, **options))
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        sys.exit(STARTUP_FAILURE)
