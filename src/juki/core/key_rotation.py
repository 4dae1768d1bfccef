"""Seal a node's data again under its current field key (`juki keys rotate`, issue #14).

Every binary column of every table of the node's schema is read as stored; a value that
one of the node's keys opens under one of the declared labels (`crypto.SEALED_LABELS`,
or the column's own label for a `SealedText`) and that an older key sealed is sealed
again under the current one, in place, one table at a time. Values no key opens (PDFs, a
body's HPKE-sealed files, authenticators' public keys) are not ours to touch and are
left as they are. Run it again after an interruption: what is done is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from sqlalchemy import Engine, LargeBinary, MetaData, Table, and_, select, type_coerce, update
from sqlalchemy.engine import Connection

from juki.core.crypto import SEALED_LABELS, FieldKeys
from juki.core.sealed import SealedText


@dataclass
class Rotation:
    resealed: dict[str, int] = field(default_factory=dict)  # "table.column" → values
    current: int = 0  # values already under the current key

    @property
    def total(self) -> int:
        return sum(self.resealed.values())


def reseal(engine: Engine, schema: Iterable[MetaData], keys: FieldKeys) -> Rotation:
    report = Rotation()
    for metadata in schema:
        for table in metadata.sorted_tables:
            with engine.begin() as connection:
                _reseal_table(connection, table, keys, report)
    return report


def _reseal_table(connection: Connection, table: Table, keys: FieldKeys, report: Rotation) -> None:
    key_columns = list(table.primary_key.columns)
    for column in table.columns:
        if isinstance(column.type, SealedText):
            labels: list[str] = [column.type.label]
        elif isinstance(column.type, LargeBinary) and key_columns:
            labels = sorted(SEALED_LABELS)
        else:
            continue
        raw = type_coerce(column, LargeBinary)
        rows = connection.execute(
            select(*key_columns, raw.label("juki_stored")).where(column.is_not(None))
        ).all()
        for row in rows:
            sealed = _sealed_again(bytes(row.juki_stored), labels, keys)
            if sealed is None:
                report.current += 1
                continue
            if sealed == b"":
                continue  # not a value sealed with this node's keys
            # Compare-and-set on the stored value too: a value written meanwhile is left
            # for the next run, never overwritten with an older one.
            unchanged = type_coerce(column, LargeBinary) == type_coerce(
                row.juki_stored, LargeBinary
            )
            where = and_(*(c == row._mapping[c] for c in key_columns), unchanged)
            again = type_coerce(sealed, LargeBinary)  # as stored: not sealed a second time
            connection.execute(update(table).where(where).values({column.key: again}))
            name = f"{table.name}.{column.name}"
            report.resealed[name] = report.resealed.get(name, 0) + 1


def _sealed_again(stored: bytes, labels: list[str], keys: FieldKeys) -> bytes | None:
    """The value sealed under the current key; None when it is already; b"" when no key
    of the node opens it under any label."""
    for label in labels:
        try:
            version, clear = keys.open(stored, column=label)
        except (InvalidTag, ValueError):
            continue
        return None if version == keys.version else keys.encrypt(clear, column=label)
    return b""
