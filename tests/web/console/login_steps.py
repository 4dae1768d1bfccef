"""The console's log-in steps, one request each, at the prefecture's console (every
console shares `web/console/auth.py`): for the tests that attack them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.staff import Staff, csrf_of
from tests.web.console.helpers import ConsoleUnderTest

CONSOLE = ConsoleUnderTest("prefecture:13", "/prefecture/13")
NODE, BASE = CONSOLE.node_id, CONSOLE.base


def password(client: TestClient, login: str, given: str) -> Any:
    token = csrf_of(client.get(f"{BASE}/login").text)
    return client.post(f"{BASE}/login", data={"login": login, "password": given, "csrf": token})


def second_page(client: TestClient, person: Staff) -> Any:
    """The second step's page, after the right password."""
    answer = password(client, person.login, person.password)
    assert answer.status_code == 303, answer.text
    page = client.get(f"{BASE}/login/second")
    assert page.status_code == 200
    assert "本人確認" in page.text
    return page


def code(client: TestClient, page: Any, value: str) -> Any:
    return client.post(f"{BASE}/login/totp", data={"totp": value, "csrf": csrf_of(page.text)})
