"""The register's connection to its institution's 団体内統合宛名システム (issue #16)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 21:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "atena_connection",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("connected_by", sa.String(length=40), nullable=False),
        sa.Column("persons_sent", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("atena_connection")
