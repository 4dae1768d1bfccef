"""The monthly access report (000 LOG-02): per operator and per function (task), how many
accesses, how many refused, how many touched a 個人番号 — for the person in charge to check
against the application forms that authorised the work."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.core.audit.tables import audit_log
from juki.core.clock import JST


@dataclass(frozen=True)
class MonthlyLine:
    operator: str
    function: str
    accesses: int
    refused: int
    number_touched: int


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(month.year, month.month, 1, tzinfo=JST)
    end = dt.datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=JST)
    return start, end


def monthly_access(session: Session, month: dt.date) -> list[MonthlyLine]:
    start, end = month_bounds(month)
    rows = session.execute(
        select(audit_log.c.operator, audit_log.c.function, audit_log.c.result,
               audit_log.c.number_touched)
        .where(audit_log.c.at >= start.astimezone(dt.UTC), audit_log.c.at < end.astimezone(dt.UTC))
    )  # fmt: skip
    accesses: Counter[tuple[str, str]] = Counter()
    refused: Counter[tuple[str, str]] = Counter()
    numbers: Counter[tuple[str, str]] = Counter()
    for operator, function, result, number_touched in rows:
        key = (operator, function)
        accesses[key] += 1
        refused[key] += result != "ok"
        numbers[key] += bool(number_touched)
    return [
        MonthlyLine(operator, function, count, refused[(operator, function)],
                    numbers[(operator, function)])
        for (operator, function), count in sorted(accesses.items())
    ]  # fmt: skip
