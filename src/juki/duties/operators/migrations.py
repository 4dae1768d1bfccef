"""Operator tables as first created. Frozen here (as the audit and messaging tables are) so
that every role's revision always builds the same schema."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_operator_tables_v1() -> None:
    op.create_table(
        "operators",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("login", sa.String(length=40), nullable=False),
        sa.Column("person_name", sa.String(length=100), nullable=False),
        sa.Column("employee_no", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("employee_no"),
        sa.UniqueConstraint("login"),
    )
    op.create_table(
        "operator_credentials",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.String(length=400), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("credential_id"),
    )
    op.create_index("ix_operator_credentials_operator_id", "operator_credentials", ["operator_id"])
    op.create_table(
        "operator_enrolments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_by", sa.String(length=40), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_operator_enrolments_operator_id", "operator_enrolments", ["operator_id"])
    op.create_table(
        "operator_rights",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("duty", sa.String(length=40), nullable=False),
        sa.Column("access", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=40), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=40), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=40), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_operator_rights_operator_id", "operator_rights", ["operator_id"])
    op.create_table(
        "operator_totp_grants",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.LargeBinary(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_by", sa.String(length=40), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_by", sa.String(length=40), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_operator_totp_grants_operator_id", "operator_totp_grants", ["operator_id"])

    op.create_table(
        "api_clients",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("rights", sa.Text(), nullable=False),
        sa.Column("body_code", sa.String(length=40), nullable=True),
        sa.Column("media_public_key", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("client_id"),
    )


def drop_operator_tables_v1() -> None:
    op.drop_table("api_clients")
    for index, table in (
        ("ix_operator_totp_grants_operator_id", "operator_totp_grants"),
        ("ix_operator_rights_operator_id", "operator_rights"),
        ("ix_operator_enrolments_operator_id", "operator_enrolments"),
        ("ix_operator_credentials_operator_id", "operator_credentials"),
    ):
        op.drop_index(index, table_name=table)
        op.drop_table(table)
    op.drop_table("operators")


AFFILIATION_COLUMNS = (
    ("section", sa.String(length=60), "''"),
    ("affiliation", sa.String(length=12), "'staff'"),
    ("contractor_name", sa.String(length=100), None),
    ("pledge_on", sa.Date(), None),
)


def add_operator_affiliation_v1() -> None:
    """所属 (section), staff or contractor, and the contractor's pledge (001a OUT-2, USE-3-3)."""
    with op.batch_alter_table("operators") as batch:
        for name, kind, default in AFFILIATION_COLUMNS:
            batch.add_column(
                sa.Column(name, kind, nullable=default is None,
                          server_default=sa.text(default) if default else None)
            )  # fmt: skip


def drop_operator_affiliation_v1() -> None:
    with op.batch_alter_table("operators") as batch:
        for name, _kind, _default in reversed(AFFILIATION_COLUMNS):
            batch.drop_column(name)


def add_right_application_ref_v1() -> None:
    """The written application's reference on a right request (002 REQ-AUTH-03)."""
    with op.batch_alter_table("operator_rights") as batch:
        batch.add_column(sa.Column("application_ref", sa.String(length=40), nullable=True))


def drop_right_application_ref_v1() -> None:
    with op.batch_alter_table("operator_rights") as batch:
        batch.drop_column("application_ref")


def add_second_factor_failures_v1() -> None:
    """Wrong second-factor answers counted apart from passwords (issue #14)."""
    with op.batch_alter_table("operators") as batch:
        batch.add_column(
            sa.Column("failed_second_factors", sa.Integer(), nullable=False, server_default="0")
        )


def drop_second_factor_failures_v1() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.drop_column("failed_second_factors")


def create_console_sessions_v1() -> None:
    """Console sessions kept on the server, the cookie holding only an id (issue #14)."""
    op.create_table(
        "console_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("login", sa.String(length=40), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    op.create_index("ix_console_sessions_login", "console_sessions", ["login"])
    op.create_index("ix_console_sessions_seen_at", "console_sessions", ["seen_at"])


def drop_console_sessions_v1() -> None:
    op.drop_index("ix_console_sessions_seen_at", table_name="console_sessions")
    op.drop_index("ix_console_sessions_login", table_name="console_sessions")
    op.drop_table("console_sessions")


def add_api_token_checks_v1() -> None:
    """API tokens used once (jti), two keys per client during rotation, and the end
    operators a client may name (issue #14). The local command's existing row names the
    node's own accounts."""
    with op.batch_alter_table("api_clients") as batch:
        batch.add_column(sa.Column("next_public_key", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column(
                "operator_source", sa.String(length=12), nullable=False, server_default="listed"
            )
        )
    op.execute(
        "UPDATE api_clients SET operator_source = 'accounts' WHERE client_id = 'system:juki-cli'"
    )
    op.create_table(
        "api_client_operators",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=60), nullable=False),
        sa.Column("operator", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("added_by", sa.String(length=40), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_api_client_operators_client_id", "api_client_operators", ["client_id"])
    op.create_table(
        "api_token_uses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=60), nullable=False),
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("client_id", "jti"),
    )
    op.create_index("ix_api_token_uses_expires_at", "api_token_uses", ["expires_at"])


def drop_api_token_checks_v1() -> None:
    op.drop_index("ix_api_token_uses_expires_at", table_name="api_token_uses")
    op.drop_table("api_token_uses")
    op.drop_index("ix_api_client_operators_client_id", table_name="api_client_operators")
    op.drop_table("api_client_operators")
    with op.batch_alter_table("api_clients") as batch:
        batch.drop_column("operator_source")
        batch.drop_column("next_public_key")
