"""What the consoles' tests of every tier share (prefecture, national server, card system):
one `ConsoleUnderTest` per node — where its console is mounted, its audit log, a posted
form with the page's CSRF token, the declared-rights and role × page checks — and, for
the browser tests, the network served with the node's staff and a fresh Japanese page.

Each check is written once here, so that a node's test module says only what is its own:
its staff, its pages and who may use them (000 ACL-01, LOG-01)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from juki.core.audit import log as audit
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.web.rights import route_rights
from tests.browser import serving
from tests.conftest import make_network
from tests.routes import mounted
from tests.staff import Staff, csrf_of, logged_in, staff_on

SERVED = {"GET": (200,), "POST": (200, 303, 400, 404, 409, 422)}


def assert_served(answer: Any, method: str, context: object) -> None:
    """A permitted operator's request was served (issue #14: "not 403" let a log-in
    redirect, a 401 or a 500 count as permitted): a page, or a form's own answer (its
    redirect after success, the form again with the field at fault, or the record asked
    for not found), never a refusal, never the log-in page, never a route that is not
    there."""
    assert answer.status_code in SERVED[method], (context, answer.status_code)
    assert answer.text != '{"detail":"Not Found"}', context  # the router's, not the page's
    assert not answer.headers.get("location", "").endswith("/login"), context
    assert "権限がありません" not in answer.text, context


def error_of(text: str, field: str) -> str:
    """The message shown by a form's field (`<p class="error" id="e-<field>">`)."""
    return text.split(f'id="e-{field}"')[1].split("</p>")[0]


@dataclass(frozen=True)
class ConsoleUnderTest:
    node_id: str  # prefecture:13, national, card
    mount: str  # where the network app mounts the node: /prefecture/13, /national, /card

    @property
    def base(self) -> str:
        return f"{self.mount}/console"

    def entries(self, network: EmbeddedNetwork, limit: int = 50) -> list[Any]:
        """The node's latest audit entries, newest first."""
        with network.node(self.node_id).db.session() as session:
            return audit.entries(session, limit)

    def last_entry(self, network: EmbeddedNetwork) -> Any:
        return self.entries(network, 1)[0]

    def count(self, network: EmbeddedNetwork, model: Any) -> int:
        with network.node(self.node_id).db.session() as session:
            return session.scalar(select(func.count()).select_from(model)) or 0

    def post(self, client: TestClient, path: str, data: dict[str, str] | None = None) -> Any:
        """A form posted as the menu's own page would, with the session's CSRF token."""
        token = csrf_of(client.get(f"{self.base}/").text)
        return client.post(self.base + path, data={"csrf": token} | (data or {}))

    @contextmanager
    def logged_in(
        self, network: EmbeddedNetwork, people: tuple[Staff, ...]
    ) -> Iterator[dict[str, TestClient]]:
        """`people` created on the node and logged in (password + TOTP), by login."""
        with logged_in(network, self.node_id, self.base, people) as clients:
            yield clients

    def undeclared(self, network: EmbeddedNetwork, sample: tuple[str, str]) -> list[Any]:
        """The console routes without a declared right, or declared wrongly (web/rights.py:
        none, a write under a read right without its reason, a right nobody checks);
        `sample`, one route the console must serve, shows that the routes were read at all
        (so the check can fail). Deny by default itself: tests/web/test_rights.py."""
        table = route_rights(mounted(network_app(network), self.mount))
        console = [line for line in table if line.path.startswith("/console")]
        assert sample in {(line.method, line.path) for line in console}, console
        return [(line.method, line.path, line.problem) for line in console if line.problem]

    def check_refusals(
        self,
        network: EmbeddedNetwork,
        people: tuple[Staff, ...],
        request: tuple[str, str],
        allowed: Iterable[Staff],
        tables: Iterable[Any],
        data: dict[str, str] | None = None,
    ) -> None:
        """One page (`request`: method, path) against its declared right: everyone not
        `allowed` gets 403 with the refusal in the audit log under their login, and no row
        of `tables` changes whoever asks."""
        method, path = request
        allowed, tables = set(allowed), tuple(tables)
        with self.logged_in(network, people) as clients:
            before = [self.count(network, model) for model in tables]
            for person in people:
                client = clients[person.login]
                if method == "GET":
                    answer = client.get(self.base + path)
                else:
                    answer = self.post(client, path, data)
                if person in allowed:
                    assert_served(answer, method, (person.login, method, path))
                    continue
                assert answer.status_code == 403, (person.login, method, path, answer.status_code)
                assert "権限がありません" in answer.text
                entry = self.last_entry(network)
                assert (entry.operator, entry.result) == (person.login, "refused")
            assert [self.count(network, model) for model in tables] == before

    def check_password_alone(
        self, network: EmbeddedNetwork, person: Staff, paths: Iterable[str]
    ) -> None:
        """000 AUTH-02: an ID and password without the second factor get no session (every
        page sends back to the log-in), and a wrong TOTP code starts none either."""
        staff_on(network.node(self.node_id), (person,))
        with TestClient(network_app(network), follow_redirects=False) as client:
            token = csrf_of(client.get(f"{self.base}/login").text)
            data = {"login": person.login, "password": person.password, "csrf": token}
            first = client.post(f"{self.base}/login", data=data)
            assert first.headers["location"].endswith("/second")
            for path in paths:
                answer = client.get(self.base + path)
                assert answer.headers["location"].endswith(f"{self.base}/login"), path
            wrong = client.post(f"{self.base}/login/totp", data={"totp": "000000", "csrf": token})
            assert wrong.status_code == 401
            assert client.get(f"{self.base}/").headers["location"].endswith(f"{self.base}/login")
        entry = self.last_entry(network)
        assert (entry.operator, entry.function, entry.result) == (
            person.login, "login.totp", "refused",
        )  # fmt: skip

    # --- in a real browser -------------------------------------------------------------------

    @contextmanager
    def served(
        self, factory: pytest.TempPathFactory, people: tuple[Staff, ...]
    ) -> Iterator[tuple[EmbeddedNetwork, str]]:
        """A SQLite network with `people` on the node, served on a loopback port; yields
        the network and the console's URL (for a module-scoped `site` fixture)."""
        network = make_network(factory.mktemp(self.node_id.replace(":", "-")), "sqlite")
        staff_on(network.node(self.node_id), people)
        try:
            with serving(network) as url:
                yield network, f"{url}{self.base}"
        finally:
            network.close()


def new_page(browser: Any) -> Any:
    """A page in a fresh browser context, in Japanese, large enough for the tables."""
    return browser.new_context(locale="ja-JP", viewport={"width": 1200, "height": 900}).new_page()
