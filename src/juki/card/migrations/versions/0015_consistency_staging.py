"""File 3 in 整合: the staging table for a CS's 整合 data sent in parts

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 03:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consistency_staging",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("check_id", sa.String(length=36), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("records_cipher", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_consistency_staging_check_id", "consistency_staging", ["check_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_consistency_staging_check_id", table_name="consistency_staging")
    op.drop_table("consistency_staging")
