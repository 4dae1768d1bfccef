"""交付申請 from the application-receipt contractor (000 §3.3 1-⑥/⑦): registered against the
申請書ID only; the 個人番号 written on the form is never stored (F3-ACQ-05); an unknown or
used 申請書ID is refused naming the field, with nothing stored; statistics are counts by
processing state, nothing per person (F3-USE-04); only a client holding the right may call."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from juki.card.models import CardFileEntry, ExchangeLog
from juki.network.embedded import EmbeddedNetwork
from tests.card.helpers import (
    CARD,
    application,
    contractor,
    destination_record,
    entries,
    exchanges,
    new_code,
    new_number,
    notice_of,
    send_from_cs,
)
from tests.conftest import api_client

URL = "/card/applications"


def registered(network: EmbeddedNetwork) -> CardFileEntry:
    record = destination_record(new_code(), new_number())
    send_from_cs(network, [notice_of(record)])
    [entry] = [e for e in entries(network) if e.destination_id == record["destination_id"]]
    return entry


def test_an_application_is_registered_against_its_application_id(
    network: EmbeddedNetwork,
) -> None:
    entry = registered(network)
    sent_form = application(entry.application_id, braille=True)
    answer = contractor(network).post(URL, json=sent_form)
    assert answer.status_code == 201
    assert answer.json() == {
        "application_id": entry.application_id,
        "status": "application_received",
    }
    [stored] = [e for e in entries(network) if e.id == entry.id]
    assert (stored.status, stored.braille, stored.photo_sha256) == (
        "application_received", True, sent_form["photo_sha256"],
    )  # fmt: skip
    assert stored.application_received_at is not None
    [logged] = [x for x in exchanges(network) if x.kind == "application"]
    assert (logged.key, logged.operator, logged.terminal) == (
        entry.application_id, "receipt-op-01", "receipt-terminal-1",
    )  # fmt: skip


def test_a_number_written_on_the_form_is_never_stored(sqlite_network: EmbeddedNetwork) -> None:
    entry = registered(sqlite_network)
    written = new_number()  # not the person's: whatever the form says is ignored
    form = application(entry.application_id, individual_number=written)
    assert contractor(sqlite_network).post(URL, json=form).status_code == 201
    node = sqlite_network.node(CARD)
    with node.db.session() as session:
        rows = [tuple(r) for r in session.execute(select(CardFileEntry.__table__))]
        rows += [tuple(r) for r in session.execute(select(ExchangeLog.__table__))]
    assert rows
    assert all(written not in str(row) for row in rows)
    sqlite_network.close()  # what is on disk is all there is
    for path in Path(sqlite_network.home.root / "data").glob("card.db*"):
        assert written.encode() not in path.read_bytes(), path.name


def test_an_unknown_application_id_is_refused_and_nothing_stored(
    network: EmbeddedNetwork,
) -> None:
    registered(network)
    answer = contractor(network).post(URL, json=application("1" * 23))
    assert answer.status_code == 404
    assert answer.json()["field"] == "application_id"
    assert all(e.status == "registered" for e in entries(network))
    # Only the fact of the refusal, by the 申請書ID it named (000 OUT-05).
    assert [(x.key, x.result) for x in exchanges(network) if x.kind == "application"] == [
        ("1" * 23, "refused:not_found")
    ]


def test_a_used_application_id_is_refused(network: EmbeddedNetwork) -> None:
    entry = registered(network)
    client = contractor(network)
    assert client.post(URL, json=application(entry.application_id)).status_code == 201
    again = client.post(URL, json=application(entry.application_id))
    assert again.status_code == 409
    assert (again.json()["field"], again.json()["code"]) == ("application_id", "already_applied")


def test_bad_input_is_refused_naming_the_field_without_echo(network: EmbeddedNetwork) -> None:
    entry = registered(network)
    client = contractor(network)
    extra = client.post(URL, json=application(entry.application_id, phone="09012345678"))
    assert extra.status_code == 422
    assert [e["field"] for e in extra.json()["errors"]] == ["phone"]
    assert "09012345678" not in extra.text
    short = client.post(URL, json=application("12345"))
    assert [e["field"] for e in short.json()["errors"]] == ["application_id"]
    assert all(e.status == "registered" for e in entries(network))


def test_statistics_are_counts_by_state_only(network: EmbeddedNetwork) -> None:
    first, _second = registered(network), registered(network)
    client = contractor(network, {"card_applications": "update", "statistics": "read"})
    assert client.post(URL, json=application(first.application_id)).status_code == 201
    answer = client.get("/card/statistics")
    assert answer.status_code == 200
    counts = answer.json()
    assert set(counts) == {
        "by_status", "applications_received", "cards_issued", "valid_cards", "awaiting_erasure",
    }  # fmt: skip
    assert counts["applications_received"] == 1
    assert counts["by_status"]["application_received"] == 1
    assert counts["by_status"]["registered"] == len(entries(network)) - 1
    assert all(isinstance(v, int) for v in counts["by_status"].values())


def test_a_caller_without_the_right_is_refused(network: EmbeddedNetwork) -> None:
    entry = registered(network)
    reader = contractor(network, {"statistics": "read"})
    refused = reader.post(URL, json=application(entry.application_id))
    assert refused.status_code == 403
    assert refused.json()["field"] == "rights"
    assert api_client(network).get("/card/statistics").status_code == 200  # the operator's
    assert all(e.status == "registered" for e in entries(network))
