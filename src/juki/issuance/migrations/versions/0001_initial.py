"""initial: the infrastructure's and the duties' tables (as the other roles reached them
by their migrations), and the カード発行システム's own: its orders

Revision ID: 0001
Revises:
Create Date: 2026-12-08 02:00:00

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
    op.create_table(
        "issuance_orders",
        sa.Column("commission_number", sa.String(length=16), nullable=False),
        sa.Column("application_id", sa.String(length=23), nullable=False),
        sa.Column("lg_code", sa.String(length=6), nullable=False),
        sa.Column("commission_cipher", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("request_id", sa.String(length=40), nullable=True),
        sa.Column("card_issue_number", sa.String(length=16), nullable=True),
        sa.Column("refused_code", sa.String(length=40), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("commission_number"),
        sa.UniqueConstraint("card_issue_number"),
    )
    for column in ("application_id", "status"):
        op.create_index(f"ix_issuance_orders_{column}", "issuance_orders", [column])
    op.create_table(
        "issuance_signers",
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("certificate_pem", sa.Text(), nullable=False),
        sa.Column("pinned_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint"),
    )


def downgrade() -> None:
    op.drop_table("issuance_signers")
    op.drop_table("issuance_orders")
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
