"""個人番号カード reported by J-LIS's card management system, to be handed over (000 1-⑪)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 20:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "my_number_cards",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("info_id", sa.String(length=36), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.String(length=23), nullable=False),
        sa.Column("card_issue_number", sa.String(length=16), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("card_issue_number"),
        sa.UniqueConstraint("info_id"),
    )
    with op.batch_alter_table("my_number_cards") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_my_number_cards_resident_id"), ["resident_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("my_number_cards")
