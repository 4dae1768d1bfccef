"""initial: the infrastructure's and the duties' tables (as the other roles reached them
by their migrations), and the 団体内統合宛名システム's own: persons and business systems' 宛名番号

Revision ID: 0001
Revises:
Create Date: 2026-12-07 20:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from juki.core.audit.migrations import create_audit_tables_v1, drop_audit_tables_v1
from juki.core.messaging.migrations import create_messaging_tables_v1, drop_messaging_tables_v1
from juki.duties.ledgers.tables import create_ledger_tables_v1, drop_ledger_tables_v1
from juki.duties.operators.migrations import (
    add_api_token_checks_v1,
    add_operator_affiliation_v1,
    add_right_application_ref_v1,
    add_second_factor_failures_v1,
    create_console_sessions_v1,
    create_operator_tables_v1,
    drop_api_token_checks_v1,
    drop_console_sessions_v1,
    drop_operator_affiliation_v1,
    drop_operator_tables_v1,
    drop_right_application_ref_v1,
    drop_second_factor_failures_v1,
)
from juki.duties.retention.tables import create_retention_tables_v1, drop_retention_tables_v1

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_messaging_tables_v1()
    create_audit_tables_v1()
    create_operator_tables_v1()
    create_retention_tables_v1()
    add_operator_affiliation_v1()
    create_ledger_tables_v1()
    add_right_application_ref_v1()
    add_second_factor_failures_v1()
    create_console_sessions_v1()
    add_api_token_checks_v1()
    _create_atena_tables()


def _create_atena_tables() -> None:
    op.create_table(
        "atena_persons",
        sa.Column("atena_id", sa.String(length=16), nullable=False),
        sa.Column("individual_number_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("individual_number_index", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("fugo_asked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("atena_id"),
        sa.UniqueConstraint("individual_number_index"),
    )
    op.create_table(
        "atena_system_links",
        sa.Column("system", sa.String(length=20), nullable=False),
        sa.Column("addressee_id", sa.Integer(), nullable=False),
        sa.Column("atena_id", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("system", "addressee_id"),
    )
    op.create_index("ix_atena_system_links_atena_id", "atena_system_links", ["atena_id"])


def downgrade() -> None:
    op.drop_table("atena_system_links")
    op.drop_table("atena_persons")
    drop_api_token_checks_v1()
    drop_console_sessions_v1()
    drop_second_factor_failures_v1()
    drop_right_application_ref_v1()
    drop_ledger_tables_v1()
    drop_operator_affiliation_v1()
    drop_retention_tables_v1()
    drop_operator_tables_v1()
    drop_audit_tables_v1()
    drop_messaging_tables_v1()
