"""Every route declares its right where it is defined (web/rights.py; style §4, 000 ACL-01):
each role's API and console, as `network_app` mounts them, walked route by route. A route
without a declaration, a write method under a read right without its reason, or a right
no dependency checks fails the walk; the few routes that need no right, or only a log-in,
or read by POST, are each in a short allow-list below, so that a new one is reviewed here.
Deny by default holds at run time too: an undeclared route is refused (403, logged)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from juki.core.audit import log as audit
from juki.core.messaging.paths import role_of
from juki.network.accounts import ensure_local_client, local_auth
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.network.topology import url_path
from juki.registry.console.session import Clerk
from juki.web import rights
from juki.web.app import guarded, node_app
from juki.web.rights import POSTED_KEYS, RouteRight, needs, public, route_rights
from tests.conftest import an_account, make_network
from tests.routes import mounted
from tests.staff import CLERK, console_log_in, staff_on

# Routes that need no operator at all: the signed node-to-node channel, the liveness probe,
# the API's own description, the log-in pages and the console's static files.
PUBLIC = {
    ("POST", "/messages"), ("GET", "/health"),
    ("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/docs/oauth2-redirect"), ("GET", "/redoc"),
    ("GET", "/console/login"), ("POST", "/console/login"), ("GET", "/console/login/second"),
    ("POST", "/console/login/webauthn"), ("POST", "/console/login/totp"),
    ("POST", "/console/login/enrol"), ("POST", "/console/login/enrol/finish"),
    ("*", "/console/static"),
}  # fmt: skip
# Any operator logged in to the console: the menu (it shows only what the rights allow),
# log-out and one's own password.
LOGGED_IN = {("GET", "/console/"), ("POST", "/console/logout"), ("GET", "/console/account"),
             ("POST", "/console/account")}  # fmt: skip
# Write methods that need only a read right, per role, each with its reason declared on the
# route: searches whose keys are posted, the print of a page one may read, the 職権修正
# steps whose own rights the service checks, a statistics job.
READ_BY_POST: dict[str, set[tuple[str, str]]] = {
    "registry": {("POST", "/linkage"), ("POST", "/console/search"),
                 ("POST", "/identity-confirmations"),
                 ("POST", "/console/identity-confirmation"),
                 ("POST", "/console/residents/{resident_id}/print"),
                 ("POST", "/console/corrections/{request_id}/{step}")},
    "cs": {("POST", "/console/identity")},
    "prefecture": {("POST", "/search"), ("POST", "/provision"),
                   ("POST", "/provision-records/of-person"), ("POST", "/console/identity"),
                   ("POST", "/statistics/residents-by-municipality")},
    "national": {("POST", "/search"), ("POST", "/provision"),
                 ("POST", "/provision-records/of-person"), ("POST", "/console/identity")},
    "card": {("POST", "/console/applications"), ("POST", "/call-centre/enquiries")},
    "numbering": set(),
    "jpki": {("POST", "/ocsp")},
    "kiosk": set(),
    "issuance": set(),
    "infonet": set(),
    "atena": set(),
    "intermediate": {("POST", "/console/fukuhon"), ("POST", "/console/fukuhon/checks")},
    "portal": set(),
}  # fmt: skip
# マイナポータル's pages before log-in and the holder's app (the card's signature is the
# credential), and the pages for a holder logged in with the card.
PORTAL_PUBLIC = {
    ("GET", "/"), ("POST", "/login"), ("GET", "/login"), ("GET", "/app/logins/{login_id}"),
    ("POST", "/app/logins/{login_id}/presentation"),
}  # fmt: skip
HOLDER = {("GET", "/records"), ("GET", "/records/{ask_id}"), ("POST", "/logout")}


def node_apps(network: EmbeddedNetwork) -> dict[str, Any]:
    app = network_app(network)
    return {node_id: mounted(app, url_path(node_id)) for node_id in network.nodes}


def key(line: RouteRight) -> tuple[str, str]:
    return line.method, line.path


def test_every_route_of_every_node_declares_its_right(tmp_path: Path) -> None:
    network = make_network(tmp_path, "sqlite", institutions=("131075", "131016"))
    apps = node_apps(network)
    network.close()
    assert {role_of(node_id) for node_id in apps} == set(READ_BY_POST)  # every role walked
    walked = 0
    for node_id, app in apps.items():
        lines = route_rights(app)
        walked += len(lines)
        assert [(key(line), line.problem) for line in lines if line.problem] == [], node_id
        kinds = {kind: {key(line) for line in lines if line.declared and line.declared.kind == kind}
                 for kind in ("public", "logged_in", "holder")}  # fmt: skip
        portal = role_of(node_id) == "portal"
        assert kinds["public"] <= PUBLIC | (PORTAL_PUBLIC if portal else set()), node_id
        assert kinds["logged_in"] <= LOGGED_IN, node_id
        assert kinds["holder"] == (HOLDER if portal else set()), node_id
        reasoned = {
            key(line) for line in lines
            if line.declared and line.declared.kind == "right" and line.declared.reason
        }  # fmt: skip
        assert reasoned == READ_BY_POST[role_of(node_id)], node_id
    assert walked > 300  # the routes were read (this test can fail)


def test_each_operation_shows_its_right_in_the_openapi(sqlite_network: EmbeddedNetwork) -> None:
    """An auditor reads the right beside the route, in the node's own API description."""
    for node_id, app in node_apps(sqlite_network).items():
        declared = {key(line): line.declared for line in route_rights(app)}
        shown = 0
        for path, operations in app.openapi()["paths"].items():
            for method, operation in operations.items():
                found = declared[(method.upper(), path)]
                assert found is not None, (node_id, method, path)
                assert operation[rights.OPENAPI_KEY] == found.as_openapi(), (node_id, path)
                shown += 1
        assert shown >= 2, node_id  # /messages and /health at least
    search = node_apps(sqlite_network)["national"].openapi()["paths"]["/search"]["post"]
    assert search[rights.OPENAPI_KEY] == {
        "kind": "right", "duties": ["identity_inquiry"], "access": "read", "reason": POSTED_KEYS,
    }  # fmt: skip


def test_the_walk_reports_an_undeclared_route_and_a_write_under_a_read_right() -> None:
    """The walk itself can fail: a small app with one route of each fault, and two sound."""
    guarded_router = guarded()

    @guarded_router.get("/undeclared")
    def undeclared() -> None: ...

    @guarded_router.post("/changes")
    @needs("resident_records", "read")
    def write_under_read() -> None: ...

    @guarded_router.post("/searches")
    @needs("resident_records", "read", read_by_post=POSTED_KEYS)
    def search() -> None: ...

    open_router = APIRouter()

    @open_router.post("/unchecked")
    @needs("resident_records", "update")
    def unchecked() -> None: ...

    @open_router.get("/ping")
    @public("a probe")
    def ping() -> None: ...

    app = FastAPI()
    app.include_router(guarded_router)
    app.include_router(open_router)
    rights.publish(app)
    assert {key(line): line.problem for line in route_rights(app)} == {
        ("GET", "/undeclared"): "undeclared",
        ("POST", "/changes"): "write method guarded by a read right",
        ("POST", "/searches"): None,
        ("POST", "/unchecked"): "declared, but no dependency checks it",
        ("GET", "/ping"): None,
        ("GET", "/openapi.json"): None, ("GET", "/docs"): None,
        ("GET", "/docs/oauth2-redirect"): None, ("GET", "/redoc"): None,
    }  # fmt: skip


def test_a_declaration_is_checked_when_it_is_written() -> None:
    with pytest.raises(ValueError, match="unknown duties"):
        needs("resident_record", "read")  # misspelt: no route nobody could ever use
    with pytest.raises(ValueError, match="read_by_post"):
        needs("resident_records", "update", read_by_post="why")
    with pytest.raises(ValueError, match="says why"):
        public("")

    def endpoint() -> None: ...

    needs("resident_records", "read")(endpoint)
    with pytest.raises(ValueError, match="already declared"):
        needs("resident_records", "update")(endpoint)


def test_an_undeclared_api_route_is_refused_and_logged(sqlite_network: EmbeddedNetwork) -> None:
    """Deny by default at run time: the guard finds no declaration on the matched route and
    refuses the authenticated caller with 403 naming `rights`, in the node's audit log."""
    node = sqlite_network.node("national")
    router = guarded()

    @router.get("/undeclared")
    def undeclared() -> dict[str, str]:
        return {"reached": "yes"}

    @router.get("/declared")
    @needs("identity_inquiry", "read")  # the local command holds it at the national server
    def declared() -> dict[str, str]:
        return {"reached": "yes"}

    ensure_local_client([node], sqlite_network.home.root)
    an_account(node, "test-operator")  # the local command acts for an account of the node
    app = FastAPI()
    app.mount("/national", node_app(node, router, "test"))  # the token names the node's path
    with TestClient(app) as client:
        client.auth = local_auth(sqlite_network.home.root, "test-operator")
        assert client.get("/national/declared").json() == {"reached": "yes"}
        refused = client.get("/national/undeclared")
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["field"] == "rights"
    with node.db.session() as session:
        last = audit.entries(session, 1)[0]
    assert (last.function, last.result) == ("GET /undeclared", "refused")


def test_an_undeclared_console_page_is_refused_and_logged(sqlite_network: EmbeddedNetwork) -> None:
    """The same at the console: a logged-in clerk asking for a page without a declaration
    gets the 403 page, and the attempt is in the audit log under their login."""
    base = "/registry/131075/console"
    secrets = staff_on(sqlite_network.node("registry:131075"), (CLERK,))
    app = network_app(sqlite_network)
    extra = APIRouter()

    @extra.get("/undeclared-page", response_class=HTMLResponse)
    def undeclared_page(request: Request, clerk: Clerk) -> str:
        return "reached"

    mounted(app, "/registry/131075").include_router(extra, prefix="/console")
    with TestClient(app, follow_redirects=False) as client:
        assert console_log_in(client, base, CLERK, secrets[CLERK.login]).status_code == 303
        answer = client.get(f"{base}/undeclared-page")
    assert answer.status_code == 403
    assert "権限がありません" in answer.text
    with sqlite_network.node("registry:131075").db.session() as session:
        last = audit.entries(session, 1)[0]
    assert (last.operator, last.result) == (CLERK.login, "refused")
