"""統計処理 at the prefectural server (002 REQ-STAT-01): each job states its purpose and is
recorded with it; a job without one is refused. The counts come from the file's current
rows and carry no personal information."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from juki.core.errors import InvalidInput
from juki.duties.operators.clients import Caller
from juki.prefecture.models import PrefectureIdentityRow, StatisticsJob
from juki.prefecture.schemas import MunicipalityCount, StatisticsJobCreate, StatisticsResult

RESIDENTS_BY_MUNICIPALITY = "residents_by_municipality"


def _job(session: Session, kind: str, body: StatisticsJobCreate, caller: Caller) -> StatisticsJob:
    """The job's record, written before it runs (necessity considered first: no purpose,
    no job)."""
    if not body.purpose:
        raise InvalidInput("統計処理の目的を入力してください", field="purpose")
    job = StatisticsJob(
        at=dt.datetime.now(dt.UTC),
        kind=kind,
        purpose=body.purpose,
        operator=caller.operator[:40],
        terminal=caller.terminal[:40],
        result_rows=0,
    )
    session.add(job)
    return job


def residents_by_municipality(
    session: Session, body: StatisticsJobCreate, caller: Caller
) -> StatisticsResult:
    """Persons currently recorded (not removed), counted by 市町村コード."""
    job = _job(session, RESIDENTS_BY_MUNICIPALITY, body, caller)
    row = PrefectureIdentityRow
    counts = session.execute(
        select(row.lg_code, func.count())
        .where(row.is_current.is_(True), row.removed.is_(False))
        .group_by(row.lg_code)
        .order_by(row.lg_code)
    ).all()
    job.result_rows = len(counts)
    session.flush()
    return StatisticsResult(
        job_id=job.id,
        purpose=job.purpose,
        counts=[MunicipalityCount(lg_code=lg, residents=n) for lg, n in counts],
    )
