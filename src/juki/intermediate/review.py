"""The review of held answers (自動応答不可: 001a NWS-5-3 — "before such data is provided,
staff re-check the content and then provide it"; 001b C-13, a 支援措置 person is never
answered automatically). A held permit waits here; a member of staff with the right
`provision_review` reads the request and the 副本 it would be answered from, and either
provides it (sealed to the key the requester signed, as an automatic answer is) or
withholds it (the requester is told "not provided", as for a person not held). Each
permit is decided once, by one reviewer, before its deadline (REVIEW_PERIOD); who, when,
what and why are kept with it, and the provision record follows."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select, update

from juki.core.clock import as_utc
from juki.core.errors import Conflict, InvalidInput, NotFound
from juki.core.infonet_messages import InfonetAnswer, Outcome, QueryRequest, Reason
from juki.core.messages import MessageType
from juki.core.messaging.node import UnitOfWork
from juki.intermediate.exchange import NETWORK, copies_for, now, sealed_answer
from juki.intermediate.models import HeldAnswer, ProvisionLog

Decision = Literal["provide", "withhold"]
NOTE_MAX = 400


@dataclass(frozen=True)
class HeldCase:
    """One held answer as the reviewer sees it: the request, and the 副本 it would give."""

    permit_id: str
    request: QueryRequest
    atena_id: str
    held_at: dt.datetime
    review_by: dt.datetime
    copies: dict[str, object]  # kind → the data as it stands now
    decision: str | None
    decided_by: str | None
    decided_at: dt.datetime | None


def waiting(uow: UnitOfWork) -> list[HeldAnswer]:
    """The queue: held answers not yet decided, oldest first."""
    return list(
        uow.session.scalars(
            select(HeldAnswer).where(HeldAnswer.decision.is_(None)).order_by(HeldAnswer.held_at)
        )
    )


def case(uow: UnitOfWork, permit_id: str) -> HeldCase:
    held = uow.session.get(HeldAnswer, permit_id)
    if held is None:
        raise NotFound("審査する回答が見つかりません", field="permit_id")
    request = QueryRequest.model_validate_json(held.request)
    copies = {c.kind: json.loads(c.data) for c in copies_for(uow, held.atena_id, request.items)}
    return HeldCase(
        permit_id=held.permit_id, request=request, atena_id=held.atena_id,
        held_at=held.held_at, review_by=held.review_by, copies=copies,
        decision=held.decision, decided_by=held.decided_by, decided_at=held.decided_at,
    )  # fmt: skip


def decide(
    uow: UnitOfWork, permit_id: str, decision: Decision, reviewer: str, note: str
) -> Outcome:
    """Provide or withhold one held answer; returns what was sent to the network. A reason
    is required to withhold (it is the record of why a lawful query went unanswered)."""
    note = note.strip()
    if decision == "withhold" and not note:
        raise InvalidInput("提供しない理由を入力してください", field="note")
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"理由は{NOTE_MAX}文字以内で入力してください", field="note")
    held = case(uow, permit_id)  # NotFound for an unknown permit
    if held.decision is None and as_utc(held.review_by) <= now():
        raise Conflict(
            "審査の期限を過ぎています（提供しないものとして扱われます）", field="permit_id"
        )
    claimed = _claim(uow, permit_id, decision, reviewer)  # Conflict if decided already
    claimed.note = note or None  # through the ORM, so it is sealed (SealedText)
    if decision == "provide":
        stored = copies_for(uow, held.atena_id, held.request.items)
        outcome, reason, sealed = sealed_answer(stored, held.request, permit_id)
    else:
        outcome, reason, sealed = "withheld", "withheld_on_review", None
    claimed.decision = outcome  # provided, or what came instead (not_held, refused)
    _answer(uow, permit_id, outcome, reason, sealed)
    return outcome


def _claim(uow: UnitOfWork, permit_id: str, decision: Decision, reviewer: str) -> HeldAnswer:
    """Take the decision in one conditional UPDATE, so of two reviewers deciding the same
    permit at once only one does (the other is told it was decided)."""
    taken = uow.session.execute(
        update(HeldAnswer)
        .where(HeldAnswer.permit_id == permit_id, HeldAnswer.decision.is_(None))
        .values(
            decision="provided" if decision == "provide" else "withheld",
            decided_by=reviewer[:120],
            decided_at=now(),
        )
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("この回答は既に審査されています", field="permit_id")
    claimed = uow.session.get(HeldAnswer, permit_id, populate_existing=True)
    assert claimed is not None
    return claimed


def _answer(
    uow: UnitOfWork, permit_id: str, outcome: Outcome, reason: Reason | None, sealed: str | None
) -> None:
    entry = uow.session.scalars(
        select(ProvisionLog).where(
            ProvisionLog.side == "providing", ProvisionLog.permit_id == permit_id
        )
    ).first()
    if entry is not None:  # the 情報提供等記録 follows the decision
        entry.outcome, entry.reason, entry.answered_at = outcome, reason, now()
    answer = InfonetAnswer(permit_id=permit_id, outcome=outcome, sealed=sealed, reason=reason)
    uow.send(NETWORK, MessageType.INFONET_ANSWER, answer.model_dump())


def expire(uow: UnitOfWork) -> int:
    """Held answers past their deadline leave the queue as `expired`, and the provision
    record says so (the network ends their permits as withheld, `review_expired`, at the
    same time). Run by the housekeeping; returns how many ended."""
    past = uow.session.scalars(
        select(HeldAnswer.permit_id)
        .where(HeldAnswer.decision.is_(None), HeldAnswer.review_by <= now())
        .limit(500)
    ).all()
    for permit_id in past:
        uow.session.execute(
            update(HeldAnswer)
            .where(HeldAnswer.permit_id == permit_id, HeldAnswer.decision.is_(None))
            .values(decision="expired", decided_at=now())
            .execution_options(synchronize_session=False)
        )
        uow.session.execute(
            update(ProvisionLog)
            .where(ProvisionLog.side == "providing", ProvisionLog.permit_id == permit_id)
            .values(outcome="withheld", reason="review_expired", answered_at=now())
            .execution_options(synchronize_session=False)
        )
    return len(past)
