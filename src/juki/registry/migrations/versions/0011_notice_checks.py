"""notice checks: 届出点検 (001a ACQ-1-3; 001b C-01) — the municipality's setting and the
届出 entered and waiting for a second person's check

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notice_check_settings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("changed_by", sa.String(length=40), nullable=False),
        sa.Column("terminal_id", sa.String(length=40), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "pending_notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("payload_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("number_entered", sa.Boolean(), nullable=False),
        sa.Column("intake_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("entered_by", sa.String(length=40), nullable=False),
        sa.Column("entered_terminal", sa.String(length=40), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=40), nullable=True),
        sa.Column("decided_terminal", sa.String(length=40), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason_cipher", sa.LargeBinary(), nullable=True),
        sa.Column("update_ids", sa.String(length=2000), nullable=False),
        sa.Column("resident_ids", sa.String(length=1000), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pending_notices_resident_id", "pending_notices", ["resident_id"])
    op.create_index("ix_pending_notices_status", "pending_notices", ["status"])


def downgrade() -> None:
    op.drop_index("ix_pending_notices_status", table_name="pending_notices")
    op.drop_index("ix_pending_notices_resident_id", table_name="pending_notices")
    op.drop_table("pending_notices")
    op.drop_table("notice_check_settings")
