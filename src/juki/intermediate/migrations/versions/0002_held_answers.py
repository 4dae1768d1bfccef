"""held answers: the 中間サーバー's queue of answers held for staff review (自動応答不可,
001a NWS-5-3) and each decision

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-08 00:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intermediate_held_answers",
        sa.Column("permit_id", sa.String(length=32), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("atena_id", sa.String(length=16), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("review_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decision", sa.String(length=12), nullable=True),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note_cipher", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("permit_id"),
    )
    for column in ("held_at", "decision"):
        op.create_index(
            f"ix_intermediate_held_answers_{column}", "intermediate_held_answers", [column]
        )


def downgrade() -> None:
    op.drop_table("intermediate_held_answers")
