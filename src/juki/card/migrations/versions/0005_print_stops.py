"""print stops (印刷停止): card_file.print_stop_acknowledged_at, when the print contractor
acknowledged that a form invalidated after it was sent must not be mailed

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("card_file", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("print_stop_acknowledged_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("card_file", schema=None) as batch_op:
        batch_op.drop_column("print_stop_acknowledged_at")
