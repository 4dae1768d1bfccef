"""支援措置 for victims of DV, stalking and child abuse (住民基本台帳事務における支援措置,
総務省通知): a measure runs one year and is renewed on request; while it runs, third
parties' requests for the person's record are refused, recorded and shown to the
supervisor."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from juki.core.messaging.node import UnitOfWork
from juki.registry.residents import atena_link
from juki.registry.residents.models import Resident
from juki.registry.residents.pool import now
from juki.registry.support.models import IssueRefusal, SupportMeasure
from juki.registry.support.schemas import SupportRequest

KIND_LABELS = {
    "dv": "DV",
    "stalking": "ストーカー行為等",
    "child_abuse": "児童虐待等",
    "other": "その他",
}


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
    # The 中間サーバー's 副本 holds the person's answers from now on (001a NWS-5-3, NWS-8-1).
    atena_link.notify(uow, uow.session.get_one(Resident, resident_id))
    return measure.id


def active_measures(uow: UnitOfWork, resident_ids: list[int], on: dt.date) -> set[int]:
    """Who of `resident_ids` is under a measure running on `on` (certificates, 広域交付 and
    開示 ask before they show a record)."""
    rows = uow.session.scalars(
        select(SupportMeasure.resident_id).where(
            SupportMeasure.resident_id.in_(resident_ids),
            SupportMeasure.starts_on <= on,
            SupportMeasure.ends_on >= on,
        )
    )
    return set(rows)


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
