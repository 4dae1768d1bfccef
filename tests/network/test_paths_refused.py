"""Every path the network forbids is refused by the receiving node itself (issue #14: the
isolation tests read the `PERMITTED` table, which shows what the design says, not what a
node does). For every ordered pair of nodes of a network and every message type the
receiver handles, an envelope that the table does not permit — validly signed by the
sender's own certificate — is sent to the receiver: each is refused on its path (field
`type`) and recorded; a permitted one is not refused on its path. On SQLite and
PostgreSQL.

This is what the requirements that name these tests rest on: a CS never reached by
another municipality's register or by anything but its own register, prefecture, the
national server, the card system and other CSs (001a USE-1-3); a prefecture only by its
CSs and the national server (002 REQ-USE-01/02); the generator only by the national
server (000 NET-06)."""

from __future__ import annotations

from sqlalchemy import func, select

from juki.core.messages import MessageType
from juki.core.messaging import tables
from juki.core.messaging.paths import is_permitted
from juki.network.embedded import EmbeddedNetwork
from tests.core.messaging.test_node import envelope_from


def refusals(network: EmbeddedNetwork, node_id: str) -> int:
    with network.node(node_id).db.session() as session:
        return session.scalar(select(func.count()).select_from(tables.refusals)) or 0


def test_every_forbidden_path_is_refused_by_its_receiver(network: EmbeddedNetwork) -> None:
    forbidden = allowed = 0
    for recipient, node in network.nodes.items():
        before = refusals(network, recipient)
        sent = 0
        for sender in network.nodes:
            if sender == recipient:
                continue
            for message_type in sorted(node.handlers):
                raw = envelope_from(network, sender, recipient, 1, message_type, {"records": []})
                if is_permitted(sender, recipient, message_type):
                    allowed += 1
                    continue
                [ack] = node.receive([raw])
                assert (ack.status, ack.field) == ("refused", "type"), (
                    sender, recipient, message_type, ack,
                )  # fmt: skip
                assert "許可されていない経路" in ack.detail
                sent += 1
        assert refusals(network, recipient) == before + sent, recipient  # each one recorded
        forbidden += sent
    assert forbidden > 300  # the sweep ran (it can fail)
    assert allowed > 0


def test_a_permitted_path_is_not_refused_on_its_path(network: EmbeddedNetwork) -> None:
    """The control: the same construction, on a path the table permits, gets past the
    path check (so the sweep above does not pass by refusing everything)."""
    raw = envelope_from(
        network, "national", "numbering", 1, MessageType.NUMBER_REQUEST, {"records": []}
    )
    [ack] = network.node("numbering").receive([raw])
    assert ack.field != "type", ack
