"""Print stops (印刷停止): a form invalidated after it went to the print contractor (its
person's 4情報 changed, or the person was removed; 000 F3-ACQ-06) is listed to that
contractor, and to no other, until acknowledged; stops left unacknowledged are listed for
J-LIS's follow-up; every listing and acknowledgement is in the exchange record."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from juki.core.clock import JST
from juki.network.embedded import EmbeddedNetwork
from juki.registry.notices import changes
from tests.card.helpers import (
    LG,
    as_operator,
    client_id_of,
    entries,
    exchanges,
    held_person,
    jlis,
    printer,
)
from tests.card.test_changes import NEW_NAME
from tests.conftest import record

STOPS = "/card/print-stops"
ACK = "/card/print-stops/acknowledgements"
REPORT = "/card/reports/print-stops"
TODAY = dt.datetime.now(JST).date()


def sent_to_printer(network: EmbeddedNetwork, contractor: TestClient) -> int:
    answer = jlis(network).post(
        "/card/print-batches", json={"contractor": client_id_of(contractor)}
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def stops_of(contractor: TestClient, **params: str) -> list[dict[str, object]]:
    answer = contractor.get(STOPS, params=params)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, object]] = answer.json()
    return found


def test_a_form_invalidated_after_sending_is_a_stop_until_acknowledged(
    network: EmbeddedNetwork,
) -> None:
    rid, entry = held_person(network)
    contractor, _ = printer(network)
    batch_id = sent_to_printer(network, contractor)
    assert stops_of(contractor) == []
    record(network, LG, changes.record_name_change, rid, NEW_NAME)  # 4情報 changed: invalid

    # The newborn's own 送付先情報 (sent by the CS at birth) is stopped too: same person.
    listed = stops_of(contractor)
    (stop,) = [s for s in listed if s["application_id"] == entry.application_id]
    assert all(s["batch_id"] == batch_id for s in listed)
    assert stop["batch_id"] == batch_id
    assert stop["acknowledged_at"] is None
    assert set(stop) == {"batch_id", "application_id", "invalidated_at", "acknowledged_at"}
    assert stops_of(printer(network)[0]) == []  # another contractor sees none of it

    answer = contractor.post(ACK, json={"application_ids": [entry.application_id]})
    assert answer.status_code == 200, answer.text
    assert answer.json()[0]["acknowledged_at"] is not None
    assert entry.application_id not in {s["application_id"] for s in stops_of(contractor)}
    assert len(stops_of(contractor, pending_only="false")) == len(listed)
    acknowledged = [
        e for e in exchanges(network) if e.kind == "print_stop" and e.result == "acknowledged"
    ]
    assert [e.key for e in acknowledged] == [entry.destination_id]
    assert acknowledged[0].operator == "print-op-01"


def test_a_form_invalidated_before_any_batch_is_never_sent_nor_a_stop(
    network: EmbeddedNetwork,
) -> None:
    rid, entry = held_person(network)
    record(network, LG, changes.record_name_change, rid, NEW_NAME)
    contractor, _ = printer(network)
    answer = jlis(network).post(
        "/card/print-batches", json={"contractor": client_id_of(contractor)}
    )
    sent = answer.json()["record_count"] if answer.status_code == 201 else 0
    assert all(e.print_batch_id is None for e in entries(network) if e.id == entry.id)
    assert sent == len([e for e in entries(network) if e.print_batch_id is not None])
    assert stops_of(contractor) == []


def test_unacknowledged_stops_are_listed_for_follow_up(network: EmbeddedNetwork) -> None:
    rid, entry = held_person(network)
    contractor, _ = printer(network)
    sent_to_printer(network, contractor)
    record(network, LG, changes.record_name_change, rid, NEW_NAME)
    office = jlis(network, rights={"card_contracts": "read"})

    def report(as_of: dt.date) -> list[dict[str, object]]:
        answer = office.get(REPORT, params={"as_of": as_of.isoformat()})
        assert answer.status_code == 200, answer.text
        lines: list[dict[str, object]] = answer.json()
        return lines

    assert report(TODAY + dt.timedelta(days=2)) == []  # still within the period
    lines = report(TODAY + dt.timedelta(days=3))
    (line,) = [x for x in lines if x["application_id"] == entry.application_id]
    assert line["contractor"] == client_id_of(contractor)
    assert line["days_waiting"] == 3
    everything = [str(x["application_id"]) for x in lines]
    assert contractor.post(ACK, json={"application_ids": everything}).status_code == 200
    assert report(TODAY + dt.timedelta(days=3)) == []


def test_bad_acknowledgements_are_refused_naming_the_field_and_change_nothing(
    network: EmbeddedNetwork,
) -> None:
    rid, entry = held_person(network)
    contractor, _ = printer(network)
    sent_to_printer(network, contractor)
    record(network, LG, changes.record_name_change, rid, NEW_NAME)
    other, _ = printer(network)

    not_a_stop = "9" * 23
    for body, status in (
        ({"application_ids": [entry.application_id, not_a_stop]}, 404),
        ({"application_ids": ["12345"]}, 422),
        ({"application_ids": []}, 422),
        ({"application_ids": [entry.application_id], "note": "x"}, 422),
    ):
        answer = contractor.post(ACK, json=body)
        assert answer.status_code == status, answer.text
        assert "application_ids" in answer.text or "note" in answer.text
    # another contractor cannot acknowledge this contractor's stop
    answer = other.post(ACK, json={"application_ids": [entry.application_id]})
    assert (answer.status_code, answer.json()["field"]) == (404, "application_ids")
    # an operator not on the roster gets nothing, and the refusal is recorded
    assert as_operator(network, contractor, "stranger-01").get(STOPS).status_code == 403
    assert any(
        e.kind == "print_stop" and e.result.startswith("refused") for e in exchanges(network)
    )
    assert all(e.print_stop_acknowledged_at is None for e in entries(network))
