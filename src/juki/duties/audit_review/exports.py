"""Exports for the audit (002 REQ-AUD-06, 001a AUD-3): the access log, the output log,
the provision, linkage and media records, by period and, for what operators did, by
section (所属). CSV, as the auditors' tools read it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import MetaData, select
from sqlalchemy.orm import Session

from juki.core.audit import outputs
from juki.core.audit.tables import audit_log
from juki.core.clock import in_japan
from juki.core.errors import InvalidInput
from juki.core.migrate import tables_of
from juki.duties.operators.tables import Operator

# Record tables a node may hold, exported whole within the period (by their `at`).
RECORD_TABLES = {
    "provisions": "provision_log",  # 提供・移転の記録 (tiers)
    "media": "media_ledger",  # 媒体の使用記録 (tiers)
    "linkage": "linkage_log",  # 庁内連携の記録 (registry)
}
WHAT = ("log", "outputs", *RECORD_TABLES)


def export(
    session: Session,
    schema: Iterable[MetaData],
    what: str,
    since: dt.datetime,
    until: dt.datetime,
    section: str | None = None,
) -> str:
    if what not in WHAT:
        raise InvalidInput(f"出力できるのは {', '.join(WHAT)} です", field="what")
    logins = _logins_of(session, section) if section else None
    if what == "log":
        return _log_csv(session, since, until, logins)
    if what == "outputs":
        lines = outputs.outputs(session, since, until)
        return outputs.outputs_csv([x for x in lines if _kept(x.operator, logins)])
    table = tables_of(schema).get(RECORD_TABLES[what])  # schema: `<role>.models.SCHEMA`
    if table is None:
        raise InvalidInput("このノードにはない記録です", field="what")
    rows = session.execute(
        select(table).where(table.c.at >= since, table.c.at < until).order_by(table.c.id)
    )
    kept = [r for r in rows if "operator" not in table.c or _kept(r.operator, logins)]
    return _csv([c.name for c in table.c], ([_cell(v) for v in r] for r in kept))


def _log_csv(
    session: Session, since: dt.datetime, until: dt.datetime, logins: set[str] | None
) -> str:
    rows = session.execute(
        select(audit_log)
        .where(audit_log.c.at >= since, audit_log.c.at < until)
        .order_by(audit_log.c.seq)
    )
    header = ["seq", "日時", "操作者", "端末", "機能", "対象", "目的", "結果", "個人番号"]
    lines = (
        [row.seq, f"{in_japan(row.at):%Y-%m-%d %H:%M:%S}", row.operator, row.terminal,
         row.function, " ".join(json.loads(row.targets)), row.purpose, row.result,
         "有" if row.number_touched else ""]
        for row in rows if _kept(row.operator, logins)
    )  # fmt: skip
    return _csv(header, lines)


def _logins_of(session: Session, section: str) -> set[str]:
    return set(session.scalars(select(Operator.login).where(Operator.section == section)))


def _kept(operator: str, logins: set[str] | None) -> bool:
    """An API call is logged as operator@client: the person is before the '@'."""
    return logins is None or operator.split("@", 1)[0] in logins


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return f"{in_japan(value):%Y-%m-%d %H:%M:%S}"
    if isinstance(value, bytes):
        return f"({len(value)} bytes)"  # sealed or encrypted content is never exported
    return value


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
