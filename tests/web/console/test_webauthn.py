"""WebAuthn checked on the server (issue #14, item 3), with a software authenticator
posting what a browser would, at the prefecture's console on SQLite and PostgreSQL.

The browser tests use Chromium's virtual authenticator, which always verifies its user:
they would pass with the server's check of user verification switched off. Here each
answer bends one thing, and each is refused: no user verification, a signature counter
that went back (a cloned authenticator), another challenge, another origin, another RP
ID. The relying party is the node's configured one, whatever Host the request names
(a console request naming another Host is refused before anything else), and a new
authenticator is registered only with user verification.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from juki.duties.operators import accounts
from juki.duties.operators.tables import WebAuthnCredential
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from tests.soft_authenticator import SoftAuthenticator
from tests.staff import Staff, csrf_of, staff_on
from tests.web.console.login_steps import BASE, NODE, second_page
from tests.web.console.test_sessions import authenticator_of, options_of, webauthn

PERSON = Staff("hara.ichiro", "原　一郎", "P3201", (("statistics", "read"),))
ORIGIN = "http://testserver"


@pytest.fixture
def key(network: EmbeddedNetwork) -> SoftAuthenticator:
    staff_on(network.node(NODE), (PERSON,))
    return authenticator_of(network, PERSON)


@pytest.fixture
def client(network: EmbeddedNetwork) -> Iterator[TestClient]:
    with TestClient(network_app(network), follow_redirects=False) as found:
        yield found


def attempt(network: EmbeddedNetwork, key: SoftAuthenticator, **bend: Any) -> tuple[int, str]:
    """A log-in in a fresh browser, answering with `bend` applied; the status and the
    message shown."""
    with TestClient(network_app(network), follow_redirects=False) as browser:
        page = second_page(browser, PERSON).text
        data = {"credential": key.answer(options_of(page), **bend), "csrf": csrf_of(page)}
        answer = browser.post(f"{BASE}/login/webauthn", data=data)
        shown = (
            answer.text.split('href="#f-credential">')[1].split("</a>")[0]
            if (answer.status_code == 401)
            else ""
        )
        return answer.status_code, shown


def stored_count(network: EmbeddedNetwork, key: SoftAuthenticator) -> int:
    with network.node(NODE).db.session() as db:
        found = select(WebAuthnCredential.sign_count).where(
            WebAuthnCredential.credential_id == key.id
        )
        return int(db.scalars(found).one())


def test_a_verified_answer_logs_in_and_moves_the_counter(
    network: EmbeddedNetwork, key: SoftAuthenticator
) -> None:
    assert attempt(network, key)[0] == 303
    assert stored_count(network, key) == key.sign_count == 1


@pytest.mark.parametrize(
    "bend",
    [
        {"verified": False},  # user present, not verified: no fingerprint, face or PIN
        {"origin": "http://evil.example"},  # a phishing page's origin
        {"rp_id": "evil.example"},  # a credential scoped to another relying party
    ],
    ids=["no-user-verification", "another-origin", "another-rp-id"],
)
def test_a_bent_answer_is_refused(
    network: EmbeddedNetwork, key: SoftAuthenticator, bend: dict[str, Any]
) -> None:
    status, shown = attempt(network, key, **bend)
    assert (status, shown) == (401, "生体認証を確認できませんでした")
    with network.node(NODE).db.session() as db:
        operator = accounts.require(db, PERSON.login)
        assert operator.failed_second_factors == 1  # counted towards the lockout


def test_a_counter_that_went_back_is_refused(
    network: EmbeddedNetwork, key: SoftAuthenticator
) -> None:
    """A cloned authenticator: its counter lags the original's."""
    for _ in range(3):
        assert attempt(network, key)[0] == 303
    assert stored_count(network, key) == 3
    assert attempt(network, key, count=2)[0] == 401
    assert attempt(network, key, count=3)[0] == 401  # the same count again: refused too
    assert stored_count(network, key) == 3


def test_an_answer_to_another_challenge_is_refused(
    network: EmbeddedNetwork, key: SoftAuthenticator, client: TestClient
) -> None:
    """An answer captured from another log-in (another session's challenge)."""
    with TestClient(network_app(network), follow_redirects=False) as elsewhere:
        captured = key.answer(options_of(second_page(elsewhere, PERSON).text))
    page = second_page(client, PERSON).text
    assert webauthn(client, page, captured) == 401


def test_the_relying_party_is_configured_not_taken_from_the_host(
    network: EmbeddedNetwork, key: SoftAuthenticator, client: TestClient
) -> None:
    page = second_page(client, PERSON).text
    options = options_of(page)
    assert '"rpId": "testserver"' in options
    # A request naming another Host is refused before any check, whatever it carries.
    forged = client.post(
        f"{BASE}/login/webauthn",
        data={"credential": key.answer(options), "csrf": csrf_of(page)},
        headers={"host": "evil.example"},
    )
    assert forged.status_code == 421
    assert "http://testserver" in forged.text
    assert client.get(f"{BASE}/login", headers={"host": "evil.example"}).status_code == 421
    # The API is not the console: it is reached by signed tokens, whatever the Host.
    assert client.get("/prefecture/13/openapi.json").status_code == 200


def test_an_authenticator_is_registered_only_with_user_verification(
    network: EmbeddedNetwork, client: TestClient
) -> None:
    with network.node(NODE).unit_of_work() as uow:
        _operator, code = accounts.create_operator(
            uow.session, accounts.SETUP, login=PERSON.login, person_name=PERSON.name,
            employee_no=PERSON.employee_no, password=PERSON.password,
        )  # fmt: skip
    for verified, status in ((False, 401), (True, 303)):
        page = second_page(client, PERSON).text
        data = {"enrolment_code": code, "csrf": csrf_of(page)}
        ceremony = client.post(f"{BASE}/login/enrol", data=data)
        assert ceremony.status_code == 200, ceremony.text
        new = SoftAuthenticator("testserver", ORIGIN)
        answer = new.register(options_of(ceremony.text), verified=verified)
        finish = {"credential": answer, "csrf": csrf_of(ceremony.text)}
        assert client.post(f"{BASE}/login/enrol/finish", data=finish).status_code == status
    assert attempt(network, new)[0] == 303  # the registered one logs in


@pytest.mark.parametrize(
    "answer",
    ['{"type": "public-key"}', "[1, 2]", "not json", '{"id": "%s", "response": {}}'],
    ids=["no-id", "not-an-object", "not-json", "registered-id-no-response"],
)
def test_a_malformed_answer_is_refused_not_a_server_error(
    network: EmbeddedNetwork, key: SoftAuthenticator, client: TestClient, answer: str
) -> None:
    """Found while attacking item 3: py_webauthn raises more than its two "invalid
    response" exceptions on a malformed answer, and those reached the client as 500."""
    page = second_page(client, PERSON).text
    assert webauthn(client, page, answer.replace("%s", key.id)) == 401
