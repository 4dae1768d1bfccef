"""The dispatcher: delivers each node's outbox in channel order, retrying with backoff.

It rests while there is nothing to send (issue #13: 18 nodes polling their outboxes kept a
quarter of a core busy on an idle network). A node's unit of work wakes it after a commit
that wrote to the outbox (`Node.on_outbox_commit`), and it remembers, per node, when the
earliest retry falls due; in between it sleeps. Every outbox is still read on a slow poll
(`FALLBACK_POLL_S`), for envelopes no wake-up announces.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import random
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from juki.core.clock import as_utc
from juki.core.errors import redacted
from juki.core.messaging import tables
from juki.core.messaging.envelope import Ack
from juki.core.messaging.node import Node, utcnow
from juki.core.messaging.transport import Transport, TransportError

log = logging.getLogger("juki.dispatch")

_DELIVERED = {"applied", "duplicate"}
_MAX_BACKOFF_S = 30.0
# The safety net for an envelope written where no dispatcher hears of it: another process
# writing a node's database, or a repair by hand. Nothing in juki does so today (the CLI
# commands that open a node's database write audit, ledger and operator rows, never
# messages; a node serving process's own commits wake it). 30 s is the backoff's cap: such
# an envelope waits no longer than one whose delivery kept failing, which every channel
# already tolerates. Reading an idle outbox costs ~0.4 ms of CPU: `juki up`'s 18 every 30 s
# are 0.02 % of a core.
FALLBACK_POLL_S = _MAX_BACKOFF_S
# After a node's outbox could not be read at all (its database away), try it again after:
ERROR_RETRY_S = 1.0


def backoff(attempts: int) -> dt.timedelta:
    """Exponential backoff with full jitter (AWS architecture blog), capped at 30 s."""
    ceiling = min(_MAX_BACKOFF_S, 0.05 * 2**attempts)
    return dt.timedelta(seconds=random.uniform(ceiling / 2, ceiling))  # noqa: S311


@dataclass(frozen=True)
class Delivery:
    """One pass over an outbox: envelopes delivered, and when something in it next falls
    due (a channel head's retry; now if more is waiting), None when nothing is unsent."""

    delivered: int
    next_due: dt.datetime | None


class Dispatcher:
    def __init__(
        self,
        nodes: list[Node],
        transport: Transport,
        batch: int = 500,
        fallback_poll_s: float = FALLBACK_POLL_S,
    ):
        self.nodes = nodes
        self.transport = transport
        self.batch = batch
        self.fallback_poll_s = fallback_poll_s
        # Set when a node's outbox changed; the dispatcher thread waits on it.
        self.wakeup = threading.Event()
        self._lock = threading.Lock()
        self._woken: set[str] = {node.node_id for node in nodes}  # first: what was left
        self._due: dict[str, dt.datetime] = {}
        self._next_poll = utcnow() + dt.timedelta(seconds=fallback_poll_s)
        for node in nodes:
            node.on_outbox_commit(functools.partial(self.wake, node.node_id))

    def wake(self, node_id: str) -> None:
        """`node_id`'s outbox has something new (called after the commit that wrote it)."""
        with self._lock:
            self._woken.add(node_id)
        self.wakeup.set()

    def run_once(self) -> int:
        """One pass over every node's outbox. Returns the number of envelopes delivered."""
        return sum(self.deliver(node) for node in self.nodes)

    def run_due(self, min_rest_s: float = 0.0) -> float:
        """Deliver the outboxes that were woken or have a retry due (every one when the
        fallback poll is due). Returns the seconds to rest before the next pass is needed
        (at least `min_rest_s` when nothing moved), unless woken earlier."""
        with self._lock:
            self.wakeup.clear()
            todo, self._woken = self._woken, set()
        now = utcnow()
        if now >= self._next_poll:
            todo = {node.node_id for node in self.nodes}
            self._next_poll = now + dt.timedelta(seconds=self.fallback_poll_s)
        todo.update(node_id for node_id, due in self._due.items() if due <= now)
        moved = 0
        for node in self.nodes:
            if node.node_id not in todo:
                continue
            done = self._deliver_or_retry(node)
            moved += done.delivered
            if done.next_due is None:
                self._due.pop(node.node_id, None)
            else:
                self._due[node.node_id] = done.next_due
        earliest = min([self._next_poll, *self._due.values()])
        rest = (earliest - utcnow()).total_seconds()
        return max(rest, 0.0 if moved else min_rest_s)

    def _deliver_or_retry(self, node: Node) -> Delivery:
        try:
            return self.deliver_due(node)
        except Exception as exc:  # without the values it carries (no 個人番号 in logs)
            log.error("dispatcher pass at %s failed: %s", node.node_id, redacted(exc))
            return Delivery(0, utcnow() + dt.timedelta(seconds=ERROR_RETRY_S))

    def deliver(self, node: Node) -> int:
        """Send what is due in `node`'s outbox; returns the number delivered."""
        return self.deliver_due(node).delivered

    def deliver_due(self, node: Node) -> Delivery:
        """Each channel (recipient) of `node`'s outbox on its own, from its head: a channel
        whose head is backing off waits, the others go on. (Reading one batch across all
        channels in recipient order let a long queue to an unreachable peer fill every
        batch, so the channels sorted after it were never sent: the national server's
        results to the prefectures waited behind JPKI's queue.)"""
        outbox = tables.outbox
        now = utcnow()
        # One query: up to `batch` undelivered envelopes of each channel, from its head
        # (a window per recipient; SQLite ≥ 3.25 and PostgreSQL both have it).
        place = (
            func.row_number()
            .over(partition_by=outbox.c.recipient, order_by=outbox.c.channel_seq)
            .label("place")
        )
        pending = (
            select(
                outbox.c.id,
                outbox.c.recipient,
                outbox.c.envelope,
                outbox.c.next_attempt_at,
                outbox.c.attempts,
                place,
            )
            .where(outbox.c.acked_at.is_(None))
            .subquery()
        )
        channels: dict[str, list[Any]] = defaultdict(list)
        with node.db.session() as session:
            rows = session.execute(
                select(pending)
                .where(pending.c.place <= self.batch)
                .order_by(pending.c.recipient, pending.c.place)
            ).all()
        for row in rows:
            channels[row.recipient].append(row)
        delivered, due_times = 0, []
        for recipient, rows in channels.items():
            if not rows:  # delivered meanwhile by another pass (a pump beside the thread)
                continue
            head_due = as_utc(rows[0].next_attempt_at)
            if head_due > now:  # the channel's head is backing off: keep order
                due_times.append(head_due)
                continue
            try:  # one channel's fault (an envelope that will not open) stops only it
                items = [(row.id, node.open_at_rest(row.envelope), row.attempts) for row in rows]
                sent = self._send(node, recipient, items)
            except Exception as exc:
                log.error("channel %s -> %s failed: %s", node.node_id, recipient, redacted(exc))
                due_times.append(now + dt.timedelta(seconds=ERROR_RETRY_S))
                continue
            delivered += sent.delivered
            due_times += [sent.next_due] if sent.next_due else []
            if len(rows) == self.batch:  # a full batch may leave more behind it
                due_times.append(now)
        return Delivery(delivered, min(due_times, default=None))

    def _send(self, node: Node, recipient: str, items: list[tuple[str, bytes, int]]) -> Delivery:
        """Send one channel's envelopes, from its head; the Delivery's `next_due` is the new
        head's retry time (the first envelope in channel order not delivered)."""
        try:
            acks = self.transport.send(recipient, [envelope for _, envelope, _ in items])
        except TransportError as exc:
            # The channel could not be reached: its head backs off, and the channel with
            # it (one row written, not one per envelope queued behind it).
            acks = [Ack(id=items[0][0], status="failed", detail=str(exc))]
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
            failed = [ack for ack in acks if ack.status not in _DELIVERED]
            retry_at = _back_off(session, node, recipient, failed, attempts, now)
        done = set(delivered)
        head = next((item_id for item_id, _, _ in items if item_id not in done), None)
        # An envelope the transport gave no ack for stays due: retried on the next pass.
        return Delivery(len(done), None if head is None else retry_at.get(head, now))

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


def _back_off(
    session: Session,
    node: Node,
    recipient: str,
    failed: list[Ack],
    attempts: dict[str, int],
    now: dt.datetime,
) -> dict[str, dt.datetime]:
    """Count a failed attempt on each envelope and set when it is tried again."""
    retry_at: dict[str, dt.datetime] = {}
    for ack in failed:
        count = attempts.get(ack.id, 0) + 1
        if ack.status != "out_of_order":
            log.warning("delivery %s -> %s: %s %s", node.node_id, recipient, ack.status, ack.detail)
        retry_at[ack.id] = now + backoff(count)
        session.execute(
            update(tables.outbox)
            .where(tables.outbox.c.id == ack.id)
            .values(
                attempts=count,
                next_attempt_at=retry_at[ack.id],
                last_error=f"{ack.status}: {ack.detail}"[:200],
            )
        )
    return retry_at


class DispatcherThread(threading.Thread):
    """Runs a dispatcher in the background until stopped (`juki up`, `juki node serve`):
    a pass, then rest until woken or until the next retry or poll falls due. `idle_s` is
    the least rest after a pass that moved nothing, so that an envelope that stays due
    without going anywhere cannot make a busy loop."""

    def __init__(self, dispatcher: Dispatcher, idle_s: float = 0.02):
        super().__init__(name="juki-dispatcher", daemon=True)
        self.dispatcher = dispatcher
        self.idle_s = idle_s
        self.stopping = threading.Event()
        self.passes = 0  # passes made so far: an idle dispatcher makes none
        self.resting = threading.Event()  # set while waiting for a wake-up or a due time

    def run(self) -> None:
        while not self.stopping.is_set():
            rest = self.dispatcher.run_due(min_rest_s=self.idle_s)
            self.passes += 1
            if self.stopping.is_set():
                break
            if rest > 0:
                self.resting.set()
                self.dispatcher.wakeup.wait(rest)
                self.resting.clear()

    def stop(self) -> None:
        self.stopping.set()
        self.dispatcher.wakeup.set()
        self.join(timeout=10)
