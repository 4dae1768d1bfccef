"""The cards the issuance contractor shipped to the municipality (000 C22), kept sealed
until each is handed over

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 02:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "card_shipments",
        sa.Column("card_issue_number", sa.String(length=16), nullable=False),
        sa.Column("application_id", sa.String(length=23), nullable=False),
        sa.Column("commission_number", sa.String(length=16), nullable=False),
        sa.Column("chip_cipher", sa.LargeBinary(), nullable=True),
        sa.Column("shipped_on", sa.Date(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("given_by", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("card_issue_number"),
    )
    # Cards the register held before shipments were recorded arrived with no chip record:
    # each gets a row without a chip, so 交付前設定 is not refused for them (and no chip
    # is given for them).
    cards = sa.table(
        "my_number_cards", sa.column("card_issue_number"), sa.column("application_id"),
        sa.column("received_at", sa.DateTime(timezone=True)),
    )  # fmt: skip
    shipments = sa.table(
        "card_shipments", sa.column("card_issue_number"), sa.column("application_id"),
        sa.column("commission_number"), sa.column("shipped_on"), sa.column("received_at"),
    )  # fmt: skip
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(cards.c.card_issue_number, cards.c.application_id, cards.c.received_at)
    ).all()
    for number, application_id, received_at in rows:
        bind.execute(
            shipments.insert().values(
                card_issue_number=number, application_id=application_id,
                commission_number="0" * 16, shipped_on=received_at.date(),
                received_at=received_at,
            )
        )  # fmt: skip


def downgrade() -> None:
    op.drop_table("card_shipments")
