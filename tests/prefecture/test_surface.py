"""The prefecture's surface (002 REQ-ACQ-12, REQ-USE-01/02): acquisition is automatic — no
route lets anyone view or alter the queued incoming updates; the only way in for updates
is `POST /messages`, whose envelopes must be signed by a node of the network CA."""

from __future__ import annotations

from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from tests.routes import mounted, route_table


def test_no_route_reaches_the_queues(sqlite_network: EmbeddedNetwork) -> None:
    paths = route_table(mounted(network_app(sqlite_network), "/prefecture/13"))
    api = {p for p in paths if not p[1].startswith(("/docs", "/openapi", "/redoc"))}
    assert ("POST", "/search") in api  # the table is read (this test can fail)
    assert ("POST", "/messages") in api
    assert not [p for p in api if any(w in p[1] for w in ("inbox", "outbox", "queue", "channel"))]
    # Nothing edits the file either: no PUT, PATCH or DELETE anywhere.
    assert {method for method, _path in api} <= {"GET", "POST"}
