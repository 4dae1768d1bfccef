"""What the register's routes share: the read shapes of events and residents, and `take`,
which records a 届出 or enters it for its check."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Response

from juki.core.identity import NUMBER_COLUMN
from juki.core.ids import mask_individual_number
from juki.duties.operators.clients import Caller
from juki.registry.models import Resident, ResidentEvent
from juki.registry.notice_checks import kinds
from juki.registry.notice_checks import service as notice_checks
from juki.registry.notice_checks.kinds import Record
from juki.registry.notice_checks.schemas import PendingNoticeRead
from juki.registry.residents.schemas import EventRead, Notice, ResidentRead
from juki.registry.residents.service import EventRecord
from juki.web.app import UoW

T = TypeVar("T")
Pending = PendingNoticeRead
# Said of every 届出 route: where the municipality requires a second person's check
CHECKED = "（点検を要する市町村では点検待ちとして受付: 202）"


def event_read(event: EventRecord | ResidentEvent) -> EventRead:
    return EventRead(
        id=event.update_id,
        resident_id=event.resident_id,
        reason=event.reason,
        change_date=event.change_date,
        status=event.status,
        error_code=event.error_code,
        error_field=event.error_field,
    )


def resident_read(uow: UoW, resident: Resident) -> ResidentRead:
    """A resident as the API shows them: the 個人番号 masked (it never leaves in clear)."""
    number = ""
    if resident.individual_number_cipher is not None:
        clear = uow.node.keys.decrypt(resident.individual_number_cipher, column=NUMBER_COLUMN)
        number = mask_individual_number(clear)
    return ResidentRead(
        id=resident.id,
        resident_code=resident.resident_code,
        individual_number=number,
        name_kanji=resident.name_kanji,
        name_kana=resident.name_kana,
        birth_date=resident.birth_date,
        sex=resident.sex,  # type: ignore[arg-type]
        address=resident.address,
        status=resident.status,
        version=resident.version,
        awaiting_number=resident.awaiting_number,
        household_id=resident.household_id,
        relationship=resident.relationship,
    )


def pending_read(entry: Any) -> PendingNoticeRead:
    return PendingNoticeRead.model_validate(pending_items(entry))


def pending_items(entry: Any) -> dict[str, Any]:
    """An entry's record of who entered and decided it, without what it holds."""
    kept = set(PendingNoticeRead.model_fields) - {"label", "update_ids", "resident_ids"}
    return {k: getattr(entry, k) for k in kept} | {
        "label": kinds.kind_of(entry.kind).label,
        "update_ids": json.loads(entry.update_ids or "[]"),
        "resident_ids": json.loads(entry.resident_ids or "[]"),
    }


def take(
    uow: UoW,
    caller: Caller,
    response: Response,
    record: Record,
    notice: Notice,
    answer: Callable[[Any], T],
    target: int | None = None,
) -> T | PendingNoticeRead:
    """Record the 届出 by its service function `record`, or enter it for its check (202
    and its 点検番号): the caller's end operator and terminal are who entered it."""
    outcome = notice_checks.submit(
        uow, record, notice, target=target, operator=caller.operator, terminal=caller.terminal
    )
    if isinstance(outcome, notice_checks.Entered):
        response.status_code = 202
        return pending_read(notice_checks.get(uow, outcome.entry_id))
    return answer(outcome.result)
