"""batch provisions under two-person control, and the media ledger

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 10:00:00

"""

from collections.abc import Sequence

from juki.duties.provision.migrations import create_batch_tables_v1, drop_batch_tables_v1

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_batch_tables_v1()


def downgrade() -> None:
    drop_batch_tables_v1()
