"""retention: the erasure history (消去履歴) of the purge job

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 09:10:00

"""

from collections.abc import Sequence

from juki.duties.retention.tables import create_retention_tables_v1, drop_retention_tables_v1

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_retention_tables_v1()


def downgrade() -> None:
    drop_retention_tables_v1()
