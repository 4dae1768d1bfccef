"""File 3's issuance commission and result (000 §4.3 items 75–82, 90–94, 108, 111,
112–115), the
application's linkage, braille name and images (66–67, 69–70, 73–74), and J-LIS's 券面事項
signer

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 01:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("commission_number", sa.String(length=16)),
    ("contractor_code", sa.String(length=40)),
    ("commission_command", sa.String(length=8)),
    ("commissioned_expiry", sa.Date()),
    ("commissioned_at", sa.DateTime(timezone=True)),
    ("request_id", sa.String(length=40)),
    ("made_operator", sa.String(length=40)),
    ("made_terminal", sa.String(length=40)),
    ("result_code", sa.String(length=2)),
    ("juki_ap_id", sa.String(length=32)),
    ("crypto_id", sa.String(length=32)),
    ("manufacturer_id", sa.String(length=32)),
    ("card_image_number", sa.String(length=32)),
    ("braille_kana_cipher", sa.LargeBinary()),
    ("linkage_number", sa.String(length=20)),
    ("receipt_contractor", sa.String(length=64)),
    ("source_lg_code", sa.String(length=6)),
    ("change_reason", sa.String(length=20)),
    ("change_date", sa.Date()),
    ("moved_in_on", sa.Date()),
    ("previous_lg_code", sa.String(length=6)),
)


def upgrade() -> None:
    with op.batch_alter_table("card_file") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
        batch.create_unique_constraint("uq_card_file_commission_number", ["commission_number"])
    op.create_table(
        "card_application_images",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("face_photo_cipher", sa.LargeBinary(), nullable=True),
        sa.Column("form_image_cipher", sa.LargeBinary(), nullable=True),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["card_file.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("entry_id"),
    )
    op.create_table(
        "card_signers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("private_key_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("certificate_pem", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("card_signers")
    op.drop_table("card_application_images")
    with op.batch_alter_table("card_file") as batch:
        batch.drop_constraint("uq_card_file_commission_number", type_="unique")
        for name, _kind in reversed(COLUMNS):
            batch.drop_column(name)
