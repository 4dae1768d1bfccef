"""The 個人番号カード管理システム console for J-LIS staff (000 §5.4 F3-USE-02: AUTH-01,
AUTH-02 in its File 3 variant, ACL-01..05, LOG-01/02): the shared log-in (a password alone
gets no session; password + TOTP does), every page declaring its duty (web/rights.py) and
refused (403, logged, nothing changed) without it — a read-only right never writes —;
申請状況照会 by 申請書ID (state and history, read-only, in the audit log by its key, no
個人番号 and nothing of the sealed 送付先情報 on the screen); the statistics (counts only,
F3-USE-04); the print stops left unacknowledged; the user list and rights, asked on a
written application by one administrator and approved by another; `juki up`'s accounts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from juki.card.models import CardFileEntry, ExchangeLog
from juki.core.clock import JST
from juki.duties.audit_review import reports
from juki.duties.operators.tables import EnrolmentCode, Operator, OperatorRight
from juki.network.accounts import CARD_SEED_ACCOUNTS, ensure_console_accounts
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.registry.notices import changes
from juki.registry.residents import service as residents
from tests.card.helpers import (
    LG,
    application,
    contractor,
    destination_record,
    entries,
    held_person,
    jlis,
    new_code,
    new_number,
    notice_of,
    printer,
    run_line,
    send_from_cs,
)
from tests.card.test_changes import NEW_NAME
from tests.card.test_print_stops import sent_to_printer
from tests.conftest import record
from tests.network.test_accounts import log_in
from tests.staff import Staff, csrf_of
from tests.web.console.helpers import ConsoleUnderTest, error_of

CONSOLE = ConsoleUnderTest("card", "/card")
NODE, BASE = CONSOLE.node_id, CONSOLE.base
INQUIRER = Staff("kubota.ichiro", "久保田　一郎", "C1001", (("card_inquiry", "read"),))
ANALYST = Staff("noguchi.jiro", "野口　次郎", "C1002", (("statistics", "read"),))
FOLLOWER = Staff("mori.saburo", "森　三郎", "C1003", (("card_contracts", "read"),))
ADMIN = Staff("ishida.hanako", "石田　花子", "C2001", (("account_admin", "update"),))
ADMIN2 = Staff("hara.yoko", "原　洋子", "C2002", (("account_admin", "update"),))
READER = Staff("endo.shiro", "遠藤　四郎", "C2003", (("account_admin", "read"),))  # 照会のみ
PEOPLE = (INQUIRER, ANALYST, FOLLOWER, ADMIN, ADMIN2, READER)
PURPOSE = "個人番号カード用管理ファイルの照会（機構）"
TODAY = dt.datetime.now(JST).date()


@pytest.fixture
def clients(network: EmbeddedNetwork) -> Iterator[dict[str, TestClient]]:
    with CONSOLE.logged_in(network, PEOPLE) as found:
        yield found


def registered(network: EmbeddedNetwork) -> tuple[CardFileEntry, str]:
    """A person's 送付先情報 registered in File 3, with the 個人番号 it carries."""
    number = new_number()
    record_ = destination_record(new_code(), number)
    send_from_cs(network, [notice_of(record_)])
    [entry] = [e for e in entries(network) if e.destination_id == record_["destination_id"]]
    return entry, number


def look_up(client: TestClient, application_id: str) -> Any:
    return CONSOLE.post(client, "/applications", {"application_id": application_id})


# --- declared rights ----------------------------------------------------------------------------


def test_every_card_console_route_declares_its_right(sqlite_network: EmbeddedNetwork) -> None:
    sample = ("GET", "/console/print-stops")
    assert CONSOLE.undeclared(sqlite_network, sample) == []


# (method, path, who may) — everyone else gets 403, logged, and nothing changes.
MATRIX = [
    ("GET", "/", {INQUIRER, ANALYST, FOLLOWER, ADMIN, READER}),
    ("GET", "/applications", {INQUIRER}),
    ("POST", "/applications", {INQUIRER}),
    ("GET", "/statistics", {ANALYST}),
    ("GET", "/print-stops", {FOLLOWER}),
    ("GET", "/operators", {ADMIN, READER}),
    ("GET", "/operators-report/users.csv", {ADMIN, READER}),
    ("GET", "/operators-report/privileged", {ADMIN, READER}),
    ("GET", "/account", {INQUIRER, ANALYST, FOLLOWER, ADMIN, READER}),  # one's own password
    # Writes: an update right only (000 ACL-01: a read-only right never changes anything).
    ("POST", "/operators", {ADMIN}),
    ("POST", "/operators/nobody.here/enrolment", {ADMIN}),  # no such login: 404
    ("POST", "/operators/nobody.here/totp", {ADMIN}),  # no such login: 404
    ("POST", "/operators-rights", {ADMIN}),
    ("POST", "/operators-rights/999/approve", {ADMIN}),
    ("POST", "/operators-rights/999/revoke", {ADMIN}),
    ("GET", "/batches", set()),  # not a page of the card console: no rule, refused
]


@pytest.mark.parametrize(("method", "path", "allowed"), MATRIX)
def test_role_by_page_matrix(
    sqlite_network: EmbeddedNetwork, method: str, path: str, allowed: set[Staff]
) -> None:
    people = (INQUIRER, ANALYST, FOLLOWER, ADMIN, READER)
    tables = (CardFileEntry, ExchangeLog, Operator, OperatorRight, EnrolmentCode)
    if path == "/batches":  # no such page: not found, before any right is checked
        with CONSOLE.logged_in(sqlite_network, (READER,)) as clients:
            assert clients[READER.login].get(BASE + path).status_code == 404
        return
    CONSOLE.check_refusals(sqlite_network, people, (method, path), allowed, tables)


# --- log-in (AUTH-01, AUTH-02) --------------------------------------------------------------


def test_a_password_alone_does_not_log_in_to_the_card_system(network: EmbeddedNetwork) -> None:
    """000 AUTH-02 (File 3: a user ID with a password, here followed by the second factor
    as at the other J-LIS terminals): ID and password alone get no session."""
    CONSOLE.check_password_alone(network, INQUIRER, ("/", "/applications", "/statistics"))


def test_password_and_totp_log_in_and_the_menu_shows_only_the_rights_held(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    menu = clients[INQUIRER.login].get(f"{BASE}/")
    assert menu.status_code == 200
    assert "地方公共団体情報システム機構　個人番号カード管理システム" in menu.text
    assert "申請状況照会" in menu.text
    for other in ("統計", "印刷停止", "利用者・権限の管理"):
        assert other not in menu.text
    steps = [(e.operator, e.function, e.result) for e in CONSOLE.entries(network)]
    assert (INQUIRER.login, "login.totp", "ok") in steps


# --- 申請状況照会 ---------------------------------------------------------------------------------


def state_of(text: str) -> str:
    return text.split('id="state">')[1].split("</td>")[0]


def test_an_application_is_looked_up_by_its_id_with_its_state_and_history(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    """F3-ACQ-03 / LOG-01: the state and the exchanges of one 申請書ID, read-only, in the
    audit log by that key; never the 個人番号 (neither the one sealed in the 送付先情報 nor
    the one written on the form, which is not even stored) nor a name or code."""
    entry, number = registered(network)
    client = clients[INQUIRER.login]
    before = [CONSOLE.count(network, model) for model in (CardFileEntry, ExchangeLog)]
    first = look_up(client, entry.application_id)
    assert first.status_code == 200
    assert state_of(first.text) == "申請書送付済み（交付申請待ち）"
    history = first.text.split('id="history"')[1].split("</table>")[0]
    assert "送付先情報の受付（市町村CS）" in history
    assert f"cs:{LG}" in history
    assert "131075 東京都墨田区" in first.text
    assert [CONSOLE.count(network, model) for model in (CardFileEntry, ExchangeLog)] == before
    entry_ = CONSOLE.last_entry(network)
    assert (entry_.operator, entry_.terminal, entry_.function, entry_.result) == (
        INQUIRER.login, "counter-01", "POST /applications", "ok",
    )  # fmt: skip
    assert json.loads(entry_.targets) == [f"申請書ID={entry.application_id}"]
    assert (entry_.purpose, entry_.number_touched) == (PURPOSE, False)

    form = application(entry.application_id, individual_number=number)  # written on the form
    receipt = contractor(network)
    assert receipt.post("/card/applications", json=form).status_code == 201
    assert receipt.post("/card/applications", json=form).status_code == 409  # a second time
    applied = look_up(client, entry.application_id)
    assert state_of(applied.text) == "交付申請受付済み（カード作成中）"
    lines = applied.text.split('id="history"')[1].split("<tbody>")[1].split("</tr>")[:-1]
    assert [line.count("交付申請書の受付（申請書受付事業者）") for line in lines] == [0, 1, 0, 1]
    assert "<td>受付</td>" in lines[1]
    assert "カード発行の委託（カード発行事業者へ）" in lines[2]  # at once (C20)
    assert "<td>送付</td>" in lines[2]
    assert "<td>拒否（already_applied）</td>" in lines[3]  # refusals are history too
    run_line(network)
    issued = look_up(client, entry.application_id)
    assert state_of(issued.text) == "カード発行済み"
    [made] = [e for e in entries(network) if e.id == entry.id]
    assert made.card_issue_number is not None
    assert made.card_issue_number in issued.text
    assert "発行結果の受付（カード発行事業者）" in issued.text
    for answer in (first, applied, issued):
        for personal in (number, entry.resident_code, "墨田\u3000花子", "スミダ", "向島"):
            assert personal not in answer.text
        assert entry.application_id not in str(answer.url)  # posted, never in a URL


@pytest.mark.parametrize(
    ("typed", "status", "message"),
    [("", 422, "入力してください"),
     ("12345", 422, "23桁"),
     ("1234567890123456789012x", 422, "23桁"),
     ("1" * 24, 422, "23桁"),
     ("NUMBER", 422, "23桁"),  # a 個人番号 typed by mistake: refused, never shown or logged
     ("9" * 23, 404, "ありません")],
)  # fmt: skip
def test_a_bad_application_id_is_refused_naming_the_field(
    network: EmbeddedNetwork, clients: dict[str, TestClient], typed: str, status: int, message: str
) -> None:
    number = new_number()
    typed = number if typed == "NUMBER" else typed
    answer = look_up(clients[INQUIRER.login], typed)
    assert answer.status_code == status
    assert message in error_of(answer.text, "application_id")
    assert 'aria-invalid="true"' in answer.text.split('id="f-application_id"')[1].split(">")[0]
    assert 'id="status"' not in answer.text
    assert number not in answer.text
    entry = CONSOLE.last_entry(network)
    assert entry.operator == INQUIRER.login
    if status == 404:  # well-formed: the key is logged, found or not (LOG-01)
        assert (entry.result, json.loads(entry.targets)) == ("not_found", [f"申請書ID={typed}"])
    else:  # nothing typed is logged: it may be anything
        assert (entry.result, entry.targets) == ("refused", "[]")


def test_an_application_id_copied_with_spaces_or_in_full_width_is_found(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    entry, _number = registered(network)
    wide = entry.application_id.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    spaced = f"{wide[:8]} {wide[8:16]}-{wide[16:]}"
    answer = look_up(clients[INQUIRER.login], spaced)
    assert answer.status_code == 200
    assert state_of(answer.text) == "申請書送付済み（交付申請待ち）"
    assert json.loads(CONSOLE.last_entry(network).targets) == [f"申請書ID={entry.application_id}"]


def test_the_lookups_are_in_the_monthly_access_report(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    """000 LOG-02 at the card system: the console's accesses per operator and task, refused
    ones counted, none touching a 個人番号 (the screen opens nothing sealed)."""
    entry, _number = registered(network)
    assert look_up(clients[INQUIRER.login], entry.application_id).status_code == 200
    assert look_up(clients[INQUIRER.login], "12345").status_code == 422
    assert clients[ANALYST.login].get(f"{BASE}/applications").status_code == 403
    with network.node(NODE).db.session() as session:
        lines = reports.monthly_access(session, dt.datetime.now(JST).date())
    counted = {(x.operator, x.function): (x.accesses, x.refused, x.number_touched) for x in lines}
    assert counted[(INQUIRER.login, "POST /applications")] == (2, 1, 0)
    assert counted[(ANALYST.login, "GET /applications")] == (1, 1, 0)


# --- statistics (F3-USE-04) -------------------------------------------------------------------


def test_the_statistics_page_shows_counts_only(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    entry, number = registered(network)
    form = application(entry.application_id)
    assert contractor(network).post("/card/applications", json=form).status_code == 201
    answer = clients[ANALYST.login].get(f"{BASE}/statistics")
    assert answer.status_code == 200
    by_status = answer.text.split('id="by-status"')[1].split("</table>")[0]
    assert "<td>交付申請受付済み（カード作成中）</td><td>1</td>" in by_status
    cards = answer.text.split('id="cards"')[1].split("</table>")[0]
    assert '<th scope="row">発行枚数</th><td>0</td>' in cards
    for personal in (number, entry.application_id, entry.destination_id, entry.resident_code):
        assert personal not in answer.text
    logged = CONSOLE.last_entry(network)
    assert (logged.operator, logged.function, logged.result, logged.targets) == (
        ANALYST.login, "GET /statistics", "ok", "[]",
    )  # fmt: skip


# --- print stops (印刷停止) ---------------------------------------------------------------------


def test_print_stops_left_unacknowledged_are_listed_for_follow_up(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    rid, entry = held_person(network)
    with network.node(f"registry:{LG}").unit_of_work() as uow:
        number = residents.number_of(uow, residents.get_resident(uow, rid))
    print_contractor, _key = printer(network)
    batch_id = sent_to_printer(network, print_contractor)
    record(network, LG, changes.record_name_change, rid, NEW_NAME)  # 4情報 changed: a stop
    client = clients[FOLLOWER.login]

    early = client.get(f"{BASE}/print-stops")  # today: still within the 2 days
    assert early.status_code == 200
    assert "確認待ちの印刷停止はありません" in early.text
    late_day = (TODAY + dt.timedelta(days=3)).isoformat()
    late = client.get(f"{BASE}/print-stops", params={"as_of": late_day})
    assert late.status_code == 200
    stops = late.text.split('id="stops"')[1].split("</table>")[0]
    assert entry.application_id in stops
    assert f"第{batch_id}号" in stops
    assert "3日" in stops
    assert "申請状況" not in stops  # the follower holds no card_inquiry: no lookup button
    for personal in (number, entry.resident_code, "墨田", "スミダ"):
        assert personal not in late.text
    logged = CONSOLE.last_entry(network)
    assert (logged.operator, logged.function, logged.result) == (
        FOLLOWER.login, "GET /print-stops", "ok",
    )  # fmt: skip
    assert f"as_of={late_day}" in json.loads(logged.targets)
    assert f"申請書ID={entry.application_id}" in json.loads(logged.targets)

    bad = client.get(f"{BASE}/print-stops", params={"as_of": "2026/11/24"})
    assert bad.status_code == 422
    assert "YYYY-MM-DD" in error_of(bad.text, "as_of")
    assert 'id="stops"' not in bad.text
    refused = CONSOLE.last_entry(network)
    assert (refused.operator, refused.result, refused.targets) == (FOLLOWER.login, "refused", "[]")


def test_the_office_reads_the_same_stops_as_the_api_report(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    """The console lists what `GET /card/reports/print-stops` reports, no more."""
    rid, _entry = held_person(network)
    print_contractor, _key = printer(network)
    sent_to_printer(network, print_contractor)
    record(network, LG, changes.record_name_change, rid, NEW_NAME)
    as_of = (TODAY + dt.timedelta(days=5)).isoformat()
    office = jlis(network, rights={"card_contracts": "read"})
    reported = office.get("/card/reports/print-stops", params={"as_of": as_of}).json()
    page = clients[FOLLOWER.login].get(f"{BASE}/print-stops", params={"as_of": as_of}).text
    rows = page.split('id="stops"')[1].split("<tbody>")[1].split("</tbody>")[0].count("<tr>")
    assert rows == len(reported) >= 1


# --- 利用者・権限の管理 (ACL-01..05) ------------------------------------------------------------


RIGHT = {"right_login": ANALYST.login, "duty": "card_inquiry", "access": "read",
         "reason": "申請状況の問合せ対応", "application_ref": "照合-2026-0101"}  # fmt: skip


def test_a_right_is_asked_on_a_written_application_and_approved_by_another_administrator(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    """000 ACL-02 at the card system: the request names its written application (required
    at J-LIS), is approved by another administrator than the requester, and applies at the
    next page; ACL-05: the user list and its export."""
    admin, admin2, analyst = clients[ADMIN.login], clients[ADMIN2.login], clients[ANALYST.login]
    assert analyst.get(f"{BASE}/applications").status_code == 403
    before = CONSOLE.count(network, OperatorRight)
    missing = CONSOLE.post(admin, "/operators-rights", RIGHT | {"application_ref": ""})
    assert missing.status_code == 422
    assert "申請書" in error_of(missing.text, "application_ref")
    assert CONSOLE.count(network, OperatorRight) == before

    assert CONSOLE.post(admin, "/operators-rights", RIGHT).status_code == 303
    listed = admin2.get(f"{BASE}/operators").text
    assert "照合-2026-0101" in listed.split('id="pending"')[1]
    assert "交付申請の状況照会（申請書ID）" in listed
    with network.node(NODE).db.session() as session:
        right_id = session.scalars(
            select(OperatorRight.id).where(OperatorRight.status == "requested")
        ).one()
    own = CONSOLE.post(admin, f"/operators-rights/{right_id}/approve")
    assert own.status_code == 403
    assert "申請した人は承認できません" in own.text
    assert CONSOLE.post(admin2, f"/operators-rights/{right_id}/approve").status_code == 303
    assert analyst.get(f"{BASE}/applications").status_code == 200

    exported = admin.get(f"{BASE}/operators-report/users.csv")
    assert exported.status_code == 200
    assert "照合-2026-0101" in exported.content.decode("utf-8-sig")
    functions = [e.function for e in CONSOLE.entries(network, 5)]
    assert "出力:利用者一覧（CSV）" in functions  # the output log (ACL-05)


# --- `juki up` ----------------------------------------------------------------------------------


def test_juki_up_gives_the_card_console_its_own_accounts(
    sqlite_network: EmbeddedNetwork, tmp_path: Path
) -> None:
    path = ensure_console_accounts(sqlite_network, tmp_path)
    lines = [line.split("\t") for line in path.read_text().splitlines()]
    by_key = {(key, login): (password, uri) for key, login, password, _code, uri in lines}
    operator, admin = CARD_SEED_ACCOUNTS
    # (each TOTP code is taken once: every account logs in once here)
    with TestClient(network_app(sqlite_network), follow_redirects=False) as client:
        assert log_in(client, BASE, operator.login, *by_key[("card", operator.login)]) == 303
        for path_ in ("/", "/applications", "/statistics", "/print-stops"):
            assert client.get(BASE + path_).status_code == 200, path_
        assert client.get(f"{BASE}/operators").status_code == 403  # not an administrator
    with TestClient(network_app(sqlite_network), follow_redirects=False) as client:
        assert log_in(client, BASE, admin.login, *by_key[("card", admin.login)]) == 303
        assert client.get(f"{BASE}/operators").status_code == 200
        assert client.get(f"{BASE}/applications").status_code == 403
    with TestClient(network_app(sqlite_network), follow_redirects=False) as client:
        token = csrf_of(client.get("/national/console/login").text)
        data = {"login": operator.login, "password": by_key[("card", operator.login)][0],
                "csrf": token}  # fmt: skip
        assert client.post("/national/console/login", data=data).status_code == 401
