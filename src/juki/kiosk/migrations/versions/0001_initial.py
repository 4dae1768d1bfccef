"""initial: the infrastructure's and the duties' tables (as the other roles reached them
by their migrations), and the 証明書交付センター's own: its kiosk sessions

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
    _create_kiosk_tables()


def _create_kiosk_tables() -> None:
    op.create_table(
        "kiosk_sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("client_id", sa.String(length=80), nullable=False),
        sa.Column("terminal_id", sa.String(length=40), nullable=False),
        sa.Column("terminal_key", sa.String(length=44), nullable=False),
        sa.Column("challenge", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=True),
        sa.Column("scope", sa.String(length=10), nullable=True),
        sa.Column("include_individual_number", sa.Boolean(), nullable=False),
        sa.Column("include_domicile", sa.Boolean(), nullable=False),
        sa.Column("lg_code", sa.String(length=6), nullable=True),
        sa.Column("refused_code", sa.String(length=40), nullable=True),
        sa.Column("refused_reason", sa.String(length=200), nullable=True),
        sa.Column("issue_no", sa.String(length=20), nullable=True),
        sa.Column("fee_yen", sa.Integer(), nullable=True),
        sa.Column("sealed_pdf", sa.Text(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("client_id", "status", "expires_at"):
        op.create_index(f"ix_kiosk_sessions_{column}", "kiosk_sessions", [column])


def downgrade() -> None:
    op.drop_table("kiosk_sessions")
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
