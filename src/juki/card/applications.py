"""交付申請 (000 §3.3 1-⑥/⑦): the application-receipt contractor hands over each returned
form; it is registered in File 3 against its 申請書ID only. The 個人番号 written on the
form is ignored (F3-ACQ-05); a form whose 申請書ID was invalidated by a change of the
4情報 is refused (F3-ACQ-06); nothing is stored for a refused form but the fact of the
refusal, by 申請書ID, in the exchange record (OUT-05). Statistics give counts by processing
state and of cards issued and valid, nothing per person (F3-USE-04)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from juki.card import commission, images, lifecycle, staff
from juki.card.lifecycle import CardState
from juki.card.models import CardFileEntry, ExchangeLog
from juki.card.schemas import ApplicationCreate, Statistics
from juki.core.clock import JST
from juki.core.errors import Conflict, InvalidInput, JukiError, NotFound
from juki.core.messaging.node import UnitOfWork
from juki.duties.operators.clients import Caller

STATUSES = tuple(state.value for state in CardState)


def receive(uow: UnitOfWork, caller: Caller, form: ApplicationCreate) -> CardFileEntry:
    """Register the application against its 申請書ID (1-⑦); a refusal leaves only its record."""
    with refusal_recorded(uow, caller, "application", form.application_id):
        # Only the staff on the contractor's roster may hand forms over (000 OUT-02/03).
        staff.require(uow.session, caller, "card_applications")
        entry = _receive(uow.session, caller, form)
    commission.commission(uow, entry)  # 1-⑧: at once, from the contractor
    return entry


def exchange(
    caller: Caller, kind: str, key: str, result: str, counterpart: str | None = None
) -> ExchangeLog:
    """One exchange with a contractor (OUT-05), by key only: by the calling contractor, or
    sent to `counterpart` by a J-LIS operator (the print file, 000 §3.3 1-②)."""
    return ExchangeLog(
        at=dt.datetime.now(dt.UTC), kind=kind,
        counterpart=(counterpart or caller.client_id)[:64], operator=caller.operator[:64],
        terminal=caller.terminal[:64], key=key[:40], result=result[:40],
    )  # fmt: skip


@contextmanager
def refusal_recorded(uow: UnitOfWork, caller: Caller, kind: str, key: str) -> Iterator[None]:
    """A refused exchange leaves nothing but its record (OUT-05), in its own transaction."""
    try:
        yield
    except JukiError as refused:
        uow.session.rollback()  # nothing of it stays (and SQLite's write lock is freed)
        with uow.node.unit_of_work() as log_uow:
            log_uow.session.add(exchange(caller, kind, key, f"refused:{refused.code}"))
        raise


def _receive(session: Session, caller: Caller, form: ApplicationCreate) -> CardFileEntry:
    entry = session.scalar(
        select(CardFileEntry).where(CardFileEntry.application_id == form.application_id)
    )
    if entry is None:
        raise NotFound("申請書IDが見つかりません", field="application_id")
    if entry.status == "invalidated":
        raise Conflict(
            "この申請書は4情報等の変更により無効です。市町村の窓口で再発行を受けてください",
            field="application_id", code="application_invalidated",
        )  # fmt: skip
    if entry.status != "registered":
        raise Conflict(
            "この申請書IDの申請は受付済みです", field="application_id", code="already_applied"
        )
    if form.applied_on > dt.datetime.now(JST).date():
        raise InvalidInput("申請年月日が未来の日付です", field="applied_on")
    images.check(form)
    at = dt.datetime.now(dt.UTC)
    lifecycle.move(session, entry, CardState.APPLICATION_RECEIVED, at=at, actor=caller.audit_name)
    entry.application_received_at = at
    entry.applied_on, entry.photo_sha256, entry.braille = (
        form.applied_on,
        form.photo_sha256,
        form.braille,
    )
    entry.braille_kana, entry.linkage_number = form.braille_kana, form.linkage_number
    entry.receipt_contractor = caller.client_id  # 67 申請書受付事業者コード
    images.store(session, entry, form)
    session.add(exchange(caller, "application", form.application_id, "application_received"))
    return entry


def statistics(session: Session) -> Statistics:
    counts = dict(
        session.execute(
            select(CardFileEntry.status, func.count()).group_by(CardFileEntry.status)
        ).all()
    )
    waiting = session.scalar(select(func.count()).where(CardFileEntry.removed_on.is_not(None)))
    today = dt.datetime.now(JST).date()
    issued = select(func.count()).where(CardFileEntry.issued_at.is_not(None))
    valid = select(func.count()).where(
        CardFileEntry.status == "issued", CardFileEntry.expires_on >= today
    )
    return Statistics(
        by_status={status: int(counts.get(status, 0)) for status in STATUSES},
        applications_received=int(
            session.scalar(
                select(func.count()).where(CardFileEntry.application_received_at.is_not(None))
            )
            or 0
        ),
        cards_issued=int(session.scalar(issued) or 0),
        valid_cards=int(session.scalar(valid) or 0),
        awaiting_erasure=int(waiting or 0),
    )
