"""Who may open which console page: the rights each page declares (web/rights.py)
against a matrix written out by hand from the PIAs (000 ACL-01: update vs read-only per
duty), through real log-ins (password + TOTP). A refusal is 403, is in the audit log, and
changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from juki.core.audit import log as audit
from juki.core.clock import japan_today
from juki.duties.operators import accounts
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.registry.models import Resident
from juki.web.rights import route_rights
from tests.routes import mounted
from tests.staff import CLERK, READER, SUPERVISOR, Staff, console_log_in, csrf_of, staff_on
from tests.web.console.helpers import assert_served

LG = "131075"
BASE = f"/registry/{LG}/console"
PEOPLE = {"clerk": CLERK, "supervisor": SUPERVISOR, "reader": READER}

# (method, path, who may) — everyone else gets 403.
MATRIX = [
    ("GET", "/", {"clerk", "supervisor", "reader"}),
    ("GET", "/search", {"clerk", "supervisor", "reader"}),
    ("POST", "/search", {"clerk", "supervisor", "reader"}),
    ("GET", "/move-in", {"clerk", "supervisor", "reader"}),
    ("POST", "/move-in", {"clerk"}),
    ("GET", "/statistics", {"clerk", "supervisor", "reader"}),
    ("GET", "/queue", {"clerk", "supervisor", "reader"}),
    ("GET", "/corrections", {"clerk", "supervisor", "reader"}),
    ("GET", "/wide-area", {"clerk", "supervisor"}),
    ("POST", "/wide-area", {"clerk"}),
    ("GET", "/refusals", {"supervisor"}),
    ("GET", "/audit", {"supervisor"}),
    ("GET", "/anomalies", {"supervisor"}),
    ("GET", "/operators", {"supervisor"}),
    ("POST", "/operators", {"supervisor"}),
    ("GET", "/operators-report/users.csv", {"supervisor"}),
    ("POST", "/immigration-notices/export", {"supervisor"}),  # USE-4-2: administrators only
    ("GET", "/operators-report/privileged", {"supervisor"}),
    ("GET", "/account", {"clerk", "supervisor", "reader"}),
]


@pytest.fixture
def consoles(sqlite_network: EmbeddedNetwork) -> Iterator[dict[str, TestClient]]:
    secrets = staff_on(sqlite_network.node(f"registry:{LG}"), tuple(PEOPLE.values()))
    app = network_app(sqlite_network)
    clients = {}
    for who, person in PEOPLE.items():
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        answer = console_log_in(client, BASE, person, secrets[person.login])
        assert answer.status_code == 303
        clients[who] = client
    yield clients
    for client in clients.values():
        client.__exit__(None, None, None)


def residents(network: EmbeddedNetwork) -> int:
    with network.node(f"registry:{LG}").db.session() as session:
        return session.scalar(select(func.count()).select_from(Resident)) or 0


@pytest.mark.parametrize(("method", "path", "allowed"), MATRIX)
def test_role_by_page_matrix(
    sqlite_network: EmbeddedNetwork,
    consoles: dict[str, TestClient],
    method: str,
    path: str,
    allowed: set[str],
) -> None:
    before = residents(sqlite_network)
    for who, client in consoles.items():
        if method == "GET":
            answer = client.get(BASE + path)
        else:
            token = csrf_of(client.get(BASE + "/").text)
            answer = client.post(BASE + path, data={"csrf": token, "name_kana": "ア"})
        if who in allowed:
            assert_served(answer, method, (who, method, path))
        else:
            assert answer.status_code == 403, (who, method, path, answer.status_code)
            assert "権限がありません" in answer.text
            with sqlite_network.node(f"registry:{LG}").db.session() as session:
                last = audit.entries(session, 1)[0]
            assert (last.operator, last.result) == (PEOPLE[who].login, "refused")
    assert residents(sqlite_network) == before


def test_every_console_route_declares_its_right(sqlite_network: EmbeddedNetwork) -> None:
    """Deny by default would refuse an undeclared page; this keeps every page declared, and
    no write under a read right without its stated reason (tests/web/test_rights.py
    reviews those reasons and refuses an undeclared page at run time)."""
    table = route_rights(mounted(network_app(sqlite_network), f"/registry/{LG}"))
    console = {(line.method, line.path): line for line in table if line.path.startswith("/console")}
    assert ("POST", "/console/search") in console  # the table is read (this test can fail)
    assert [(key, line.problem) for key, line in sorted(console.items()) if line.problem] == []


def test_a_password_alone_does_not_log_in(sqlite_network: EmbeddedNetwork) -> None:
    """000 AUTH-02: ID and password without the second factor get no session."""
    staff_on(sqlite_network.node(f"registry:{LG}"), (CLERK,))
    with TestClient(network_app(sqlite_network), follow_redirects=False) as client:
        token = csrf_of(client.get(f"{BASE}/login").text)
        data = {"login": CLERK.login, "password": CLERK.password, "csrf": token}
        assert client.post(f"{BASE}/login", data=data).headers["location"].endswith("/second")
        assert client.get(f"{BASE}/search").headers["location"].endswith("/console/login")


def test_suspension_ends_a_running_session(
    sqlite_network: EmbeddedNetwork, consoles: dict[str, TestClient]
) -> None:
    """000 ACL-03: a disabled ID cannot authenticate, and its sessions are terminated."""
    clerk = consoles["clerk"]
    assert clerk.get(f"{BASE}/search").status_code == 200
    with sqlite_network.node(f"registry:{LG}").unit_of_work() as uow:
        accounts.suspend(uow.session, accounts.Actor(SUPERVISOR.login), CLERK.login, "調査中")
    assert clerk.get(f"{BASE}/search").headers["location"].endswith("/console/login")


def test_a_revoked_right_applies_at_once(
    sqlite_network: EmbeddedNetwork, consoles: dict[str, TestClient]
) -> None:
    from juki.duties.operators import rights
    from juki.duties.operators.tables import OperatorRight

    supervisor = consoles["supervisor"]
    assert supervisor.get(f"{BASE}/audit").status_code == 200
    with sqlite_network.node(f"registry:{LG}").unit_of_work() as uow:
        operator = accounts.require(uow.session, SUPERVISOR.login)
        right = uow.session.scalars(
            select(OperatorRight).where(
                OperatorRight.operator_id == operator.id, OperatorRight.duty == "audit_review"
            )
        ).one()
    extra = Staff("oka.rokuro", "岡　六郎", "T9001", (("account_admin", "update"),))
    staff_on(sqlite_network.node(f"registry:{LG}"), (extra,))  # another administrator
    with sqlite_network.node(f"registry:{LG}").unit_of_work() as uow:
        rights.revoke(uow.session, accounts.Actor(extra.login), right.id, "担当替え")
    assert supervisor.get(f"{BASE}/audit").status_code == 403


def test_an_idle_session_locks(
    consoles: dict[str, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """001a USE-2-2, 002 REQ-UI-01: an unattended terminal locks (30 minutes by default;
    here the limit is moved to zero so the next request is already too late)."""
    from juki.registry.console import session

    clerk = consoles["clerk"]
    assert clerk.get(f"{BASE}/search").status_code == 200
    monkeypatch.setattr(session, "IDLE_LOCK_S", 0)
    assert clerk.get(f"{BASE}/search").headers["location"].endswith("/console/login")


def test_a_print_from_the_console_is_in_the_output_log(
    sqlite_network: EmbeddedNetwork, consoles: dict[str, TestClient]
) -> None:
    """001a USE-5-1, 002 REQ-PRN-01: the console's print function records who printed
    which screen, for how many records, before the browser's print dialogue opens."""
    from juki.core.audit import outputs
    from tests.conftest import born

    person = born(sqlite_network)
    reader = consoles["reader"]
    token = csrf_of(reader.get(f"{BASE}/residents/{person}").text)
    answer = reader.post(f"{BASE}/residents/{person}/print", data={"csrf": token})
    assert answer.status_code == 303
    assert answer.headers["location"].endswith(f"/residents/{person}?printing=1")
    assert "print.js" in reader.get(answer.headers["location"]).text
    with sqlite_network.node(f"registry:{LG}").db.session() as session:
        (line,) = outputs.outputs(
            session, dt.datetime(2000, 1, 1, tzinfo=dt.UTC), dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
        )
    assert (line.operator, line.form, line.records) == (READER.login, "画面印刷: 住民票", 1)
    missing = reader.post(f"{BASE}/residents/999999/print", data={"csrf": token})
    assert missing.status_code == 404


def test_an_administrator_suspending_themself_is_refused_and_kept_in_the_log(
    sqlite_network: EmbeddedNetwork, consoles: dict[str, TestClient]
) -> None:
    """The page lets an administrator in; the service refuses acting on one's own ID. The
    console's transaction rolls back, but the service's refusal entry (which the
    privileged-activity report lists) is written again and committed."""
    from juki.duties.operators import reports

    supervisor = consoles["supervisor"]
    token = csrf_of(supervisor.get(f"{BASE}/operators").text)
    answer = supervisor.post(
        f"{BASE}/operators/{SUPERVISOR.login}/suspend", data={"csrf": token, "reason": "試験"}
    )
    assert answer.status_code == 403
    assert "自分自身のIDは操作できません" in answer.text
    with sqlite_network.node(f"registry:{LG}").db.session() as session:
        assert accounts.require(session, SUPERVISOR.login).status == "active"
        seen = {
            (line.operator, line.function, line.result)
            for line in reports.privileged_activity(session, japan_today())
        }
    assert (SUPERVISOR.login, "operators.suspend", "refused") in seen


def test_a_right_request_carries_the_written_application_s_reference(
    sqlite_network: EmbeddedNetwork, consoles: dict[str, TestClient]
) -> None:
    """002 REQ-AUTH-03 on the registry's rights pages: the reference is entered with the
    request, shown in the list awaiting approval and by the right once granted; a malformed
    one is shown by its field and nothing is stored."""
    from juki.core.ids import individual_number_from_body
    from juki.duties.operators import rights
    from juki.duties.operators.tables import OperatorRight

    supervisor = consoles["supervisor"]
    token = csrf_of(supervisor.get(f"{BASE}/operators").text)
    ask = {"csrf": token, "right_login": READER.login, "duty": "certificates",
           "access": "read", "reason": "証明書の照会"}  # fmt: skip
    number = individual_number_from_body("12345678901")
    bad = supervisor.post(f"{BASE}/operators-rights", data=ask | {"application_ref": number})
    assert bad.status_code == 422
    assert 'id="e-application_ref"' in bad.text
    assert "申請書の番号に個人番号を記録しないでください" in bad.text
    assert number not in bad.text  # not echoed back either
    with sqlite_network.node(f"registry:{LG}").db.session() as session:
        assert session.scalars(select(OperatorRight).where(
            OperatorRight.status == "requested")).all() == []  # fmt: skip
    done = supervisor.post(
        f"{BASE}/operators-rights", data=ask | {"application_ref": "利用者登録-2026-07"}
    )
    assert done.status_code == 303
    listing = supervisor.get(f"{BASE}/operators").text
    pending = listing.split("<h2>権限の申請（承認待ち）</h2>")[1].split("<h2>")[0]
    assert "<td>利用者登録-2026-07</td>" in pending
    with sqlite_network.node(f"registry:{LG}").db.session() as session:
        right_id = rights.pending(session)[0][0].id
    own = supervisor.post(f"{BASE}/operators-rights/{right_id}/approve", data={"csrf": token})
    assert own.status_code == 403  # the requester's own approval (000 ACL-02)
    assert "申請した人は承認できません" in own.text
    extra = Staff("oka.rokuro", "岡　六郎", "T9001", (("account_admin", "update"),))
    staff_on(sqlite_network.node(f"registry:{LG}"), (extra,))
    with sqlite_network.node(f"registry:{LG}").unit_of_work() as uow:
        rights.decide(uow.session, accounts.Actor(extra.login), "registry", right_id, approve=True)
    row = supervisor.get(f"{BASE}/operators").text.split(f'<tr id="op-{READER.login}">')[1]
    assert "［申請書 利用者登録-2026-07］" in row.split("</tr>")[0]
