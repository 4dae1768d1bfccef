"""The console's log-in attacked from outside, through its own forms (issue #14, items 1
and 4), at the prefecture's console (every console shares `web/console/auth.py`), on SQLite
and PostgreSQL:

- wrong one-time codes lock the account, and a right code after that neither logs in nor
  lifts the lock (it is not even checked: the grant's last used step does not move);
- wrong codes sent at the same moment all count (none lost to a race), so guessing in
  parallel is locked out as surely as guessing in turn;
- an unknown login, a wrong password and a locked account get the same answer;
- failed steps from one client address are throttled whatever the login, while another
  address is not.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from juki.core.clock import as_utc
from juki.duties.operators import accounts
from juki.duties.operators.tables import Operator, TotpGrant
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.web.console.throttle import LoginThrottle
from tests.staff import Staff, staff_on, wrong_code
from tests.web.console.login_steps import BASE, CONSOLE, NODE, code, password, second_page

PERSON = Staff("mori.ichiro", "森　一郎", "P3001", (("statistics", "read"),))
OTHER = Staff("mori.jiro", "森　次郎", "P3002", (("statistics", "read"),))
MAX_FAILURES = accounts.Policy().max_failures


@pytest.fixture
def secrets(network: EmbeddedNetwork) -> dict[str, str]:
    return staff_on(network.node(NODE), (PERSON, OTHER))


@pytest.fixture
def client(network: EmbeddedNetwork) -> Iterator[TestClient]:
    with TestClient(network_app(network), follow_redirects=False) as found:
        yield found


def error_of(page: str, field: str) -> str:
    """The message the log-in pages' error summary gives for a field."""
    return page.split(f'href="#f-{field}">')[1].split("</a>")[0]


def stored(network: EmbeddedNetwork, login: str) -> tuple[Operator, int]:
    """The operator's row and their TOTP grant's last used step."""
    with network.node(NODE).db.session() as session:
        operator = accounts.require(session, login)
        grant = select(TotpGrant.last_step).where(TotpGrant.operator_id == operator.id)
        step = session.scalars(grant).one()
        session.expunge(operator)
        return operator, step


def results(network: EmbeddedNetwork, function: str) -> list[str]:
    """The results of the node's log-in steps of one kind, oldest first."""
    return [e.result for e in reversed(CONSOLE.entries(network, 200)) if e.function == function]


def test_wrong_codes_lock_the_account_and_a_right_code_then_does_nothing(
    network: EmbeddedNetwork, secrets: dict[str, str], client: TestClient
) -> None:
    page = second_page(client, PERSON)
    for _ in range(MAX_FAILURES):
        page = code(client, page, wrong_code(secrets[PERSON.login]))
        assert page.status_code == 401
    locked, step_before = stored(network, PERSON.login)
    assert locked.locked_until is not None  # the wrong codes locked it
    right = code(client, page, pyotp.TOTP(secrets[PERSON.login]).now())
    assert right.status_code == 401
    assert "ロックされています" in error_of(right.text, "credential")
    assert client.get(f"{BASE}/").status_code == 303  # not logged in: back to the log-in
    after, step_after = stored(network, PERSON.login)
    assert as_utc(after.locked_until) == as_utc(locked.locked_until)  # the lock stands
    assert step_after == step_before  # the right code was not even checked
    assert results(network, "login.totp") == ["refused"] * MAX_FAILURES + ["locked"]


def test_wrong_codes_sent_at_once_all_count(
    network: EmbeddedNetwork, secrets: dict[str, str]
) -> None:
    """Twice the limit of wrong codes, each from a pending log-in of its own, released at
    the same moment: every one is counted and the account ends locked."""
    app = network_app(network)
    clients = [TestClient(app, follow_redirects=False) for _ in range(2 * MAX_FAILURES)]
    pages = [second_page(client, PERSON) for client in clients]
    guess = wrong_code(secrets[PERSON.login])
    start = threading.Barrier(len(clients))

    def attempt(i: int) -> int:
        start.wait()
        return int(code(clients[i], pages[i], guess).status_code)

    with ThreadPoolExecutor(len(clients)) as pool:
        statuses = list(pool.map(attempt, range(len(clients))))
    assert statuses == [401] * len(clients)
    assert stored(network, PERSON.login)[0].locked_until is not None
    tried = results(network, "login.totp")
    assert len(tried) == len(clients)  # each attempt answered and logged


def test_second_factor_failures_have_their_own_count(
    network: EmbeddedNetwork, secrets: dict[str, str], client: TestClient
) -> None:
    """Wrong passwords and wrong codes lock on counts of their own, each at the limit."""
    for _ in range(MAX_FAILURES - 1):
        assert password(client, PERSON.login, "not-the-password").status_code == 401
    page = second_page(client, PERSON)
    for _ in range(MAX_FAILURES - 1):
        page = code(client, page, wrong_code(secrets[PERSON.login]))
    operator, _step = stored(network, PERSON.login)
    assert (operator.failed_logins, operator.failed_second_factors) == (
        MAX_FAILURES - 1, MAX_FAILURES - 1,
    )  # fmt: skip
    assert operator.locked_until is None
    assert code(client, page, pyotp.TOTP(secrets[PERSON.login]).now()).status_code == 303
    operator, _step = stored(network, PERSON.login)
    assert (operator.failed_logins, operator.failed_second_factors) == (0, 0)


def test_unknown_login_wrong_password_and_locked_account_get_one_answer(
    network: EmbeddedNetwork, secrets: dict[str, str], client: TestClient
) -> None:
    for _ in range(MAX_FAILURES):
        password(client, OTHER.login, "not-the-password")
    answers = {
        "unknown login": password(client, "nobody.here", PERSON.password),
        "wrong password": password(client, PERSON.login, "not-the-password"),
        "locked, right password": password(client, OTHER.login, OTHER.password),
    }
    shown = {case: (a.status_code, error_of(a.text, "password")) for case, a in answers.items()}
    assert len(set(shown.values())) == 1, shown
    assert shown["unknown login"][0] == 401
    assert 'href="#f-login"' not in answers["locked, right password"].text
    assert stored(network, OTHER.login)[0].locked_until is not None  # it was locked indeed
    # Who was refused, and why, is for the audit log only.
    assert results(network, "login.password")[-3:] == ["unknown_login", "bad_password", "locked"]


def test_failures_from_one_address_are_throttled_whatever_the_login(
    network: EmbeddedNetwork, secrets: dict[str, str]
) -> None:
    app = network_app(network)
    mounted = next(r for r in app.routes if getattr(r, "path", "") == CONSOLE.mount).app
    mounted.state.login_throttle = LoginThrottle(failures=3, minutes=15)
    with (
        TestClient(app, follow_redirects=False, client=("192.0.2.10", 50000)) as attacker,
        TestClient(app, follow_redirects=False, client=("192.0.2.20", 50000)) as colleague,
    ):
        for login in ("a.guess", "b.guess", PERSON.login):  # three logins, one address
            assert password(attacker, login, "guess-123456").status_code == 401
        stopped = password(attacker, OTHER.login, OTHER.password)  # even the right one
        assert stopped.status_code == 429
        assert "しばらくログインできません" in error_of(stopped.text, "login")
        assert password(colleague, OTHER.login, OTHER.password).status_code == 303
    assert results(network, "login.password")[-2:] == ["throttled", "ok"]
    assert stored(network, OTHER.login)[0].failed_logins == 0  # nothing checked, nothing counted
