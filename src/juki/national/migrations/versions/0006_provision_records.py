"""provision records: who, for which body and duty under which article, which items, how

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 09:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("operator", sa.String(length=40)),
    ("terminal", sa.String(length=40)),
    ("body_code", sa.String(length=40)),
    ("duty_code", sa.String(length=60)),
    ("legal_basis", sa.String(length=100)),
    ("kind", sa.String(length=12)),
    ("items", sa.Text()),
    ("method", sa.String(length=16)),
    ("targets", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("provision_log") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("provision_log") as batch:
        for name, _kind in reversed(COLUMNS):
            batch.drop_column(name)
