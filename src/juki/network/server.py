"""Serving an embedded network over HTTP: one parent app, each node mounted at its path."""

from __future__ import annotations

from fastapi import FastAPI

from juki.core.messaging.paths import role_of
from juki.network.embedded import EmbeddedNetwork
from juki.network.topology import ROLE_IDENTITY_FILES, ROLE_INSTALLS, ROLE_ROUTERS, url_path
from juki.web.app import node_app, refusals_by_field

TITLES = {
    "registry": "既存住基システム",
    "cs": "市町村CS",
    "prefecture": "都道府県サーバ",
    "national": "住基全国サーバ",
    "numbering": "個人番号生成システム",
    "card": "個人番号カード管理システム",
}


def network_app(network: EmbeddedNetwork) -> FastAPI:
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

    return app
