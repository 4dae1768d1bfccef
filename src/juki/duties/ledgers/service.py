"""Keep the registers: add an entry (checked against its kind's schema), close it, list,
find what is overdue, export as CSV. Each write is in the node's audit log. A register
is not a file of personal information: free text holding a 個人番号 is refused."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.core.audit import log as audit
from juki.core.clock import as_utc, in_japan
from juki.core.errors import Conflict, InvalidInput, NotFound
from juki.core.ids import holds_individual_number
from juki.duties.ledgers.kinds import KINDS, Kind, Record
from juki.duties.ledgers.tables import ledger_entries


@dataclass(frozen=True)
class Entry:
    id: int
    kind: str
    recorded_at: dt.datetime
    recorded_by: str
    subject: str
    fields: dict[str, Any]
    due_on: dt.date | None
    status: str
    closed_at: dt.datetime | None
    closed_by: str | None
    closing: dict[str, Any] | None


def kind_of(code: str) -> Kind:
    kind = KINDS.get(code)
    if kind is None:
        raise InvalidInput("台帳の種類が違います", field="kind")
    return kind


def add(
    session: Session,
    kind_code: str,
    fields: dict[str, Any],
    *,
    actor: str,
    terminal: str,
    subject: str = "",
    at: dt.datetime | None = None,
) -> Entry:
    kind = kind_of(kind_code)
    record = _valid(kind.schema, fields)
    at = at or dt.datetime.now(dt.UTC)
    due = _due(kind, record, at)
    values = {
        "kind": kind.code, "recorded_at": at, "recorded_by": actor[:40],
        "subject": (subject or kind.name)[:200], "fields": record.model_dump_json(),
        "due_on": due, "status": "open" if kind.closing else "closed",
    }  # fmt: skip
    entry_id = session.execute(
        ledger_entries.insert().values(**values).returning(ledger_entries.c.id)
    ).scalar_one()
    audit.record(
        session, audit.Access(actor, terminal, f"台帳の記録:{kind.code}", (f"entry={entry_id}",))
    )
    return get(session, int(entry_id))


def close(
    session: Session,
    entry_id: int,
    closing: dict[str, Any],
    *,
    actor: str,
    terminal: str,
    at: dt.datetime | None = None,
) -> Entry:
    entry = get(session, entry_id)
    kind = kind_of(entry.kind)
    if kind.closing is None or entry.status != "open":
        raise Conflict(
            "この記録は完結できません（完結済みか、完結のない台帳です）", field="entry_id"
        )
    record = _valid(kind.closing, closing)
    session.execute(
        ledger_entries.update().where(ledger_entries.c.id == entry_id).values(
            status="closed", closed_at=at or dt.datetime.now(dt.UTC), closed_by=actor[:40],
            closing=record.model_dump_json(),
        )
    )  # fmt: skip
    audit.record(
        session, audit.Access(actor, terminal, f"台帳の完結:{kind.code}", (f"entry={entry_id}",))
    )
    return get(session, entry_id)


def get(session: Session, entry_id: int) -> Entry:
    row = session.execute(select(ledger_entries).where(ledger_entries.c.id == entry_id)).first()
    if row is None:
        raise NotFound("台帳の記録が見つかりません", field="entry_id")
    return _entry(row)


def entries(
    session: Session,
    kind_code: str,
    *,
    status: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[Entry]:
    kind_of(kind_code)
    query = select(ledger_entries).where(ledger_entries.c.kind == kind_code)
    if status is not None:
        query = query.where(ledger_entries.c.status == status)
    if since is not None:
        query = query.where(ledger_entries.c.recorded_at >= since)
    if until is not None:
        query = query.where(ledger_entries.c.recorded_at < until)
    return [_entry(row) for row in session.execute(query.order_by(ledger_entries.c.id))]


def overdue(session: Session, on: dt.date) -> list[Entry]:
    """Open entries past their 処理期限: inquiries past the standard period (000 DSC-03),
    postal forms not processed the day they came (001a ACQ-4-1), incidents not resolved."""
    query = select(ledger_entries).where(
        ledger_entries.c.status == "open", ledger_entries.c.due_on < on
    )
    return [_entry(row) for row in session.execute(query.order_by(ledger_entries.c.id))]


def to_csv(found: list[Entry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["番号", "台帳", "記録日時", "記録者", "件名", "内容", "期限", "状態",
                     "完結日時", "完結者", "完結内容"])  # fmt: skip
    for e in found:
        writer.writerow([
            e.id, KINDS[e.kind].name, e.recorded_at.isoformat(), e.recorded_by, e.subject,
            json.dumps(e.fields, ensure_ascii=False), e.due_on or "",
            "完結" if e.status == "closed" else "未完結",
            e.closed_at.isoformat() if e.closed_at else "", e.closed_by or "",
            json.dumps(e.closing, ensure_ascii=False) if e.closing else "",
        ])  # fmt: skip
    return out.getvalue()


def _valid(schema: type[Record], fields: dict[str, Any]) -> Record:
    try:
        record = schema.model_validate(fields)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "fields"
        raise InvalidInput(f"{field}: 入力内容を確認してください", field=field) from None
    _no_individual_number(record)
    return record


def _no_individual_number(record: Record) -> None:
    values = record.model_dump(mode="json")
    for name in record.free_text:
        if holds_individual_number(str(values[name])):
            raise InvalidInput("台帳に個人番号を記録しないでください", field=name)


def _due(kind: Kind, record: Record, at: dt.datetime) -> dt.date | None:
    days = kind.due_days
    if kind.serious_due_days is not None and getattr(record, "serious", False):
        days = kind.serious_due_days
    if days is None:
        return None
    start = getattr(record, "received_on", None) or in_japan(at).date()
    return start + dt.timedelta(days=days)


def _entry(row: Any) -> Entry:
    return Entry(
        id=row.id, kind=row.kind, recorded_at=as_utc(row.recorded_at),
        recorded_by=row.recorded_by, subject=row.subject, fields=json.loads(row.fields),
        due_on=row.due_on, status=row.status,
        closed_at=as_utc(row.closed_at) if row.closed_at else None, closed_by=row.closed_by,
        closing=json.loads(row.closing) if row.closing else None,
    )  # fmt: skip


def trained(session: Session, login: str, on: dt.date, valid_days: int) -> bool:
    """A passed training of `login` on record within `valid_days` before `on` (001a EDU-1:
    trained on starting and at set intervals, attendance recorded)."""
    since = on - dt.timedelta(days=valid_days)
    return any(
        e.fields["login"] == login
        and e.fields["passed"]
        and since <= dt.date.fromisoformat(e.fields["attended_on"]) <= on
        for e in entries(session, "training")
    )


def medium_ready(session: Session, media_id: str, on: dt.date) -> None:
    """A result file goes only to a registered medium (001a XFER-1-6) that was virus-checked
    that day with nothing found (002 REQ-MED-01)."""
    registered = [
        e for e in entries(session, "medium", status="open") if e.fields["media_id"] == media_id
    ]
    if not registered:
        raise Conflict("登録されていない媒体には書き出せません", field="media_id")
    scans = [
        e for e in entries(session, "medium_scan") if e.fields["media_id"] == media_id
        and in_japan(e.recorded_at).date() == on
    ]  # fmt: skip
    if not scans or scans[-1].fields["result"] != "異常なし":
        raise Conflict("当日のウイルスチェック（異常なし）の記録がない媒体です", field="media_id")
