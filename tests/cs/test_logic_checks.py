"""The CS checks every 本人確認情報 update for form and logic before it notifies anyone
(001a XFER-2-7), at the node, through the envelope its register sends: a 転居 that changes
the name, and a 転入 of a person who is a current resident, are not applied, not sent on
to the prefecture, and answered to the register as errors (issue #14: the requirement
named a test of the rule function alone). On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from juki.core.clock import japan_today
from juki.core.identity import NUMBER_COLUMN
from juki.core.messages import ChangeReason, MessageType
from juki.core.messaging import tables
from juki.cs.models import CsIdentityRow
from juki.network.embedded import EmbeddedNetwork
from tests.conftest import born, resident
from tests.core.messaging.test_node import envelope_from, next_seq

LG = "131075"
REGISTRY, CS = f"registry:{LG}", f"cs:{LG}"


def current_row(network: EmbeddedNetwork, code: str) -> CsIdentityRow:
    with network.node(CS).db.session() as session:
        row = session.scalars(
            select(CsIdentityRow).where(
                CsIdentityRow.resident_code == code, CsIdentityRow.is_current.is_(True)
            )
        ).one()
        session.expunge(row)
        return row


def sent_on(network: EmbeddedNetwork) -> int:
    """Envelopes the CS has queued for its prefecture."""
    with network.node(CS).db.session() as session:
        query = select(func.count()).where(tables.outbox.c.recipient == "prefecture:13")
        return int(session.scalar(query.select_from(tables.outbox)) or 0)


def update_of(row: CsIdentityRow, number: str, **change: Any) -> dict[str, Any]:
    today = japan_today()
    record = {
        "update_id": f"u-{uuid.uuid4().hex[:12]}", "resident_code": row.resident_code,
        "name_kanji": row.name_kanji, "name_kana": row.name_kana,
        "birth_date": row.birth_date.isoformat(), "sex": row.sex,
        "address": "東京都墨田区押上一丁目1番1号", "lg_code": LG, "individual_number": number,
        "reason": ChangeReason.MOVE_WITHIN.value, "change_date": today.isoformat(),
        "notified_on": today.isoformat(), "operator_id": "sato.ichiro", "terminal_id": "c-01",
    }  # fmt: skip
    return record | change


@pytest.mark.parametrize(
    "change",
    [
        {"name_kanji": "別人\u3000太郎"},  # a 転居 changes only the address
        {"reason": ChangeReason.MOVE_IN.value},  # a 転入 of a current resident
    ],
    ids=["move-within-renames", "move-in-of-a-resident"],
)
def test_a_logically_wrong_update_is_refused_at_the_cs(
    network: EmbeddedNetwork, change: dict[str, Any]
) -> None:
    person = resident(network, LG, born(network))
    before = current_row(network, person.resident_code)
    number = network.node(CS).keys.decrypt(before.individual_number_cipher, column=NUMBER_COLUMN)
    sent_before = sent_on(network)
    body = {"records": [update_of(before, number, **change)]}
    seq = next_seq(network, REGISTRY, CS)
    raw = envelope_from(network, REGISTRY, CS, seq, MessageType.IDENTITY_UPDATE, body)
    [ack] = network.node(CS).receive([raw])
    assert ack.status == "applied"  # the envelope is taken; the record in it is refused
    after = current_row(network, person.resident_code)
    assert (after.id, after.name_kanji, after.address) == (
        before.id, before.name_kanji, before.address,
    )  # fmt: skip
    assert sent_on(network) == sent_before  # nothing notified onward
    with network.node(CS).db.session() as session:
        answers = session.execute(
            select(tables.outbox.c.envelope).where(
                tables.outbox.c.recipient == REGISTRY,
                tables.outbox.c.type == MessageType.IDENTITY_UPDATE_RESULT,
            )
        ).all()
    results = [
        record
        for (envelope,) in answers
        for record in json.loads(network.node(CS).open_at_rest(envelope))["body"]["records"]
    ]
    (answer,) = [r for r in results if r["update_id"] == body["records"][0]["update_id"]]
    assert answer["ok"] is False, answer  # the register is told, with the reason
