"""Messaging tables present in every node's database (created by each role's migrations)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

messaging_metadata = MetaData()

# Outgoing messages, written in the same transaction as the change they report.
outbox = Table(
    "msg_outbox",
    messaging_metadata,
    Column("id", String(36), primary_key=True),
    Column("recipient", String(64), nullable=False),
    Column("channel_seq", BigInteger, nullable=False),
    Column("type", String(64), nullable=False),
    Column("envelope", LargeBinary, nullable=False),  # the signed wire form
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("acked_at", DateTime(timezone=True)),
    Column("last_error", String(200)),
    Index("ix_msg_outbox_pending", "acked_at", "recipient", "channel_seq"),
    Index("uq_msg_outbox_channel", "recipient", "channel_seq", unique=True),
)

# Next sequence number per outgoing channel (this node -> recipient).
channel_out = Table(
    "msg_channel_out",
    messaging_metadata,
    Column("recipient", String(64), primary_key=True),
    Column("last_seq", BigInteger, nullable=False),
)

# Last applied sequence number per incoming channel (sender -> this node).
channel_in = Table(
    "msg_channel_in",
    messaging_metadata,
    Column("sender", String(64), primary_key=True),
    Column("last_applied_seq", BigInteger, nullable=False),
)

# Every applied message, keyed by sender + sequence: the exactly-once record.
inbox = Table(
    "msg_inbox",
    messaging_metadata,
    Column("sender", String(64), primary_key=True),
    Column("channel_seq", BigInteger, primary_key=True),
    Column("message_id", String(36), nullable=False, unique=True),
    Column("type", String(64), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

# msg_refusals.type of a connection refused at a node process's TLS port (network.tls_gate)
REFUSAL_TYPE = "tls_handshake"
# An envelope delivered again after it was applied (issue #14): kept, though not refused.
REPLAY_TYPE = "replayed_envelope"
REPLAYED_FUNCTION = "messages.replayed"  # its audit entry's function

# Refused deliveries (bad signature, foreign certificate, off-path), kept as evidence.
refusals = Table(
    "msg_refusals",
    messaging_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("claimed_sender", String(64)),
    Column("type", String(64)),
    Column("reason", Text, nullable=False),
)
