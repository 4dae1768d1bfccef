"""The audit tables, present in every node's database (each role's migrations create them
with `migrations.create_audit_tables_v1`)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, DateTime, MetaData, String, Table, Text

audit_metadata = MetaData()

# One row per access, in order; `hash` chains it to the row before (SHA-256 over the
# previous hash and this row's fields), so a changed, removed or reordered row shows.
audit_log = Table(
    "audit_log",
    audit_metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("operator", String(40), nullable=False),
    Column("terminal", String(40), nullable=False),
    Column("function", String(64), nullable=False),
    Column("targets", Text, nullable=False),  # keys touched (宛名番号 …), never 個人番号
    Column("purpose", String(100), nullable=False),
    Column("result", String(16), nullable=False),
    Column("number_touched", Boolean, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# Signed checkpoints: the node signs the chain's head now and then, so that cutting rows
# off the end (which a chain alone cannot show) is found too.
audit_checkpoints = Table(
    "audit_checkpoints",
    audit_metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
    Column("signature", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
