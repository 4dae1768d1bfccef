"""カードの発行結果 and 個人番号カード管理情報 to the mayor (000 §3.3 1-⑨..⑪, C21/C23): a
card made for an application received is provided to the destination municipality's CS
with exactly the items of 1-⑪ (F3-PRV-05); every provision, refused ones included, is in
the provision record with the provider, operator, terminal and 住民票コード — never the
個人番号 — and kept 7 years (F3-PRV-01); every exchange with the contractors is recorded
and counted per quarter, nothing per person (OUT-05); statistics count issued and valid
cards (F3-USE-04)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from juki.card.models import SCHEMA, CardFileEntry
from juki.card.reports import PRINT_KINDS
from juki.core.audit.tables import audit_log
from juki.core.clock import JST
from juki.core.messages import CardInfo, MessageType
from juki.duties.retention import engine
from juki.duties.search import ProvisionLog
from juki.network.embedded import EmbeddedNetwork
from juki.registry.models import MyNumberCard
from juki.registry.notices import changes, moves, schemas
from juki.registry.residents import service as residents
from tests.card.helpers import (
    CARD,
    CS,
    LG,
    application,
    contractor,
    entries,
    exchanges,
    issuance_result,
    issuer,
    sent,
)
from tests.card.test_changes import NEW_NAME
from tests.conftest import born, record, resident

URL = "/card/issuance-results"
REPORT = "/card/reports/contractor-exchanges"


def applied(network: EmbeddedNetwork) -> tuple[int, str, CardFileEntry]:
    """A person born in 墨田区 — the registry sends their 送付先情報 through the CS on its own
    (001a §3.7 7-①) — whose form came back: (resident id, 個人番号, File 3 entry)."""
    rid = born(network)
    code = resident(network, LG, rid).resident_code
    with network.node(f"registry:{LG}").unit_of_work() as uow:
        number = residents.number_of(uow, residents.get_resident(uow, rid))
    [entry] = [e for e in entries(network) if e.resident_code == code]
    form = application(entry.application_id)
    assert contractor(network).post("/card/applications", json=form).status_code == 201
    return rid, number, entry


def provisions(network: EmbeddedNetwork) -> list[ProvisionLog]:
    with network.node(CARD).db.session() as session:
        rows = list(session.scalars(select(ProvisionLog).order_by(ProvisionLog.id)))
        session.expunge_all()
        return rows


def entry_now(network: EmbeddedNetwork, entry_id: int) -> CardFileEntry:
    [found] = [e for e in entries(network) if e.id == entry_id]
    return found


def all_rows(network: EmbeddedNetwork, *tables: Any) -> str:
    with network.node(CARD).db.session() as session:
        return " ".join(str(tuple(row)) for t in tables for row in session.execute(select(t)))


def test_a_card_made_is_provided_to_the_mayor_of_the_destination(
    network: EmbeddedNetwork,
) -> None:
    rid, number, entry = applied(network)
    result = issuance_result(entry.application_id)
    answer = issuer(network).post(URL, json=result)
    assert answer.status_code == 201, answer.text
    assert answer.json() == {"application_id": entry.application_id, "status": "issued"}
    network.pump()

    issued = entry_now(network, entry.id)
    assert (issued.status, issued.card_issue_number, str(issued.expires_on)) == (
        "issued", result["card_issue_number"], result["expires_on"],
    )  # fmt: skip
    assert issued.issued_at is not None
    # The exchange with the issuance contractor (OUT-05), by key only.
    [logged] = [x for x in exchanges(network) if x.kind == "issuance_result"]
    assert (logged.key, logged.result, logged.operator, logged.terminal) == (
        entry.application_id, "issued", "issue-op-01", "issue-terminal-1",
    )  # fmt: skip
    # 個人番号カード管理情報 to the destination municipality's CS: exactly the 1-⑪ items.
    [info] = sent(network, MessageType.CARD_INFO, CS)
    assert set(info) == set(CardInfo.model_fields)
    assert (info["individual_number"], info["resident_code"], info["lg_code"]) == (
        number, entry.resident_code, LG,
    )  # fmt: skip
    assert (info["application_id"], info["card_issue_number"], info["result_code"]) == (
        entry.application_id, result["card_issue_number"], "00",
    )  # fmt: skip
    # The provision record (F3-PRV-01): time, provider, operator, terminal, recipient,
    # items, basis, persons by 住民票コード only.
    [row] = provisions(network)
    assert (row.body_code, row.operator, row.terminal, row.kind, row.method) == (
        CS, "issue-op-01", "issue-terminal-1", "provision", "online",
    )  # fmt: skip
    assert row.requester.startswith("card (system:issuance-")
    assert json.loads(row.targets or "[]") == [entry.resident_code]
    assert (row.result_count, row.refused_reason, row.duty_code) == (1, None, "card.info")
    assert row.legal_basis
    assert "総務省令" in row.legal_basis
    assert set((row.items or "").split(";")) == set(CardInfo.model_fields)
    assert row.at is not None
    # The 個人番号 is nowhere in the provision, exchange or audit records.
    assert number not in all_rows(network, ProvisionLog.__table__, audit_log)
    assert number not in " ".join(f"{x.key} {x.result}" for x in exchanges(network))
    # The registry keeps the card, to be handed over at the counter (1-⑩/⑫).
    with network.node(f"registry:{LG}").db.session() as session:
        cards = session.scalars(select(MyNumberCard).where(MyNumberCard.resident_id == rid))
        assert [c.card_issue_number for c in cards] == [result["card_issue_number"]]


def test_a_result_for_an_invalidated_application_is_refused_and_recorded(
    network: EmbeddedNetwork,
) -> None:
    rid, _number, entry = applied(network)
    today = dt.datetime.now(JST).date()
    record(network, LG, moves.record_death, rid, schemas.DeathNotice(change_date=today))
    assert entry_now(network, entry.id).status == "invalidated"
    answer = issuer(network).post(URL, json=issuance_result(entry.application_id))
    assert answer.status_code == 409
    assert (answer.json()["field"], answer.json()["code"]) == (
        "application_id", "application_invalidated",
    )  # fmt: skip
    network.pump()
    stored = entry_now(network, entry.id)
    assert (stored.status, stored.card_issue_number, stored.issued_at) == (
        "invalidated",
        None,
        None,
    )
    assert sent(network, MessageType.CARD_INFO) == []
    # The provision refused, recorded (F3-PRV-01), and the exchange (OUT-05).
    [row] = provisions(network)
    assert (row.body_code, row.operator, row.result_count) == (CS, "issue-op-01", 0)
    assert json.loads(row.targets or "[]") == [entry.resident_code]
    assert (row.refused_reason or "").startswith("application_invalidated")
    [logged] = [x for x in exchanges(network) if x.kind == "issuance_result"]
    assert logged.result == "refused:application_invalidated"


def test_a_change_after_the_card_was_made_leaves_it_issued(network: EmbeddedNetwork) -> None:
    """F3-ACQ-06 invalidates an outstanding form only: a card made is updated at the
    municipality's counter, not invalidated by the card system."""
    rid, _number, entry = applied(network)
    assert issuer(network).post(URL, json=issuance_result(entry.application_id)).status_code == 201
    record(network, LG, changes.record_name_change, rid, NEW_NAME)
    changed = entry_now(network, entry.id)
    assert (changed.status, changed.invalidated_at) == ("issued", None)
    assert changed.changed_at is not None


def test_an_unknown_or_unapplied_application_is_refused(network: EmbeddedNetwork) -> None:
    rid = born(network)
    code = resident(network, LG, rid).resident_code
    [entry] = [e for e in entries(network) if e.resident_code == code]
    client = issuer(network)
    unknown = client.post(URL, json=issuance_result("1" * 23))
    assert (unknown.status_code, unknown.json()["field"]) == (404, "application_id")
    early = client.post(URL, json=issuance_result(entry.application_id))
    assert (early.status_code, early.json()["code"]) == (409, "not_applied")
    assert entry_now(network, entry.id).status == "registered"
    assert sent(network, MessageType.CARD_INFO) == []
    assert [x.result for x in exchanges(network) if x.kind == "issuance_result"] == [
        "refused:not_found", "refused:not_applied",
    ]  # fmt: skip
    # Only the known person's provision was refused; the unknown 申請書ID names nobody.
    assert [(p.result_count, json.loads(p.targets or "[]")) for p in provisions(network)] == [
        (0, [code])
    ]


def test_a_second_result_for_the_same_application_is_refused(network: EmbeddedNetwork) -> None:
    _rid, _number, entry = applied(network)
    client = issuer(network)
    first = issuance_result(entry.application_id)
    assert client.post(URL, json=first).status_code == 201
    again = client.post(URL, json=issuance_result(entry.application_id))
    assert (again.status_code, again.json()["code"]) == (409, "already_issued")
    assert entry_now(network, entry.id).card_issue_number == first["card_issue_number"]
    assert len(sent(network, MessageType.CARD_INFO)) == 1
    assert [p.result_count for p in provisions(network)] == [1, 0]


def test_a_card_issue_number_already_used_is_refused(network: EmbeddedNetwork) -> None:
    _a, _na, one = applied(network)
    _b, _nb, two = applied(network)
    client = issuer(network)
    made = issuance_result(one.application_id)
    assert client.post(URL, json=made).status_code == 201
    clash = issuance_result(two.application_id, card_issue_number=made["card_issue_number"])
    answer = client.post(URL, json=clash)
    assert (answer.status_code, answer.json()["field"]) == (409, "card_issue_number")
    assert entry_now(network, two.id).status == "application_received"


def test_bad_input_is_refused_naming_the_field_and_nothing_stored(
    network: EmbeddedNetwork,
) -> None:
    _rid, number, entry = applied(network)
    client = issuer(network)
    for fields, field in (
        ({"card_issue_number": "abc"}, "card_issue_number"),
        ({"result_code": "0"}, "result_code"),
        ({"expires_on": "2026-02-30"}, "expires_on"),
        ({"individual_number": number}, "individual_number"),  # never accepted
        ({"face_photo": "x"}, "face_photo"),
    ):
        answer = client.post(URL, json=issuance_result(entry.application_id, **fields))
        assert answer.status_code == 422, fields
        assert [e["field"] for e in answer.json()["errors"]] == [field]
        assert number not in answer.text
    past = issuance_result(entry.application_id, expires_on="2020-01-01")
    answer = client.post(URL, json=past)
    assert (answer.status_code, answer.json()["field"]) == (422, "expires_on")
    assert entry_now(network, entry.id).status == "application_received"
    assert sent(network, MessageType.CARD_INFO) == []
    assert [p.result_count for p in provisions(network)] == [0]  # the refused one only


def test_a_result_that_is_not_normal_changes_nothing_and_provides_nothing(
    network: EmbeddedNetwork,
) -> None:
    _rid, _number, entry = applied(network)
    answer = issuer(network).post(URL, json=issuance_result(entry.application_id, result_code="91"))
    assert answer.status_code == 201
    assert answer.json()["status"] == "application_received"
    assert entry_now(network, entry.id).card_issue_number is None
    assert sent(network, MessageType.CARD_INFO) == []
    assert provisions(network) == []
    assert [x.result for x in exchanges(network) if x.kind == "issuance_result"] == [
        "not_issued:91"
    ]


def test_only_the_issuance_contractor_may_post_results(network: EmbeddedNetwork) -> None:
    _rid, _number, entry = applied(network)
    receipt_only = issuer(network, {"card_applications": "update"})
    refused = receipt_only.post(URL, json=issuance_result(entry.application_id))
    assert (refused.status_code, refused.json()["field"]) == (403, "rights")
    assert entry_now(network, entry.id).status == "application_received"


# --- F3-PRV-05: the whitelist --------------------------------------------------------------


def card_info(**extra: object) -> dict[str, object]:
    return {
        "info_id": "info-0001", "kind": "issued", "individual_number": "123456789018",
        "resident_code": "12345678901", "lg_code": LG, "application_id": "1" * 23,
        "card_issue_number": "0123456789ABCDEF", "expires_on": "2036-11-23",
        "result_code": "00",
    } | extra  # fmt: skip


def test_card_info_carries_exactly_the_items_of_1_11() -> None:
    assert set(CardInfo.model_fields) == {
        "info_id", "kind", "individual_number", "resident_code", "lg_code",
        "application_id", "card_issue_number", "expires_on", "result_code",
    }  # fmt: skip
    CardInfo.model_validate(card_info())


@pytest.mark.parametrize(
    "field",
    ["face_photo", "photo_sha256", "form_image", "braille", "destination_address", "name_kanji"],
)
def test_card_info_refuses_anything_else_of_file_3(field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        CardInfo.model_validate(card_info(**{field: "x"}))
    assert [e["loc"] for e in refused.value.errors()] == [(field,)]


# --- F3-USE-04 and OUT-05 ----------------------------------------------------------------


def this_quarter() -> str:
    today = dt.datetime.now(JST).date()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


def test_statistics_count_cards_issued_and_valid(network: EmbeddedNetwork) -> None:
    _rid, _number, entry = applied(network)
    issuer(network).post(URL, json=issuance_result(entry.application_id))
    counts = issuer(network, {"statistics": "read"}).get("/card/statistics").json()
    assert (counts["cards_issued"], counts["valid_cards"]) == (1, 1)
    assert counts["by_status"]["issued"] == 1
    with network.node(CARD).unit_of_work() as uow:  # the card expires
        found = uow.session.get(CardFileEntry, entry.id)
        assert found is not None
        found.expires_on = dt.date(2020, 1, 1)
    counts = issuer(network, {"statistics": "read"}).get("/card/statistics").json()
    assert (counts["cards_issued"], counts["valid_cards"]) == (1, 0)


def test_the_quarterly_report_counts_exchanges_with_the_contractors(
    network: EmbeddedNetwork,
) -> None:
    _a, _na, one = applied(network)
    _b, _nb, two = applied(network)
    client = issuer(network)
    assert client.post(URL, json=issuance_result(one.application_id)).status_code == 201
    assert client.post(URL, json=issuance_result(one.application_id)).status_code == 409
    auditor = issuer(network, {"audit_review": "read"})
    answer = auditor.get(REPORT, params={"quarter": this_quarter()})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["counts"] == {
        "application": {"application_received": 2},
        "issuance_result": {"issued": 1, "refused:already_issued": 1},
    } | {kind: {} for kind in PRINT_KINDS}  # no print file exchanged (tests/card/test_printing)
    assert report["total"] == 4
    for entry in (one, two):  # nothing per person
        assert entry.application_id not in answer.text
        assert entry.resident_code not in answer.text
    empty = auditor.get(REPORT, params={"quarter": "2019Q1"}).json()
    assert (empty["total"], empty["period_from"], empty["period_until"]) == (
        0, "2019-01-01", "2019-04-01",
    )  # fmt: skip
    for bad in ("2026Q5", "2026-4", "Q4"):
        refused = auditor.get(REPORT, params={"quarter": bad})
        assert refused.status_code == 422
        assert refused.json()["field"] == "quarter"
    assert client.get(REPORT, params={"quarter": this_quarter()}).status_code == 403


# --- F3-PRV-01: kept 7 years ---------------------------------------------------------------


def test_the_provision_record_is_erased_after_7_years_and_not_before(
    network: EmbeddedNetwork,
) -> None:
    _rid, _number, entry = applied(network)
    issuer(network).post(URL, json=issuance_result(entry.application_id))
    rule = "個人番号カード管理情報の提供の記録"
    node = network.node(CARD)

    def purge(years: float) -> engine.Purge:
        at = dt.datetime.now(dt.UTC) + dt.timedelta(days=365.25 * years)
        with node.unit_of_work() as uow:
            return {p.rule: p for p in engine.purge(uow.session, "card", SCHEMA, at)}[rule]

    assert purge(6.9).erased == 0
    assert len(provisions(network)) == 1
    assert purge(7.1).erased == 1
    assert provisions(network) == []
