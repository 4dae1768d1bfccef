"""permit lists sent: what each institution last got of its 照会許可用照合リスト, so that a
changed legal table reaches it

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-08 01:30:00

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
        "infonet_permit_lists_sent",
        sa.Column("institution", sa.String(length=64), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("institution", "row"),
    )


def downgrade() -> None:
    op.drop_table("infonet_permit_lists_sent")
