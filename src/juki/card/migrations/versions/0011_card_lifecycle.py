"""card_file: the card ledger's dates and reasons (items 98-102); card_events: the history
of every state change (000 §3.3 card lifecycle)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 19:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEDGER = (
    ("suspended_on", sa.Date()),
    ("suspension_reason", sa.String(length=200)),
    ("abolished_on", sa.Date()),
    ("abolition_reason", sa.String(length=200)),
    ("collected_on", sa.Date()),
)


def upgrade() -> None:
    with op.batch_alter_table("card_file") as batch:
        for name, kind in LEDGER:
            batch.add_column(sa.Column(name, kind, nullable=True))
    op.create_table(
        "card_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=24), nullable=False),
        sa.Column("to_state", sa.String(length=24), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["card_file.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_card_events_entry_id", "card_events", ["entry_id"])


def downgrade() -> None:
    op.drop_index("ix_card_events_entry_id", table_name="card_events")
    op.drop_table("card_events")
    with op.batch_alter_table("card_file") as batch:
        for name, _kind in reversed(LEDGER):
            batch.drop_column(name)
