"""J-LIS's statistics at the national server (000 P2.6; NOMATCH-01): counts only.

1. provisions of 機構保存本人確認情報 in a month, per receiving body and duty — records and
   persons, and how many of those provisions carried the 住民票コード — for the publication
   in the 官報 (住基法 第30条の16 [the article as the spec gives it]);
2. updates applied in the month per prefecture and 異動事由, to reconcile with the update
   counts the governors report.

Nothing per person leaves: no code, no name, no key; and no file is matched against
another (P2.6: no data matching or mining)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from juki.core.clock import JST
from juki.core.errors import InvalidInput
from juki.duties.search import ProvisionLog
from juki.national.models import NationalIdentityRow


class ProvisionCount(BaseModel):
    body_code: str
    duty_code: str
    provisions: int  # records (provision events) not refused
    persons: int  # persons provided, summed over the records
    with_resident_code: int  # records whose items included the 住民票コード


class UpdateCount(BaseModel):
    prefecture_code: str
    change_reason: str
    updates: int


class NationalStatistics(BaseModel):
    month: str
    provisions: list[ProvisionCount]
    updates: list[UpdateCount]


def monthly(session: Session, month: str) -> NationalStatistics:
    start, end = _month(month)
    log = ProvisionLog
    provided = session.execute(
        select(
            log.body_code, log.duty_code, func.count(), func.coalesce(func.sum(log.result_count), 0)
        )
        .where(log.at >= start, log.at < end, log.kind == "provision")
        .where(log.refused_reason.is_(None))
        .group_by(log.body_code, log.duty_code)
        .order_by(log.body_code, log.duty_code)
    ).all()
    with_code = {
        (body, duty): n
        for body, duty, n in session.execute(
            select(log.body_code, log.duty_code, func.count())
            .where(log.at >= start, log.at < end, log.kind == "provision")
            .where(log.refused_reason.is_(None), log.items.like("%resident_code%"))
            .group_by(log.body_code, log.duty_code)
        ).all()
    }
    row = NationalIdentityRow
    prefecture = func.substr(row.lg_code, 1, 2)
    updates = session.execute(
        select(prefecture, row.change_reason, func.count())
        .where(row.timestamp >= start, row.timestamp < end)
        .group_by(prefecture, row.change_reason)
        .order_by(prefecture, row.change_reason)
    ).all()
    return NationalStatistics(
        month=month,
        provisions=[
            ProvisionCount(
                body_code=body or "",
                duty_code=duty or "",
                provisions=n,
                persons=int(persons),
                with_resident_code=with_code.get((body, duty), 0),
            )
            for body, duty, n, persons in provided
        ],
        updates=[UpdateCount(prefecture_code=p, change_reason=r, updates=n) for p, r, n in updates],
    )


def _month(month: str) -> tuple[dt.datetime, dt.datetime]:
    """The month's bounds in JST, as UTC (SQLite compares the stored UTC wall time)."""
    try:
        first = dt.datetime.strptime(month, "%Y-%m").replace(tzinfo=JST)
    except ValueError:
        raise InvalidInput("月は YYYY-MM の形で指定してください", field="month") from None
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first.astimezone(dt.UTC), following.astimezone(dt.UTC)
