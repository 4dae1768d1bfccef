"""Named operators for tests (no role logins: 000 AUTH-01), with rights as `juki up`
grants them, and a TOTP grant whose secret the test keeps."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from juki.core.clock import japan_today
from juki.core.messaging.node import Node
from juki.duties.ledgers import service as ledgers
from juki.duties.operators import accounts, rights, second_factor
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app

CLERK_RIGHTS = (("resident_records", "update"), ("certificates", "update"))
# A clerk who also checks the others' 届出 (届出点検, 001b C-01).
CHECKER_RIGHTS = (*CLERK_RIGHTS, ("notice_check", "update"))
SUPERVISOR_RIGHTS = (
    ("resident_records", "read"), ("correction_approval", "update"),
    ("support_measures", "update"), ("certificates", "read"), ("audit_review", "read"),
    ("account_admin", "update"), ("data_export", "update"),
)  # fmt: skip


@dataclass(frozen=True)
class Staff:
    login: str
    name: str
    employee_no: str
    rights: tuple[tuple[str, str], ...]

    @property
    def password(self) -> str:
        return f"{self.login}-password-1"


CLERK = Staff("sato.ichiro", "佐藤　一郎", "T1001", CLERK_RIGHTS)
CLERK2 = Staff("ito.jiro", "伊藤　次郎", "T1002", CHECKER_RIGHTS)
SUPERVISOR = Staff("kato.hanako", "加藤　花子", "T2001", SUPERVISOR_RIGHTS)
READER = Staff("abe.saburo", "阿部　三郎", "T1003", (("resident_records", "read"),))
STAFF = (CLERK, CLERK2, SUPERVISOR, READER)


def add_staff(session: Session, node: Node, staff: tuple[Staff, ...] = STAFF) -> dict[str, str]:
    """Create the operators with their rights and a TOTP grant; returns login → secret."""
    secrets = {}
    for person in staff:
        operator, _code = accounts.create_operator(
            session, accounts.SETUP, login=person.login, person_name=person.name,
            employee_no=person.employee_no, password=person.password,
        )  # fmt: skip
        for duty, access in person.rights:
            rights.grant_at_setup(session, operator, duty, access)
        trained(session, person.login)
        _grant, uri = second_factor.grant_at_setup(session, node.keys, operator, "テスト", 30)
        secrets[person.login] = pyotp.parse_uri(uri).secret
    return secrets


def trained(session: Session, login: str) -> None:
    """A passed 住基ネット training on record today (001a EDU-1 gates rights on it)."""
    record = {"login": login, "course": "住基ネット初任者研修", "passed": True}
    ledgers.add(
        session, "training", record | {"attended_on": japan_today().isoformat()},
        actor="(初期設定)", terminal="setup",
    )  # fmt: skip


def staff_on(node: Node, staff: tuple[Staff, ...] = STAFF) -> dict[str, str]:
    with node.unit_of_work() as uow:
        return add_staff(uow.session, node, staff)


def csrf_of(page: str) -> str:
    return page.split('name="csrf" value="')[1].split('"')[0]


def console_log_in(client: Any, base: str, person: Staff, secret: str) -> Any:
    """Password, then the TOTP code, through the console's forms (an httpx/TestClient)."""
    token = csrf_of(client.get(f"{base}/login").text)
    data = {"login": person.login, "password": person.password, "csrf": token}
    second = client.post(f"{base}/login", data=data)
    if second.status_code == 303:  # a client that does not follow redirects
        second = client.get(second.headers["location"])
    assert second.status_code == 200, second.status_code
    assert "本人確認" in second.text
    code = pyotp.TOTP(secret).now()
    return client.post(f"{base}/login/totp", data={"totp": code, "csrf": csrf_of(second.text)})


@contextmanager
def logged_in(
    network: EmbeddedNetwork, node_id: str, base: str, people: tuple[Staff, ...]
) -> Iterator[dict[str, TestClient]]:
    """`people` created on `node_id`, each logged in to its console at `base` (password +
    TOTP) in a client of their own that does not follow redirects; by login."""
    secrets = staff_on(network.node(node_id), people)
    app = network_app(network)
    with ExitStack() as stack:
        clients = {}
        for person in people:
            client = stack.enter_context(TestClient(app, follow_redirects=False))
            answer = console_log_in(client, base, person, secrets[person.login])
            assert answer.status_code == 303, (person.login, answer.status_code)
            clients[person.login] = client
        yield clients


def wrong_code(secret: str) -> str:
    """A six-digit code that is none of the codes the secret's authenticator shows around
    now (so it is refused as wrong, never by chance accepted)."""
    totp = pyotp.TOTP(secret)
    now = time.time()
    near = {totp.at(now + shift) for shift in (-90, -60, -30, 0, 30, 60)}
    return next(code for code in (f"{n:06d}" for n in range(1000)) if code not in near)
