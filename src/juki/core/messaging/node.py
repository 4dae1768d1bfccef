"""A node: one system instance with its own database, keys and message handlers.

`Node.unit_of_work()` is the one place a node commits. Messages sent inside it are written
to the outbox in the same transaction (transactional outbox), grouped into one envelope per
recipient and type so that a batch of records costs one signature.
`Node.receive()` verifies and applies incoming envelopes in channel order, exactly once.
After a commit that wrote to the outbox, the unit of work wakes the node's dispatchers
(`on_outbox_commit`, core/messaging/wakeup.py), which otherwise rest.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import ValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from juki.core.audit import log as audit
from juki.core.audit.anchors import AnchorFile
from juki.core.crypto import FieldKeys, sealed_label
from juki.core.crypto import sign as crypto_sign
from juki.core.crypto import verify as crypto_verify
from juki.core.db import Database
from juki.core.errors import Refused, redacted
from juki.core.messaging import tables, wakeup
from juki.core.messaging.envelope import Ack, Envelope, seal, verify
from juki.core.messaging.paths import is_permitted, role_of
from juki.core.pki import check_in_use, load_certificate, node_id_of
from juki.core.sealed import attach_field_keys

log = logging.getLogger("juki.messaging")
OUTBOX_COLUMN = sealed_label("msg_outbox.envelope")
_TRUSTED_MAX = 1024  # certificates whose CA signature is cached (a network has fewer nodes)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class UnitOfWork:
    """A transaction of one node plus the messages it will send on commit.

    Append-only rows (history, logs) may be deferred to one executemany at commit."""

    node: Node
    session: Session
    _pending: dict[tuple[str, str], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    _appends: dict[Any, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    _accesses: list[audit.Access] = field(default_factory=list)
    # Scratch space a role's services keep for the length of the transaction.
    memo: dict[str, Any] = field(default_factory=dict)

    def send(self, recipient: str, message_type: str, record: dict[str, Any]) -> None:
        self._pending[(recipient, message_type)].append(record)

    def append(self, table: Any, row: dict[str, Any]) -> None:
        """Insert `row` into the append-only `table` at commit, batched with its kind."""
        self._appends[table].append(row)

    def audit(self, access: audit.Access) -> None:
        """Record `access` in the audit log at commit, with the transaction's others in one
        turn (`audit.record_all`). Still fail-safe: if the log cannot be written, the
        transaction, and with it the operation, fails."""
        self._accesses.append(access)

    def flush_outbox(self) -> None:
        audit.record_all(self.session, self._accesses)
        self._accesses.clear()
        for table, rows in self._appends.items():
            for group in _by_columns(rows):
                self.session.execute(insert(table), group)
        self._appends.clear()
        for (recipient, message_type), records in self._pending.items():
            self.node.write_outbox(self.session, recipient, message_type, {"records": records})
        self._pending.clear()


def _by_columns(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows without their NULL values (the column's NULL or default applies), grouped so
    that each executemany names the same columns. Wide rows that are mostly empty (a
    register's 84 items) then bind only what they hold."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        compact = {k: v for k, v in row.items() if v is not None}
        groups.setdefault(tuple(compact), []).append(compact)
    return list(groups.values())


Handler = Callable[[UnitOfWork, Envelope, list[dict[str, Any]]], None]


_NODE_ID = re.compile(r"[a-z]{2,12}(:[0-9]{2,6})?")
_MESSAGE_TYPE = re.compile(r"[a-z][a-z0-9_.]{0,63}")
_ENVELOPE_ID = re.compile(r"[0-9a-f-]{36}")


def _as_written(value: object, form: re.Pattern[str]) -> str:
    return value if isinstance(value, str) and form.fullmatch(value) else "(不正な値)"


class Node:
    def __init__(
        self,
        node_id: str,
        database: Database,
        field_keys: FieldKeys,
        signing_key: Ed25519PrivateKey,
        certificate_pem: bytes,
        ca_certificate: x509.Certificate,
        handlers: dict[str, Handler],
        secret: bytes,
        revocations: Callable[[], x509.CertificateRevocationList] | None = None,
        audit_anchors: AnchorFile | None = None,
        past_certificates: tuple[bytes, ...] = (),
    ):
        self.node_id = node_id
        self.role = role_of(node_id)
        self.db = database
        self.keys = field_keys
        attach_field_keys(database.engine, field_keys)  # sealed columns (core/sealed.py)
        self._signing_key = signing_key
        self._certificate_pem = certificate_pem.decode()
        self._ca = ca_certificate
        self.handlers = handlers
        if len(secret) < 32:  # no node runs on an empty or short key (issue #14)
            raise ValueError(f"{node_id}: the node's secret must be 32 bytes or more")
        self.secret = secret  # role-specific key, e.g. the generator's transform key
        # The CA's current CRL (`PkiDirectory.crl`, read again when it changes); None: a
        # node built without one (checked for dates and key usage only).
        self._revocations = revocations
        # Where the audit log's signed checkpoints are anchored outside the database.
        self.audit_anchors = audit_anchors
        # The node's earlier signing certificates (renewed): audit checkpoints they signed
        # still verify, unless the certificate was revoked since.
        self._past_certificates = tuple(c.decode() for c in past_certificates)
        # Signature checks of certificates, cached; the verdict is not (`_certificate`).
        self._trusted: dict[bytes, tuple[str, Ed25519PublicKey, x509.Certificate]] = {}
        self._outbox_listeners: list[Callable[[], None]] = []

    def __repr__(self) -> str:
        return f"Node({self.node_id})"

    def sign(self, payload: bytes) -> str:
        """Sign with this node's key (audit checkpoints)."""
        return crypto_sign(self._signing_key, payload)

    @property
    def certificate_pem(self) -> str:
        return self._certificate_pem

    def certified(self, pem: str) -> tuple[str, Ed25519PublicKey]:
        """The node a certificate names and its key, if our CA issued it and it is in use
        now (raises Refused otherwise): for signatures carried inside a record."""
        return self._certificate(pem)

    def check_own_signature(self, payload: bytes, signature: str) -> bool:
        """Signed by this node's key, or by one of its earlier keys whose certificate our CA
        issued to this node and has not revoked."""
        public_key = x509.load_pem_x509_certificate(self._certificate_pem.encode()).public_key()
        assert isinstance(public_key, Ed25519PublicKey)
        if crypto_verify(public_key, payload, signature):
            return True
        crl = self._revocations() if self._revocations is not None else None
        for pem in self._past_certificates:
            certificate = load_certificate(pem.encode())
            try:
                node_id, past_key = node_id_of(certificate, self._ca)
            except Refused:
                continue
            if crl is not None and crl.get_revoked_certificate_by_serial_number(
                certificate.serial_number
            ):
                continue
            if node_id == self.node_id and crypto_verify(past_key, payload, signature):
                return True
        return False

    def checkpoint_audit(self, session: Session) -> int | None:
        """Sign the audit chain's head, in the database and in the anchor file."""
        return audit.checkpoint(session, self.node_id, self.sign, self.audit_anchors)

    def verify_audit(self, session: Session) -> audit.Verification:
        """The audit chain, its checkpoints and the anchors outside the database."""
        return audit.verify(session, self.node_id, self.check_own_signature, self.audit_anchors)

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        with self.db.session() as session:
            uow = UnitOfWork(self, session)
            yield uow
            uow.flush_outbox()
        if wakeup.take_outbox_changed(session):  # committed: the rows are there to read
            for listener in self._outbox_listeners:
                listener()

    def on_outbox_commit(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every commit of this node's unit of work that wrote to its
        outbox or made an envelope due (the dispatcher's wake-up; it must not block)."""
        self._outbox_listeners.append(listener)

    # --- sending --------------------------------------------------------------------------

    def write_outbox(
        self, session: Session, recipient: str, message_type: str, body: dict[str, Any]
    ) -> None:
        seq = self._next_seq(session, recipient)
        message_id = str(uuid.uuid4())
        wire = seal(
            key=self._signing_key,
            certificate_pem=self._certificate_pem,
            sender=self.node_id,
            recipient=recipient,
            channel_seq=seq,
            message_type=message_type,
            body=body,
            message_id=message_id,
        )
        now = utcnow()
        wakeup.outbox_changed(session)
        session.execute(
            insert(tables.outbox).values(
                id=message_id,
                recipient=recipient,
                channel_seq=seq,
                type=message_type,
                envelope=self.seal_at_rest(wire),
                created_at=now,
                attempts=0,
                next_attempt_at=now,
            )
        )

    def seal_at_rest(self, wire: bytes) -> bytes:
        """Envelopes carry 本人確認情報 (個人番号 included), so the outbox keeps them encrypted
        under the node's field key (design §4), like every other copy at rest."""
        return self.keys.encrypt(wire.decode(), column=OUTBOX_COLUMN)

    def open_at_rest(self, stored: bytes) -> bytes:
        return self.keys.decrypt(stored, column=OUTBOX_COLUMN).encode()

    def _next_seq(self, session: Session, recipient: str) -> int:
        # The UPDATE takes a row lock on PostgreSQL (and SQLite has one writer), so
        # sequence order equals commit order on every channel.
        result = session.execute(
            update(tables.channel_out)
            .where(tables.channel_out.c.recipient == recipient)
            .values(last_seq=tables.channel_out.c.last_seq + 1)
            .returning(tables.channel_out.c.last_seq)
        ).first()
        if result is not None:
            return int(result[0])
        session.execute(insert(tables.channel_out).values(recipient=recipient, last_seq=1))
        return 1

    # --- receiving ------------------------------------------------------------------------

    def receive(self, raw_envelopes: list[dict[str, Any]]) -> list[Ack]:
        """Verify, then apply in order. Returns one Ack per envelope, in the given order."""
        acks: dict[int, Ack] = {}
        accepted: list[tuple[int, Envelope]] = []
        for position, raw in enumerate(raw_envelopes):
            try:
                accepted.append((position, self._verified(raw)))
            except Refused as exc:
                self._record_refusal(raw, exc.message)
                acks[position] = Ack(
                    id=_as_written(raw.get("id"), _ENVELOPE_ID),
                    status="refused",
                    detail=exc.message,
                    field=exc.field or "",
                )
        by_sender: dict[str, list[tuple[int, Envelope]]] = defaultdict(list)
        for position, envelope in accepted:
            by_sender[envelope.sender].append((position, envelope))
        for items in by_sender.values():
            items.sort(key=lambda item: item[1].channel_seq)
            acks.update(self._apply_channel(items))
        return [acks[position] for position in range(len(raw_envelopes))]

    def _verified(self, raw: dict[str, Any]) -> Envelope:
        try:
            envelope = Envelope.model_validate(raw)
        except ValidationError as exc:
            # Only the envelope's own field names: an unknown key is the sender's text.
            fields = ",".join(
                dict.fromkeys(
                    str(err["loc"][0]) if err["loc"][0] in Envelope.model_fields else "(余分な項目)"
                    for err in exc.errors()
                    if err["loc"]
                )
            )
            raise Refused(f"封筒の形式が正しくありません: {fields}", field="envelope") from None
        if envelope.recipient != self.node_id:
            raise Refused("宛先が違います", field="recipient")
        certified_id, public_key = self._certificate(envelope.certificate)
        if certified_id != envelope.sender:
            raise Refused("証明書の主体と送信者が一致しません", field="sender")
        if not verify(raw, public_key):
            raise Refused("署名が正しくありません", field="signature")
        if not is_permitted(envelope.sender, self.node_id, envelope.type):
            raise Refused("許可されていない経路です", field="type")
        if envelope.type not in self.handlers:
            raise Refused("このノードが扱わない電文です", field="type")
        return envelope

    def _certificate(self, pem: str) -> tuple[str, Ed25519PublicKey]:
        """The node a certificate names and its key. The CA's signature on it is verified
        once and cached; its dates and the CRL are checked at every use (issue #14), so a
        certificate that expires or is revoked while this node runs is refused at once."""
        try:
            certificate = load_certificate(pem.encode())
        except ValueError:
            raise Refused("証明書を読めません", field="certificate") from None
        # Keyed by the certificate itself, not its text (text around a PEM block still
        # parses: keyed by text, anyone could grow the cache at will); and bounded.
        fingerprint = certificate.fingerprint(hashes.SHA256())
        cached = self._trusted.get(fingerprint)
        if cached is None:
            cached = (*node_id_of(certificate, self._ca), certificate)
            if len(self._trusted) >= _TRUSTED_MAX:
                self._trusted.clear()
            self._trusted[fingerprint] = cached
        node_id, public_key, certificate = cached
        crl = self._revocations() if self._revocations is not None else None
        check_in_use(certificate, crl)
        return node_id, public_key

    def _record_refusal(self, raw: dict[str, Any], reason: str) -> None:
        # What a refused envelope claims is the sender's text, not ours: kept (and logged)
        # only when it has the form of a node id or a message type, never as written
        # otherwise (it could be anything: control characters, NUL, a 個人番号).
        claimed = _as_written(raw.get("sender"), _NODE_ID)
        message_type = _as_written(raw.get("type"), _MESSAGE_TYPE)
        log.warning(
            "refused message at %s from %s type %s: %s", self.node_id, claimed, message_type, reason
        )
        self.record_refusal(claimed, message_type, reason)

    def record_refusal(self, claimed_sender: str, kind: str, reason: str) -> None:
        """Keep a refused delivery as evidence (msg_refusals): an envelope refused here, or
        a connection refused at this node's TLS port (`network.tls_gate`)."""
        with self.db.session() as session:
            session.execute(
                insert(tables.refusals).values(
                    at=utcnow(), claimed_sender=claimed_sender[:64], type=kind[:64], reason=reason
                )
            )

    def _apply_channel(self, items: list[tuple[int, Envelope]]) -> dict[int, Ack]:
        """Apply one sender's envelopes in one transaction; one by one if that fails."""
        try:
            with self.unit_of_work() as uow:
                return self._apply_in(uow, items)
        except Exception as exc:  # logged without the values it carries (no 個人番号 in logs)
            log.error(
                "batch from %s failed at %s; retrying singly: %s",
                items[0][1].sender,
                self.node_id,
                redacted(exc),
            )
        acks: dict[int, Ack] = {}
        for item in items:
            try:
                with self.unit_of_work() as uow:
                    acks.update(self._apply_in(uow, [item]))
            except Exception as exc:
                acks[item[0]] = Ack(id=item[1].id, status="failed", detail=type(exc).__name__)
        return acks

    def _apply_in(self, uow: UnitOfWork, items: list[tuple[int, Envelope]]) -> dict[int, Ack]:
        sender = items[0][1].sender
        channel = tables.channel_in
        last = uow.session.execute(
            select(channel.c.last_applied_seq).where(channel.c.sender == sender).with_for_update()
        ).scalar()
        if last is None:
            uow.session.execute(insert(channel).values(sender=sender, last_applied_seq=0))
            last = 0
        acks: dict[int, Ack] = {}
        for position, envelope in items:
            if envelope.channel_seq <= last:
                acks[position] = Ack(id=envelope.id, status="duplicate")
                self._record_replay(uow, envelope, last)
            elif envelope.channel_seq == last + 1:
                self._dispatch(uow, envelope)
                last = envelope.channel_seq
                acks[position] = Ack(id=envelope.id, status="applied")
            else:
                acks[position] = Ack(
                    id=envelope.id, status="out_of_order", detail=f"expected {last + 1}"
                )
        uow.session.execute(
            update(channel).where(channel.c.sender == sender).values(last_applied_seq=last)
        )
        return acks

    def _record_replay(self, uow: UnitOfWork, envelope: Envelope, last: int) -> None:
        """An envelope applied before, delivered again (issue #14): a retry after a lost
        acknowledgement, or a captured envelope replayed — they look the same, so each is
        kept, with its sender (verified by now), message id and sequence number, in the
        evidence of refused deliveries and in the audit log for the audit review."""
        uow.session.execute(
            insert(tables.refusals).values(
                at=utcnow(), claimed_sender=envelope.sender[:64], type=tables.REPLAY_TYPE,
                reason=f"{envelope.type} id={envelope.id} seq={envelope.channel_seq}"
                f" (applied up to {last})",
            )
        )  # fmt: skip
        replayed = audit.Access(
            operator=envelope.sender[:40], terminal="住基ネット",
            function=tables.REPLAYED_FUNCTION, targets=(f"message={envelope.id}",),
            purpose="住基ネット電文の受信", result="replayed",
        )  # fmt: skip
        uow.audit(replayed)

    def _dispatch(self, uow: UnitOfWork, envelope: Envelope) -> None:
        uow.session.execute(
            insert(tables.inbox).values(
                sender=envelope.sender,
                channel_seq=envelope.channel_seq,
                message_id=envelope.id,
                type=envelope.type,
                applied_at=utcnow(),
            )
        )
        records = envelope.body.get("records", [])
        self.handlers[envelope.type](uow, envelope, records)
