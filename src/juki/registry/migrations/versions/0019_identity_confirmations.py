"""本人確認 with the card: the 住民票コード checked at the national server and its answer
(001a §3.5)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 23:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identity_confirmations",
        sa.Column("check_id", sa.String(length=36), nullable=False),
        sa.Column("resident_code", sa.String(length=11), nullable=False),
        sa.Column("requested_by", sa.String(length=40), nullable=False),
        sa.Column("terminal_id", sa.String(length=40), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answer_cipher", sa.LargeBinary(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("check_id"),
    )
    op.create_index(
        "ix_identity_confirmations_requested_at", "identity_confirmations", ["requested_at"]
    )


def downgrade() -> None:
    op.drop_table("identity_confirmations")
