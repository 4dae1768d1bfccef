"""fukuhon checks: the comparison of the 副本 with the business system's originals
(001a NWS-7-3) and each person's result

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08 01:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intermediate_fukuhon_checks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("asked_by", sa.String(length=120), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("originals", sa.Integer(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_intermediate_fukuhon_checks_asked_at", "intermediate_fukuhon_checks", ["asked_at"]
    )
    op.create_table(
        "intermediate_fukuhon_check_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("check_id", sa.String(length=32), nullable=False),
        sa.Column("atena_id", sa.String(length=16), nullable=True),
        sa.Column("result", sa.String(length=12), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_intermediate_fukuhon_check_items_check_id",
        "intermediate_fukuhon_check_items",
        ["check_id"],
    )


def downgrade() -> None:
    op.drop_table("intermediate_fukuhon_check_items")
    op.drop_table("intermediate_fukuhon_checks")
