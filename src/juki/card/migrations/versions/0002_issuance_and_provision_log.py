"""card issuance results (1-⑨) and the provision record to mayors (F3-PRV-01)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 20:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from juki.duties.provision.migrations import (
    add_provision_record_columns_v1,
    drop_provision_record_columns_v1,
)

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("card_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("card_issue_number", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("expires_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_card_file_card_issue_number"), ["card_issue_number"], unique=True
        )
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


def downgrade() -> None:
    drop_provision_record_columns_v1()
    op.drop_table("provision_log")
    with op.batch_alter_table("card_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_file_card_issue_number"))
        batch_op.drop_column("issued_at")
        batch_op.drop_column("expires_on")
        batch_op.drop_column("card_issue_number")
