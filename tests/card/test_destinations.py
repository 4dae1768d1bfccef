"""送付先情報 at the card management system (000 §3.3 1-①, C15; F3-ACQ-02/05): registered
only when it arrived whole, in the prescribed format and from the CS of the municipality it
names; each record answered by a receipt naming only its 送付先管理番号; the 個人番号 kept
encrypted, found by its blind index, never in the audit log."""

from __future__ import annotations

import re

from sqlalchemy import select

from juki.card.service import RECORD_COLUMN
from juki.core.audit.tables import audit_log
from juki.core.identity import NUMBER_COLUMN
from juki.core.messages import DestinationReceipt
from juki.network.embedded import EmbeddedNetwork
from tests.card.helpers import (
    CARD,
    destination_record,
    entries,
    exchanges,
    new_code,
    new_number,
    notice_of,
    receipts,
    send_from_cs,
)


def test_a_record_is_registered_and_receipted(network: EmbeddedNetwork) -> None:
    number = new_number()
    record = destination_record(new_code(), number)
    notice = notice_of(record)
    send_from_cs(network, [notice])
    [entry] = entries(network)
    assert (entry.destination_id, entry.lg_code, entry.status) == (
        record["destination_id"], "131075", "registered",
    )  # fmt: skip
    assert entry.digest == notice["digest"]
    assert re.fullmatch(r"\d{23}", entry.application_id)  # 申請書ID (000 §6.5)
    keys = network.node(CARD).keys
    assert entry.individual_number_index == keys.blind_index(number, column=NUMBER_COLUMN)
    assert keys.decrypt(entry.record_cipher, column=RECORD_COLUMN).count(number) == 1
    [receipt] = receipts(network)
    assert DestinationReceipt.model_validate(receipt).result == "registered"
    # The receipt carries keys only: no personal item travels back (001a §3.7 7-②).
    assert set(receipt) == set(DestinationReceipt.model_fields)
    assert receipt["destination_id"] == record["destination_id"]
    assert receipt["digest"] == notice["digest"]
    assert [(x.kind, x.key, x.result) for x in exchanges(network)] == [
        ("destination_info", record["destination_id"], "registered")
    ]


def test_a_record_changed_on_the_way_is_refused_and_nothing_stored(
    network: EmbeddedNetwork,
) -> None:
    record = destination_record(new_code(), new_number())
    notice = notice_of(record)
    notice["record"] = record | {"address": "東京都墨田区押上一丁目1番1号", "address_length": 17}
    send_from_cs(network, [notice])
    assert entries(network) == []
    [receipt] = receipts(network)
    assert (receipt["result"], receipt["refused_by"], receipt["error_code"], receipt["field"]) == (
        "refused", "card", "digest_mismatch", "digest",
    )  # fmt: skip
    assert receipt["digest"] == notice["digest"]  # the CS finds its entry by it


def test_another_municipalitys_record_is_refused(network: EmbeddedNetwork) -> None:
    record = destination_record(new_code(), new_number(), lg="131016")  # 千代田区's
    send_from_cs(network, [notice_of(record)])  # … sent by 墨田区's CS
    assert entries(network) == []
    [receipt] = receipts(network)
    assert (receipt["error_code"], receipt["field"]) == ("other_municipality", "lg_code")


def test_a_record_not_in_the_prescribed_format_is_refused_naming_the_item(
    network: EmbeddedNetwork,
) -> None:
    record = destination_record(new_code(), new_number())
    cut = record | {"name_kanji": "墨田"}  # 項目長 still says 5: the item was cut
    extra = destination_record(new_code(), new_number()) | {"phone": "090-0000-0000"}
    send_from_cs(network, [notice_of(cut), notice_of(extra)])
    assert entries(network) == []
    answered = {r["destination_id"]: (r["error_code"], r["field"]) for r in receipts(network)}
    assert answered == {
        record["destination_id"]: ("invalid_format", "name_kanji_length"),
        extra["destination_id"]: ("invalid_format", "phone"),  # nothing unnecessary (F3-ACQ-02)
    }


def test_a_repeated_record_is_idempotent_and_a_different_one_refused(
    network: EmbeddedNetwork,
) -> None:
    record = destination_record(new_code(), new_number())
    send_from_cs(network, [notice_of(record)])
    send_from_cs(network, [notice_of(record)])
    other = record | {"persons": 2}  # the same 送付先管理番号, another content
    send_from_cs(network, [notice_of(other)])
    [entry] = entries(network)
    assert entry.digest == notice_of(record)["digest"]
    assert [(r["result"], r["error_code"]) for r in receipts(network)] == [
        ("registered", None), ("registered", None), ("refused", "duplicate"),
    ]  # fmt: skip


def test_the_number_is_never_in_the_audit_log_or_the_exchange_record(
    network: EmbeddedNetwork,
) -> None:
    number = new_number()
    send_from_cs(network, [notice_of(destination_record(new_code(), number))])
    with network.node(CARD).db.session() as session:
        logged = session.execute(select(audit_log)).all()
    assert logged
    assert all(number not in str(tuple(row)) for row in logged)
    assert all(number not in str(vars(x)) for x in exchanges(network))
    assert all(row.number_touched for row in logged if row.function == "card.destination_info")
