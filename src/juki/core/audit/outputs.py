"""The output log (出力記録): every print, PDF and file that leaves the system, with
operator, terminal, the form or screen, how many records and when (002 REQ-PRN-01,
001a USE-5-1). Kept as audit-log entries whose function names the form, so the chain
protects them like every other access; `outputs` reads them back for the report."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, select
from sqlalchemy.orm import Session

from juki.core.audit import log as audit
from juki.core.audit.tables import audit_log
from juki.core.clock import in_japan
from juki.core.errors import InvalidInput

PREFIX = "出力:"


# The audit log's column (core/audit/tables.py; String(100) in every role's migrations):
# a longer purpose is refused here, naming the field, instead of failing the write (on
# PostgreSQL) and with it the output.
def _purpose_length() -> int:
    kind = audit_log.c.purpose.type
    assert isinstance(kind, String)
    assert kind.length is not None
    return kind.length


PURPOSE_MAX = _purpose_length()


def record_output(
    session: Session,
    *,
    operator: str,
    terminal: str,
    form: str,
    targets: tuple[str, ...],
    purpose: str = "",
    number_touched: bool = False,
) -> None:
    """One output: `form` names the document or screen (住民票の写し, 画面印刷: 住民票, …),
    `targets` the records on it by key (宛名番号 …; never a 個人番号), `purpose` at most
    PURPOSE_MAX characters (refused otherwise: the output is not made unrecorded)."""
    if len(purpose) > PURPOSE_MAX:
        raise InvalidInput(f"利用目的は{PURPOSE_MAX}文字以内で入力してください", field="purpose")
    audit.record(
        session,
        audit.Access(
            operator, terminal, f"{PREFIX}{form}", targets, purpose,
            number_touched=number_touched,
        ),
    )  # fmt: skip


@dataclass(frozen=True)
class OutputLine:
    at: dt.datetime  # Japan time
    operator: str
    terminal: str
    form: str
    records: int
    purpose: str


def outputs(session: Session, since: dt.datetime, until: dt.datetime) -> list[OutputLine]:
    rows = session.execute(
        select(audit_log)
        .where(audit_log.c.function.startswith(PREFIX, autoescape=True))
        .where(audit_log.c.at >= since, audit_log.c.at < until)
        .order_by(audit_log.c.seq)
    )
    return [_line(row) for row in rows]


def _line(row: Any) -> OutputLine:
    return OutputLine(
        at=in_japan(row.at), operator=row.operator, terminal=row.terminal,
        form=row.function.removeprefix(PREFIX), records=len(json.loads(row.targets)),
        purpose=row.purpose,
    )  # fmt: skip


def outputs_csv(lines: list[OutputLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["日時", "操作者", "端末", "帳票・画面", "件数", "目的"])
    for line in lines:
        writer.writerow([f"{line.at:%Y-%m-%d %H:%M:%S}", line.operator, line.terminal,
                         line.form, line.records, line.purpose])  # fmt: skip
    return out.getvalue()
