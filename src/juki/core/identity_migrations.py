"""Frozen migration helper: seal the names and addresses of a tier's 本人確認情報 file.

Used by the CS, prefecture and national migrations that brought in core/sealed.py (002
REQ-CON-03). Existing rows are sealed with the node's field keys, which build_node
attaches to the engine before it migrates; an empty file needs no keys. Like every
migration helper, this one is frozen: later schema changes get a new helper.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from alembic import op

from juki.core.sealed import field_keys_of
from juki.core.text import seion

TABLE = "identity_file"
_CHUNK = 1000


def seal_names_and_addresses_v1(extra_sealed: Iterable[str] = ()) -> None:
    """name_kanji, name_kana, address (and `extra_sealed`, nullable) become *_cipher
    columns; name_seion becomes name_seion_index, and name_kanji gains name_kanji_index."""
    sealed = ["name_kanji", "name_kana", "address", *extra_sealed]
    with op.batch_alter_table(TABLE) as batch:
        for name in sealed:
            batch.add_column(sa.Column(f"{name}_cipher", sa.LargeBinary(), nullable=True))
        for name in ("name_kanji_index", "name_seion_index"):
            batch.add_column(sa.Column(name, sa.String(length=64), nullable=True))
    keys = _keys_if_rows()
    if keys is not None:
        _rewrite(sealed, lambda row: _sealed_values(keys, sealed, row))
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_index("ix_identity_file_name_seion")
        for name in (*sealed, "name_seion"):
            batch.drop_column(name)
        for name in ("name_kanji", "name_kana", "address"):
            batch.alter_column(f"{name}_cipher", existing_type=sa.LargeBinary(), nullable=False)
        for name in ("name_kanji_index", "name_seion_index"):
            batch.alter_column(name, existing_type=sa.String(length=64), nullable=False)
            batch.create_index(f"ix_identity_file_{name}", [name], unique=False)


def unseal_names_and_addresses_v1(extra_sealed: Iterable[str] = ()) -> None:
    """The downgrade: clear columns back, decrypted with the node's keys."""
    sealed = ["name_kanji", "name_kana", "address", *extra_sealed]
    lengths = {"name_kanji": 100, "name_kana": 100, "address": 200}
    with op.batch_alter_table(TABLE) as batch:
        for name in sealed:
            length = lengths.get(name, 200 if "address" in name else 50)
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=True))
        batch.add_column(sa.Column("name_seion", sa.String(length=100), nullable=True))
    keys = _keys_if_rows()
    if keys is not None:
        _rewrite([], lambda row: _clear_values(keys, sealed, row), columns=sealed)
    with op.batch_alter_table(TABLE) as batch:
        for name in ("name_kanji_index", "name_seion_index"):
            batch.drop_index(f"ix_identity_file_{name}")
            batch.drop_column(name)
        for name in sealed:
            batch.drop_column(f"{name}_cipher")
        for name, length in (*lengths.items(), ("name_seion", 100)):
            batch.alter_column(name, existing_type=sa.String(length=length), nullable=False)
        batch.create_index("ix_identity_file_name_seion", ["name_seion"], unique=False)


def _keys_if_rows() -> Any:
    bind = op.get_bind()
    if bind.execute(sa.select(sa.table(TABLE, sa.column("id")).c.id).limit(1)).first() is None:
        return None
    return field_keys_of(bind.dialect)


def _rewrite(
    sealed: list[str],
    values: Callable[[dict[str, Any]], dict[str, Any]],
    columns: list[str] | None = None,
) -> None:
    """Read every row's items and write `values(row)` back, a chunk at a time."""
    bind = op.get_bind()
    if columns is None:  # sealing: clear columns in, ciphertext and indexes out
        read = sealed
        written = [f"{name}_cipher" for name in sealed] + ["name_kanji_index", "name_seion_index"]
    else:  # unsealing
        read = [f"{name}_cipher" for name in columns]
        written = [*columns, "name_seion"]
    table = sa.table(TABLE, *(sa.column(n) for n in {"id", *read, *written}))
    statement = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("row_id"))
        .values({name: sa.bindparam(name) for name in written})
    )
    rows = bind.execute(sa.select(table.c.id, *(table.c[n] for n in read)).order_by(table.c.id))
    batch: list[dict[str, Any]] = []
    for row in rows.mappings().all():
        batch.append(values(dict(row)) | {"row_id": row["id"]})
        if len(batch) >= _CHUNK:
            bind.execute(statement, batch)
            batch = []
    if batch:
        bind.execute(statement, batch)


def _sealed_values(keys: Any, sealed: list[str], row: dict[str, Any]) -> dict[str, Any]:
    """Labels and digests as core/sealed.py writes them (SealedText / BlindIndex)."""
    out: dict[str, Any] = {
        f"{name}_cipher": None if row[name] is None else keys.encrypt(row[name], column=name)
        for name in sealed
    }
    out["name_kanji_index"] = keys.blind_index(row["name_kanji"], column="name_kanji")
    out["name_seion_index"] = keys.blind_index(seion(row["name_kana"]), column="name_seion")
    return out


def _clear_values(keys: Any, sealed: list[str], row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in sealed:
        blob = row[f"{name}_cipher"]
        out[name] = None if blob is None else keys.decrypt(bytes(blob), column=name)
    out["name_seion"] = seion(out["name_kana"])
    return out
