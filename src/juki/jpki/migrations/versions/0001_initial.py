"""initial: the infrastructure's and the duties' tables (as the other roles reached them
by their migrations), and JPKI's own: its authorities, certificates and status history

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
    _create_jpki_tables()


def _create_jpki_tables() -> None:
    op.create_table(
        "jpki_authorities",
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("private_key_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("certificate_pem", sa.Text(), nullable=False),
        sa.Column("next_crl_number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind"),
    )
    op.create_table(
        "jpki_certificates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("serial", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("card_issue_number", sa.String(length=16), nullable=False),
        sa.Column("resident_code", sa.String(length=11), nullable=False),
        sa.Column("lg_code", sa.String(length=6), nullable=False),
        sa.Column("public_key_sha256", sa.String(length=64), nullable=False),
        sa.Column("certificate_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revocation_reason", sa.String(length=24), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_key_sha256"),
        sa.UniqueConstraint("serial"),
    )
    for column in ("kind", "card_issue_number", "resident_code", "request_id"):
        op.create_index(f"ix_jpki_certificates_{column}", "jpki_certificates", [column])
    op.create_table(
        "jpki_status_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_status", sa.String(length=8), nullable=False),
        sa.Column("to_status", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("cause", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["certificate_id"], ["jpki_certificates.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_jpki_status_events_certificate_id", "jpki_status_events", ["certificate_id"]
    )
    op.create_table(
        "jpki_identity_digests",
        sa.Column("resident_code", sa.String(length=11), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("update_id", sa.String(length=36), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("resident_code"),
    )


def downgrade() -> None:
    op.drop_table("jpki_identity_digests")
    op.drop_table("jpki_status_events")
    op.drop_table("jpki_certificates")
    op.drop_table("jpki_authorities")
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
