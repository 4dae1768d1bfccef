"""card_pending_changes: changes relayed for a person whose 送付先情報 has not arrived yet,
kept and applied when it does (000 P3.4)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 20:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "card_pending_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("update_id", sa.String(length=36), nullable=False),
        sa.Column("resident_code", sa.String(length=11), nullable=False),
        sa.Column("record_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("update_id"),
    )
    op.create_index(
        "ix_card_pending_changes_resident_code", "card_pending_changes", ["resident_code"]
    )
    op.create_index("ix_card_pending_changes_received_at", "card_pending_changes", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_card_pending_changes_received_at", table_name="card_pending_changes")
    op.drop_index("ix_card_pending_changes_resident_code", table_name="card_pending_changes")
    op.drop_table("card_pending_changes")
