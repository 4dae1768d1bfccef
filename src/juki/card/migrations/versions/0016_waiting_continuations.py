"""継続利用 reported before the relay of the 転入: kept and taken up when it arrives

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 19:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "card_waiting_continuations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.Column("card_issue_number", sa.String(length=16), nullable=False),
        sa.Column("sender", sa.String(length=64), nullable=False),
        sa.Column("report_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("report_id"),
    )
    op.create_index(
        "ix_card_waiting_continuations_card_issue_number",
        "card_waiting_continuations",
        ["card_issue_number"],
        unique=False,
    )
    op.create_index(
        "ix_card_waiting_continuations_received_at",
        "card_waiting_continuations",
        ["received_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        "ix_card_waiting_continuations_received_at", table_name="card_waiting_continuations"
    )
    op.drop_index(
        "ix_card_waiting_continuations_card_issue_number",
        table_name="card_waiting_continuations",
    )
    op.drop_table("card_waiting_continuations")
