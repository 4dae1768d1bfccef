"""initial: the shared tables (messaging, audit, operators, retention, registers) and File 3

Revision ID: 0001
Revises:
Create Date: 2026-11-23 19:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from juki.core.audit.migrations import create_audit_tables_v1, drop_audit_tables_v1
from juki.core.messaging.migrations import create_messaging_tables_v1, drop_messaging_tables_v1
from juki.duties.ledgers.tables import create_ledger_tables_v1, drop_ledger_tables_v1
from juki.duties.operators.migrations import (
    add_operator_affiliation_v1,
    create_operator_tables_v1,
    drop_operator_affiliation_v1,
    drop_operator_tables_v1,
)
from juki.duties.retention.tables import create_retention_tables_v1, drop_retention_tables_v1

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_messaging_tables_v1()
    create_audit_tables_v1()
    create_operator_tables_v1()
    create_retention_tables_v1()
    add_operator_affiliation_v1()
    create_ledger_tables_v1()
    op.create_table(
        "card_file",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("destination_id", sa.String(length=36), nullable=False),
        sa.Column("lg_code", sa.String(length=6), nullable=False),
        sa.Column("resident_code", sa.String(length=11), nullable=False),
        sa.Column("individual_number_index", sa.String(length=64), nullable=False),
        sa.Column("record_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("application_id", sa.String(length=23), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("invalidated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.Column("applied_on", sa.Date(), nullable=True),
        sa.Column("application_received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("photo_sha256", sa.String(length=64), nullable=True),
        sa.Column("braille", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id"),
        sa.UniqueConstraint("destination_id"),
    )
    with op.batch_alter_table("card_file", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_card_file_individual_number_index"),
            ["individual_number_index"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_card_file_lg_code"), ["lg_code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_card_file_resident_code"), ["resident_code"], unique=False
        )
    op.create_table(
        "exchange_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("counterpart", sa.String(length=64), nullable=False),
        sa.Column("operator", sa.String(length=64), nullable=False),
        sa.Column("terminal", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("result", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("exchange_log")
    with op.batch_alter_table("card_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_file_resident_code"))
        batch_op.drop_index(batch_op.f("ix_card_file_lg_code"))
        batch_op.drop_index(batch_op.f("ix_card_file_individual_number_index"))
    op.drop_table("card_file")
    drop_ledger_tables_v1()
    drop_operator_affiliation_v1()
    drop_retention_tables_v1()
    drop_operator_tables_v1()
    drop_audit_tables_v1()
    drop_messaging_tables_v1()
