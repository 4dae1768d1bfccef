"""provision log (提供記録, 5 years) and bulk outputs of the CS

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 17:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from juki.duties.provision.migrations import add_provision_record_columns_v1

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The tiers' provision_log as first created, then the provision-record columns.
    op.create_table(
        "provision_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requester", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("key_kind", sa.String(length=16), nullable=False),
        sa.Column("result_count", sa.Integer(), nullable=False),
        sa.Column("refused_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    add_provision_record_columns_v1()
    op.create_table(
        "bulk_outputs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("address_prefix", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.String(length=40), nullable=False),
        sa.Column("requested_via", sa.String(length=60), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=40), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("written_records", sa.Integer(), nullable=True),
        sa.Column("media_id", sa.String(length=40), nullable=True),
        sa.Column("witness", sa.String(length=40), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("bulk_outputs")
    op.drop_table("provision_log")
