"""Envelope checks at the receiver: signature, certificate, permitted path, order, once."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from juki.core.messages import MessageType
from juki.core.messaging import tables
from juki.core.messaging.envelope import seal
from juki.core.pki import CertificateAuthority, _pem
from juki.network.embedded import EmbeddedNetwork


def envelope_from(
    network: EmbeddedNetwork,
    sender: str,
    recipient: str,
    seq: int,
    message_type: str = MessageType.POOL_REQUEST,
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    key, cert = network.home.pki.node_identity(sender)
    sealed = seal(
        key=key,
        certificate_pem=cert.decode(),
        sender=sender,
        recipient=recipient,
        channel_seq=seq,
        message_type=message_type,
        body=body or {"records": [{"lg_code": "131075", "count": 1}]},
    )
    result: dict[str, Any] = json.loads(sealed)
    return result


def refusals(network: EmbeddedNetwork, node_id: str) -> int:
    with network.node(node_id).db.session() as session:
        return session.scalar(select(func.count()).select_from(tables.refusals)) or 0


def next_seq(network: EmbeddedNetwork, sender: str, recipient: str) -> int:
    with network.node(recipient).db.session() as session:
        last = session.scalar(
            select(tables.channel_in.c.last_applied_seq).where(tables.channel_in.c.sender == sender)
        )
    return (last or 0) + 1


def test_tampered_body_is_refused_and_logged(sqlite_network: EmbeddedNetwork) -> None:
    net = sqlite_network
    raw = envelope_from(
        net, "registry:131075", "cs:131075", next_seq(net, "registry:131075", "cs:131075")
    )
    raw["body"]["records"][0]["count"] = 99999
    [ack] = net.node("cs:131075").receive([raw])
    assert ack.status == "refused"
    assert "署名" in ack.detail
    assert refusals(net, "cs:131075") == 1


def test_unsigned_envelope_is_refused(sqlite_network: EmbeddedNetwork) -> None:
    raw = envelope_from(sqlite_network, "registry:131075", "cs:131075", 99)
    del raw["signature"]
    [ack] = sqlite_network.node("cs:131075").receive([raw])
    assert ack.status == "refused"
    assert "signature" in ack.detail


def test_certificate_from_outside_the_ca_is_refused(sqlite_network: EmbeddedNetwork) -> None:
    stranger = CertificateAuthority.create("not our CA")
    key, cert = stranger.issue_node("registry:131075")
    sealed = seal(
        key=key,
        certificate_pem=_pem(cert).decode(),
        sender="registry:131075",
        recipient="cs:131075",
        channel_seq=1,
        message_type=MessageType.POOL_REQUEST,
        body={"records": []},
    )
    [ack] = sqlite_network.node("cs:131075").receive([json.loads(sealed)])
    assert ack.status == "refused"
    assert "認証局" in ack.detail


def test_sender_must_match_the_certificate(sqlite_network: EmbeddedNetwork) -> None:
    """A validly signed envelope, by a node of the CA, that claims to come from another
    node: only the certificate's subject tells them apart (issue #14: the old test broke
    the signature too, and passed with this check deleted)."""
    key, cert = sqlite_network.home.pki.node_identity("registry:131016")  # 千代田区
    sealed = seal(
        key=key, certificate_pem=cert.decode(), sender="registry:131075",  # claims 墨田区
        recipient="cs:131075", channel_seq=next_seq(sqlite_network, "registry:131075", "cs:131075"),
        message_type=MessageType.POOL_REQUEST, body={"records": []},
    )  # fmt: skip
    [ack] = sqlite_network.node("cs:131075").receive([json.loads(sealed)])
    assert (ack.status, ack.field) == ("refused", "sender")
    assert "証明書の主体" in ack.detail


def test_generator_accepts_only_the_national_server(sqlite_network: EmbeddedNetwork) -> None:
    raw = envelope_from(
        sqlite_network, "cs:131075", "numbering", 1, MessageType.NUMBER_REQUEST, {"records": []}
    )
    [ack] = sqlite_network.node("numbering").receive([raw])
    assert ack.status == "refused"
    assert "経路" in ack.detail
    assert refusals(sqlite_network, "numbering") == 1


def test_registry_may_not_talk_to_another_municipalitys_cs(sqlite_network: EmbeddedNetwork) -> None:
    raw = envelope_from(sqlite_network, "registry:131016", "cs:131075", 1)
    [ack] = sqlite_network.node("cs:131075").receive([raw])
    assert ack.status == "refused"


def test_messages_apply_in_order_exactly_once(sqlite_network: EmbeddedNetwork) -> None:
    net = sqlite_network
    sender, cs = "registry:131075", net.node("cs:131075")
    first = next_seq(net, sender, "cs:131075")
    e1, e2, e3 = (envelope_from(net, sender, "cs:131075", first + i) for i in range(3))
    assert [a.status for a in cs.receive([e2])] == ["out_of_order"]
    assert [a.status for a in cs.receive([e3, e1, e2])] == ["applied", "applied", "applied"]
    assert [a.status for a in cs.receive([e1, e3])] == ["duplicate", "duplicate"]
    with cs.db.session() as session:
        applied = session.scalar(
            select(func.count())
            .select_from(tables.inbox)
            .where(tables.inbox.c.sender == sender, tables.inbox.c.channel_seq >= first)
        )
    assert applied == 3


def test_refused_envelopes_over_http_get_403_naming_the_field(
    sqlite_network: EmbeddedNetwork,
) -> None:
    from fastapi.testclient import TestClient

    from juki.network.server import network_app

    client = TestClient(network_app(sqlite_network))
    raw = envelope_from(sqlite_network, "registry:131075", "cs:131075", 1)
    raw["body"]["records"][0]["count"] = 5
    response = client.post("/cs/131075/messages", json=[raw])
    assert response.status_code == 403
    assert response.json()[0]["field"] == "signature"
    stranger = CertificateAuthority.create("not our CA")
    key, cert = stranger.issue_node("registry:131075")
    sealed = seal(
        key=key,
        certificate_pem=_pem(cert).decode(),
        sender="registry:131075",
        recipient="cs:131075",
        channel_seq=1,
        message_type=MessageType.POOL_REQUEST,
        body={"records": []},
    )
    response = client.post("/cs/131075/messages", json=[json.loads(sealed)])
    assert response.status_code == 403
    assert response.json()[0]["field"] == "certificate"


def test_due_times_compare_in_utc_whatever_the_database_returns() -> None:
    import datetime as dt

    from juki.core.clock import as_utc

    tokyo = dt.timezone(dt.timedelta(hours=9))
    moment = dt.datetime(2026, 11, 23, 18, 0, tzinfo=tokyo)  # PostgreSQL in Asia/Tokyo
    assert as_utc(moment) == dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    assert as_utc(dt.datetime(2026, 11, 23, 9, 0)) == dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def test_identity_updates_reach_a_tier_only_from_its_permitted_sender(
    sqlite_network: EmbeddedNetwork,
) -> None:
    """000 F2-ACQ-03, 002 REQ-ACQ-01/08d: 本人確認情報 arrives at the prefecture only from
    a CS of its own prefecture, and at the national server only through a prefecture;
    anything else is refused and kept in msg_refusals."""
    body = {"records": []}
    cases = [
        ("registry:131075", "prefecture:13"),  # a registry straight to the prefecture
        ("cs:112011", "prefecture:13"),  # another prefecture's CS
        ("numbering", "prefecture:13"),
        ("cs:131075", "national"),  # a CS straight to the national server
        ("registry:131075", "national"),
    ]
    for sender, recipient in cases:
        node = sqlite_network.node(recipient)
        raw = envelope_from(sqlite_network, sender, recipient, 1, MessageType.IDENTITY_UPDATE, body)
        [ack] = node.receive([raw])
        assert ack.status == "refused", (sender, recipient)
        with node.db.session() as session:
            refused = session.scalars(
                select(tables.refusals.c.reason).where(tables.refusals.c.claimed_sender == sender)
            ).all()
        assert refused, (sender, recipient)


def test_the_prefecture_has_no_path_to_the_information_provision_network() -> None:
    """002 REQ-IPN-01: the prefecture exchanges messages with CSs and the national server
    only; no message type of it goes to or comes from anything else."""
    from juki.core.messaging.paths import PERMITTED

    peers = {a if b == "prefecture" else b for a, b in PERMITTED if "prefecture" in (a, b)}
    assert peers == {"cs", "national"}


def test_identity_and_destination_info_reach_a_cs_only_from_its_own_registry(
    network: EmbeddedNetwork,
) -> None:
    """001a ACQ-1-7, ACQ-2-5: 本人確認情報 (identity.update) and 送付先情報
    (card.destination_info) are taken only from the CS's own registry. 千代田区's
    registry, though it holds a certificate of the CA, is refused at 墨田区's CS; each
    refusal is kept in msg_refusals with the claimed sender and type, and nothing is
    applied."""
    cs_id, stranger, own = "cs:131075", "registry:131016", "registry:131075"
    cs = network.node(cs_id)
    bodies = {
        MessageType.IDENTITY_UPDATE: {"records": []},
        MessageType.DESTINATION_INFO: {"records": []},
    }
    for message_type, body in bodies.items():
        raw = envelope_from(network, stranger, cs_id, 1, message_type, body)
        [ack] = cs.receive([raw])
        assert ack.status == "refused", message_type
        assert "経路" in ack.detail
    with cs.db.session() as session:
        refused = session.execute(
            select(tables.refusals.c.type, tables.refusals.c.reason).where(
                tables.refusals.c.claimed_sender == stranger
            )
        ).all()
        taken = session.scalar(
            select(func.count()).select_from(tables.inbox).where(tables.inbox.c.sender == stranger)
        )
    assert sorted(kind for kind, _reason in refused) == sorted(bodies)
    assert taken == 0
    for message_type, body in bodies.items():  # the same envelopes from its own registry
        raw = envelope_from(network, own, cs_id, next_seq(network, own, cs_id), message_type, body)
        [ack] = cs.receive([raw])
        assert ack.status == "applied", (message_type, ack.detail)
    assert refusals(network, cs_id) == 2


def test_the_cs_relays_a_request_from_its_registry_only_with_the_items_of_its_type(
    sqlite_network: EmbeddedNetwork,
) -> None:
    """001a ACQ-1-8: number, pool and number-check requests pass through the CS on their
    way to the national server; one carrying an item its type does not have (here the
    person's name or 個人番号) fails at the CS and is not queued onward."""
    net, own, cs_id = sqlite_network, "registry:131075", "cs:131075"
    cs = net.node(cs_id)
    valid = {
        MessageType.NUMBER_REQUEST: {
            "request_id": "req-00000001", "lg_code": "131075", "resident_code": "24727059608",
            "kind": "generate", "operator_id": "sato.ichiro",
        },
        MessageType.POOL_REQUEST: {"lg_code": "131075", "count": 1},
        MessageType.NUMBER_CHECK: {
            "check_id": "chk-00000001", "lg_code": "131075", "resident_code": "24727059608",
            "individual_number": "123456789018",
        },
    }  # fmt: skip
    to_national = (
        select(func.count())
        .select_from(tables.outbox)
        .where(tables.outbox.c.recipient == "national")
    )
    for message_type, record in valid.items():
        with cs.db.session() as session:
            before = session.scalar(to_national) or 0
        extra = record | {"name_kana": "スミダ　ハナコ"}
        seq = next_seq(net, own, cs_id)
        raw = envelope_from(net, own, cs_id, seq, message_type, {"records": [extra]})
        [ack] = cs.receive([raw])
        assert ack.status == "failed", message_type
        with cs.db.session() as session:
            assert session.scalar(to_national) == before, message_type
        # The same request without the extra item, under the same number, goes on.
        raw = envelope_from(net, own, cs_id, seq, message_type, {"records": [record]})
        [ack] = cs.receive([raw])
        assert ack.status == "applied", (message_type, ack.detail)
        with cs.db.session() as session:
            assert session.scalar(to_national) == before + 1, message_type


def test_the_registry_takes_messages_only_from_its_own_cs(sqlite_network: EmbeddedNetwork) -> None:
    """001a USE-1-2: on the 住基ネット side only the CS reaches the existing system. Every
    other node — another municipality's CS or registry, a tier, the generator, the card
    system — is refused at the registry and the refusal kept; its own CS is accepted."""
    registry = "registry:131075"
    node = sqlite_network.node(registry)
    others = [
        "cs:112011",
        "registry:112011",
        "prefecture:13",
        "national",
        "numbering",
        "card",
        "jpki",
    ]
    for sender in others:
        raw = envelope_from(
            sqlite_network, sender, registry, 1, MessageType.IDENTITY_UPDATE_RESULT, {"records": []}
        )
        [ack] = node.receive([raw])
        assert ack.status == "refused", sender
    with node.db.session() as session:
        refused = set(session.scalars(select(tables.refusals.c.claimed_sender)).all())
    assert set(others) <= refused
    own = envelope_from(
        sqlite_network, "cs:131075", registry, next_seq(sqlite_network, "cs:131075", registry),
        MessageType.IDENTITY_UPDATE_RESULT, {"records": []},
    )  # fmt: skip
    [ack] = node.receive([own])
    assert ack.status == "applied"


def test_unknown_types_and_fields_are_refused_by_the_node(sqlite_network: EmbeddedNetwork) -> None:
    """000 NET-06 at a receiving node: an envelope with a field the protocol does not have,
    a message type it does not have, and a record with an item its type does not have —
    each validly signed by a node of the CA — change nothing (issue #14: the requirement
    named tests of paths only)."""
    net, sender, recipient = sqlite_network, "registry:131075", "cs:131075"
    extra = envelope_from(net, sender, recipient, next_seq(net, sender, recipient))
    extra["priority"] = "high"
    key, cert = net.home.pki.node_identity(sender)
    sealed = seal(
        key=key, certificate_pem=cert.decode(), sender=sender, recipient=recipient,
        channel_seq=next_seq(net, sender, recipient), message_type="identity.rewrite",
        body={"records": []},
    )  # fmt: skip
    bogus = json.loads(sealed)
    acks = net.node(recipient).receive([extra, bogus])
    assert [(a.status, a.field) for a in acks] == [("refused", "envelope"), ("refused", "type")]
    seq = next_seq(net, sender, recipient)
    body = {"records": [{"lg_code": "131075", "count": 1, "priority": "high"}]}
    [ack] = net.node(recipient).receive([envelope_from(net, sender, recipient, seq, body=body)])
    assert ack.status == "failed"  # not applied: the channel waits for a correct one
    assert next_seq(net, sender, recipient) == seq
