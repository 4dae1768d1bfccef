"""交付申請書の再発行 (000 P3.4, F3-ACQ-06): card_file.reissue_of, the 申請書ID a form reissued
at the municipality's counter replaces (unique: each invalid form is replaced once)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("card_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reissue_of", sa.String(length=23), nullable=True))
        batch_op.create_index(batch_op.f("ix_card_file_reissue_of"), ["reissue_of"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("card_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_file_reissue_of"))
        batch_op.drop_column("reissue_of")
