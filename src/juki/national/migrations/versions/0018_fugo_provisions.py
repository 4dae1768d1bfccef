"""住民票コード given to the information-provision network for 符号, and every code given
(issue #16; 000 P2.3, Appendix C 7)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 21:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fugo_provisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("serial", sa.String(length=32), nullable=False),
        sa.Column("institution", sa.String(length=64), nullable=False),
        sa.Column("requester", sa.String(length=64), nullable=False),
        sa.Column("resident_code", sa.String(length=11), nullable=True),
        sa.Column("refused_reason", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_fugo_provisions_at", "fugo_provisions", ["at"])
    op.create_table(
        "fugo_notified_codes",
        sa.Column("resident_code", sa.String(length=11), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("resident_code"),
    )


def downgrade() -> None:
    op.drop_table("fugo_notified_codes")
    op.drop_table("fugo_provisions")
