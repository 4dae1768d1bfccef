"""Provision tables as first created, shared by the tiers that provide (national,
prefecture). Frozen here so that both revisions build the same schema."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

COLUMNS = (
    ("operator", sa.String(length=40)),
    ("terminal", sa.String(length=40)),
    ("body_code", sa.String(length=40)),
    ("duty_code", sa.String(length=60)),
    ("legal_basis", sa.String(length=100)),
    ("kind", sa.String(length=12)),
    ("items", sa.Text()),
    ("method", sa.String(length=16)),
    ("targets", sa.Text()),
)


def add_provision_record_columns_v1() -> None:
    with op.batch_alter_table("provision_log") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def drop_provision_record_columns_v1() -> None:
    with op.batch_alter_table("provision_log") as batch:
        for name, _kind in reversed(COLUMNS):
            batch.drop_column(name)


def create_batch_tables_v1() -> None:
    op.create_table(
        "batch_provisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("body_code", sa.String(length=40), nullable=False),
        sa.Column("duty_code", sa.String(length=60), nullable=False),
        sa.Column("conditions", sa.LargeBinary(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("requested_by", sa.String(length=40), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=40), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.LargeBinary(), nullable=True),
        sa.Column("result_sha256", sa.String(length=64), nullable=True),
        sa.Column("records_out", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    create_media_ledger_v1()


def create_media_ledger_v1() -> None:
    """外部媒体使用簿 (`tables.MediaLedger`): on the tiers with 一括提供, and at the card
    system for card information on media."""
    op.create_table(
        "media_ledger",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("body_code", sa.String(length=40), nullable=False),
        sa.Column("operator", sa.String(length=40), nullable=False),
        sa.Column("witness", sa.String(length=40), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_media_ledger_batch_id", "media_ledger", ["batch_id"])


def drop_media_ledger_v1() -> None:
    op.drop_index("ix_media_ledger_batch_id", table_name="media_ledger")
    op.drop_table("media_ledger")


def drop_batch_tables_v1() -> None:
    drop_media_ledger_v1()
    op.drop_table("batch_provisions")
