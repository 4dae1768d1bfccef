"""The 市町村CS console (001a ACQ-4-7, USE-2-7, C-08): the shared log-in (a password alone
gets no session), pages declaring their right and refused (403, logged) without the
duty, and 本人確認情報の照会 by 住民票コード read from the CS's own file and logged with
operator, terminal and code; bad input is refused naming the field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from juki.core import ids
from juki.core.audit import log as audit
from juki.core.identity import NUMBER_COLUMN
from juki.cs import inquiry
from juki.cs.models import CsIdentityRow
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.web.rights import route_rights
from tests.conftest import born, resident
from tests.routes import mounted
from tests.staff import Staff, console_log_in, csrf_of, staff_on

LG = "131075"
NODE = f"cs:{LG}"
BASE = f"/cs/{LG}/console"
INQUIRER = Staff("kimura.shiro", "木村　四郎", "C1001", (("identity_inquiry", "read"),))
CHECKER = Staff("mori.goro", "森　五郎", "C1002", (("consistency_check", "update"),))


def last_entry(network: EmbeddedNetwork) -> Any:
    with network.node(NODE).db.session() as session:
        return audit.entries(session, 1)[0]


def targets(entry: Any) -> list[str]:
    found: list[str] = json.loads(entry.targets)
    return found


@pytest.fixture
def logged_in(network: EmbeddedNetwork) -> Iterator[dict[str, TestClient]]:
    """Each CS operator logged in with password + second factor (TOTP here; WebAuthn in
    the browser test)."""
    secrets = staff_on(network.node(NODE), (INQUIRER, CHECKER))
    clients = {}
    for person in (INQUIRER, CHECKER):
        client = TestClient(network_app(network), follow_redirects=False)
        client.__enter__()
        assert console_log_in(client, BASE, person, secrets[person.login]).status_code == 303
        clients[person.login] = client
    yield clients
    for client in clients.values():
        client.__exit__(None, None, None)


def inquire(client: TestClient, code: str) -> Any:
    token = csrf_of(client.get(f"{BASE}/identity").text)
    return client.post(f"{BASE}/identity", data={"csrf": token, "resident_code": code})


def test_every_cs_console_route_declares_its_right(network: EmbeddedNetwork) -> None:
    """Deny by default itself (an undeclared page refused): tests/web/test_rights.py."""
    table = route_rights(mounted(network_app(network), f"/cs/{LG}"))
    console = [line for line in table if line.path.startswith("/console")]
    served = {(line.method, line.path) for line in console}
    assert ("POST", "/console/identity") in served  # the routes are read (this can fail)
    assert [(line.method, line.path, line.problem) for line in console if line.problem] == []


def test_a_password_alone_does_not_log_in_to_the_cs(network: EmbeddedNetwork) -> None:
    """000 AUTH-02, 001a USE-2-7: ID and password without the second factor get no session."""
    staff_on(network.node(NODE), (INQUIRER,))
    with TestClient(network_app(network), follow_redirects=False) as client:
        token = csrf_of(client.get(f"{BASE}/login").text)
        data = {"login": INQUIRER.login, "password": INQUIRER.password, "csrf": token}
        assert client.post(f"{BASE}/login", data=data).headers["location"].endswith("/second")
        for path in ("/", "/identity"):
            assert client.get(BASE + path).headers["location"].endswith(f"{BASE}/login")
    entry = last_entry(network)
    assert (entry.function, entry.result) == ("login.password", "ok")  # and nothing after


def test_an_operator_without_the_duty_is_refused_and_logged(
    network: EmbeddedNetwork, logged_in: dict[str, TestClient]
) -> None:
    checker = logged_in[CHECKER.login]
    assert checker.get(f"{BASE}/").status_code == 200  # the menu: logged in is enough
    for answer in (
        checker.get(f"{BASE}/identity"),
        checker.post(f"{BASE}/identity", data={"csrf": "x", "resident_code": "1"}),
    ):
        assert answer.status_code == 403
        assert "権限がありません" in answer.text
        entry = last_entry(network)
        assert (entry.operator, entry.result) == (CHECKER.login, "refused")
        assert entry.function.endswith(" /identity")  # the route, under /console


def test_an_inquiry_by_resident_code_is_read_from_the_cs_file_and_logged(
    network: EmbeddedNetwork, logged_in: dict[str, TestClient]
) -> None:
    code = resident(network, LG, born(network)).resident_code
    answer = inquire(logged_in[INQUIRER.login], code)
    assert answer.status_code == 200
    text = answer.text
    assert "墨田\u3000花子" in text
    assert "************" in text
    with network.node(NODE).db.session() as session:
        row = session.scalars(
            select(CsIdentityRow).where(CsIdentityRow.resident_code == code)
        ).one()
        number = network.node(NODE).keys.decrypt(row.individual_number_cipher, column=NUMBER_COLUMN)
    assert number not in text  # shown masked, never decrypted for the screen
    entry = last_entry(network)
    assert (entry.operator, entry.terminal, entry.result) == (INQUIRER.login, "counter-01", "ok")
    assert entry.function == "POST /identity"
    assert targets(entry) == [f"resident_code={code}"]
    assert not entry.number_touched
    assert entry.purpose == "本人確認情報の照会・提供"


@pytest.mark.parametrize(
    ("given", "message"),
    [("12345", "11桁の数字"), ("1234567890a", "11桁の数字"), ("12345678901", "チェックディジット")],
)
def test_a_malformed_code_is_refused_naming_the_field(
    network: EmbeddedNetwork, logged_in: dict[str, TestClient], given: str, message: str
) -> None:
    if message == "チェックディジット":  # a well-formed code with the wrong check digit
        body = given[:10]
        given = body + str((ids.resident_code_check_digit(body) + 1) % 10)
    answer = inquire(logged_in[INQUIRER.login], given)
    assert answer.status_code == 422
    text = answer.text
    assert message in text.split('id="e-resident_code"')[1].split("</p>")[0]
    assert 'aria-invalid="true"' in text.split('id="f-resident_code"')[1].split(">")[0]
    entry = last_entry(network)
    assert (entry.operator, entry.result, targets(entry)) == (INQUIRER.login, "refused", [])


def test_an_unknown_code_finds_nothing_and_is_logged(
    network: EmbeddedNetwork, logged_in: dict[str, TestClient]
) -> None:
    code = ids.resident_code_from_body("0000000017")
    answer = inquire(logged_in[INQUIRER.login], code)
    assert answer.status_code == 200
    assert "該当する本人確認情報はありません" in answer.text
    entry = last_entry(network)
    assert (entry.result, targets(entry)) == ("not_found", [f"resident_code={code}"])


def test_the_history_shown_is_capped(
    network: EmbeddedNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = resident(network, LG, born(network)).resident_code
    with network.node(NODE).unit_of_work() as uow:  # a second row for the same person
        row = uow.session.scalars(
            select(CsIdentityRow).where(CsIdentityRow.resident_code == code)
        ).one()
        columns = {c.key: getattr(row, c.key) for c in CsIdentityRow.__table__.columns}
        row.is_current = False
        newer = CsIdentityRow(**(columns | {"id": None, "update_seq": row.update_seq + 1}))
        uow.session.add(newer)
    monkeypatch.setattr(inquiry, "HISTORY_CAP", 1)
    with network.node(NODE).db.session() as session:
        found = inquiry.by_resident_code(session, LG, code)
        assert found is not None
        assert [r.update_seq for r in found.history] == [found.latest.update_seq]
        assert found.more
        assert inquiry.by_resident_code(session, "131016", code) is None  # another's file


def test_an_idle_cs_session_locks(
    logged_in: dict[str, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """001a USE-2-2 on the CS: an unattended terminal locks (the limit moved to zero)."""
    from juki.web.console import session

    client = logged_in[INQUIRER.login]
    assert client.get(f"{BASE}/identity").status_code == 200
    monkeypatch.setattr(session, "IDLE_LOCK_S", 0)
    assert client.get(f"{BASE}/identity").headers["location"].endswith(f"{BASE}/login")
