"""000 OUT-05: the quarterly report on the exchanges with the contractors — the forms the
application-receipt contractor handed over, the cards commissioned from the issuance
contractor and the results it returned
and the print files exchanged with the print contractor, refusals included — counted by
kind and result from the exchange record. Nothing per person: no key, no 住民票コード, no
個人番号 appears in it."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from juki.card.models import ExchangeLog
from juki.card.schemas import ExchangeReport
from juki.core.clock import JST
from juki.core.errors import InvalidInput

# The print contractor's (000 §3.3 1-②/③): the print file sent (one row per person),
# fetched, its receipt, the contractor's erasure report, and contract end (OUT-06).
PRINT_KINDS = ("print_info", "print_file", "print_receipt", "print_erasure", "contract_end")
# The issuance contractor's: each card commissioned (C20) and each result returned (C21).
CONTRACTOR_KINDS = ("application", "commission", "issuance_result", *PRINT_KINDS)
QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def quarter_period(quarter: str) -> tuple[dt.date, dt.date]:
    """`2026Q4` → [2026-10-01, 2027-01-01): calendar quarters, in JST."""
    found = QUARTER.match(quarter)
    if found is None or not 2000 <= int(found.group(1)) <= 2999:
        raise InvalidInput("四半期は 2026Q4 の形式で指定してください", field="quarter")
    year, number = int(found.group(1)), int(found.group(2))
    start = dt.date(year, 3 * number - 2, 1)
    until = dt.date(year + 1, 1, 1) if number == 4 else dt.date(year, 3 * number + 1, 1)
    return start, until


def contractor_exchanges(session: Session, quarter: str) -> ExchangeReport:
    start, until = quarter_period(quarter)
    # In UTC: SQLite compares the stored UTC text and would drop a bound's +09:00
    since = dt.datetime.combine(start, dt.time(), JST).astimezone(dt.UTC)
    before = dt.datetime.combine(until, dt.time(), JST).astimezone(dt.UTC)
    rows = session.execute(
        select(ExchangeLog.kind, ExchangeLog.result, func.count())
        .where(
            ExchangeLog.kind.in_(CONTRACTOR_KINDS),
            ExchangeLog.at >= since,
            ExchangeLog.at < before,
        )
        .group_by(ExchangeLog.kind, ExchangeLog.result)
    ).all()
    counts: dict[str, dict[str, int]] = {kind: {} for kind in CONTRACTOR_KINDS}
    for kind, result, count in rows:
        counts[kind][result] = int(count)
    total = sum(n for by_result in counts.values() for n in by_result.values())
    return ExchangeReport(
        quarter=quarter, period_from=start, period_until=until, counts=counts, total=total
    )
