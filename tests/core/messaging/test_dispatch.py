"""The dispatcher rests while there is nothing to send (issue #13): a commit that writes to
an outbox wakes it, a retry wakes it when due, and otherwise it makes no pass at all.

Every test sets the fallback poll to an hour, so that anything delivered within the
tests' (generous) timeouts was delivered because of a wake-up or a due retry."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select, update

from juki.core.messages import MessageType
from juki.core.messaging import queue, tables
from juki.core.messaging.dispatch import Dispatcher, DispatcherThread
from juki.core.messaging.envelope import Ack
from juki.core.messaging.node import Node
from juki.core.messaging.transport import InProcessTransport, TransportError
from juki.network.embedded import EmbeddedNetwork

HOUR = 3600.0
PROMPTLY = 60.0  # a generous bound on a loaded machine; a missed wake-up waits an hour
REGISTRY, CS = "registry:131075", "cs:131075"


class WatchingTransport:
    """The in-process transport, refusing the first `failures` sends to `failing` and
    telling when an envelope of `message_type` has been applied at `recipient`."""

    def __init__(
        self,
        local: InProcessTransport,
        recipient: str,
        message_type: str,
        failing: str = "",
        failures: int = 0,
    ):
        self.local = local
        self.recipient, self.message_type = recipient, message_type
        self.failing, self.failures = failing, failures
        self.sends: dict[str, int] = {}
        self.arrived = threading.Event()

    def send(self, recipient: str, envelopes: list[bytes]) -> list[Ack]:
        self.sends[recipient] = self.sends.get(recipient, 0) + 1
        if recipient == self.failing and self.sends[recipient] <= self.failures:
            raise TransportError(f"{recipient}: unreachable (test)")
        acks = self.local.send(recipient, envelopes)
        types = {json.loads(raw)["type"] for raw in envelopes}
        if recipient == self.recipient and self.message_type in types:
            self.arrived.set()
        return acks


@contextmanager
def running(network: EmbeddedNetwork, transport: WatchingTransport) -> Iterator[DispatcherThread]:
    """A dispatcher thread over the network's nodes, at rest once its first pass is done."""
    dispatcher = Dispatcher(list(network.nodes.values()), transport, fallback_poll_s=HOUR)
    thread = DispatcherThread(dispatcher)
    thread.start()
    try:
        assert thread.resting.wait(PROMPTLY)
        yield thread
    finally:
        thread.stop()


def request_one_code(node: Node) -> None:
    """The registry asks J-LIS for one 住民票コード: four hops there, four back."""
    with node.unit_of_work() as uow:
        uow.send(CS, MessageType.POOL_REQUEST, {"lg_code": "131075", "count": 1})


def outbox_rows(node: Node) -> list[tuple[int, int, dt.datetime | None]]:
    outbox = tables.outbox
    with node.db.session() as session:
        rows = session.execute(
            select(outbox.c.channel_seq, outbox.c.attempts, outbox.c.acked_at)
            .where(outbox.c.recipient == CS)
            .order_by(outbox.c.channel_seq)
        ).all()
    return [tuple(row) for row in rows]


def test_an_idle_dispatcher_makes_no_pass(network: EmbeddedNetwork) -> None:
    transport = WatchingTransport(network.local, REGISTRY, MessageType.POOL_GRANT)
    with running(network, transport) as thread:
        passes = thread.passes
        threading.Event().wait(0.5)  # an idle half second: polling every 20 ms made 25 passes
        assert thread.passes == passes
        assert thread.resting.is_set()
    assert not thread.is_alive()  # stopping wakes it: no waiting out the hour


def test_a_message_written_is_delivered_without_a_poll(network: EmbeddedNetwork) -> None:
    transport = WatchingTransport(network.local, REGISTRY, MessageType.POOL_GRANT)
    with running(network, transport):
        request_one_code(network.node(REGISTRY))
        # Each hop's commit (registry, CS, prefecture, national and back) wakes the next.
        assert transport.arrived.wait(PROMPTLY)
    assert all(acked is not None for _, _, acked in outbox_rows(network.node(REGISTRY)))


def test_a_failed_delivery_is_retried_when_its_backoff_is_due(network: EmbeddedNetwork) -> None:
    transport = WatchingTransport(
        network.local, REGISTRY, MessageType.POOL_GRANT, failing=CS, failures=2
    )
    with running(network, transport):
        request_one_code(network.node(REGISTRY))
        assert transport.arrived.wait(PROMPTLY)
    assert transport.sends[CS] >= 3  # failed, failed, then delivered on its retry
    *_, (_, attempts, acked) = outbox_rows(network.node(REGISTRY))
    assert attempts == 2
    assert acked is not None


def test_a_channel_head_backing_off_holds_the_channel(network: EmbeddedNetwork) -> None:
    registry = network.node(REGISTRY)
    dispatcher = Dispatcher([registry], network.local, fallback_poll_s=HOUR)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    request_one_code(registry)
    request_one_code(registry)
    head, second = (seq for seq, _, acked in outbox_rows(registry) if acked is None)
    with registry.db.session() as session:
        session.execute(
            update(tables.outbox)
            .where(tables.outbox.c.recipient == CS, tables.outbox.c.channel_seq == head)
            .values(attempts=1, next_attempt_at=later)
        )
    done = dispatcher.deliver_due(registry)
    assert done.delivered == 0  # the second is due, but never sent past its head
    assert done.next_due == later  # and the dispatcher knows when to come back
    assert [acked for seq, _, acked in outbox_rows(registry) if seq == second] == [None]


def test_a_resend_wakes_a_resting_dispatcher(network: EmbeddedNetwork) -> None:
    registry = network.node(REGISTRY)
    transport = WatchingTransport(network.local, REGISTRY, MessageType.POOL_GRANT)
    with registry.unit_of_work() as uow:  # waiting for an hour, as after many failures
        uow.send(CS, MessageType.POOL_REQUEST, {"lg_code": "131075", "count": 1})
        uow.flush_outbox()
        uow.session.execute(
            update(tables.outbox)
            .where(tables.outbox.c.acked_at.is_(None))
            .values(attempts=9, next_attempt_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
        )
    with running(network, transport):
        assert not transport.arrived.is_set()
        with registry.unit_of_work() as uow:
            [waiting] = queue.queued_messages(uow.session, "failed")
            assert queue.resend(uow.session, waiting.id)
        assert transport.arrived.wait(PROMPTLY)


def test_a_long_queue_to_an_unreachable_peer_holds_back_no_other_channel(
    network: EmbeddedNetwork,
) -> None:
    """Found when JPKI was added and a test network served no JPKI: the national server's
    queue to it filled every batch (read across channels in recipient order), and its
    results to the prefectures, sorted after "jpki", were never sent. Here the registry's
    queue to an unreachable "aaa" peer is longer than a batch; its channel to the CS goes
    on, and the unreachable channel costs one row written per attempt, not one per
    envelope queued."""
    registry = network.node(REGISTRY)
    transport = WatchingTransport(
        network.local, CS, MessageType.POOL_REQUEST, failing="aaa:0", failures=10**6
    )
    dispatcher = Dispatcher([registry], transport, batch=5, fallback_poll_s=HOUR)
    for _ in range(12):  # one envelope each
        with registry.unit_of_work() as uow:
            uow.send("aaa:0", MessageType.POOL_REQUEST, {"lg_code": "131075", "count": 1})
    request_one_code(registry)
    done = dispatcher.deliver_due(registry)
    assert done.delivered == 1
    assert transport.arrived.is_set()
    outbox = tables.outbox
    with registry.db.session() as session:
        tried = session.scalars(
            select(outbox.c.attempts)
            .where(outbox.c.recipient == "aaa:0")
            .order_by(outbox.c.channel_seq)
        ).all()
    assert tried == [1] + [0] * 11  # the head backs off for its channel
