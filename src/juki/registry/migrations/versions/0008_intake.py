"""intake: the 届出受付記録 (notifier, ID document, power of attorney, slip reference) and
the 個人番号の真正性確認 asked through the CS (number_checks)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 17:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intake_records",
        sa.Column("intake_id", sa.String(length=36), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("notifier", sa.String(length=8), nullable=False),
        sa.Column("id_document", sa.String(length=40), nullable=False),
        sa.Column("proxy_letter_checked", sa.Boolean(), nullable=False),
        sa.Column("slip_reference", sa.String(length=40), nullable=True),
        sa.Column("operator_id", sa.String(length=40), nullable=False),
        sa.Column("terminal_id", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("intake_id"),
    )
    op.create_index("ix_intake_records_received_at", "intake_records", ["received_at"])
    op.add_column("resident_events", sa.Column("intake_id", sa.String(length=36), nullable=True))
    op.create_table(
        "number_checks",
        sa.Column("check_id", sa.String(length=36), nullable=False),
        sa.Column("resident_code", sa.String(length=11), nullable=False),
        sa.Column("individual_number_index", sa.String(length=64), nullable=False),
        sa.Column("requested_by", sa.String(length=40), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("check_id"),
    )
    op.create_index("ix_number_checks_requested_at", "number_checks", ["requested_at"])
    op.create_index("ix_resident_events_intake_id", "resident_events", ["intake_id"])


def downgrade() -> None:
    op.drop_index("ix_number_checks_requested_at", table_name="number_checks")
    op.drop_table("number_checks")
    op.drop_index("ix_resident_events_intake_id", table_name="resident_events")
    with op.batch_alter_table("resident_events") as batch:
        batch.drop_column("intake_id")
    op.drop_index("ix_intake_records_received_at", table_name="intake_records")
    op.drop_table("intake_records")
