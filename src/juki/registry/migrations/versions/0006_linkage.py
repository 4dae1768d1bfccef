"""linkage: the 庁内連携 record (linkage_log)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 12:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "linkage_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("section_code", sa.String(length=40), nullable=False),
        sa.Column("approval_no", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=True),
        sa.Column("legal_basis", sa.String(length=100), nullable=True),
        sa.Column("items", sa.String(length=1000), nullable=False),
        sa.Column("persons", sa.Text(), nullable=False),
        sa.Column("operator", sa.String(length=40), nullable=False),
        sa.Column("terminal", sa.String(length=40), nullable=False),
        sa.Column("refused_reason", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_linkage_log_at", "linkage_log", ["at"])
    op.create_index("ix_linkage_log_section_code", "linkage_log", ["section_code"])


def downgrade() -> None:
    op.drop_index("ix_linkage_log_section_code", table_name="linkage_log")
    op.drop_index("ix_linkage_log_at", table_name="linkage_log")
    op.drop_table("linkage_log")
