"""Disclosure tables as first created, shared by the tiers that answer 開示 (national,
prefecture). Frozen here (as the audit tables are) so that both revisions build the same
schema."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_disclosure_tables_v1() -> None:
    op.create_table(
        "disclosures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resident_code", sa.String(length=11), nullable=False),
        sa.Column("requester_name", sa.String(length=100), nullable=False),
        sa.Column("identity_document", sa.String(length=40), nullable=False),
        sa.Column("operator", sa.String(length=40), nullable=False),
        sa.Column("terminal", sa.String(length=40), nullable=False),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_disclosures_resident_code", "disclosures", ["resident_code"])
    op.create_table(
        "disclosure_corrections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("disclosure_id", sa.Integer(), nullable=False),
        sa.Column("resident_code", sa.String(length=11), nullable=False),
        sa.Column("requested", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("lg_code", sa.String(length=6), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator", sa.String(length=40), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_disclosure_corrections_disclosure_id", "disclosure_corrections", ["disclosure_id"]
    )
    op.create_index(
        "ix_disclosure_corrections_resident_code", "disclosure_corrections", ["resident_code"]
    )


def drop_disclosure_tables_v1() -> None:
    op.drop_index("ix_disclosure_corrections_resident_code", table_name="disclosure_corrections")
    op.drop_index("ix_disclosure_corrections_disclosure_id", table_name="disclosure_corrections")
    op.drop_table("disclosure_corrections")
    op.drop_index("ix_disclosures_resident_code", table_name="disclosures")
    op.drop_table("disclosures")


def create_use_suspensions_v1() -> None:
    """利用停止請求 (DSC-02), added after the first disclosure tables."""
    op.create_table(
        "use_suspensions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("disclosure_id", sa.Integer(), nullable=False),
        sa.Column("resident_code", sa.String(length=11), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator", sa.String(length=40), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=40), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_use_suspensions_disclosure_id", "use_suspensions", ["disclosure_id"])
    op.create_index("ix_use_suspensions_resident_code", "use_suspensions", ["resident_code"])


def drop_use_suspensions_v1() -> None:
    op.drop_index("ix_use_suspensions_resident_code", table_name="use_suspensions")
    op.drop_index("ix_use_suspensions_disclosure_id", table_name="use_suspensions")
    op.drop_table("use_suspensions")
