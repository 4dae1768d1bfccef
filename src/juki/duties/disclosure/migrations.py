"""Disclosure tables as first created, shared by the tiers that answer 開示 (national,
prefecture), and the later changes to them. Frozen here (as the audit tables are) so that
both tiers' revisions build the same schema; a later change gets a new helper."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

from juki.core.crypto import FieldKeys
from juki.core.sealed import field_keys_of


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


# --- Personal text sealed (002 REQ-CON-03), v1 ------------------------------------------------
# table -> column -> (its clear type, nullable). Each becomes `column`_cipher, sealed with
# the label "table.column" as duties/disclosure/tables.py writes it (SealedText).
_Columns = dict[str, tuple[sa.types.TypeEngine[Any], bool]]
_SEALED_TEXT_V1: dict[str, _Columns] = {
    "disclosures": {"requester_name": (sa.String(length=100), False)},
    "disclosure_corrections": {
        "requested": (sa.Text(), False),
        "reason": (sa.Text(), False),
        "resolution": (sa.Text(), True),
    },
    "use_suspensions": {"grounds": (sa.Text(), False), "decision_reason": (sa.Text(), True)},
}
_CHUNK = 1000


def seal_disclosure_text_v1() -> None:
    """The requester's name, a correction request's values, reasons and answer, and a
    利用停止請求's grounds and decision reason become sealed *_cipher columns. Existing rows
    are sealed with the node's field keys (attached to the engine by build_node before it
    migrates); empty tables need no keys."""
    for table, columns in _SEALED_TEXT_V1.items():
        _seal_table(table, columns)


def unseal_disclosure_text_v1() -> None:
    """The downgrade: clear columns back, opened with the node's keys."""
    for table, columns in _SEALED_TEXT_V1.items():
        _unseal_table(table, columns)


def _seal_table(table: str, columns: _Columns) -> None:
    with op.batch_alter_table(table) as batch:
        for name in columns:
            batch.add_column(sa.Column(f"{name}_cipher", sa.LargeBinary(), nullable=True))
    keys = _keys_if_rows(table)
    if keys is not None:
        pairs = [(name, f"{name}_cipher") for name in columns]
        _rewrite(table, pairs, lambda name, value: keys.encrypt(value, column=f"{table}.{name}"))
    with op.batch_alter_table(table) as batch:
        for name, (_, nullable) in columns.items():
            batch.drop_column(name)
            if not nullable:
                batch.alter_column(f"{name}_cipher", existing_type=sa.LargeBinary(), nullable=False)


def _unseal_table(table: str, columns: _Columns) -> None:
    with op.batch_alter_table(table) as batch:
        for name, (clear_type, _) in columns.items():
            batch.add_column(sa.Column(name, clear_type, nullable=True))
    keys = _keys_if_rows(table)
    if keys is not None:
        pairs = [(f"{name}_cipher", name) for name in columns]
        _rewrite(
            table, pairs, lambda name, blob: keys.decrypt(bytes(blob), column=f"{table}.{name}")
        )
    with op.batch_alter_table(table) as batch:
        for name, (clear_type, nullable) in columns.items():
            batch.drop_column(f"{name}_cipher")
            if not nullable:
                batch.alter_column(name, existing_type=clear_type, nullable=False)


def _keys_if_rows(table: str) -> FieldKeys | None:
    bind = op.get_bind()
    if bind.execute(sa.select(sa.table(table, sa.column("id")).c.id).limit(1)).first() is None:
        return None
    return field_keys_of(bind.dialect)


def _rewrite(table: str, pairs: list[tuple[str, str]], convert: Callable[[str, Any], Any]) -> None:
    """For every row, write `convert(item, value)` of each source column into its target
    (NULL stays NULL), a chunk at a time. `item` is the clear column's name."""
    bind = op.get_bind()
    names = {"id", *(source for source, _ in pairs), *(target for _, target in pairs)}
    handle = sa.table(table, *(sa.column(name) for name in names))
    statement = (
        sa.update(handle)
        .where(handle.c.id == sa.bindparam("row_id"))
        .values({target: sa.bindparam(target) for _, target in pairs})
    )
    query = sa.select(handle.c.id, *(handle.c[source] for source, _ in pairs))
    batch: list[dict[str, Any]] = []
    for row in bind.execute(query.order_by(handle.c.id)).mappings().all():
        batch.append({"row_id": row["id"]} | _converted(row, pairs, convert))
        if len(batch) >= _CHUNK:
            bind.execute(statement, batch)
            batch = []
    if batch:
        bind.execute(statement, batch)


def _converted(
    row: Any, pairs: list[tuple[str, str]], convert: Callable[[str, Any], Any]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for source, target in pairs:
        item = source.removesuffix("_cipher")
        out[target] = None if row[source] is None else convert(item, row[source])
    return out
