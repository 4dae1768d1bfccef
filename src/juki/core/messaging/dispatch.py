"""The dispatcher: delivers each node's outbox in channel order, retrying with backoff."""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
from collections import defaultdict

from sqlalchemy import select, update

from juki.core.clock import as_utc
from juki.core.errors import redacted
from juki.core.messaging import tables
from juki.core.messaging.envelope import Ack
from juki.core.messaging.node import Node, utcnow
from juki.core.messaging.transport import Transport, TransportError

log = logging.getLogger("juki.dispatch")

_DELIVERED = {"applied", "duplicate"}
_MAX_BACKOFF_S = 30.0


def backoff(attempts: int) -> dt.timedelta:
    """Exponential backoff with full jitter (AWS architecture blog), capped at 30 s."""
    ceiling = min(_MAX_BACKOFF_S, 0.05 * 2**attempts)
    return dt.timedelta(seconds=random.uniform(ceiling / 2, ceiling))  # noqa: S311


class Dispatcher:
    def __init__(self, nodes: list[Node], transport: Transport, batch: int = 500):
        self.nodes = nodes
        self.transport = transport
        self.batch = batch

    def run_once(self) -> int:
        """One pass over every node's outbox. Returns the number of envelopes delivered."""
        return sum(self.deliver(node) for node in self.nodes)

    def deliver(self, node: Node) -> int:
        outbox = tables.outbox
        now = utcnow()
        with node.db.session() as session:
            rows = session.execute(
                select(
                    outbox.c.id,
                    outbox.c.recipient,
                    outbox.c.envelope,
                    outbox.c.next_attempt_at,
                    outbox.c.attempts,
                )
                .where(outbox.c.acked_at.is_(None))
                .order_by(outbox.c.recipient, outbox.c.channel_seq)
                .limit(self.batch)
            ).all()
        by_recipient: dict[str, list[tuple[str, bytes, int]]] = defaultdict(list)
        waiting: set[str] = set()
        for row in rows:
            due = as_utc(row.next_attempt_at) <= now
            if row.recipient in waiting or (not by_recipient[row.recipient] and not due):
                waiting.add(row.recipient)  # the channel's head is backing off: keep order
                continue
            by_recipient[row.recipient].append(
                (row.id, node.open_at_rest(row.envelope), row.attempts)
            )
        delivered = 0
        for recipient, items in by_recipient.items():
            if items:
                delivered += self._send(node, recipient, items)
        return delivered

    def _send(self, node: Node, recipient: str, items: list[tuple[str, bytes, int]]) -> int:
        try:
            acks = self.transport.send(recipient, [envelope for _, envelope, _ in items])
        except TransportError as exc:
            acks = [Ack(id=item_id, status="failed", detail=str(exc)) for item_id, _, _ in items]
        now = utcnow()
        attempts = {item_id: count for item_id, _, count in items}
        delivered = [ack.id for ack in acks if ack.status in _DELIVERED]
        with node.db.session() as session:
            if delivered:
                session.execute(
                    update(tables.outbox)
                    .where(tables.outbox.c.id.in_(delivered))
                    .values(acked_at=now)
                )
            for ack in acks:
                if ack.status in _DELIVERED:
                    continue
                count = attempts.get(ack.id, 0) + 1
                if ack.status != "out_of_order":
                    log.warning(
                        "delivery %s -> %s: %s %s", node.node_id, recipient, ack.status, ack.detail
                    )
                session.execute(
                    update(tables.outbox)
                    .where(tables.outbox.c.id == ack.id)
                    .values(
                        attempts=count,
                        next_attempt_at=now + backoff(count),
                        last_error=f"{ack.status}: {ack.detail}"[:200],
                    )
                )
        return len(delivered)

    def pump(self, max_rounds: int = 10_000) -> int:
        """Deliver until every outbox is empty (tests and bulk loads)."""
        total = 0
        for _ in range(max_rounds):
            moved = self.run_once()
            total += moved
            if moved == 0 and not self.pending():
                return total
            if moved == 0:
                threading.Event().wait(0.01)
        raise RuntimeError("messages still pending after pump")

    def pending(self) -> int:
        count = 0
        for node in self.nodes:
            with node.db.session() as session:
                count += len(
                    session.execute(
                        select(tables.outbox.c.id)
                        .where(tables.outbox.c.acked_at.is_(None))
                        .limit(1)
                    ).all()
                )
        return count


class DispatcherThread(threading.Thread):
    """Runs a dispatcher in the background until stopped (`juki up`, `juki node serve`)."""

    def __init__(self, dispatcher: Dispatcher, idle_s: float = 0.02):
        super().__init__(name="juki-dispatcher", daemon=True)
        self.dispatcher = dispatcher
        self.idle_s = idle_s
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                moved = self.dispatcher.run_once()
            except Exception as exc:  # without the values it carries (no 個人番号 in logs)
                log.error("dispatcher pass failed: %s", redacted(exc))
                moved = 0
            if moved == 0:
                self.stopping.wait(self.idle_s)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)
