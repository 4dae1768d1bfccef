"""The register entries (台帳・記録簿), present in every node's database. One table for
every kind: what each kind records is its schema in `kinds.py`, checked on every write."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Column, Date, DateTime, Index, Integer, MetaData, String, Table, Text

ledger_metadata = MetaData()

ledger_entries = Table(
    "ledger_entries",
    ledger_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(24), nullable=False),  # kinds.KINDS
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", String(40), nullable=False),
    Column("subject", String(200), nullable=False),  # a line for lists; no personal data
    Column("fields", Text, nullable=False),  # JSON, validated by the kind's schema
    Column("due_on", Date, nullable=True),  # when it must be closed (処理期限), if ever
    Column("status", String(12), nullable=False),  # open | closed
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("closed_by", String(40), nullable=True),
    Column("closing", Text, nullable=True),  # JSON: what closing it recorded
    Index("ix_ledger_entries_kind_status", "kind", "status"),
)


def create_ledger_tables_v1() -> None:
    # Alembic is imported when a revision calls this, not with the module: the CLI imports
    # the live tables above (`juki --help` too) and loads Alembic nowhere else (about
    # 0.5 s, python -X importtime).
    from alembic import op

    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=40), nullable=True),
        sa.Column("closing", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ledger_entries_kind_status", "ledger_entries", ["kind", "status"])


def drop_ledger_tables_v1() -> None:
    from alembic import op  # when a revision calls it, as above

    op.drop_index("ix_ledger_entries_kind_status", table_name="ledger_entries")
    op.drop_table("ledger_entries")
