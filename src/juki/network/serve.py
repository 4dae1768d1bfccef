"""One process hosting some of the network's nodes (`juki node serve`).

Local nodes talk in process; every other node is reached over HTTPS with mutual TLS, at
the address the routes file gives (node id -> https://host:port/<role>/<code>). The port
accepts only clients holding a certificate from the network CA; the sending node is then
authenticated by the envelope signature (design §3).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from fastapi import FastAPI

from juki.core.messaging.dispatch import Dispatcher, DispatcherThread
from juki.core.messaging.node import Node
from juki.core.messaging.paths import role_of
from juki.core.messaging.tables import REFUSAL_TYPE
from juki.core.messaging.transport import InProcessTransport
from juki.network.embedded import NetworkHome, build_node
from juki.network.server import TITLES
from juki.network.tls_gate import RefusalRecorder, gate_protocol
from juki.network.topology import ROLE_IDENTITY_FILES, ROLE_INSTALLS, ROLE_ROUTERS, url_path
from juki.network.transport import HttpTransport, RoutingTransport
from juki.registry.residents import pool as registry_pool
from juki.web.app import node_app, refusals_by_field


class NodeProcess:
    def __init__(
        self,
        home: Path,
        node_ids: list[str],
        routes: dict[str, str],
        tls_name: str,
        server_url: str | None = None,
        db_prefix: str = "juki",
    ):
        self.home = NetworkHome(home)
        self.nodes: dict[str, Node] = {}
        for node_id in node_ids:
            url = self.home.database_url(node_id, server_url, db_prefix)
            self.nodes[node_id] = build_node(self.home, node_id, url)
        self.tls_name = tls_name
        self.home.pki.ensure_tls(tls_name)
        local = InProcessTransport()
        for node in self.nodes.values():
            local.register(node)
        remote = HttpTransport(routes, self.home.pki.client_context(tls_name))
        self.dispatcher = Dispatcher(list(self.nodes.values()), RoutingTransport(local, remote))
        self.thread = DispatcherThread(self.dispatcher)

    def app(self) -> FastAPI:
        app = FastAPI(title="juki node process", version="0.1.0")
        refusals_by_field(app)
        for node_id, node in self.nodes.items():
            role = role_of(node_id)
            title = f"{TITLES[role]} {node_id}"
            app.mount(
                url_path(node_id),
                node_app(
                    node,
                    ROLE_ROUTERS[role],
                    title,
                    ROLE_INSTALLS.get(role),
                    ROLE_IDENTITY_FILES.get(role),
                ),
            )
        return app

    def tls_gate(self) -> type[asyncio.Protocol]:
        """The port's protocol: mutual TLS with the network CA, every refused handshake
        written to each hosted node's refusal record (msg_refusals)."""
        context = self.home.pki.server_context(self.tls_name)
        return gate_protocol(context, RefusalRecorder(self.record_refusal))

    def record_refusal(self, peer: str, reason: str) -> None:
        for node in self.nodes.values():
            node.record_refusal(peer, REFUSAL_TYPE, reason)

    def request_pools(self) -> None:
        """A registry with no 住民票コード asks J-LIS for a pool when it starts."""
        for node_id, node in self.nodes.items():
            if role_of(node_id) == "registry":
                with node.unit_of_work() as uow:
                    registry_pool.request_pool_if_low(uow)


def load_routes(path: Path) -> dict[str, str]:
    routes: dict[str, str] = json.loads(path.read_text())
    return routes


def routes_for(
    layout: dict[str, list[str]], ports: dict[str, int], host: str = "127.0.0.1"
) -> dict[str, str]:
    """Routes for processes named in `layout` (process name -> node ids) on `ports`."""
    return {
        node_id: f"https://{host}:{ports[process]}{url_path(node_id)}"
        for process, node_ids in layout.items()
        for node_id in node_ids
    }
