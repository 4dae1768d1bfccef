"""交付申請書の再発行 (000 P3.4, F3-ACQ-06): destination_extracts.kind (notice | reissue) and
the new 申請書ID the card system answers a reissue with

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("destination_extracts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="notice", nullable=False)
        )
        batch_op.add_column(sa.Column("application_id", sa.String(length=23), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("destination_extracts", schema=None) as batch_op:
        batch_op.drop_column("application_id")
        batch_op.drop_column("kind")
