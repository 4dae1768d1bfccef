"""電子証明書の発行申請 made at the counter and JPKI's answers; who last reported on a card;
the identity check made at each card's 交付

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 21:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("my_number_cards") as batch:
        batch.add_column(sa.Column("reported_by", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("reported_at_terminal", sa.String(length=40), nullable=True))
    op.create_table(
        "certificate_applications",
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("sign_certificate_cipher", sa.LargeBinary(), nullable=True),
        sa.Column("auth_certificate", sa.Text(), nullable=True),
        sa.Column("refused_field", sa.String(length=40), nullable=True),
        sa.Column("refused_reason", sa.String(length=200), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("operator_id", sa.String(length=40), nullable=False),
        sa.Column("terminal_id", sa.String(length=40), nullable=False),
        sa.Column("id_document", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["card_id"], ["my_number_cards.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("request_id"),
    )
    op.create_index("ix_certificate_applications_card_id", "certificate_applications", ["card_id"])
    op.create_table(
        "card_handovers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("id_document", sa.String(length=40), nullable=False),
        sa.Column("face_matched", sa.Boolean(), nullable=False),
        sa.Column("notice_presented", sa.Boolean(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator_id", sa.String(length=40), nullable=False),
        sa.Column("terminal_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["card_id"], ["my_number_cards.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_card_handovers_card_id", "card_handovers", ["card_id"])


def downgrade() -> None:
    op.drop_table("card_handovers")
    op.drop_table("certificate_applications")
    with op.batch_alter_table("my_number_cards") as batch:
        batch.drop_column("reported_at_terminal")
        batch.drop_column("reported_by")
