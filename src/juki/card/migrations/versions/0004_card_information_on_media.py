"""個人番号カード管理情報 on electronic media (000 F3-PRV-03/04): media provisions, the
media ledger, handovers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 23:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from juki.duties.provision.migrations import create_media_ledger_v1, drop_media_ledger_v1

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media_provisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("lg_code", sa.String(length=6), nullable=False),
        sa.Column("issued_from", sa.Date(), nullable=False),
        sa.Column("issued_until", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=40), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=40), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sealed", sa.LargeBinary(), nullable=True),
        sa.Column("sealed_sha256", sa.String(length=64), nullable=True),
        sa.Column("records_out", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    create_media_ledger_v1()
    op.create_table(
        "media_handovers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ledger_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handed_by", sa.String(length=40), nullable=False),
        sa.Column("received_by", sa.String(length=80), nullable=False),
        sa.Column("witnesses", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_media_handovers_ledger_id", "media_handovers", ["ledger_id"])


def downgrade() -> None:
    op.drop_index("ix_media_handovers_ledger_id", table_name="media_handovers")
    op.drop_table("media_handovers")
    drop_media_ledger_v1()
    op.drop_table("media_provisions")
