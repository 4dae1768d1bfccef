"""支援措置 for victims of DV, stalking and child abuse (住民基本台帳事務における支援措置,
総務省通知): a measure runs one year and is renewed on request; while it runs, third
parties' requests for the person's record are refused, recorded and shown to the
supervisor."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select

from juki.core.messaging.node import UnitOfWork
from juki.registry.models import IssueRefusal, SupportMeasure
from juki.registry.pool import now

KIND_LABELS = {
    "dv": "DV",
    "stalking": "ストーカー行為等",
    "child_abuse": "児童虐待等",
    "other": "その他",
}


class SupportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["dv", "stalking", "child_abuse", "other"]
    starts_on: dt.date
    ends_on: dt.date | None = None  # default: one year (支援措置の期間は1年)
    registered_by: str = Field(min_length=1, max_length=40)

    @model_validator(mode="after")
    def _period(self) -> SupportRequest:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("終了日が開始日より前です")
        return self


def register_measure(uow: UnitOfWork, resident_id: int, request: SupportRequest) -> int:
    ends_on = request.ends_on or request.starts_on.replace(year=request.starts_on.year + 1)
    measure = SupportMeasure(
        resident_id=resident_id,
        kind=request.kind,
        starts_on=request.starts_on,
        ends_on=ends_on,
        registered_by=request.registered_by,
        registered_at=now(),
    )
    uow.session.add(measure)
    uow.session.flush()
    return measure.id


def measures_of(uow: UnitOfWork, resident_id: int) -> list[SupportMeasure]:
    return list(
        uow.session.scalars(
            select(SupportMeasure)
            .where(SupportMeasure.resident_id == resident_id)
            .order_by(SupportMeasure.starts_on)
        )
    )


def refusals(uow: UnitOfWork, *, unseen_only: bool = False) -> list[IssueRefusal]:
    stmt = select(IssueRefusal).order_by(IssueRefusal.refused_at.desc()).limit(200)
    if unseen_only:
        stmt = stmt.where(IssueRefusal.seen_by.is_(None))
    return list(uow.session.scalars(stmt))


def mark_seen(uow: UnitOfWork, refusal_id: int, supervisor: str) -> None:
    refusal = uow.session.get(IssueRefusal, refusal_id)
    if refusal is not None and refusal.seen_by is None:
        refusal.seen_by = supervisor
