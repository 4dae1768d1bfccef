"""更新: when J-LIS told the mayor a card expires soon, and the card a renewal form renews

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 19:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("card_file") as batch:
        batch.add_column(sa.Column("renewal_notified_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("renewal_of", sa.String(length=23), nullable=True))
        batch.create_index("ix_card_file_renewal_of", ["renewal_of"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("card_file") as batch:
        batch.drop_index("ix_card_file_renewal_of")
        batch.drop_column("renewal_of")
        batch.drop_column("renewal_notified_on")
