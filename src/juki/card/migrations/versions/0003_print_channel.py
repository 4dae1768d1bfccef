"""the print contractor's channel (000 §3.3 1-②/③): print batches and their sealed files,
the contractors' staff roster (OUT-02/03), card_file.print_batch_id

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contractor_staff",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=60), nullable=False),
        sa.Column("operator", sa.String(length=40), nullable=False),
        sa.Column("person_name", sa.String(length=100), nullable=False),
        sa.Column("duty", sa.String(length=40), nullable=False),
        sa.Column("added_by", sa.String(length=40), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_by", sa.String(length=40), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contractor_staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contractor_staff_client_id"), ["client_id"])
    op.create_table(
        "print_batches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contractor", sa.String(length=60), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_by", sa.String(length=40), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("contractor_erased_on", sa.Date(), nullable=True),
        sa.Column("contractor_erased_by", sa.String(length=40), nullable=True),
        sa.Column("contractor_erasure_reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("print_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_print_batches_contractor"), ["contractor"])
    op.create_table(
        "print_files",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("card_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("print_batch_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_card_file_print_batch_id"), ["print_batch_id"])


def downgrade() -> None:
    with op.batch_alter_table("card_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_file_print_batch_id"))
        batch_op.drop_column("print_batch_id")
    op.drop_table("print_files")
    with op.batch_alter_table("print_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_print_batches_contractor"))
    op.drop_table("print_batches")
    with op.batch_alter_table("contractor_staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contractor_staff_client_id"))
    op.drop_table("contractor_staff")
