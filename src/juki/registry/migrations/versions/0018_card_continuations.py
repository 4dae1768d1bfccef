"""継続利用 of cards brought by holders who moved in (001a §3.3 3-⑥)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 23:00:00

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
        "card_continuations",
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("card_issue_number", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("refused_reason", sa.String(length=200), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("operator_id", sa.String(length=40), nullable=False),
        sa.Column("terminal_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"]),
        sa.PrimaryKeyConstraint("report_id"),
    )
    op.create_index("ix_card_continuations_resident_id", "card_continuations", ["resident_id"])
    op.create_index(
        "ix_card_continuations_card_issue_number", "card_continuations", ["card_issue_number"]
    )


def downgrade() -> None:
    op.drop_table("card_continuations")
