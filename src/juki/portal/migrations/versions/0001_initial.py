"""initial: the infrastructure's and the duties' tables (as the other roles reached them
by their migrations), and the portal's own: holders, log-ins, records requests

Revision ID: 0001
Revises:
Create Date: 2026-12-08 01:00:00

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
    _create_portal_tables()


def _create_portal_tables() -> None:
    op.create_table(
        "portal_holders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("fugo", sa.String(length=32), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fugo"),
    )
    op.create_table(
        "portal_logins",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("challenge", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.Column("holder_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["holder_id"], ["portal_holders.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("status", "expires_at"):
        op.create_index(f"ix_portal_logins_{column}", "portal_logins", [column])
    op.create_table(
        "portal_records_requests",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer_cipher", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["holder_id"], ["portal_holders.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("holder_id", "asked_at"):
        op.create_index(f"ix_portal_records_requests_{column}", "portal_records_requests", [column])


def downgrade() -> None:
    op.drop_table("portal_records_requests")
    op.drop_table("portal_logins")
    op.drop_table("portal_holders")
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
