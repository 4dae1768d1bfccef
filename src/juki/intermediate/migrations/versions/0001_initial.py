"""initial: the infrastructure's and the duties' tables (as the other roles reached them
by their migrations), and the 中間サーバー's own: 符号, outstanding 処理通番 and their events

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
    _create_intermediate_tables()


def _create_intermediate_tables() -> None:
    op.create_table(
        "intermediate_fugo",
        sa.Column("atena_id", sa.String(length=16), nullable=False),
        sa.Column("fugo", sa.String(length=32), nullable=False),
        sa.Column("bound_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rekeyed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("atena_id"),
        sa.UniqueConstraint("fugo"),
    )
    op.create_table(
        "intermediate_fugo_requests",
        sa.Column("serial", sa.String(length=32), nullable=False),
        sa.Column("atena_id", sa.String(length=16), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("serial"),
    )
    for column in ("atena_id", "expires_at"):
        op.create_index(
            f"ix_intermediate_fugo_requests_{column}", "intermediate_fugo_requests", [column]
        )
    op.create_table(
        "intermediate_fugo_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("serial", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_intermediate_fugo_events_at", "intermediate_fugo_events", ["at"])
    op.create_table(
        "intermediate_fukuhon",
        sa.Column("atena_id", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("data_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("hold", sa.Boolean(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("atena_id", "kind"),
    )
    op.create_table(
        "intermediate_permit_list",
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("requester", sa.String(length=200), nullable=False),
        sa.Column("task", sa.Text(), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("row"),
    )
    op.create_table(
        "intermediate_provision_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("side", sa.String(length=10), nullable=False),
        sa.Column("query_id", sa.String(length=32), nullable=True),
        sa.Column("permit_id", sa.String(length=32), nullable=True),
        sa.Column("other", sa.String(length=64), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("task", sa.Text(), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("atena_id", sa.String(length=16), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("sealed", sa.Text(), nullable=True),
        sa.Column("asked_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("query_id"),
    )
    for column in ("permit_id", "atena_id", "asked_at"):
        op.create_index(
            f"ix_intermediate_provision_log_{column}", "intermediate_provision_log", [column]
        )


def downgrade() -> None:
    op.drop_table("intermediate_provision_log")
    op.drop_table("intermediate_permit_list")
    op.drop_table("intermediate_fukuhon")
    op.drop_table("intermediate_fugo_events")
    op.drop_table("intermediate_fugo_requests")
    op.drop_table("intermediate_fugo")
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
