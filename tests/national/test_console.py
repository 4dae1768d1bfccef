"""The 住基全国サーバ console for J-LIS staff (000 §5.3 F2-USE-02: AUTH-01/02 at J-LIS
terminals): the shared log-in (a password alone gets no session; password + TOTP does),
every page declaring its right and refused (403, logged, nothing changed) without its
duty, 本人確認情報の照会 through the national search service, the monthly statistics (counts
only, as GET /national/statistics), and the administrators' user list with rights asked by
one administrator and approved by another."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from juki.duties.operators.tables import EnrolmentCode, Operator, OperatorRight
from juki.duties.search import ProvisionLog
from juki.network.embedded import EmbeddedNetwork
from tests.conftest import born, resident
from tests.national.test_statistics import THIS_MONTH
from tests.staff import Staff
from tests.web.console.helpers import ConsoleUnderTest, error_of

CONSOLE = ConsoleUnderTest("national", "/national")
NODE, BASE = CONSOLE.node_id, CONSOLE.base
LG = "131075"
INQUIRER = Staff("nakano.ichiro", "中野　一郎", "J1001", (("identity_inquiry", "read"),))
ANALYST = Staff("okada.jiro", "岡田　次郎", "J1002", (("statistics", "read"),))
ADMIN = Staff("sakai.hanako", "酒井　花子", "J2001", (("account_admin", "update"),))
ADMIN2 = Staff("fujita.yoko", "藤田　洋子", "J2002", (("account_admin", "update"),))
PEOPLE = (INQUIRER, ANALYST, ADMIN, ADMIN2)


last_entry, count, post = CONSOLE.last_entry, CONSOLE.count, CONSOLE.post


@pytest.fixture
def clients(network: EmbeddedNetwork) -> Iterator[dict[str, TestClient]]:
    with CONSOLE.logged_in(network, PEOPLE) as found:
        yield found


def test_every_national_console_route_declares_its_right(sqlite_network: EmbeddedNetwork) -> None:
    sample = ("GET", "/console/statistics")
    assert CONSOLE.undeclared(sqlite_network, sample) == []


# (method, path, who may) — everyone else gets 403, logged, and nothing changes.
MATRIX = [
    ("GET", "/", {INQUIRER, ANALYST, ADMIN}),
    ("GET", "/identity", {INQUIRER}),
    ("POST", "/identity", {INQUIRER}),
    ("GET", "/statistics", {ANALYST}),
    ("GET", "/operators", {ADMIN}),
    ("POST", "/operators", {ADMIN}),
    ("POST", "/operators/nobody.here/enrolment", {ADMIN}),  # no such login: 404
    ("POST", "/operators-rights", {ADMIN}),
    ("POST", "/operators-rights/999/approve", {ADMIN}),
    ("GET", "/operators-report/users.csv", {ADMIN}),
    ("POST", "/operators/nobody.here/retire", {ADMIN}),  # no such login: 404
    ("GET", "/operators-report/privileged", {ADMIN}),
    ("GET", "/account", {INQUIRER, ANALYST, ADMIN}),  # one's own password
    ("GET", "/batches", set()),  # not a page of the national console (yet): denied
]


@pytest.mark.parametrize(("method", "path", "allowed"), MATRIX)
def test_role_by_page_matrix(
    sqlite_network: EmbeddedNetwork, method: str, path: str, allowed: set[Staff]
) -> None:
    people = (INQUIRER, ANALYST, ADMIN)
    tables = (ProvisionLog, Operator, OperatorRight, EnrolmentCode)
    if path == "/batches":  # no such page: not found, before any right is checked
        with CONSOLE.logged_in(sqlite_network, (ANALYST,)) as clients:
            assert clients[ANALYST.login].get(BASE + path).status_code == 404
        return
    CONSOLE.check_refusals(sqlite_network, people, (method, path), allowed, tables)


def test_a_password_alone_does_not_log_in_to_the_national_server(
    network: EmbeddedNetwork,
) -> None:
    """000 AUTH-02 at J-LIS terminals: ID and password alone get no session."""
    CONSOLE.check_password_alone(network, INQUIRER, ("/", "/identity", "/statistics"))


def test_password_and_totp_log_in_to_the_jlis_console(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    menu = clients[ANALYST.login].get(f"{BASE}/")
    assert menu.status_code == 200
    assert "地方公共団体情報システム機構　住基全国サーバ" in menu.text
    assert "統計" in menu.text
    assert "本人確認情報の照会" not in menu.text
    steps = [(e.operator, e.function, e.result) for e in CONSOLE.entries(network)]
    assert (ANALYST.login, "login.totp", "ok") in steps


def test_a_search_at_the_national_server_is_read_logged_and_masks_the_number(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    code = resident(network, LG, born(network)).resident_code
    client = clients[INQUIRER.login]
    data = {"purpose": "本人確認情報の提供状況の確認", "name_kana": "スミダ　ハナコ",
            "birth_date": "2026-11-01", "sex": "2"}  # fmt: skip
    answer = post(client, "/identity", data)
    assert answer.status_code == 200
    results = answer.text.split('id="results"')[1]
    assert code in results
    assert "************" in results
    entry = last_entry(network)
    assert (entry.operator, entry.function, entry.result) == (
        INQUIRER.login,
        "POST /identity",
        "ok",
    )
    assert json.loads(entry.targets) == [f"code={code}"]
    assert entry.purpose == "機構保存本人確認情報の照会・提供"
    nothing = post(client, "/identity", {"purpose": "確認", "resident_code": code[:10] + "x"})
    assert nothing.status_code == 422
    assert "11桁" in error_of(nothing.text, "resident_code")


def test_the_statistics_page_shows_counts_only(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    """000 P2.6: the same counts as GET /national/statistics; no name, no code."""
    code = resident(network, LG, born(network)).resident_code
    client = clients[ANALYST.login]
    answer = client.get(f"{BASE}/statistics?month={THIS_MONTH}")
    assert answer.status_code == 200
    updates = answer.text.split('id="updates"')[1].split("</table>")[0]
    assert "<td>東京都</td><td>出生</td><td>1</td>" in updates
    for personal in (code, "墨田", "スミダ"):
        assert personal not in answer.text
    entry = last_entry(network)
    assert (entry.operator, entry.result) == (ANALYST.login, "ok")
    assert json.loads(entry.targets) == [f"month={THIS_MONTH}"]
    bad = client.get(f"{BASE}/statistics?month=2026-13")
    assert bad.status_code == 422
    assert "YYYY-MM" in error_of(bad.text, "month")
    assert (last_entry(network).operator, last_entry(network).result) == (ANALYST.login, "refused")


# --- 利用者・権限の管理 ---------------------------------------------------------------------


def rights_of(network: EmbeddedNetwork, login: str) -> list[tuple[str, str, str]]:
    with network.node(NODE).db.session() as session:
        rows = session.execute(
            select(OperatorRight.duty, OperatorRight.access, OperatorRight.status)
            .join(Operator, Operator.id == OperatorRight.operator_id)
            .where(Operator.login == login)
            .order_by(OperatorRight.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_administrators_see_the_user_list_and_export_it(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    """000 ACL-05: the node's users with their rights; the CSV export is logged."""
    admin = clients[ADMIN.login]
    listed = admin.get(f"{BASE}/operators")
    assert listed.status_code == 200
    people = listed.text.split('id="people"')[1].split("</table>")[0]
    for person in PEOPLE:
        assert f'id="op-{person.login}"' in people
    assert "統計処理（照会のみ）" in people
    exported = admin.get(f"{BASE}/operators-report/users.csv")
    assert exported.status_code == 200
    assert INQUIRER.login in exported.content.decode("utf-8-sig")
    functions = [e.function for e in CONSOLE.entries(network, 5)]
    assert "出力:利用者一覧（CSV）" in functions  # the output log (000 ACL-05, REQ-PRN-01)


def test_a_right_is_requested_by_one_administrator_and_approved_by_another(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    """000 ACL-02, 002 REQ-AUTH-03 at J-LIS: 申請 and 承認 by two different people; the
    requester's own approval is refused; the right applies at the next page."""
    admin, admin2 = clients[ADMIN.login], clients[ADMIN2.login]
    assert clients[INQUIRER.login].get(f"{BASE}/statistics").status_code == 403
    asked = post(admin, "/operators-rights", {"right_login": INQUIRER.login,
                                              "duty": "statistics", "access": "read",
                                              "reason": "月次統計の確認",
                                              "application_ref": "照合-2026-0042"})  # fmt: skip
    assert asked.status_code == 303
    assert rights_of(network, INQUIRER.login)[-1] == ("statistics", "read", "requested")
    pending = admin2.get(f"{BASE}/operators").text.split('id="pending"')[1]
    assert "照合-2026-0042" in pending
    with network.node(NODE).db.session() as session:
        right_id = session.scalars(
            select(OperatorRight.id).where(OperatorRight.status == "requested")
        ).one()
    own = post(admin, f"/operators-rights/{right_id}/approve")
    assert own.status_code == 403
    assert "申請した人は承認できません" in own.text
    assert rights_of(network, INQUIRER.login)[-1][2] == "requested"
    assert post(admin2, f"/operators-rights/{right_id}/approve").status_code == 303
    assert rights_of(network, INQUIRER.login)[-1] == ("statistics", "read", "granted")
    assert clients[INQUIRER.login].get(f"{BASE}/statistics").status_code == 200


GOOD_RIGHT = {"right_login": "nakano.ichiro", "duty": "statistics", "access": "read",
              "reason": "月次統計の確認", "application_ref": "照合-2026-0042"}  # fmt: skip


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [(GOOD_RIGHT | {"duty": "manual_correction"}, "duty", "このノードにない事務"),  # prefecture's
     (GOOD_RIGHT | {"access": "all"}, "access", "照会のみ"),
     (GOOD_RIGHT | {"reason": " "}, "reason", "申請理由"),
     (GOOD_RIGHT | {"application_ref": ""}, "application_ref", "申請書"),  # J-LIS: required
     (GOOD_RIGHT | {"right_login": "nobody.here"}, "right_login", "")],
)  # fmt: skip
def test_a_bad_right_request_is_refused_naming_the_field(
    network: EmbeddedNetwork,
    clients: dict[str, TestClient],
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    before = count(network, OperatorRight)
    answer = post(clients[ADMIN.login], "/operators-rights", data)
    assert answer.status_code in (404, 422)
    assert message in error_of(answer.text, field)
    assert 'aria-invalid="true"' in answer.text.split(f'id="f-{field}"')[1].split(">")[0]
    assert count(network, OperatorRight) == before
    assert (last_entry(network).operator, last_entry(network).result) == (ADMIN.login, "refused")
