"""number notices: the record of each 個人番号 relayed to a mayor, refusals included

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 17:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """000 F1-PRV-01: 個人番号の通知の記録, and the operator kept with each pending request."""
    op.create_table(
        "number_notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("lg_code", sa.String(length=6), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("operator", sa.String(length=64), nullable=False),
        sa.Column("terminal", sa.String(length=64), nullable=False),
        sa.Column("resident_code", sa.String(length=11), nullable=False),
        sa.Column("refused_reason", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pending_number_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("operator", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pending_number_requests", schema=None) as batch_op:
        batch_op.drop_column("operator")
    op.drop_table("number_notices")
