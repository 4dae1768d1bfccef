"""the fee (手数料) recorded with each certificate issued, and whether a copy made for a
kiosk (コンビニ交付) was handed over

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 22:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("certificate_issues") as batch:
        batch.add_column(sa.Column("fee_yen", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("delivery", sa.String(length=12), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("certificate_issues") as batch:
        batch.drop_column("delivery")
        batch.drop_column("fee_yen")
