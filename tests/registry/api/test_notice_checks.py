"""届出点検 (001b C-01) through the registry API, as a counter system calls it: every route
that takes a 届出 answers 202 and changes nothing until another operator confirms; the
confirmation carries the 届出 to J-LIS. Also `juki simulate` and `juki registry
notice-check` with the check on."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from juki.cli import app as cli
from juki.core.audit.tables import audit_log
from juki.network.embedded import EmbeddedNetwork
from juki.registry import api
from juki.registry.console import notice_checks as check_pages
from juki.registry.foreign import schemas as foreign_schemas
from juki.registry.foreign import service as foreign
from juki.registry.models import IntakeRecord, PendingNotice
from juki.registry.notice_checks import kinds
from juki.registry.notice_checks import service as notice_checks
from juki.registry.notices import changes, moves, schemas
from juki.registry.transfers import service as transfers
from juki.sim.simulate import Simulation
from juki.web.rights import route_rights
from tests.conftest import api_client, born, event_status, with_notice_check
from tests.registry.foreign.test_foreign import CARD, PERSON
from tests.registry.helpers import (
    INTAKE,
    TODAY,
    card_read,
    household_of,
    move_in_family,
    run,
)
from tests.registry.notice_checks.test_notice_checks import LG, NAME, at_national, register
from tests.registry.transfers.test_transfers import NEW_ADDRESS, moved_out
from tests.staff import CLERK, CLERK2, SUPERVISOR, staff_on

BASE = f"/registry/{LG}"
TODAY_TEXT = TODAY.isoformat()
BIRTH = {
    "name_kanji": NAME, "name_kana": "リョウゴク\u3000ハナコ", "birth_date": TODAY_TEXT,
    "sex": "2", "address": "東京都墨田区吾妻橋一丁目2番3号", "change_date": TODAY_TEXT,
}  # fmt: skip
INTAKE_JSON = INTAKE.model_dump(mode="json")
# POST routes that record nothing a second person must check, and why.
NOT_A_NOTICE = {
    "/residents/{resident_id}/correction-requests": "職権修正: its own two-person control",
    "/move-out-certificate-requests": "asks the former municipality; records nothing",
    "/number-checks": "asks the CS; records nothing",
    "/identity-confirmations": "本人確認 with the card: asks the national server; changes no "
    "住民票 item",
    "/wide-area-requests": "asks the home municipality; records nothing",
    "/wide-area-requests/{request_id}/issue": "issues a copy; changes no record",
    "/linkage": "庁内連携: reads approved items",
    "/disclosures": "開示: the person's own record as a PDF; changes nothing",
    "/residents/{resident_id}/application-form-reissue": "asks J-LIS for a new 交付申請書; "
    "changes no 住民票 item",
    "/cards/{card_issue_number}/reports": "a counter operation on a card, reported to J-LIS; "
    "changes no 住民票 item",
    "/cards/{card_issue_number}/certificates": "the holder's application for the card's "
    "electronic certificates, sent to JPKI; changes no 住民票 item",
    "/cards/{card_issue_number}/certificate-transfer": "asks JPKI again; changes no 住民票 item",
    "/cards/{card_issue_number}/chip": "gives the card's chip to the holder; changes no "
    "住民票 item",
    "/cards/{card_issue_number}/chip-requests": "asks J-LIS for the chip again (a PIN reset, "
    "a card face changed); changes no 住民票 item",
    "/card-continuations": "a card kept in use after a 転入, reported to J-LIS; changes no "
    "住民票 item",
    "/cards/{card_issue_number}/handover": "the card's 交付 with its identity check, reported "
    "to J-LIS; changes no 住民票 item",
    "/pending-notices/{entry_id}/confirm": "the check itself",
    "/pending-notices/{entry_id}/send-back": "the check itself",
    "/pending-notices/{entry_id}/withdraw": "the check itself",
}


@pytest.fixture
def checked(network: EmbeddedNetwork) -> EmbeddedNetwork:
    staff_on(network.node(f"registry:{LG}"), (CLERK, CLERK2, SUPERVISOR))
    with_notice_check(network)
    return network


def json_of(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def test_the_api_enters_a_notice_and_a_second_operator_confirms_it(
    checked: EmbeddedNetwork,
) -> None:
    clerk, second = api_client(checked, CLERK.login), api_client(checked, CLERK2.login)
    before = register(checked)
    bad = clerk.post(f"{BASE}/births", json=BIRTH | {"name_kana": "Hanako"})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["name_kana"]

    entered = clerk.post(f"{BASE}/births", json=BIRTH)
    assert entered.status_code == 202, entered.text
    entry = entered.json()
    assert (entry["status"], entry["label"], entry["entered_by"]) == (
        "entered", "出生届", CLERK.login
    )  # fmt: skip
    assert NAME not in entered.text  # the answer names no one
    checked.pump()
    assert register(checked) == before
    assert at_national(checked, NAME) == 0
    listed = clerk.get(f"{BASE}/pending-notices").json()
    assert [e["id"] for e in listed] == [entry["id"]]
    shown = second.get(f"{BASE}/pending-notices/{entry['id']}").json()
    assert shown["notice"]["name_kanji"] == NAME

    own = clerk.post(f"{BASE}/pending-notices/{entry['id']}/confirm")
    assert own.status_code == 403
    assert own.json()["errors"][0]["field"] == "checker"
    done = second.post(f"{BASE}/pending-notices/{entry['id']}/confirm")
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["decided_by"]) == ("applied", CLERK2.login)
    checked.pump()
    (event,) = body["events"]
    assert event_status(checked, LG, event["id"]) == ("applied", None)
    assert at_national(checked, NAME) == 1


def test_the_api_sends_back_and_withdraws(checked: EmbeddedNetwork) -> None:
    clerk, second = api_client(checked, CLERK.login), api_client(checked, CLERK2.login)
    first = clerk.post(f"{BASE}/births", json=BIRTH).json()["id"]
    no_reason = second.post(f"{BASE}/pending-notices/{first}/send-back", json={"reason": ""})
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    back = second.post(f"{BASE}/pending-notices/{first}/send-back", json={"reason": "性別の誤り"})
    assert back.json()["status"] == "sent_back"
    assert clerk.get(f"{BASE}/pending-notices/{first}").json()["reason"] == "性別の誤り"
    late = second.post(f"{BASE}/pending-notices/{first}/confirm")
    assert (late.status_code, late.json()["code"]) == (409, "wrong_state")

    other = clerk.post(f"{BASE}/births", json=BIRTH).json()["id"]
    not_theirs = second.post(f"{BASE}/pending-notices/{other}/withdraw")
    assert (not_theirs.status_code, not_theirs.json()["field"]) == (403, "operator")
    assert clerk.post(f"{BASE}/pending-notices/{other}/withdraw").json()["status"] == "withdrawn"
    checked.pump()
    assert register(checked)[0] == 0
    assert at_national(checked, NAME) == 0


def test_a_move_out_checked_returns_the_move_out_certificate(checked: EmbeddedNetwork) -> None:
    clerk, second = api_client(checked, CLERK.login), api_client(checked, CLERK2.login)
    rid = born(checked, LG)
    body = {"change_date": TODAY_TEXT, "destination_address": "埼玉県川越市元町一丁目1番1号",
            "intake": INTAKE_JSON}  # fmt: skip
    entered = clerk.post(f"{BASE}/residents/{rid}/move-out", json=body)
    assert entered.status_code == 202
    assert "certificate" not in entered.json()
    done = second.post(f"{BASE}/pending-notices/{entered.json()['id']}/confirm").json()
    assert done["certificate"]["destination_address"] == body["destination_address"]
    assert done["resident_ids"] == [rid]


# --- every route that takes a 届出 ------------------------------------------------------------


def population(network: EmbeddedNetwork) -> dict[str, Any]:
    """Someone for every 届出, recorded in one step before the check is switched on."""
    head, wife, child = move_in_family(network)
    single = born(network, LG)
    rename = schemas.NameChangeNotice(
        change_date=TODAY, name_kanji="向島\u3000和美", name_kana="ムコウジマ\u3000カズミ"
    )
    run(network, changes.record_name_change, wife, rename)  # a change that can be cancelled
    gone = born(network, LG, name_kanji="墨田\u3000転出")
    out = schemas.MoveOutNotice(intake=INTAKE, change_date=TODAY, destination_address="国外")
    run(network, moves.record_move_out, gone, out)  # a 除票 that can be restored
    arrived = foreign_schemas.ForeignMoveInNotice(
        intake=INTAKE, change_date=TODAY, **PERSON, residence=CARD
    )
    alien = run(network, foreign.record_move_in, arrived).resident_id
    leaving, card = moved_out(network)  # from 川越市: its 転出証明書情報, for a 特例転入
    check = card_read(network, LG, leaving.resident_code, card)
    request_id = run(network, transfers.request_certificate, check, "kakari", lg=LG)
    network.pump()
    return {
        "head": head, "wife": wife, "child": child, "single": single, "gone": gone,
        "foreign": alien, "household": household_of(network, head), "request": request_id,
    }  # fmt: skip


def cases(p: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Route → (URL, a 届出 its rules accept). Each is rehearsed alone, against the same
    register, so one person serves several."""
    day = {"change_date": TODAY_TEXT}
    taken = day | {"intake": INTAKE_JSON}
    person = {k: BIRTH[k] for k in ("name_kanji", "name_kana", "sex", "address")} | {
        "birth_date": "1990-04-01"
    }
    alien = json_of(PERSON | {"residence": CARD}) | taken
    single, alien_id = f"/residents/{p['single']}", f"/residents/{p['foreign']}"
    members = [json_of(m) for m in _family()]
    return {
        "/births": ("/births", BIRTH),
        "/move-ins": ("/move-ins", person | taken | {"origin": "abroad"}),
        "/move-ins/household": ("/move-ins/household", taken | {
            "origin": "abroad", "address": BIRTH["address"], "members": members}),
        "/move-ins/special": ("/move-ins/special", taken | {
            "address": NEW_ADDRESS, "request_id": p["request"]}),
        "/foreign/move-ins": ("/foreign/move-ins", alien),
        "/foreign/entries": ("/foreign/entries", alien),
        "/ex-officio/entries": ("/ex-officio/entries", person | day | {"evidence": "実態調査"}),
        "/residents/{resident_id}/move-within": (f"{single}/move-within", taken | {
            "address": "東京都墨田区業平一丁目1番1号"}),
        "/residents/{resident_id}/move-out": (f"{single}/move-out", taken | {
            "destination_address": "埼玉県川越市元町一丁目1番1号"}),
        "/residents/{resident_id}/death": (f"/residents/{p['child']}/death", day),
        "/residents/{resident_id}/name-change": (f"{single}/name-change", day | {
            "name_kanji": "墨田\u3000春子", "name_kana": "スミダ\u3000ハルコ"}),
        "/residents/{resident_id}/cancellation": (f"/residents/{p['wife']}/cancellation", day | {
            "reason": "誤記録"}),
        "/residents/{resident_id}/resident-code-change": (f"{single}/resident-code-change", day),
        "/residents/{resident_id}/number-change": (f"{single}/number-change", day | {
            "ground": "request"}),
        "/residents/{resident_id}/restoration": (f"/residents/{p['gone']}/restoration", day | {
            "evidence": "誤った転出の記録", "relationship": "世帯主"}),
        "/residents/{resident_id}/ex-officio-removal": (f"{single}/ex-officio-removal", day),
        "/residents/{resident_id}/disappearance": (f"{single}/disappearance", day),
        "/residents/{resident_id}/koseki-notice": (f"{single}/koseki-notice", day | {
            "domicile": "東京都墨田区吾妻橋一丁目1番"}),
        "/residents/{resident_id}/immigration-notice": (f"{alien_id}/immigration-notice", day | {
            "stay_expires_on": "2032-06-01"}),
        "/residents/{resident_id}/alias": (f"{alien_id}/alias", day | {"alias": "山田太郎"}),
        "/residents/{resident_id}/naturalization": (f"{alien_id}/naturalization", day | {
            "domicile": "東京都墨田区吾妻橋一丁目1番", "family_head_name": "墨田\u3000譲"}),
        "/households/{household_id}/changes": (f"/households/{p['household']}/changes", taken | {
            "kind": "head_change",
            "relationships": {str(p["head"]): "同居人", str(p["wife"]): "世帯主"}}),
    }  # fmt: skip


def _family() -> list[dict[str, Any]]:
    return [
        {"name_kanji": "錦糸\u3000一郎", "name_kana": "キンシ\u3000イチロウ",
         "birth_date": dt.date(1980, 1, 1), "sex": "1", "relationship": "世帯主"},
        {"name_kanji": "錦糸\u3000花", "name_kana": "キンシ\u3000ハナ",
         "birth_date": dt.date(2015, 3, 3), "sex": "2", "relationship": "子"},
    ]  # fmt: skip


def test_every_route_that_takes_a_notice_waits_for_the_check(network: EmbeddedNetwork) -> None:
    posts = {r.path for r in route_rights(api.router) if r.method == "POST"}
    p = population(network)
    table = cases(p)
    # A new POST route must be classified: a 届出 (then it has a case here) or not.
    assert posts == set(table) | set(NOT_A_NOTICE)
    with_notice_check(network)
    clerk = api_client(network, CLERK.login)
    before, intakes_before = register(network), intakes(network)
    for route, (url, body) in table.items():
        answer = clerk.post(f"{BASE}{url}", json=body)
        assert answer.status_code == 202, (route, answer.text)
        assert answer.json()["status"] == "entered", route
    network.pump()
    assert register(network) == before  # nothing recorded, nothing sent
    with network.node(f"registry:{LG}").db.session() as session:
        entries = session.scalars(select(PendingNotice)).all()
    assert sorted(e.kind for e in entries) == sorted(kinds.KINDS)  # each kind, once
    assert {e.entered_by for e in entries} == {CLERK.login}
    # The counter's 届出 keep their intake from entry on (the check applies them under it).
    received = [k for k, kind in kinds.KINDS.items() if issubclass(
        kind.schema, schemas.Received)]  # fmt: skip
    assert intakes(network) - intakes_before == len(received)
    # The check page can show each kind, every item in Japanese (no field name left raw).
    with network.node(f"registry:{LG}").unit_of_work() as uow:
        for entry in entries:
            shown = check_pages.rows(uow, notice_checks.content(uow, entry))
            assert shown, entry.kind
            assert [label for label, _ in shown if label.isascii()] == [], entry.kind


def intakes(network: EmbeddedNetwork) -> int:
    with network.node(f"registry:{LG}").db.session() as session:
        return session.scalar(select(func.count()).select_from(IntakeRecord)) or 0


# --- the simulator and the command line -----------------------------------------------------


def test_the_simulator_has_each_notice_checked_by_a_second_operator(
    checked: EmbeddedNetwork,
) -> None:
    clerk, second = api_client(checked, CLERK.login), api_client(checked, CLERK2.login)
    alone = Simulation(clerk, [LG], seed=3)
    alone.populate(2, lambda _n: None)
    assert (alone.counts["unchecked"], register(checked)[0]) == (2, 0)
    sim = Simulation(clerk, [LG], seed=3, checker=second)
    sim.populate(3, lambda _n: None)
    checked.pump()
    assert (sim.counts["accepted"], sim.counts["rejected"]) == (3, 0), dict(sim.counts)
    assert register(checked)[0] == 3


def test_the_command_shows_and_changes_the_setting(sqlite_network: EmbeddedNetwork) -> None:
    staff_on(sqlite_network.node(f"registry:{LG}"), (CLERK, SUPERVISOR))
    home = ["--home", str(sqlite_network.home.root)]
    node = f"registry:{LG}"
    shown = CliRunner().invoke(cli, ["registry", "notice-check", node, *home])
    assert shown.exit_code == 0, shown.output
    assert "不要" in shown.output  # the tests' networks switch it off (conftest)
    refused = CliRunner().invoke(
        cli, ["registry", "notice-check", node, "--set", "on", "--reason", "運用開始",
              "--operator", CLERK.login, *home],
    )  # fmt: skip
    assert refused.exit_code == 1
    assert "actor" in refused.output
    with sqlite_network.node(node).db.session() as session:
        logged = session.execute(
            select(audit_log.c.operator, audit_log.c.result).where(
                audit_log.c.function == "settings.notice_check"
            )
        ).all()
    assert [tuple(row) for row in logged] == [(CLERK.login, "refused")]
    done = CliRunner().invoke(
        cli, ["registry", "notice-check", node, "--set", "on", "--reason", "運用開始",
              "--operator", SUPERVISOR.login, *home],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "要（入力者以外が点検）" in done.output
    assert SUPERVISOR.login in done.output
    assert run(sqlite_network, notice_checks.required)
