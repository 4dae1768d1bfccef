"""operators: personal accounts, second factors and rights per duty replace the clerks table

The old `clerks` rows (password only, role logins such as kakari/kanri) are not carried
over: they were neither personal nor two-factor. `juki up` creates named accounts again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 08:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from juki.duties.operators.migrations import create_operator_tables_v1, drop_operator_tables_v1

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_operator_tables_v1()
    op.drop_table("clerks")


def downgrade() -> None:
    op.create_table(
        "clerks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("login", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("login"),
    )
    drop_operator_tables_v1()
