"""送付先情報 extracted for the card management system, and its receipt (001a §3.7 7-①)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 19:50:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "destination_extracts",
        sa.Column("destination_id", sa.String(length=36), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("refused_by", sa.String(length=8), nullable=True),
        sa.Column("error_code", sa.String(length=60), nullable=True),
        sa.Column("error_field", sa.String(length=60), nullable=True),
        sa.Column("extracted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("operator_id", sa.String(length=40), nullable=False),
        sa.Column("terminal_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"]),
        sa.PrimaryKeyConstraint("destination_id"),
    )
    with op.batch_alter_table("destination_extracts") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_destination_extracts_resident_id"), ["resident_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_destination_extracts_status"), ["status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_destination_extracts_extracted_at"), ["extracted_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("destination_extracts")
