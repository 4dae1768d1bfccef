"""A replayed envelope leaves a trace (issue #14, item 6). An envelope the CS applied is
captured on its way and posted again to the CS's `/messages` over HTTP, as an attacker who
recorded it would: it is acknowledged as a duplicate and changes nothing, and it is kept —
claimed sender, message id, sequence — in the refused-delivery evidence, in the audit log,
in the audit review's anomalies and in `juki pia`'s evidence. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from juki.core.audit import log as audit
from juki.core.clock import japan_today
from juki.core.messaging import tables
from juki.core.messaging.envelope import Ack
from juki.duties.audit_review import anomalies
from juki.network.embedded import EmbeddedNetwork
from juki.pia import catalogue
from juki.pia.report import collect
from tests.conftest import api_client, born

CS = "cs:131075"


class Recording:
    """The network's transport, keeping a copy of what it carries."""

    def __init__(self, real: Any) -> None:
        self.real, self.sent = real, []

    def send(self, recipient: str, envelopes: list[bytes]) -> list[Ack]:
        self.sent += [(recipient, envelope) for envelope in envelopes]
        acks: list[Ack] = self.real.send(recipient, envelopes)
        return acks


def test_a_replayed_envelope_changes_nothing_and_is_kept_as_evidence(
    network: EmbeddedNetwork,
) -> None:
    recording = Recording(network.dispatcher.transport)
    network.dispatcher.transport = recording
    born(network)  # the registry's update reaches the CS, and on up
    captured = next(envelope for recipient, envelope in recording.sent if recipient == CS)
    wire = json.loads(captured)
    node = network.node(CS)
    with node.db.session() as session:
        applied_before = session.scalars(select(tables.inbox.c.message_id)).all()
        channels_before = sorted(session.execute(select(tables.channel_in)).all())
    assert wire["id"] in applied_before  # it was applied once

    answer = api_client(network).post(
        f"/{CS.replace(':', '/')}/messages", content=b"[" + captured + b"]",
        headers={"content-type": "application/json"},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert [ack["status"] for ack in answer.json()] == ["duplicate"]

    with node.db.session() as session:
        assert session.scalars(select(tables.inbox.c.message_id)).all() == applied_before
        assert sorted(session.execute(select(tables.channel_in)).all()) == channels_before
        kept = session.execute(
            select(tables.refusals).where(tables.refusals.c.type == tables.REPLAY_TYPE)
        ).all()
        logged = [e for e in audit.entries(session, 20) if e.function == tables.REPLAYED_FUNCTION]
        today = japan_today()
        found = anomalies.report(session, today, today)
    assert [row.claimed_sender for row in kept] == [wire["sender"]]
    assert f"id={wire['id']}" in kept[0].reason
    assert f"seq={wire['channel_seq']}" in kept[0].reason
    assert [(e.operator, e.result) for e in logged] == [(wire["sender"], "replayed")]
    assert f"message={wire['id']}" in logged[0].targets
    assert [(f.kind, f.operator, f.count) for f in found if f.kind == "replayed_envelopes"] == [
        ("replayed_envelopes", wire["sender"], 1)
    ]
    evidence = collect(node, catalogue.load()).evidence.refusals
    assert evidence["適用済みの電文の再受信（再送・再生、記録のみ）"] == 1
    assert evidence["住基ネット電文の拒否（署名・経路・管轄）"] == 0
