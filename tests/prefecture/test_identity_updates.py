"""002 REQ-ACQ-08b: the prefectural server re-checks every update its own CS sends, as
defence in depth. Signed envelopes from cs:131075 (a path the prefecture accepts) carrying
a record that breaks a logic check, or has an item the law does not list, are not stored:
the first is answered with an error result to the CS, the second fails the message."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from juki.core.ids import individual_number_from_body
from juki.core.messages import MessageType
from juki.core.messaging import tables
from juki.network.embedded import EmbeddedNetwork
from juki.prefecture.models import PrefectureIdentityRow
from tests.conftest import born, resident
from tests.core.messaging.test_node import envelope_from, next_seq

LG = "131075"
CS = f"cs:{LG}"
PREF = "prefecture:13"


def sent(network: EmbeddedNetwork, node_id: str, recipient: str, kind: str) -> list[Any]:
    """The records of every envelope `node_id` sent to `recipient` of type `kind`."""
    node = network.node(node_id)
    outbox = tables.outbox
    with node.db.session() as session:
        stored = session.scalars(
            select(outbox.c.envelope)
            .where(outbox.c.recipient == recipient, outbox.c.type == kind)
            .order_by(outbox.c.channel_seq)
        ).all()
    return [r for e in stored for r in json.loads(node.open_at_rest(e))["body"]["records"]]


def stored_rows(network: EmbeddedNetwork, code: str) -> list[tuple[Any, ...]]:
    row = PrefectureIdentityRow
    with network.node(PREF).db.session() as session:
        found = session.execute(
            select(row.id, row.update_seq, row.is_current)
            .where(row.resident_code == code)
            .order_by(row.id)
        )
        return [tuple(r) for r in found]


def from_own_cs(network: EmbeddedNetwork, record: dict[str, Any]) -> str:
    """Seal `record` as the prefecture's own CS would and deliver it; returns the ack."""
    raw = envelope_from(
        network, CS, PREF, next_seq(network, CS, PREF), MessageType.IDENTITY_UPDATE,
        {"records": [record]},
    )  # fmt: skip
    [ack] = network.node(PREF).receive([raw])
    return ack.status


def birth_record(network: EmbeddedNetwork) -> tuple[str, dict[str, Any]]:
    """A person born in 墨田区, and the record its CS notified the prefecture."""
    code = resident(network, LG, born(network)).resident_code
    [record] = [
        r for r in sent(network, CS, PREF, MessageType.IDENTITY_UPDATE)
        if r["resident_code"] == code
    ]  # fmt: skip
    return code, record


@pytest.mark.parametrize(
    ("change", "error"),
    [({"reason": "birth"}, ("exists", "resident_code")),  # a second birth of the code
     ({"reason": "move_within", "individual_number": individual_number_from_body("12345678901")},
      ("number_mismatch", "individual_number")),  # not the code's number
     ({"reason": "move_within", "name_kanji": "押上\u3000花子"},
      ("not_allowed", "name_kanji"))],  # an item a 転居 cannot change
    ids=["second-birth", "foreign-number", "item-not-allowed"],
)  # fmt: skip
def test_an_update_breaking_a_logic_check_is_answered_with_an_error_and_not_stored(
    network: EmbeddedNetwork, change: dict[str, Any], error: tuple[str, str]
) -> None:
    code, record = birth_record(network)
    before = stored_rows(network, code)
    assert before  # the birth itself was stored
    bad = record | {"update_id": uuid.uuid4().hex} | change

    assert from_own_cs(network, bad) == "applied"  # the envelope is fine; the record is not

    assert stored_rows(network, code) == before
    results = [
        r for r in sent(network, PREF, CS, MessageType.IDENTITY_UPDATE_RESULT)
        if r["update_id"] == bad["update_id"]
    ]  # fmt: skip
    assert [(r["ok"], r["error_code"], r["error_field"]) for r in results] == [(False, *error)]
    forwarded = sent(network, PREF, "national", MessageType.IDENTITY_UPDATE)
    assert bad["update_id"] not in {r["update_id"] for r in forwarded}


def test_an_update_with_an_item_the_law_does_not_list_fails_and_is_not_stored(
    network: EmbeddedNetwork,
) -> None:
    code, record = birth_record(network)
    before = stored_rows(network, code)
    bad = record | {
        "update_id": uuid.uuid4().hex,
        "reason": "move_within",
        "address": "東京都墨田区押上一丁目1番1号",
        "blood_type": "A",
    }

    assert from_own_cs(network, bad) == "failed"

    assert stored_rows(network, code) == before
    for recipient, kind in ((CS, MessageType.IDENTITY_UPDATE_RESULT),
                            ("national", MessageType.IDENTITY_UPDATE)):  # fmt: skip
        assert bad["update_id"] not in {
            r["update_id"] for r in sent(network, PREF, recipient, kind)
        }
    # Without the extra item the same record is accepted: the item alone was refused.
    good = {k: v for k, v in bad.items() if k != "blood_type"}
    assert from_own_cs(network, good) == "applied"
    assert len(stored_rows(network, code)) == len(before) + 1


def test_a_failed_message_is_logged_without_the_personal_items_it_carries(
    sqlite_network: EmbeddedNetwork, caplog: pytest.LogCaptureFixture
) -> None:
    """A record pydantic refuses quotes its input in the error's text (a 個人番号 among it):
    the node logs where and why it failed — fields and error kinds, code frames — never
    the values (no personal information in logs)."""
    _code, record = birth_record(sqlite_network)
    number = record["individual_number"]
    wrong_number = number[:-1] + str((int(number[-1]) + 1) % 10)  # check digit broken
    bad = record | {
        "update_id": uuid.uuid4().hex, "individual_number": wrong_number,
        "name_kanji": "押上\u3000花子" + "子" * 100, "blood_type": "A",
    }  # fmt: skip
    with caplog.at_level(logging.DEBUG):
        assert from_own_cs(sqlite_network, bad) == "failed"
    logged = caplog.text
    assert "individual_number" in logged  # where it failed is there
    assert "blood_type" in logged
    for value in (wrong_number, number, record["resident_code"], "押上"):
        assert value not in logged
