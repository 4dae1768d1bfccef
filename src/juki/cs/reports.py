"""The report of manual corrections that reached the CS (001a ACQ-3-7; 001b C-05): for the
periodic check that input, deletion and correction done by hand, when the system could not
handle a case, followed the 住基ネット manuals. One line per 職権修正, 職権記載 or 職権消除
received in the period (by when it reached the CS): who (operator, terminal), when, which
record by 住民票コード only (no name, no 個人番号), and the 異動事由."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.core.clock import JST, in_japan
from juki.core.errors import InvalidInput
from juki.core.messages import CHANGE_REASON_LABELS, ChangeReason
from juki.cs.models import CsIdentityRow

MANUAL_REASONS = (ChangeReason.CORRECTION, ChangeReason.EX_OFFICIO_ENTRY,
                  ChangeReason.EX_OFFICIO_REMOVAL)  # fmt: skip
MAX_DAYS = 366  # one report covers at most a year


@dataclass(frozen=True)
class CorrectionLine:
    at: dt.datetime  # when it reached the CS (Japan time)
    operator: str
    terminal: str
    resident_code: str
    reason: str  # 異動事由, in Japanese
    change_date: dt.date
    update_id: str  # 依頼管理番号: finds the registry's own record of the case


def period(since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[since, until) in Japan time; refused when empty, reversed or longer than a year."""
    if until <= since:
        raise InvalidInput("終了日は開始日より後にしてください", field="to")
    if (until - since).days > MAX_DAYS:
        raise InvalidInput(f"期間は{MAX_DAYS}日以内です", field="to")
    # Compared in UTC: SQLite keeps the UTC time without its zone, PostgreSQL converts.
    return (
        dt.datetime.combine(since, dt.time(), JST).astimezone(dt.UTC),
        dt.datetime.combine(until, dt.time(), JST).astimezone(dt.UTC),
    )


def manual_corrections(
    session: Session, lg_code: str, since: dt.date, until: dt.date
) -> list[CorrectionLine]:
    start, end = period(since, until)
    rows = session.scalars(
        select(CsIdentityRow)
        .where(
            CsIdentityRow.lg_code == lg_code,
            CsIdentityRow.change_reason.in_([r.value for r in MANUAL_REASONS]),
            CsIdentityRow.timestamp >= start,
            CsIdentityRow.timestamp < end,
        )
        .order_by(CsIdentityRow.timestamp, CsIdentityRow.id)
    )
    return [_line(row) for row in rows]


def _line(row: CsIdentityRow) -> CorrectionLine:
    return CorrectionLine(
        at=in_japan(row.timestamp), operator=row.operator_id, terminal=row.terminal_id,
        resident_code=row.resident_code,
        reason=CHANGE_REASON_LABELS[ChangeReason(row.change_reason)],
        change_date=row.change_date, update_id=row.update_id,
    )  # fmt: skip


def corrections_csv(lines: list[CorrectionLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["受信日時", "操作者", "端末", "住民票コード", "異動事由", "異動年月日",
                     "依頼管理番号"])  # fmt: skip
    for line in lines:
        writer.writerow([f"{line.at:%Y-%m-%d %H:%M:%S}", line.operator, line.terminal,
                         line.resident_code, line.reason, line.change_date.isoformat(),
                         line.update_id])  # fmt: skip
    return out.getvalue()
