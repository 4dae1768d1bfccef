"""exchange_log.key indexed: the console's 申請状況照会 reads a form's history by 申請書ID

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 14:00:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("exchange_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_log_key"), ["key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("exchange_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_log_key"))
