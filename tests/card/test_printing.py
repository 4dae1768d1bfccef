"""The print contractor's channel (000 §3.3 1-②/③, C16): the print file holds exactly the
print items per person and is sealed to the contractor's key; only that contractor, and
only staff on its roster, fetch it (OUT-02/03); its receipt is confirmed by digest and J-LIS
then erases its copy, in the erasure history (OUT-06); a file never confirmed is purged; the
contractor's own erasure is reported, and what it holds past retention is listed (OUT-06);
contract end cuts the line and leaves nothing sealed (OUT-06). Every exchange is in the
exchange record with its operator and terminal, refusals included (OUT-03, OUT-05)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select

from juki.card import printing
from juki.card.models import SCHEMA, PrintBatch, PrintFile
from juki.card.schemas import PrintRecord
from juki.core.clock import JST, japan_today
from juki.duties.provision.batch import open_result
from juki.duties.retention import engine
from juki.duties.retention.tables import retention_purges
from juki.network.embedded import EmbeddedNetwork
from tests.card.helpers import (
    CARD,
    as_operator,
    client_id_of,
    destination_record,
    entries,
    exchanges,
    jlis,
    new_code,
    new_number,
    notice_of,
    printer,
    send_from_cs,
)
from tests.card.helpers import contractor as receipt_contractor

BATCHES = "/card/print-batches"
REPORT = "/card/reports/print-retention"


def registered(network: EmbeddedNetwork, count: int = 2) -> dict[str, tuple[str, str]]:
    """`count` persons' 送付先情報 registered: 送付先管理番号 → (住民票コード, 個人番号)."""
    people = {}
    for _ in range(count):
        code, number = new_code(), new_number()
        record = destination_record(code, number)
        send_from_cs(network, [notice_of(record)])
        people[record["destination_id"]] = (code, number)
    return people


def batch_for(office: TestClient, contractor: TestClient) -> dict[str, Any]:
    answer = office.post(BATCHES, json={"contractor": client_id_of(contractor)})
    assert answer.status_code == 201, answer.text
    made: dict[str, Any] = answer.json()
    return made


def fetched(contractor: TestClient, batch_id: int) -> bytes:
    answer = contractor.get(f"{BATCHES}/{batch_id}/file")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/octet-stream"
    return answer.content


def received(contractor: TestClient, batch_id: int) -> None:
    digest = hashlib.sha256(fetched(contractor, batch_id)).hexdigest()
    answer = contractor.post(f"{BATCHES}/{batch_id}/receipt", json={"sha256": digest})
    assert answer.status_code == 200, answer.text


def stored(network: EmbeddedNetwork, model: Any) -> list[Any]:
    with network.node(CARD).db.session() as session:
        rows = list(session.scalars(select(model).order_by(model.id)))
        session.expunge_all()
        return rows


def erasures(network: EmbeddedNetwork, rule: str) -> list[Any]:
    with network.node(CARD).db.session() as session:
        found = session.execute(select(retention_purges).where(retention_purges.c.rule == rule))
        return list(found)


def opened(private: X25519PrivateKey, sealed: bytes) -> dict[str, Any]:
    return open_result(private, sealed, info=printing.HPKE_INFO)


# --- 1-②/③: the print file ------------------------------------------------------------------


def test_the_print_file_holds_the_print_items_only_sealed_to_the_contractor(
    network: EmbeddedNetwork,
) -> None:
    people = registered(network)
    contractor, private = printer(network)
    office = jlis(network)
    made = batch_for(office, contractor)
    waiting = [e for e in entries(network) if e.status == "registered"]
    assert (made["record_count"], made["state"]) == (len(waiting), "sealed")
    assert all(e.print_batch_id == made["id"] for e in waiting)

    sealed = fetched(contractor, made["id"])
    assert hashlib.sha256(sealed).hexdigest() == made["sha256"]
    document = opened(private, sealed)
    assert document["items"] == list(PrintRecord.model_fields)
    by_destination = {r["destination_id"]: r for r in document["records"]}
    assert set(people) <= set(by_destination)
    for destination_id, (code, number) in people.items():
        record = by_destination[destination_id]
        assert set(record) == set(PrintRecord.model_fields)  # the whitelist, nothing more
        [entry] = [e for e in entries(network) if e.destination_id == destination_id]
        assert (record["individual_number"], record["application_id"]) == (
            number, entry.application_id,
        )  # fmt: skip
        assert record["name_kanji"] == "墨田\u3000花子"
        assert code not in json.dumps(document)  # no 住民票コード goes to the printer
    for absent in ("resident_code", "operator_id", "terminal_id", "name_kanji_length"):
        assert absent not in document["records"][0]
    # Nobody else can open it.
    with pytest.raises(InvalidTag):
        opened(X25519PrivateKey.generate(), sealed)

    # The exchange record (OUT-03, OUT-05): each person sent, and the fetch, by operator.
    sent = [x for x in exchanges(network) if x.kind == "print_info"]
    assert {x.key for x in sent} == {e.destination_id for e in waiting}
    assert {(x.counterpart, x.operator, x.terminal, x.result) for x in sent} == {
        (client_id_of(contractor), "jlis-op-01", "jlis-terminal-1", f"sent:{made['id']}")
    }
    [fetch] = [x for x in exchanges(network) if x.kind == "print_file"]
    assert (fetch.counterpart, fetch.operator, fetch.terminal, fetch.result) == (
        client_id_of(contractor), "print-op-01", "print-terminal-1", "fetched",
    )  # fmt: skip
    for _code, number in people.values():  # keys only, never the 個人番号
        assert all(number not in f"{x.key} {x.result}" for x in exchanges(network))

    # Nothing left to print: refused naming the field, nothing stored.
    again = office.post(BATCHES, json={"contractor": client_id_of(contractor)})
    assert again.status_code == 409
    assert (again.json()["field"], again.json()["code"]) == ("contractor", "nothing_to_print")
    assert len(stored(network, PrintBatch)) == 1


def test_a_new_person_goes_in_the_next_batch_only(network: EmbeddedNetwork) -> None:
    registered(network, 1)
    contractor, private = printer(network)
    office = jlis(network)
    first = batch_for(office, contractor)
    [(later, _)] = registered(network, 1).items()
    second = batch_for(office, contractor)
    assert second["record_count"] == 1
    document = opened(private, fetched(contractor, second["id"]))
    assert [r["destination_id"] for r in document["records"]] == [later]
    assert first["id"] != second["id"]


def test_the_print_record_refuses_anything_beyond_the_print_items() -> None:
    assert not {"resident_code", "operator_id", "terminal_id", "foreign_category"} & set(
        PrintRecord.model_fields
    )
    fields = dict.fromkeys(PrintRecord.model_fields, "x") | {
        "application_id": "1" * 23, "birth_date": "1990-04-01", "individual_number": "1" * 12,
        "gaiji_flag": False, "resident_code": "12345678901",
    }  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        PrintRecord.model_validate(fields)
    assert refused.value.errors()[0]["loc"] == ("resident_code",)


# --- receipt: J-LIS erases its copy (OUT-06) --------------------------------------------------


def test_a_confirmed_receipt_erases_the_sealed_copy_and_is_in_the_erasure_history(
    network: EmbeddedNetwork,
) -> None:
    registered(network)
    contractor, _private = printer(network)
    made = batch_for(jlis(network), contractor)
    url = f"{BATCHES}/{made['id']}/receipt"
    early = contractor.post(url, json={"sha256": made["sha256"]})  # not fetched yet
    assert (early.status_code, early.json()["code"]) == (409, "not_fetched")
    digest = hashlib.sha256(fetched(contractor, made["id"])).hexdigest()

    wrong = contractor.post(url, json={"sha256": "0" * 64})
    assert wrong.status_code == 409
    assert (wrong.json()["field"], wrong.json()["code"]) == ("sha256", "digest_mismatch")
    [batch] = stored(network, PrintBatch)
    assert batch.received_at is None
    assert [f.id for f in stored(network, PrintFile)] == [made["id"]]  # nothing changed
    assert erasures(network, printing.ON_RECEIPT) == []

    answer = contractor.post(url, json={"sha256": digest})
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "received"
    assert stored(network, PrintFile) == []
    [erased] = erasures(network, printing.ON_RECEIPT)
    assert (erased.table_name, erased.erased, json.loads(erased.keys)) == (
        "print_files", 1, [str(made["id"])],
    )  # fmt: skip
    [batch] = stored(network, PrintBatch)
    assert batch.received_by == f"print-op-01@{client_id_of(contractor)}"
    assert batch.sha256 == digest  # the digest stays, for the record

    gone = contractor.get(f"{BATCHES}/{made['id']}/file")
    assert (gone.status_code, gone.json()["code"]) == (409, "file_erased")
    twice = contractor.post(url, json={"sha256": digest})
    assert (twice.status_code, twice.json()["code"]) == (409, "already_received")
    results = [x.result for x in exchanges(network) if x.kind == "print_receipt"]
    assert results == [
        "refused:not_fetched", "refused:digest_mismatch", "received", "refused:already_received",
    ]  # fmt: skip


def test_an_unconfirmed_file_is_erased_by_the_purge_job_after_its_period(
    network: EmbeddedNetwork,
) -> None:
    registered(network)
    contractor, _private = printer(network)
    made = batch_for(jlis(network), contractor)
    rule = "印刷事業者への印刷ファイル（暗号化、受領確認のないもの）"
    node = network.node(CARD)

    def purge(days: int) -> engine.Purge:
        at = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
        with node.unit_of_work() as uow:
            return {p.rule: p for p in engine.purge(uow.session, "card", SCHEMA, at)}[rule]

    assert purge(29).erased == 0
    done = purge(31)
    assert (done.erased, done.keys) == (1, [str(made["id"])])
    assert stored(network, PrintFile) == []
    assert [json.loads(e.keys) for e in erasures(network, rule) if e.erased] == [[str(made["id"])]]
    [batch] = stored(network, PrintBatch)  # the record of what was sent stays
    assert batch.record_count == made["record_count"]
    gone = contractor.get(f"{BATCHES}/{made['id']}/file")
    assert (gone.status_code, gone.json()["code"]) == (409, "file_erased")


# --- only the contractor it was sealed for, only staff on its roster (OUT-02/03) -----------


def test_another_client_or_an_unlisted_operator_gets_nothing_and_is_recorded(
    network: EmbeddedNetwork,
) -> None:
    registered(network)
    contractor, _private = printer(network)
    made = batch_for(jlis(network), contractor)
    url = f"{BATCHES}/{made['id']}/file"

    other, _key = printer(network)  # another print contractor
    answer = other.get(url)
    assert (answer.status_code, answer.json()["field"]) == (404, "batch_id")
    unlisted = as_operator(network, contractor, "print-op-99")
    answer = unlisted.get(url)
    assert answer.status_code == 403
    assert (answer.json()["field"], answer.json()["code"]) == ("operator", "not_on_roster")
    for refused in (
        unlisted.post(f"{BATCHES}/{made['id']}/receipt", json={"sha256": made["sha256"]}),
        unlisted.post(
            f"{BATCHES}/{made['id']}/contractor-erasure",
            json={"erased_on": japan_today().isoformat()},
        ),
    ):
        assert (refused.status_code, refused.json()["field"]) == (403, "operator")
    # A client without the print right is refused at the door.
    assert receipt_contractor(network).get(url).status_code == 403
    # The contractor may not make batches, nor read the roster or the retention report.
    assert (
        contractor.post(BATCHES, json={"contractor": client_id_of(contractor)}).status_code == 403
    )
    assert contractor.get(REPORT, params={"as_of": "2030-01-01"}).status_code == 403

    [batch] = stored(network, PrintBatch)
    assert (batch.fetched_at, batch.received_at) == (None, None)  # nothing changed
    refusals = [(x.kind, x.counterpart, x.operator, x.result) for x in exchanges(network)
                if x.result.startswith("refused:")]  # fmt: skip
    assert refusals == [
        ("print_file", client_id_of(other), "print-op-01", "refused:not_found"),
        ("print_file", client_id_of(contractor), "print-op-99", "refused:not_on_roster"),
        ("print_receipt", client_id_of(contractor), "print-op-99", "refused:not_on_roster"),
        ("print_erasure", client_id_of(contractor), "print-op-99", "refused:not_on_roster"),
    ]


# --- erasure at the contractor and retention (OUT-06) ----------------------------------------


def test_batches_held_past_retention_without_a_reported_erasure_are_listed(
    network: EmbeddedNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    registered(network)
    contractor, _private = printer(network)
    office = jlis(network)
    made = batch_for(office, contractor)
    received(contractor, made["id"])
    today = dt.datetime.now(JST).date()

    def listed(as_of: dt.date) -> list[int]:
        answer = office.get(REPORT, params={"as_of": as_of.isoformat()})
        assert answer.status_code == 200, answer.text
        return [line["batch_id"] for line in answer.json()]

    assert listed(today + dt.timedelta(days=30)) == []
    assert listed(today + dt.timedelta(days=31)) == [made["id"]]
    [line] = office.get(REPORT, params={"as_of": str(today + dt.timedelta(days=40))}).json()
    assert (line["days_over"], line["due_on"]) == (10, str(today + dt.timedelta(days=30)))
    monkeypatch.setenv(printing.RETENTION_ENV, "5")
    assert listed(today + dt.timedelta(days=6)) == [made["id"]]
    assert office.get(REPORT, params={"as_of": "2030-02-30"}).status_code == 422

    url = f"{BATCHES}/{made['id']}/contractor-erasure"
    future = contractor.post(url, json={"erased_on": str(today + dt.timedelta(days=1))})
    assert (future.status_code, future.json()["field"]) == (422, "erased_on")
    before = contractor.post(url, json={"erased_on": str(today - dt.timedelta(days=1))})
    assert (before.status_code, before.json()["field"]) == (422, "erased_on")
    answer = contractor.post(url, json={"erased_on": str(today)})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["state"], answer.json()["contractor_erased_on"]) == (
        "contractor_erased", str(today),
    )  # fmt: skip
    assert listed(today + dt.timedelta(days=365)) == []
    [batch] = stored(network, PrintBatch)
    assert batch.contractor_erased_by == f"print-op-01@{client_id_of(contractor)}"
    assert batch.contractor_erasure_reported_at is not None
    twice = contractor.post(url, json={"erased_on": str(today)})
    assert (twice.status_code, twice.json()["code"]) == (409, "already_reported")


# --- contract end (OUT-06) ---------------------------------------------------------------------


def test_contract_end_cuts_the_line_and_leaves_nothing_sealed(network: EmbeddedNetwork) -> None:
    registered(network, 1)
    contractor, _private = printer(network)
    office = jlis(network)
    printed = batch_for(office, contractor)
    received(contractor, printed["id"])  # at the contractor, erasure never reported
    registered(network, 1)
    waiting = batch_for(office, contractor)  # still sealed at J-LIS
    client_id = client_id_of(contractor)

    assert contractor.post(f"/card/contracts/{client_id}/end").status_code == 403
    answer = office.post(f"/card/contracts/{client_id}/end")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "client_id": client_id, "revoked": True, "staff_removed": 1,
        "files_erased": [waiting["id"]], "erasure_not_reported": [printed["id"]],
    }  # fmt: skip
    assert stored(network, PrintFile) == []  # nothing sealed left
    [erased] = erasures(network, printing.ON_CONTRACT_END)
    assert json.loads(erased.keys) == [str(waiting["id"])]
    roster = office.get("/card/contractor-staff", params={"client_id": client_id}).json()
    assert [p["removed_by"] for p in roster] == [f"jlis-op-01@{client_id_of(office)}"]

    # The line is cut: every call of the contractor is refused.
    for call in (
        contractor.get(f"{BATCHES}/{waiting['id']}/file"),
        contractor.post(f"{BATCHES}/{printed['id']}/contractor-erasure",
                        json={"erased_on": japan_today().isoformat()}),
    ):  # fmt: skip
        assert call.status_code == 401
    # Nothing more is sent to it.
    registered(network, 1)
    gone = office.post(BATCHES, json={"contractor": client_id})
    assert (gone.status_code, gone.json()["field"]) == (404, "contractor")
    again = office.post(f"/card/contracts/{client_id}/end")
    assert (again.status_code, again.json()["code"]) == (409, "ended")
    [ended] = [x for x in exchanges(network) if x.kind == "contract_end"]
    assert (ended.counterpart, ended.operator, ended.result) == (client_id, "jlis-op-01", "ended")


def test_bad_requests_are_refused_naming_the_field_and_nothing_stored(
    network: EmbeddedNetwork,
) -> None:
    registered(network, 1)
    office = jlis(network)
    without_key = receipt_contractor(network, {"card_print": "update"})  # no X25519 key registered
    for body, status, field in (
        ({"contractor": "system:nobody"}, 404, "contractor"),
        ({"contractor": client_id_of(without_key)}, 422, "contractor"),
        (
            {"contractor": client_id_of(receipt_contractor(network))},
            404,
            "contractor",
        ),  # not a printer
        ({"contractor": ""}, 422, "contractor"),
        ({"contractor": "x", "resident_code": "1"}, 422, "resident_code"),
    ):
        answer = office.post(BATCHES, json=body)
        assert answer.status_code == status, (body, answer.text)
        assert field in answer.text
    contractor, _private = printer(network)
    made = batch_for(office, contractor)
    bad = contractor.post(f"{BATCHES}/{made['id']}/receipt", json={"sha256": "XYZ"})
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "sha256")
    missing = contractor.get(f"{BATCHES}/999999/file")
    assert (missing.status_code, missing.json()["field"]) == (404, "batch_id")
    assert office.post(f"/card/contracts/{client_id_of(office)}/end").status_code == 404
    assert len(stored(network, PrintBatch)) == 1
    assert [b.fetched_at for b in stored(network, PrintBatch)] == [None]
    assert office.get(f"{BATCHES}/{made['id']}/file").status_code == 403  # J-LIS can't fetch
