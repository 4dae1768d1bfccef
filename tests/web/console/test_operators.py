"""利用者・権限の管理 at a tier's console (web/console/operators.py, the page every console
that mounts it shares), at 東京都's prefecture server through real log-ins (password +
TOTP): an administrator suspends an operator, whose running session ends at its next
request (000 ACL-03), and resumes them; retires one, every right revoked (ACL-03, 002
REQ-AUTH-04); unlocks one locked out by failed passwords; grants the TOTP fallback with a
reason and an expiry (AUTH-02, 002 REQ-AUTH-01) and revokes it; records a contractor's
pledge (001a USE-3-3); the monthly privileged-activity report lists the steps (ACL-04).
A non-administrator is refused with 403 and the refusal is in the audit log; an
administrator acting on their own ID is refused by the service; a read-only
administrator sees no change form. Every logged-in operator changes their own password."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from juki.core.clock import japan_today
from juki.duties.operators import accounts, reports
from juki.duties.operators.tables import Operator, OperatorRight, TotpGrant
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from tests.staff import Staff, console_log_in, csrf_of
from tests.web.console.helpers import ConsoleUnderTest

CONSOLE = ConsoleUnderTest("prefecture:13", "/prefecture/13")
NODE, BASE = CONSOLE.node_id, CONSOLE.base
INQUIRER = Staff("ota.ichiro", "太田　一郎", "P1001", (("identity_inquiry", "read"),))
OUTPUT = Staff("ishii.jiro", "石井　次郎", "P1002", (("bulk_output", "update"),))
ADMIN = Staff("hayashi.hanako", "林　花子", "P2001", (("account_admin", "update"),))
AUDITOR = Staff("kubo.shiro", "久保　四郎", "P2002", (("account_admin", "read"),))
PEOPLE = (INQUIRER, OUTPUT, ADMIN, AUDITOR)
TIERS = {
    "prefecture": CONSOLE,
    "national": ConsoleUnderTest("national", "/national"),
    "card": ConsoleUnderTest("card", "/card"),
    "cs": ConsoleUnderTest("cs:131075", "/cs/131075"),
}
# A duty each tier has, for the operators being suspended (the CS keeps no statistics).
SOME_DUTY = {"prefecture": "statistics", "national": "statistics", "card": "statistics",
             "cs": "identity_inquiry"}  # fmt: skip

last_entry, post = CONSOLE.last_entry, CONSOLE.post


@pytest.fixture
def clients(network: EmbeddedNetwork) -> Iterator[dict[str, TestClient]]:
    with CONSOLE.logged_in(network, PEOPLE) as found:
        yield found


def operator(network: EmbeddedNetwork, login: str) -> Operator:
    with network.node(NODE).db.session() as session:
        found = accounts.require(session, login)
        session.expunge(found)
        return found


def row_of(page: str, login: str) -> str:
    """The person's row of the list (`<tr id="op-<login>">`)."""
    return page.split(f'<tr id="op-{login}">')[1].split("</tr>")[0]


def password_step(network: EmbeddedNetwork, person: Staff) -> Any:
    """The first log-in step in a fresh client: 303 to the second factor, or refused."""
    with TestClient(network_app(network), follow_redirects=False) as client:
        token = csrf_of(client.get(f"{BASE}/login").text)
        data = {"login": person.login, "password": person.password, "csrf": token}
        return client.post(f"{BASE}/login", data=data)


# --- suspension, resumption, retirement -------------------------------------------------------


@pytest.mark.parametrize("tier", sorted(TIERS))
def test_a_suspension_ends_the_running_session_at_its_next_request(
    sqlite_network: EmbeddedNetwork, tier: str
) -> None:
    """000 ACL-03 at each tier's console and the CS's, by the administrator's step on the
    shared page: the suspended operator's next page sends them to the log-in; a session left idle
    through a suspension and resumption does not come back either (the epoch moved)."""
    console, duty = TIERS[tier], SOME_DUTY[tier]
    admin = Staff("hayashi.hanako", "林　花子", "X2001", (("account_admin", "update"),))
    first = Staff("ota.ichiro", "太田　一郎", "X1001", ((duty, "read"),))
    second = Staff("ueno.saburo", "上野　三郎", "X1002", ((duty, "read"),))
    with console.logged_in(sqlite_network, (admin, first, second)) as clients:
        for person in (first, second):
            assert clients[person.login].get(f"{console.base}/").status_code == 200
        for person in (first, second):
            done = console.post(clients[admin.login], f"/operators/{person.login}/suspend",
                                {"reason": "調査のため"})  # fmt: skip
            assert done.status_code == 303
        listed = clients[admin.login].get(f"{console.base}/operators").text
        assert "利用停止" in row_of(listed, first.login).split("</td>")[4]
        ended = clients[first.login].get(f"{console.base}/")
        assert ended.headers["location"].endswith(f"{console.base}/login")
        resumed = console.post(clients[admin.login], f"/operators/{second.login}/resume")
        assert resumed.status_code == 303
        idle = clients[second.login].get(f"{console.base}/")
        assert idle.headers["location"].endswith(f"{console.base}/login")  # logs in anew
    with sqlite_network.node(console.node_id).db.session() as session:
        assert accounts.require(session, second.login).status == "active"


def test_a_suspension_needs_a_reason_and_changes_nothing_without_one(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    epoch = operator(network, INQUIRER.login).session_epoch
    refused = post(clients[ADMIN.login], f"/operators/{INQUIRER.login}/suspend", {"reason": " "})
    assert refused.status_code == 422
    assert "理由を入力してください" in refused.text.split('id="error-summary"')[1]
    unchanged = operator(network, INQUIRER.login)
    assert (unchanged.status, unchanged.session_epoch) == ("active", epoch)
    assert clients[INQUIRER.login].get(f"{BASE}/identity").status_code == 200
    entry = last_entry(network)
    assert (entry.operator, entry.function, entry.result) == (
        ADMIN.login, "POST /operators/{login}/{step}", "refused",
    )  # fmt: skip


def test_retirement_revokes_every_right_and_ends_the_session(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    """000 ACL-03, 002 REQ-AUTH-04: on transfer or retirement the ID is invalidated and
    every right revoked, with who did it, when and why."""
    retired = post(clients[ADMIN.login], f"/operators/{OUTPUT.login}/retire",
                   {"reason": "人事異動（転出）"})  # fmt: skip
    assert retired.status_code == 303
    assert clients[OUTPUT.login].get(f"{BASE}/batches").headers["location"].endswith("/login")
    with network.node(NODE).db.session() as session:
        held = session.scalars(
            select(OperatorRight).join(Operator, Operator.id == OperatorRight.operator_id)
            .where(Operator.login == OUTPUT.login)
        ).all()  # fmt: skip
        assert [(r.duty, r.status, r.revoked_by, r.revoke_reason) for r in held] == [
            ("bulk_output", "revoked", ADMIN.login, "人事異動（転出）"),
        ]
    assert operator(network, OUTPUT.login).status == "retired"
    row = row_of(clients[ADMIN.login].get(f"{BASE}/operators").text, OUTPUT.login)
    assert "失効" in row
    assert "<form" not in row  # nothing more to do on a retired ID
    assert password_step(network, OUTPUT).status_code == 401
    again = post(clients[ADMIN.login], f"/operators/{OUTPUT.login}/retire", {"reason": "再"})
    assert again.status_code == 409
    assert "失効したIDです" in again.text


# --- lockout, TOTP fallback, pledge -----------------------------------------------------------


def test_an_administrator_unlocks_an_operator_locked_out_by_failed_passwords(
    network: EmbeddedNetwork, clients: dict[str, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUKI_LOGIN_MAX_FAILURES", "2")
    for _ in range(2):
        with TestClient(network_app(network), follow_redirects=False) as client:
            token = csrf_of(client.get(f"{BASE}/login").text)
            data = {"login": INQUIRER.login, "password": "not-the-password", "csrf": token}
            assert client.post(f"{BASE}/login", data=data).status_code == 401
    locked = password_step(network, INQUIRER)  # the right password, refused while locked
    assert locked.status_code == 401
    assert operator(network, INQUIRER.login).locked_until is not None
    row = row_of(clients[ADMIN.login].get(f"{BASE}/operators").text, INQUIRER.login)
    assert "（ロック中）" in row
    assert f"/operators/{INQUIRER.login}/unlock" in row
    assert post(clients[ADMIN.login], f"/operators/{INQUIRER.login}/unlock").status_code == 303
    assert operator(network, INQUIRER.login).locked_until is None
    assert password_step(network, INQUIRER).headers["location"].endswith("/login/second")


def test_the_totp_fallback_is_granted_with_a_reason_and_an_expiry(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    """000 AUTH-02, 002 REQ-AUTH-01: a code instead of biometrics only on an administrator's
    recorded exemption — reason, who granted it, until when (at most 90 days)."""
    admin = clients[ADMIN.login]
    twice = post(admin, f"/operators/{INQUIRER.login}/totp", {"reason": "指の怪我", "days": "7"})
    assert twice.status_code == 409  # the test set-up's grant is still valid
    assert post(admin, f"/operators/{INQUIRER.login}/totp-revoke").status_code == 303
    for data, message in (({"reason": "", "days": "7"}, "生体認証を使えない理由"),
                          ({"reason": "指の怪我", "days": "91"}, "1〜90日"),
                          ({"reason": "指の怪我", "days": "一週間"}, "日数で")):  # fmt: skip
        refused = post(admin, f"/operators/{INQUIRER.login}/totp", data)
        assert refused.status_code == 422, data
        assert message in refused.text.split('id="error-summary"')[1]
    granted = post(admin, f"/operators/{INQUIRER.login}/totp",
                   {"reason": "指の怪我で指紋が読めないため", "days": "7"})  # fmt: skip
    assert granted.status_code == 200
    uri = re.search(r"(otpauth://[^\s<]+)", granted.text.split('id="notice"')[1])
    assert uri is not None
    with network.node(NODE).db.session() as session:
        grant = session.scalars(select(TotpGrant).order_by(TotpGrant.id.desc())).first()
        assert grant is not None
        assert (grant.reason, grant.granted_by) == ("指の怪我で指紋が読めないため", ADMIN.login)
        days = grant.expires_at - grant.granted_at
    assert days == dt.timedelta(days=7)
    row = row_of(admin.get(f"{BASE}/operators").text, INQUIRER.login)
    assert "ワンタイムパスワード（" in row
    secret = pyotp.parse_uri(uri.group(1).replace("&amp;", "&")).secret
    with TestClient(network_app(network), follow_redirects=False) as client:
        assert console_log_in(client, BASE, INQUIRER, secret).status_code == 303


def test_a_contractor_s_account_is_usable_only_once_the_pledge_is_received(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    """001a USE-3-3: registered as a contractor's staff member, the account waits for the
    pledge; a suspension and resumption meanwhile do not make it usable."""
    admin = clients[ADMIN.login]
    person = Staff("kondo.goro", "近藤　五郎", "K0001", ())
    made = post(admin, "/operators", {
        "person_name": person.name, "employee_no": person.employee_no, "login": person.login,
        "password": person.password, "affiliation": "contractor",
        "contractor_name": "株式会社保守サービス",
    })  # fmt: skip
    assert made.status_code == 200
    assert "登録コード" in made.text.split('id="notice"')[1]
    row = row_of(made.text, person.login)
    assert "委託先 株式会社保守サービス（誓約書未受領）" in row
    assert "誓約書待ち" in row
    assert password_step(network, person).status_code == 401
    assert post(admin, f"/operators/{person.login}/suspend", {"reason": "確認"}).status_code == 303
    assert post(admin, f"/operators/{person.login}/resume").status_code == 303
    assert operator(network, person.login).status == "pending"  # still no pledge on file
    future = (japan_today() + dt.timedelta(days=2)).isoformat()
    early = post(admin, f"/operators/{person.login}/pledge", {"pledge_on": future})
    assert early.status_code == 422
    today = japan_today().isoformat()
    assert post(admin, f"/operators/{person.login}/pledge", {"pledge_on": today}).status_code == 303
    assert operator(network, person.login).status == "active"
    assert password_step(network, person).headers["location"].endswith("/login/second")


# --- the privileged-activity report ---------------------------------------------------------


def test_the_privileged_report_lists_the_month_s_account_changes(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    """000 ACL-04: every change to an account is in the month's report, refusals too."""
    admin = clients[ADMIN.login]
    suspended = post(admin, f"/operators/{INQUIRER.login}/suspend", {"reason": "調査"})
    assert suspended.status_code == 303
    assert post(admin, f"/operators/{ADMIN.login}/retire", {"reason": "自分"}).status_code == 403
    month = japan_today().strftime("%Y-%m")
    report = admin.get(f"{BASE}/operators-report/privileged", params={"month": month})
    assert report.status_code == 200
    rows = report.text.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")
    cells = [re.findall(r"<td>(.*?)</td>", row) for row in rows if row]
    lines = {(c[1], c[3], c[4], c[5]) for c in cells if c}  # operator, function, target, result
    assert (ADMIN.login, "operators.suspend", f"operator={INQUIRER.login}", "ok") in lines
    assert (ADMIN.login, "operators.retire", f"operator={ADMIN.login}", "refused") in lines
    entry = last_entry(network)
    assert (entry.operator, entry.function) == (ADMIN.login, "GET /operators-report/privileged")
    with network.node(NODE).db.session() as session:
        activity = reports.privileged_activity(session, japan_today())
    functions = {line.function for line in activity}
    assert {"operators.suspend", "operators.retire"} <= functions


# --- who may --------------------------------------------------------------------------------------


def test_a_non_administrator_is_refused_and_the_refusal_is_logged(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    """The page's declared right (account_admin, update for a change) first: 403, in the
    audit log under the operator's login, nothing changed."""
    for person in (INQUIRER, AUDITOR):  # no right; a read-only right
        answer = post(clients[person.login], f"/operators/{OUTPUT.login}/suspend",
                      {"reason": "無断"})  # fmt: skip
        assert answer.status_code == 403
        assert "権限がありません" in answer.text
        entry = last_entry(network)
        assert (entry.operator, entry.function, entry.result) == (
            person.login, "POST /operators/{login}/{step}", "refused",
        )  # fmt: skip
    assert clients[INQUIRER.login].get(f"{BASE}/operators-report/privileged").status_code == 403
    assert operator(network, OUTPUT.login).status == "active"


def test_a_read_only_administrator_sees_the_list_and_reports_but_no_change_form(
    clients: dict[str, TestClient],
) -> None:
    auditor = clients[AUDITOR.login]
    listed = auditor.get(f"{BASE}/operators")
    assert listed.status_code == 200
    assert f'id="op-{INQUIRER.login}"' in listed.text
    main = listed.text.split('<main id="main"')[1]
    assert 'method="post"' not in main
    assert auditor.get(f"{BASE}/operators-report/privileged").status_code == 200
    assert auditor.get(f"{BASE}/operators-report/users.csv").status_code == 200


def test_an_administrator_acting_on_their_own_id_is_refused_by_the_service(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    """The page lets an administrator in; the service refuses acting on one's own ID, and
    its refusal entry (operators.*) is kept although the step's transaction rolled back."""
    admin = clients[ADMIN.login]
    assert f"/operators/{ADMIN.login}/" not in row_of(admin.get(f"{BASE}/operators").text,
                                                       ADMIN.login)  # fmt: skip
    for step, data in (("suspend", {"reason": "試験"}), ("totp-revoke", {}), ("unlock", {})):
        answer = post(admin, f"/operators/{ADMIN.login}/{step}", data)
        assert answer.status_code == 403, step
        assert "自分自身のIDは操作できません" in answer.text
    assert operator(network, ADMIN.login).status == "active"
    functions = [(e.function, e.result) for e in CONSOLE.entries(network, 3)]
    assert ("operators.unlock", "refused") in functions


# --- one's own password ---------------------------------------------------------------------------


def test_every_operator_changes_their_own_password(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    """`/account` needs only a log-in; the old password is checked, the new one's length
    too; this session goes on and the old password no longer logs in."""
    client = clients[INQUIRER.login]
    assert "パスワード" in client.get(f"{BASE}/").text.split("<nav")[1].split("</nav>")[0]
    form = client.get(f"{BASE}/account")
    assert form.status_code == 200
    token = csrf_of(form.text)
    wrong = client.post(f"{BASE}/account", data={"csrf": token, "old_password": "nope",
                                                 "new_password": "a-new-password-1"})  # fmt: skip
    assert wrong.status_code == 401
    assert "現在のパスワードが違います" in wrong.text
    short = client.post(f"{BASE}/account", data={"csrf": token, "old_password": INQUIRER.password,
                                                 "new_password": "short"})  # fmt: skip
    assert short.status_code == 422
    changed = client.post(f"{BASE}/account", data={
        "csrf": token, "old_password": INQUIRER.password, "new_password": "a-new-password-1",
    })  # fmt: skip
    assert changed.status_code == 303
    assert client.get(f"{BASE}/identity").status_code == 200  # this session goes on
    assert password_step(network, INQUIRER).status_code == 401
    entry = CONSOLE.entries(network, 3)
    assert ("operators.password", INQUIRER.login) in [(e.function, e.operator) for e in entry]
