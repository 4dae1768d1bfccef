"""Column types that keep personal items sealed in the database (002 REQ-CON-03; 000 STO).

The tiers' 本人確認情報 files are run by a consignee (J-LIS runs the prefectural servers,
vendors run the CSs). REQ-CON-03 asks that what the consignee's side can touch is
ciphertext it cannot open. So names and addresses are stored with `SealedText` (AES-256-GCM,
the column's label as associated data, so a value cannot be moved to another column), and
the 4情報 search finds people through `BlindIndex` columns (keyed HMAC-SHA-256, equality
only). Both use the node's FieldKeys, which live outside the database (the 0600 secrets
file).

The ORM and Core see clear values: a row's `name_kanji` is a str, an `insert()` with
dicts seals on the way in. This is done in a TypeDecorator rather than by hand at each
reader because every tier has many readers (search, provision, 整合, disclosure PDFs,
consoles) and one missed call would leave a name in clear.

A type's bind and result processors only see the engine's dialect, so the node's keys are
attached to its engine's dialect (`attach_field_keys`, called when a Node is built).
Each engine has its own dialect object, so the nodes of an embedded network, which share a
process, each seal with their own keys. A sealed column cannot be compared in SQL (the
comparison would silently match nothing): the comparator refuses, pointing to the index.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, LargeBinary, String
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ColumnElement, operators
from sqlalchemy.types import TypeDecorator

from juki.core.crypto import FieldKeys, sealed_label

_ATTRIBUTE = "juki_field_keys"
_NOT_COMPARABLE = "a sealed column cannot be compared with a value in SQL; use its blind index"


class FieldKeysMissing(RuntimeError):
    """A sealed column was read or written through an engine with no node keys attached."""


def attach_field_keys(engine: Engine, keys: FieldKeys) -> None:
    """Let this engine's sealed columns use the node's keys."""
    setattr(engine.dialect, _ATTRIBUTE, keys)


def field_keys_of(dialect: Dialect) -> FieldKeys:
    keys = getattr(dialect, _ATTRIBUTE, None)
    if keys is None:
        raise FieldKeysMissing(
            "no field keys are attached to this database engine (core.sealed.attach_field_keys)"
        )
    return keys


class IndexValue(str):
    """A blind index read back from the database. Written again unchanged (a copied row
    keeps its index); a plain str is indexed on the way in."""


class SealedText(TypeDecorator[str]):
    """Text stored as AES-GCM ciphertext; `label` is the associated data."""

    impl = LargeBinary
    cache_ok = True

    class Comparator(TypeDecorator.Comparator[str]):
        """Refuses comparing the column with a value, which would silently match nothing
        (each sealing uses a fresh nonce). Column-to-column and IS NULL stay allowed: the
        ORM uses them internally."""

        def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
            if op not in (operators.is_, operators.is_not) and not all(
                isinstance(o, ColumnElement) for o in other
            ):
                raise TypeError(_NOT_COMPARABLE)
            return super().operate(op, *other, **kwargs)

    comparator_factory = Comparator

    def __init__(self, label: str):
        super().__init__()
        self.label = sealed_label(label)

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        return field_keys_of(dialect).encrypt(value, column=self.label)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return field_keys_of(dialect).decrypt(bytes(value), column=self.label)


class BlindIndex(TypeDecorator[str]):
    """A keyed digest of a clear value, for equality lookups (`column == clear_value`)."""

    impl = String(64)
    cache_ok = True

    def __init__(self, label: str):
        super().__init__()
        self.label = label

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or isinstance(value, IndexValue):
            return value
        return field_keys_of(dialect).blind_index(value, column=self.label)

    def process_result_value(self, value: Any, dialect: Dialect) -> IndexValue | None:
        return None if value is None else IndexValue(value)
