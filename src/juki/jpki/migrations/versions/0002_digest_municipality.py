"""the municipality of each person's latest record, beside the keyed 4情報 digest (a card's
継続利用 may move its certificates only there)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 23:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jpki_identity_digests") as batch:
        batch.add_column(sa.Column("lg_code", sa.String(length=6), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jpki_identity_digests") as batch:
        batch.drop_column("lg_code")
