"""Applying a batch of notified 本人確認情報 to a tier's file, set-based.

Per envelope: one query loads the current rows of every person in the batch, the logic
checks run in memory in notification order (a later record of the same batch sees the
earlier one as current), then one executemany inserts the new rows and one UPDATE clears
`is_current` on the stored rows they supersede. A refused record writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from juki.core.crypto import FieldKeys
from juki.core.errors import InvalidInput, JukiError
from juki.core.identity import NUMBER_COLUMN, IdentityRowMixin, check_update
from juki.core.messages import REMOVAL_REASONS, ChangeReason, IdentityRecord
from juki.core.text import gaiji_count, seion

_IN_CHUNK = 500


@dataclass
class PendingRow:
    """A row about to be written; also serves as the person's current state in the batch."""

    values: dict[str, Any]
    stored_id: int | None = None  # set when this stands for a row already in the database

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class Outcome:
    """What became of one notified record at a tier: applied, or the error."""

    record: IdentityRecord
    raw: dict[str, Any]
    error: JukiError | None = None

    def result(self) -> dict[str, Any]:
        return {
            "update_id": self.record.update_id,
            "resident_code": self.record.resident_code,
            "lg_code": self.record.lg_code,
            "ok": self.error is None,
            "error_code": self.error.code if self.error else None,
            "error_field": self.error.field if self.error else None,
        }


@dataclass
class _Batch:
    current: dict[str, PendingRow] = field(default_factory=dict)
    new_rows: list[PendingRow] = field(default_factory=list)
    superseded_ids: list[int] = field(default_factory=list)


def row_values(
    update: IdentityRecord, keys: FieldKeys, now: dt.datetime, number_index: str
) -> dict[str, Any]:
    """Column values of IdentityRowMixin for a new row recording `update`."""
    name_gaiji, address_gaiji = gaiji_count(update.name_kanji), gaiji_count(update.address)
    return {
        "resident_code": update.resident_code,
        "name_kanji": update.name_kanji,
        "name_kanji_index": update.name_kanji,  # indexed by its column type (core/sealed.py)
        "name_gaiji_count": name_gaiji,
        "name_kana": update.name_kana,
        "name_seion_index": seion(update.name_kana),
        "birth_date": update.birth_date,
        "sex": update.sex,
        "address": update.address,
        "address_gaiji_count": address_gaiji,
        "individual_number_cipher": keys.encrypt(update.individual_number, column=NUMBER_COLUMN),
        "individual_number_index": number_index,
        "change_reason": update.reason.value,
        "change_date": update.change_date,
        "lg_code": update.lg_code,
        "town_code": update.town_code,
        "operator_id": update.operator_id,
        "terminal_id": update.terminal_id,
        "timestamp": now,
        "gaiji_flag": bool(name_gaiji or address_gaiji),
        "removed": update.reason in REMOVAL_REASONS,
        "update_id": update.update_id,
    }


def _lookup_code(record: IdentityRecord) -> str:
    """For a 住民票コード change the person is found under the previous code."""
    if record.reason == ChangeReason.RESIDENT_CODE_CHANGE:
        if record.previous_resident_code is None:
            raise InvalidInput("変更前の住民票コードがありません", field="previous_resident_code")
        return record.previous_resident_code
    return record.resident_code


def load_current(
    session: Session, model: type[IdentityRowMixin], codes: Iterable[str]
) -> dict[str, PendingRow]:
    """The current row of each code, as PendingRow (stored_id set), in IN-chunks."""
    columns = [c for c in model.__table__.columns if c.key != "id"]  # type: ignore[attr-defined]
    found: dict[str, PendingRow] = {}
    unique = sorted(set(codes))
    for start in range(0, len(unique), _IN_CHUNK):
        chunk = unique[start : start + _IN_CHUNK]
        rows = session.execute(
            select(model.id, *columns).where(
                model.resident_code.in_(chunk), model.is_current.is_(True)
            )
        ).mappings()
        for row in rows:
            values = {c.key: row[c.key] for c in columns}
            found[values["resident_code"]] = PendingRow(values, stored_id=row["id"])
    return found


def apply_records(
    session: Session,
    model: type[IdentityRowMixin],
    records: list[dict[str, Any]],
    keys: FieldKeys,
    extra: Callable[[IdentityRecord], dict[str, Any]],
    precheck: Callable[[IdentityRecord], None] | None = None,
) -> list[Outcome]:
    """Check and append every record of a batch; refused ones are reported, not written.

    `extra(record)` gives the tier's own columns; `precheck(record)` runs a tier's own
    rule first (the national server's number binding) and raises to refuse.
    """
    parsed = [(IdentityRecord.model_validate(raw), raw) for raw in records]
    batch = _Batch(load_current(session, model, (_code_or_own(r) for r, _ in parsed)))
    now = dt.datetime.now(dt.UTC)
    outcomes: list[Outcome] = []
    for record, raw in parsed:
        try:
            if precheck is not None:
                precheck(record)
            _apply_one(batch, record, keys, extra(record), now)
        except JukiError as exc:
            outcomes.append(Outcome(record, raw, exc))
        else:
            outcomes.append(Outcome(record, raw))
    _write(session, model, batch)
    return outcomes


def _code_or_own(record: IdentityRecord) -> str:
    return record.previous_resident_code or record.resident_code


def _apply_one(
    batch: _Batch,
    record: IdentityRecord,
    keys: FieldKeys,
    extra: dict[str, Any],
    now: dt.datetime,
) -> None:
    current = batch.current.get(_lookup_code(record))
    number_index = keys.blind_index(record.individual_number, column=NUMBER_COLUMN)
    verdict = check_update(current, record, number_index)
    values = row_values(record, keys, now, number_index) | extra
    seq = current.update_seq if current is not None else 0
    if verdict.history_only:
        batch.new_rows.append(PendingRow(values | {"update_seq": seq, "is_current": False}))
        return
    if current is not None:
        _supersede(batch, current)
    row = PendingRow(values | {"update_seq": seq + 1, "is_current": True})
    batch.new_rows.append(row)
    batch.current[record.resident_code] = row


def _supersede(batch: _Batch, current: PendingRow) -> None:
    if current.stored_id is not None:
        batch.superseded_ids.append(current.stored_id)
    else:
        current.values["is_current"] = False


def _write(session: Session, model: type[IdentityRowMixin], batch: _Batch) -> None:
    for start in range(0, len(batch.superseded_ids), _IN_CHUNK):
        chunk = batch.superseded_ids[start : start + _IN_CHUNK]
        table = model.__table__  # type: ignore[attr-defined]
        session.execute(update(table).where(table.c.id.in_(chunk)).values(is_current=False))
    if batch.new_rows:
        # Core executemany: the ORM's per-object bookkeeping is not needed for append-only rows
        session.execute(insert(model.__table__), [row.values for row in batch.new_rows])  # type: ignore[attr-defined]
