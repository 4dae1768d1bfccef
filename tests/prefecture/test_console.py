"""The 都道府県サーバ console (002 §10.2: REQ-AUTH-01/02, REQ-USE-06, REQ-UI-01; §6.2, §6.5):
the shared log-in (a password alone gets no session; password + TOTP does; a 墨田区
clerk's account does not exist here), every page declaring its right and refused
(403, logged, nothing changed) without its duty, 本人確認情報の照会 through the prefecture's
search service (code or 4情報, capped, logged), and 一括提供 with a second person's
approval — never the requester's, whichever way the batch was asked for."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from juki.core.audit import outputs
from juki.core.identity import NUMBER_COLUMN
from juki.duties import search as core_search
from juki.duties.operators.tables import EnrolmentCode, Operator, OperatorRight
from juki.duties.provision.batch import open_result
from juki.duties.provision.tables import BatchProvision, MediaLedger
from juki.duties.search import ProvisionLog
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.prefecture.models import PrefectureIdentityRow
from tests.conftest import born, resident
from tests.duties.provision.test_batch import medium_ready, recipient
from tests.prefecture.helpers import staff
from tests.staff import CLERK, Staff, csrf_of, staff_on
from tests.web.console.helpers import ConsoleUnderTest, error_of

PREF = "13"
CONSOLE = ConsoleUnderTest(f"prefecture:{PREF}", f"/prefecture/{PREF}")
NODE, BASE = CONSOLE.node_id, CONSOLE.base
LG = "131075"
INQUIRER = Staff("ota.ichiro", "太田　一郎", "P1001", (("identity_inquiry", "read"),))
OUTPUT = Staff("ishii.jiro", "石井　次郎", "P1002", (("bulk_output", "update"),))
OUTPUT2 = Staff("ueno.saburo", "上野　三郎", "P1003", (("bulk_output", "update"),))
WATCHER = Staff("kubo.shiro", "久保　四郎", "P1004", (("bulk_output", "read"),))
ADMIN = Staff("hayashi.hanako", "林　花子", "P2001", (("account_admin", "update"),))
PEOPLE = (INQUIRER, OUTPUT, OUTPUT2, WATCHER, ADMIN)
ROW = "tax-bureau/local_tax"  # prefecture/legal_table.csv: 別表第五, media allowed
PURPOSE = "住民からの問合せへの回答"
ALWAYS = (dt.datetime(2000, 1, 1, tzinfo=dt.UTC), dt.datetime(2100, 1, 1, tzinfo=dt.UTC))


last_entry, count, post = CONSOLE.last_entry, CONSOLE.count, CONSOLE.post


@pytest.fixture
def clients(network: EmbeddedNetwork) -> Iterator[dict[str, TestClient]]:
    with CONSOLE.logged_in(network, PEOPLE) as found:
        yield found


def search(client: TestClient, **fields: str) -> Any:
    return post(client, "/identity", {"purpose": PURPOSE} | fields)


# --- declared rights ----------------------------------------------------------------------------


def test_every_prefecture_console_route_declares_its_right(sqlite_network: EmbeddedNetwork) -> None:
    sample = ("POST", "/console/batches/{batch_id}/approve")
    assert CONSOLE.undeclared(sqlite_network, sample) == []


# (method, path, who may) — everyone else gets 403, logged, and nothing changes.
MATRIX = [
    ("GET", "/", {INQUIRER, OUTPUT, WATCHER, ADMIN}),
    ("GET", "/identity", {INQUIRER}),
    ("POST", "/identity", {INQUIRER}),
    ("GET", "/batches", {OUTPUT, WATCHER}),
    ("POST", "/batches", {OUTPUT}),
    ("POST", "/batches/1/approve", {OUTPUT}),
    ("POST", "/batches/1/write-out", {OUTPUT}),
    ("GET", "/operators", {ADMIN}),
    ("POST", "/operators", {ADMIN}),
    ("POST", "/operators/nobody.here/enrolment", {ADMIN}),  # no such login: 404
    ("POST", "/operators-rights", {ADMIN}),
    ("POST", "/operators-rights/1/approve", {ADMIN}),
    ("GET", "/operators-report/users.csv", {ADMIN}),
    ("POST", "/operators/nobody.here/suspend", {ADMIN}),  # no such login: 404
    ("GET", "/operators-report/privileged", {ADMIN}),
    ("GET", "/account", {INQUIRER, OUTPUT, WATCHER, ADMIN}),  # one's own password
]


@pytest.mark.parametrize(("method", "path", "allowed"), MATRIX)
def test_role_by_page_matrix(
    sqlite_network: EmbeddedNetwork, method: str, path: str, allowed: set[Staff]
) -> None:
    """Each page against its declared right (000 ACL-01, 002 REQ-USE-06: the batch
    output only for bulk_output holders, its steps only with update)."""
    people = (INQUIRER, OUTPUT, WATCHER, ADMIN)
    tables = (BatchProvision, MediaLedger, ProvisionLog, Operator, OperatorRight, EnrolmentCode)
    CONSOLE.check_refusals(sqlite_network, people, (method, path), allowed, tables)


# --- log-in ---------------------------------------------------------------------------------------


def test_a_password_alone_does_not_log_in_to_the_prefecture(network: EmbeddedNetwork) -> None:
    """002 REQ-AUTH-01: ID and password without the second factor get no session."""
    CONSOLE.check_password_alone(network, INQUIRER, ("/", "/identity", "/batches"))


def test_password_and_totp_log_in_and_the_menu_shows_only_the_rights_held(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    menu = clients[INQUIRER.login].get(f"{BASE}/")
    assert menu.status_code == 200
    assert "東京都　都道府県サーバ" in menu.text
    assert "本人確認情報の照会" in menu.text
    assert "一括提供" not in menu.text
    assert "利用者・権限の管理" not in menu.text
    steps = [(e.operator, e.function, e.result) for e in CONSOLE.entries(network)]
    assert (INQUIRER.login, "login.totp", "ok") in steps


def test_a_municipal_clerks_account_does_not_exist_at_the_prefecture(
    network: EmbeddedNetwork,
) -> None:
    """Each node keeps its own operators: 墨田区's clerk logs in at the registry, not here."""
    staff_on(network.node(f"registry:{LG}"), (CLERK,))
    with TestClient(network_app(network), follow_redirects=False) as client:
        token = csrf_of(client.get(f"{BASE}/login").text)
        data = {"login": CLERK.login, "password": CLERK.password, "csrf": token}
        refused = client.post(f"{BASE}/login", data=data)
        assert refused.status_code == 401
        assert "ログインIDまたはパスワードが違います" in refused.text
        assert client.get(f"{BASE}/").headers["location"].endswith(f"{BASE}/login")
    entry = last_entry(network)
    assert (entry.operator, entry.function) == (CLERK.login, "login.password")
    assert entry.result != "ok"


def test_an_idle_prefecture_session_locks(
    clients: dict[str, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """002 REQ-UI-01: an unattended terminal locks (the limit moved to zero here)."""
    from juki.web.console import session

    client = clients[INQUIRER.login]
    assert client.get(f"{BASE}/identity").status_code == 200
    monkeypatch.setattr(session, "IDLE_LOCK_S", 0)
    assert client.get(f"{BASE}/identity").headers["location"].endswith(f"{BASE}/login")


# --- 本人確認情報の照会 ---------------------------------------------------------------------------


def test_a_search_by_resident_code_shows_the_record_masks_the_number_and_is_logged(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    code = resident(network, LG, born(network)).resident_code
    answer = search(clients[INQUIRER.login], resident_code=code)
    assert answer.status_code == 200
    results = answer.text.split('id="results"')[1]
    for shown in (code, "墨田\u3000花子", "************"):
        assert shown in results
    with network.node(NODE).db.session() as session:
        row = session.scalars(
            select(PrefectureIdentityRow).where(PrefectureIdentityRow.resident_code == code)
        ).one()
        number = network.node(NODE).keys.decrypt(row.individual_number_cipher, column=NUMBER_COLUMN)
    assert number not in answer.text  # masked: the API's caller gets it, a screen does not
    entry = last_entry(network)
    assert (entry.operator, entry.terminal, entry.function, entry.result) == (
        INQUIRER.login, "counter-01", "POST /identity", "ok",
    )  # fmt: skip
    assert json.loads(entry.targets) == [f"code={code}"]
    assert entry.purpose == "本人確認情報の照会・提供（都道府県知事）"
    with network.node(NODE).db.session() as session:
        logged = session.scalars(select(ProvisionLog).order_by(ProvisionLog.id.desc())).first()
        assert logged is not None
        assert (logged.requester, logged.purpose, logged.key_kind, logged.result_count) == (
            f"{INQUIRER.login}@console", PURPOSE, "code", 1,
        )  # fmt: skip


def test_a_four_item_search_finds_the_person_and_a_wildcard_is_refused(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    code = resident(network, LG, born(network)).resident_code
    client = clients[INQUIRER.login]
    found = search(client, name_kana="スミダ　ハナコ", birth_date="2026-11-01")
    assert found.status_code == 200
    assert code in found.text.split('id="results"')[1]
    before = count(network, ProvisionLog)
    short = search(client, name_kana="スミダ　ハナコ", address="東京")  # 2 items, short address
    assert short.status_code == 422
    assert "3文字以上" in error_of(short.text, "address")
    alone = search(client, name_kana="スミダ　ハナコ", sex="2")  # sex does not count
    assert alone.status_code == 422
    assert "2項目以上" in error_of(alone.text, "four_items")
    assert count(network, ProvisionLog) == before  # a refused search provides nothing
    assert (last_entry(network).result, last_entry(network).targets) == ("refused", "[]")


def test_more_matches_than_the_cap_are_refused(
    network: EmbeddedNetwork, clients: dict[str, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    born(network)
    born(network)  # two persons with the same 4情報
    monkeypatch.setattr(core_search, "MAX_RESULTS", 1)
    answer = search(clients[INQUIRER.login], name_kana="スミダ　ハナコ", birth_date="2026-11-01")
    assert answer.status_code == 422
    assert "1件を超えました" in error_of(answer.text, "four_items")
    assert 'id="results"' not in answer.text
    assert last_entry(network).result == "refused"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [({"resident_code": "12345"}, "resident_code", "11桁"),
     ({"resident_code": "12345678901", "name_kana": "スミダ"}, "resident_code", "同時に"),
     ({"name_kana": "スミダ", "birth_date": "1990/04/01"}, "birth_date", "YYYY-MM-DD"),
     ({"name_kana": "スミダ", "birth_date": "2026-11-01", "sex": "9"}, "sex", "性別"),
     ({"name_kana": "ア" * 101, "birth_date": "2026-11-01"}, "name_kana", "100文字"),
     ({"resident_code": "", "purpose": ""}, "purpose", "利用目的")],
)  # fmt: skip
def test_bad_search_input_is_refused_naming_the_field(
    network: EmbeddedNetwork,
    clients: dict[str, TestClient],
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    before = count(network, ProvisionLog)
    answer = search(clients[INQUIRER.login], **fields)
    assert answer.status_code == 422
    assert message in error_of(answer.text, field)
    assert 'aria-invalid="true"' in answer.text.split(f'id="f-{field}"')[1].split(">")[0]
    entry = last_entry(network)
    assert (entry.operator, entry.result, entry.targets) == (INQUIRER.login, "refused", "[]")
    assert count(network, ProvisionLog) == before


# --- 一括提供 under two-person control ------------------------------------------------------------


def ask(client: TestClient, code: str) -> Any:
    return post(
        client, "/batches", {"row": ROW, "conditions_csv": f"row_id,resident_code\nr1,{code}\n"}
    )


def batches(network: EmbeddedNetwork) -> list[BatchProvision]:
    with network.node(NODE).db.session() as session:
        found = list(session.scalars(select(BatchProvision).order_by(BatchProvision.id)))
        session.expunge_all()
        return found


def test_a_batch_is_approved_by_a_second_person_and_written_out(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    """002 REQ-OUT-01, REQ-PRV-07, REQ-USE-06 in the prefecture's own console."""
    code = resident(network, LG, born(network)).resident_code
    private = recipient(network, "tax-bureau", NODE)
    first, second = clients[OUTPUT.login], clients[OUTPUT2.login]
    asked = ask(first, code)
    assert asked.status_code == 303
    (made,) = batches(network)
    assert (made.status, made.requested_by) == ("requested", f"{OUTPUT.login}@console")
    listed = second.get(f"{BASE}/batches").text
    assert f'id="approve-{made.id}"' in listed
    assert "承認待ち" in listed

    own = post(first, f"/batches/{made.id}/approve")
    assert own.status_code == 403
    assert "相互牽制" in own.text
    assert (last_entry(network).operator, last_entry(network).result) == (OUTPUT.login, "refused")
    assert batches(network)[0].status == "requested"

    approved = post(second, f"/batches/{made.id}/approve")
    assert approved.status_code == 303
    (done,) = batches(network)
    assert (done.status, done.approved_by, done.records_out) == (
        "done", f"{OUTPUT2.login}@console", 1,
    )  # fmt: skip
    entry = last_entry(network)
    assert (entry.operator, entry.result, entry.number_touched) == (OUTPUT2.login, "ok", True)

    early = post(first, f"/batches/{made.id}/write-out", {"media_id": "USB-0001"})
    assert early.status_code == 409  # no registered medium checked today
    assert "媒体" in error_of(early.text, "media_id")
    medium_ready(network, node_id=NODE)
    written = post(first, f"/batches/{made.id}/write-out", {"media_id": "USB-0001"})
    assert written.status_code == 200
    assert code.encode() not in written.content  # sealed to the body's key
    opened = open_result(private, written.content)
    assert [r["resident_code"] for r in opened["results"][0]["records"]] == [code]
    with network.node(NODE).db.session() as session:
        (ledger,) = session.scalars(select(MediaLedger)).all()
        assert (ledger.operator, ledger.witness) == (
            f"{OUTPUT.login}@console", f"{OUTPUT2.login}@console",
        )  # fmt: skip
        lines = outputs.outputs(session, ALWAYS[0], ALWAYS[1])
    written_out = [line for line in lines if "一括提供結果ファイル" in line.form]
    assert [o.operator for o in written_out] == [OUTPUT.login]


def test_a_batch_asked_through_the_api_is_not_approved_by_its_requester_in_the_console(
    network: EmbeddedNetwork, clients: dict[str, TestClient]
) -> None:
    code = resident(network, LG, born(network)).resident_code
    recipient(network, "tax-bureau", NODE)
    system = staff(network, "system:tokyo-batch", OUTPUT.login, {"bulk_output": "update"})
    body = {"body_code": "tax-bureau", "duty": "local_tax",
            "conditions_csv": f"row_id,resident_code\nr1,{code}\n"}  # fmt: skip
    made = system.post(f"/prefecture/{PREF}/batch-provisions", json=body)
    assert made.status_code == 201, made.text
    own = post(clients[OUTPUT.login], f"/batches/{made.json()['id']}/approve")
    assert own.status_code == 403
    assert batches(network)[0].status == "requested"
    assert post(clients[OUTPUT2.login], f"/batches/{made.json()['id']}/approve").status_code == 303


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [({"row": "", "conditions_csv": "row_id,resident_code\nr1,24727059608\n"}, "row", "選んで"),
     ({"row": "board-of-education/local_tax", "conditions_csv": "row_id,resident_code\nr1,1\n"},
      "row", "定めがありません"),
     ({"row": ROW, "conditions_csv": ""}, "conditions_csv", "入力して"),
     ({"row": ROW, "conditions_csv": "row_id,resident_code,blood\nr1,,A\n"}, "conditions_csv",
      "不明な列"),
     ({"row": ROW, "conditions_csv": "row_id,name_kana\nr1,スミダ\n"}, "conditions_csv", "2行目")],
)  # fmt: skip
def test_a_bad_batch_request_is_refused_naming_the_field_and_stores_nothing(
    network: EmbeddedNetwork,
    clients: dict[str, TestClient],
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    recipient(network, "tax-bureau", NODE)
    answer = post(clients[OUTPUT.login], "/batches", data)
    assert answer.status_code in (403, 422)
    assert message in error_of(answer.text, field)
    assert batches(network) == []
    assert (last_entry(network).operator, last_entry(network).result) == (OUTPUT.login, "refused")
