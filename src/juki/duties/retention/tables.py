"""The erasure history (消去履歴), present in every node's database."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text

retention_metadata = MetaData()

retention_purges = Table(
    "retention_purges",
    retention_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),  # when the job ran (its clock)
    Column("rule", String(100), nullable=False),
    Column("table_name", String(60), nullable=False),
    Column("cutoff", String(40), nullable=False),  # what was older than this was erased
    Column("erased", Integer, nullable=False),  # rows erased (dependents included)
    Column("keys", Text, nullable=False),  # JSON: the persons erased (住民票コード or 宛名番号)
)


def create_retention_tables_v1() -> None:
    # Alembic is imported when a revision calls this, not with the module: the CLI imports
    # the live tables above (`juki --help` too) and loads Alembic nowhere else (about
    # 0.5 s, python -X importtime).
    from alembic import op

    op.create_table(
        "retention_purges",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=False),
        sa.Column("table_name", sa.String(length=60), nullable=False),
        sa.Column("cutoff", sa.String(length=40), nullable=False),
        sa.Column("erased", sa.Integer(), nullable=False),
        sa.Column("keys", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def drop_retention_tables_v1() -> None:
    from alembic import op  # when a revision calls it, as above

    op.drop_table("retention_purges")
