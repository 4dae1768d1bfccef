"""The chip written again (a PIN reset, a card face changed), and a card 本人確認 used
once for a 特例転入, with the card's number and J-LIS's answer on its use

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 19:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chip_rewrite_requests",
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("card_issue_number", sa.String(length=16), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=40), nullable=False),
        sa.Column("terminal_id", sa.String(length=40), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refused_reason", sa.String(length=100), nullable=True),
        sa.Column("chip_cipher", sa.LargeBinary(), nullable=True),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("given_by", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("request_id"),
    )
    op.create_index(
        "ix_chip_rewrite_requests_card_issue_number",
        "chip_rewrite_requests",
        ["card_issue_number"],
        unique=False,
    )
    op.create_index(
        "ix_chip_rewrite_requests_requested_at",
        "chip_rewrite_requests",
        ["requested_at"],
        unique=False,
    )
    with op.batch_alter_table("identity_confirmations") as batch:
        batch.add_column(sa.Column("used_by", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("card_issue_number", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("card_status", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("identity_confirmations") as batch:
        batch.drop_column("card_status")
        batch.drop_column("card_issue_number")
        batch.drop_column("used_by")
    op.drop_index("ix_chip_rewrite_requests_requested_at", table_name="chip_rewrite_requests")
    op.drop_index("ix_chip_rewrite_requests_card_issue_number", table_name="chip_rewrite_requests")
    op.drop_table("chip_rewrite_requests")
