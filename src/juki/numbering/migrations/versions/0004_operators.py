"""operators: personal accounts, second factors and rights per duty

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 08:00:00

"""

from collections.abc import Sequence

from juki.duties.operators.migrations import create_operator_tables_v1, drop_operator_tables_v1

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_operator_tables_v1()


def downgrade() -> None:
    drop_operator_tables_v1()
