"""File 3's index of the 4情報 (the call centre's identity confirmation, 000 P3.2/P3.3),
filled for the records already held

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 22:00:00

"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from juki.card.identity import of_record
from juki.core.crypto import sealed_label
from juki.core.sealed import field_keys_of

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CARD_FILE = sa.table(
    "card_file", sa.column("id"), sa.column("record_cipher"), sa.column("four_items_index")
)


def upgrade() -> None:
    with op.batch_alter_table("card_file") as batch:
        batch.add_column(sa.Column("four_items_index", sa.String(length=64), nullable=True))
        batch.create_index("ix_card_file_four_items_index", ["four_items_index"], unique=False)
    bind = op.get_bind()
    rows = bind.execute(sa.select(CARD_FILE.c.id, CARD_FILE.c.record_cipher)).all()
    if not rows:
        return
    keys = field_keys_of(bind.dialect)
    column = sealed_label("card_record")
    for row_id, cipher in rows:
        record = json.loads(keys.decrypt(cipher, column=column))
        bind.execute(
            CARD_FILE.update()
            .where(CARD_FILE.c.id == row_id)
            .values(four_items_index=of_record(keys, record))
        )


def downgrade() -> None:
    with op.batch_alter_table("card_file") as batch:
        batch.drop_index("ix_card_file_four_items_index")
        batch.drop_column("four_items_index")
