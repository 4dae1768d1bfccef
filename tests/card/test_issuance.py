"""カードの発行 (000 §3.3 1-⑧..⑪, C20–C23): an application received is commissioned from the
issuance contractor's node at once, its line makes the card and reports it, and a card made
for an application received is provided to the destination municipality's CS
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
from juki.core.issuance_messages import CardMade
from juki.core.messages import CardInfo, MessageType
from juki.core.messaging.paths import is_permitted
from juki.duties.retention import engine
from juki.duties.search import ProvisionLog
from juki.issuance.models import IssuanceOrder
from juki.network.embedded import EmbeddedNetwork
from juki.registry.cards.models import CardShipmentRow
from juki.registry.models import MyNumberCard
from juki.registry.notices import changes, moves, schemas
from juki.registry.residents import service as residents
from tests.card.helpers import (
    CARD,
    CS,
    ISSUANCE,
    LG,
    application,
    contractor,
    entries,
    exchanges,
    jlis,
    made_answers,
    made_record,
    run_line,
    send_from_contractor,
    sent,
)
from tests.card.test_changes import NEW_NAME
from tests.conftest import born, record, resident

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
    """The application received is commissioned at once (C20), the contractor's line
    makes the card and reports it (C21); J-LIS provides it to the mayor (C23) and accepts
    the result, so the contractor ships the card to that municipality (C22)."""
    rid, number, entry = applied(network)
    commissioned = entry_now(network, entry.id)
    assert commissioned.commission_number is not None
    assert (commissioned.contractor_code, commissioned.commission_command) == (
        "issuance", "issue",
    )  # fmt: skip
    assert run_line(network) == {"made": 1, "not_made": 0}

    issued = entry_now(network, entry.id)
    assert (issued.status, issued.result_code, issued.made_operator) == (
        "issued", "00", "(製造ライン)",
    )  # fmt: skip
    assert issued.card_issue_number is not None
    assert issued.expires_on == issued.commissioned_expiry
    assert (issued.juki_ap_id, issued.card_image_number) == (
        "D3921000310001010401", f"IMG{issued.card_issue_number}",
    )  # fmt: skip
    assert issued.issued_at is not None
    assert made_answers(network) == [
        {"commission_number": issued.commission_number, "accepted": True, "refused_code": None}
    ]
    # The exchanges with the issuance contractor (OUT-05), by key only.
    logged = [(x.kind, x.key, x.result, x.operator) for x in exchanges(network)
              if x.kind in ("commission", "issuance_result")]  # fmt: skip
    assert logged == [
        ("commission", entry.application_id, "sent", "(card)"),
        ("issuance_result", entry.application_id, "issued", "(製造ライン)"),
    ]
    # 個人番号カード管理情報 to the destination municipality's CS: exactly the 1-⑪ items.
    [info] = sent(network, MessageType.CARD_INFO, CS)
    assert set(info) == set(CardInfo.model_fields)
    assert (info["individual_number"], info["resident_code"], info["lg_code"]) == (
        number, entry.resident_code, LG,
    )  # fmt: skip
    assert (info["application_id"], info["card_issue_number"], info["result_code"]) == (
        entry.application_id, issued.card_issue_number, "00",
    )  # fmt: skip
    # The provision record (F3-PRV-01): time, provider, operator, terminal, recipient,
    # items, basis, persons by 住民票コード only.
    [row] = provisions(network)
    assert (row.body_code, row.operator, row.terminal, row.kind, row.method) == (
        CS, "(製造ライン)", "line-01", "provision", "online",
    )  # fmt: skip
    assert row.requester == "card (issuance)"
    assert json.loads(row.targets or "[]") == [entry.resident_code]
    assert (row.result_count, row.refused_reason, row.duty_code) == (1, None, "card.info")
    assert row.legal_basis
    assert "総務省令" in row.legal_basis
    assert set((row.items or "").split(";")) == set(CardInfo.model_fields)
    assert row.at is not None
    # The 個人番号 is nowhere in the provision, exchange or audit records.
    assert number not in all_rows(network, ProvisionLog.__table__, audit_log)
    assert number not in " ".join(f"{x.key} {x.result}" for x in exchanges(network))
    # The registry keeps the card, to be handed over at the counter (1-⑩/⑫), and the
    # card itself has arrived from the contractor (C22).
    with network.node(f"registry:{LG}").db.session() as session:
        cards = session.scalars(select(MyNumberCard).where(MyNumberCard.resident_id == rid))
        assert [c.card_issue_number for c in cards] == [issued.card_issue_number]
        [shipped] = session.scalars(select(CardShipmentRow)).all()
        assert (shipped.card_issue_number, shipped.application_id) == (
            issued.card_issue_number, entry.application_id,
        )  # fmt: skip
    # The contractor keeps nothing of the person once the card left (OUT-06).
    with network.node(ISSUANCE).db.session() as session:
        [order] = session.scalars(select(IssuanceOrder)).all()
        assert (order.status, order.commission) == ("shipped", None)


def test_a_result_for_an_invalidated_application_is_refused_and_never_shipped(
    network: EmbeddedNetwork,
) -> None:
    """The person died after the commission and before the line ran: the card is made,
    J-LIS refuses the result, and the contractor voids the card instead of shipping it."""
    rid, _number, entry = applied(network)
    network.pump()  # the commission reaches the contractor
    today = dt.datetime.now(JST).date()
    record(network, LG, moves.record_death, rid, schemas.DeathNotice(change_date=today))
    assert entry_now(network, entry.id).status == "invalidated"
    assert run_line(network) == {"made": 1, "not_made": 0}
    stored = entry_now(network, entry.id)
    assert (stored.status, stored.card_issue_number, stored.issued_at) == (
        "invalidated", None, None,
    )  # fmt: skip
    assert sent(network, MessageType.CARD_INFO) == []
    [answer] = made_answers(network)
    assert (answer["accepted"], answer["refused_code"]) == (False, "application_invalidated")
    # The provision refused, recorded (F3-PRV-01), and the exchange (OUT-05).
    [row] = provisions(network)
    assert (row.body_code, row.operator, row.result_count) == (CS, "(製造ライン)", 0)
    assert json.loads(row.targets or "[]") == [entry.resident_code]
    assert (row.refused_reason or "").startswith("application_invalidated")
    [logged] = [x for x in exchanges(network) if x.kind == "issuance_result"]
    assert logged.result == "refused:application_invalidated"
    # Nothing shipped; the contractor's copy of the commission erased.
    with network.node(f"registry:{LG}").db.session() as session:
        assert session.scalars(select(CardShipmentRow)).all() == []
    with network.node(ISSUANCE).db.session() as session:
        [order] = session.scalars(select(IssuanceOrder)).all()
        assert (order.status, order.refused_code, order.commission) == (
            "void", "application_invalidated", None,
        )  # fmt: skip


def test_a_change_after_the_card_was_made_leaves_it_issued(network: EmbeddedNetwork) -> None:
    """F3-ACQ-06 invalidates an outstanding form only: a card made is updated at the
    municipality's counter, not invalidated by the card system."""
    rid, _number, entry = applied(network)
    run_line(network)
    record(network, LG, changes.record_name_change, rid, NEW_NAME)
    changed = entry_now(network, entry.id)
    assert (changed.status, changed.invalidated_at) == ("issued", None)
    assert changed.changed_at is not None


def test_a_result_for_no_commission_is_refused(network: EmbeddedNetwork) -> None:
    """A result naming a 申請書ID J-LIS does not hold, or one it never commissioned (the
    form not yet received), or another commission's number, changes nothing."""
    rid = born(network)
    code = resident(network, LG, rid).resident_code
    [entry] = [e for e in entries(network) if e.resident_code == code]
    _b, _nb, other = applied(network)
    other = entry_now(network, other.id)
    unknown = made_record(other, application_id="1" * 23)
    unapplied = made_record(other, application_id=entry.application_id)
    send_from_contractor(network, [unknown, unapplied])
    assert entry_now(network, entry.id).status == "registered"
    assert entry_now(network, other.id).status == "application_received"
    assert sent(network, MessageType.CARD_INFO) == []
    assert [a["refused_code"] for a in made_answers(network)] == ["not_found", "not_found"]
    assert [x.result for x in exchanges(network) if x.kind == "issuance_result"] == [
        "refused:not_found", "refused:not_found",
    ]  # fmt: skip
    # Only the known person's provision was refused; the unknown 申請書ID names nobody.
    assert [(p.result_count, json.loads(p.targets or "[]")) for p in provisions(network)] == [
        (0, [code])
    ]


def test_a_second_result_for_the_same_application_is_refused(network: EmbeddedNetwork) -> None:
    _rid, _number, entry = applied(network)
    run_line(network)
    issued = entry_now(network, entry.id)
    send_from_contractor(network, [made_record(issued)])
    assert made_answers(network)[-1]["refused_code"] == "already_issued"
    assert entry_now(network, entry.id).card_issue_number == issued.card_issue_number
    assert len(sent(network, MessageType.CARD_INFO)) == 1
    assert [p.result_count for p in provisions(network)] == [1, 0]


def test_a_card_issue_number_already_used_is_refused(network: EmbeddedNetwork) -> None:
    _a, _na, one = applied(network)
    _b, _nb, two = applied(network)
    first = made_record(entry_now(network, one.id))
    clash = made_record(entry_now(network, two.id), card_issue_number=first["card_issue_number"])
    send_from_contractor(network, [first, clash])
    assert [a["refused_code"] for a in made_answers(network)] == [None, "card_number_used"]
    assert entry_now(network, two.id).status == "application_received"


def test_a_result_with_the_wrong_expiry_is_refused_and_nothing_stored(
    network: EmbeddedNetwork,
) -> None:
    _rid, number, entry = applied(network)
    commissioned = entry_now(network, entry.id)
    past = made_record(commissioned, expires_on="2020-01-01")
    later = made_record(commissioned, expires_on="2099-01-01")
    missing = made_record(commissioned, card_issue_number=None)
    send_from_contractor(network, [past, later, missing])
    # the first is refused and the card commissioned again under a new number; the two
    # after it name a commission that is no longer the entry's
    assert [a["refused_code"] for a in made_answers(network)] == [
        "invalid_input", "not_found", "not_found",
    ]  # fmt: skip
    assert entry_now(network, entry.id).commission_number != commissioned.commission_number
    assert entry_now(network, entry.id).status == "application_received"
    assert sent(network, MessageType.CARD_INFO) == []
    assert [p.result_count for p in provisions(network)] == [0, 0, 0]
    assert number not in all_rows(network, ProvisionLog.__table__)


def test_a_result_record_refuses_anything_else(network: EmbeddedNetwork) -> None:
    """The result's format (C21): each bad field named; no 個人番号, no photo accepted."""
    _rid, number, entry = applied(network)
    commissioned = entry_now(network, entry.id)
    for fields, field in (
        ({"card_issue_number": "abc"}, "card_issue_number"),
        ({"result_code": "0"}, "result_code"),
        ({"expires_on": "2026-02-30"}, "expires_on"),
        ({"individual_number": number}, "individual_number"),  # never accepted
        ({"face_photo": "x"}, "face_photo"),
    ):
        with pytest.raises(ValidationError) as refused:
            CardMade.model_validate(made_record(commissioned, **fields))
        assert [e["loc"] for e in refused.value.errors()] == [(field,)]


def test_a_result_that_is_not_normal_changes_nothing_and_provides_nothing(
    network: EmbeddedNetwork,
) -> None:
    _rid, _number, entry = applied(network)
    commissioned = entry_now(network, entry.id)
    send_from_contractor(
        network, [made_record(commissioned, result_code="91", card_issue_number=None)]
    )
    assert entry_now(network, entry.id).card_issue_number is None
    assert made_answers(network) == [
        {"commission_number": commissioned.commission_number, "accepted": False,
         "refused_code": "not_made"}
    ]  # fmt: skip
    assert sent(network, MessageType.CARD_INFO) == []
    assert provisions(network) == []
    assert [x.result for x in exchanges(network) if x.kind == "issuance_result"] == [
        "not_issued:91"
    ]


def test_a_card_not_made_is_commissioned_again_and_made(network: EmbeddedNetwork) -> None:
    """The application is not stuck: J-LIS commissions the card again under a new number
    (the old order void at the contractor), and the next run of the line makes it. A
    result for the old number is refused after that (attack review)."""
    _rid, _number, entry = applied(network)
    first = entry_now(network, entry.id)
    send_from_contractor(network, [made_record(first, result_code="91", card_issue_number=None)])
    again = entry_now(network, entry.id)
    assert again.commission_number not in (None, first.commission_number)
    assert again.status == "application_received"
    commissions = sent(network, MessageType.CARD_COMMISSION, recipient=ISSUANCE)
    assert [c["commission_number"] for c in commissions] == [
        first.commission_number, again.commission_number,
    ]  # fmt: skip
    assert run_line(network) == {"made": 2, "not_made": 0}  # both orders reach the line
    made = entry_now(network, entry.id)
    assert made.status == "issued"
    # the first order's card was refused (its commission was replaced), never shipped
    answers = {a["commission_number"]: a for a in made_answers(network)}
    assert answers[first.commission_number]["accepted"] is False
    assert answers[again.commission_number]["accepted"] is True
    with network.node(f"registry:{LG}").db.session() as session:
        shipped = session.scalars(select(CardShipmentRow)).all()
        assert [s.commission_number for s in shipped] == [again.commission_number]


def test_applications_left_uncommissioned_are_commissioned_on_request(
    network: EmbeddedNetwork,
) -> None:
    """An application received before the contractor was a node (no commission) is not
    stuck: J-LIS commissions what is outstanding (the upgrade path), and the line makes it."""
    _rid, _number, entry = applied(network)
    network.pump()
    with network.node(CARD).unit_of_work() as uow:  # as a database from before 0014 holds it
        held = uow.session.get(CardFileEntry, entry.id)
        assert held is not None
        held.commission_number = None
    office = jlis(network, {"card_contracts": "update"})
    done = office.post("/card/commissions/outstanding")
    assert (done.status_code, done.json()) == (200, {"commissioned": 1})
    assert office.post("/card/commissions/outstanding").json() == {"commissioned": 0}
    run_line(network)
    assert entry_now(network, entry.id).status == "issued"


def test_a_malformed_result_is_left_out_and_the_channel_goes_on(
    network: EmbeddedNetwork,
) -> None:
    """A handler never raises: a record that does not fit `CardMade` is logged by field
    name and left out; the good record beside it is applied and nothing is held up."""
    _rid, _number, entry = applied(network)
    good = made_record(entry_now(network, entry.id))
    send_from_contractor(network, [good | {"result_code": "X"}, good])
    assert entry_now(network, entry.id).status == "issued"
    assert len(made_answers(network)) == 1


def test_only_the_contractor_s_node_may_send_results(network: EmbeddedNetwork) -> None:
    """The line is J-LIS's dedicated line to the contractor (000 §2.4): a result from any
    other node — the registry, the call centre's API client cannot even send one — is
    refused at the door and changes nothing."""
    _rid, _number, entry = applied(network)
    assert not is_permitted(f"registry:{LG}", CARD, MessageType.CARD_MADE)
    assert not is_permitted("kiosk", CARD, MessageType.CARD_MADE)
    assert is_permitted(ISSUANCE, CARD, MessageType.CARD_MADE)
    assert not is_permitted(ISSUANCE, "registry:131016", MessageType.CARD_MADE)
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
    run_line(network)
    reader = contractor(network, {"statistics": "read"})
    counts = reader.get("/card/statistics").json()
    assert (counts["cards_issued"], counts["valid_cards"]) == (1, 1)
    assert counts["by_status"]["issued"] == 1
    with network.node(CARD).unit_of_work() as uow:  # the card expires
        found = uow.session.get(CardFileEntry, entry.id)
        assert found is not None
        found.expires_on = dt.date(2020, 1, 1)
    counts = reader.get("/card/statistics").json()
    assert (counts["cards_issued"], counts["valid_cards"]) == (1, 0)


def test_the_quarterly_report_counts_exchanges_with_the_contractors(
    network: EmbeddedNetwork,
) -> None:
    _a, _na, one = applied(network)
    _b, _nb, two = applied(network)
    first = made_record(entry_now(network, one.id))
    send_from_contractor(network, [first, made_record(entry_now(network, one.id))])
    client = contractor(network)
    auditor = contractor(network, {"audit_review": "read"})
    answer = auditor.get(REPORT, params={"quarter": this_quarter()})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["counts"] == {
        "application": {"application_received": 2},
        "commission": {"sent": 2},
        "issuance_result": {"issued": 1, "refused:already_issued": 1},
    } | {kind: {} for kind in PRINT_KINDS}  # no print file exchanged (tests/card/test_printing)
    assert report["total"] == 6
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
    applied(network)
    run_line(network)
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
