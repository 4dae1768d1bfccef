"""届出受付記録 (intake record): every 届出 taken at the counter keeps who notified, the
identity document seen and whether a power of attorney was checked (001a ACQ-2-1,
ACQ-3-1, ACQ-3-5; 001b C-03). The schema makes these mandatory (`schemas.Received`);
this module writes the record once per 届出 and lets the events name it."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from juki.core.messaging.node import UnitOfWork
from juki.registry.notices.models import IntakeRecord
from juki.registry.notices.schemas import Received
from juki.registry.residents.models import ResidentEvent
from juki.registry.residents.pool import now
from juki.registry.residents.schemas import Notice


def record(uow: UnitOfWork, notice: Received, kind: str) -> str:
    """Write the intake of `notice` (a 届出 of `kind`, e.g. 転入届) and mark the notice, so
    the events recorded under it carry its id. Returns the id. A notice that already has
    one was taken when it was entered for its check (`notice_checks`): that record stays."""
    assert isinstance(notice, Notice)
    if notice._intake_id is not None:
        return notice._intake_id
    intake_id = str(uuid.uuid4())
    uow.append(
        IntakeRecord.__table__,
        {
            "intake_id": intake_id,
            "received_at": now(),
            "kind": kind,
            "notifier": notice.intake.notifier.value,
            "id_document": notice.intake.id_document.value,
            "proxy_letter_checked": notice.intake.proxy_letter_checked,
            "slip_reference": notice.intake.slip_reference,
            "operator_id": notice.operator_id,
            "terminal_id": notice.terminal_id,
        },
    )
    notice._intake_id = intake_id
    return intake_id


def carry(source: Notice, target: Notice) -> None:
    """`target` is a part of the 届出 `source` (one member of a household's 転入)."""
    target._intake_id = source._intake_id


def records(uow: UnitOfWork, start: dt.datetime, end: dt.datetime) -> list[IntakeRecord]:
    """The intake records of a period, oldest first (for the counter's periodic check)."""
    return list(
        uow.session.scalars(
            select(IntakeRecord)
            .where(IntakeRecord.received_at >= start, IntakeRecord.received_at < end)
            .order_by(IntakeRecord.received_at)
        )
    )


def of_event(uow: UnitOfWork, update_id: str) -> IntakeRecord | None:
    """The intake an event was recorded under (None for an event not taken at the counter)."""
    return uow.session.scalars(
        select(IntakeRecord)
        .join(ResidentEvent, ResidentEvent.intake_id == IntakeRecord.intake_id)
        .where(ResidentEvent.update_id == update_id)
    ).first()
