"""What the municipality reports of a card at its counter (000 §3.3 1-⑪ and 8-①, C23):
交付前設定, 交付, 一時停止, 一時停止解除, 廃止, 回収 — each moves the card through the
lifecycle (`lifecycle.move`, which refuses what it does not list) and is answered to that
municipality, through its CS, with the card's 個人番号カード管理情報 and a 処理結果コード
(`00` done, `90` refused by the card's state), each answer in the provision record (7
years, refusals too).

Only the municipality that has the card (所管: the entry's 市町村コード) may report on it;
a report from any other is refused and recorded, and nothing is sent to it — an answer
would carry the holder's 個人番号 to a municipality that has no business with them.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from sqlalchemy import or_, select

from juki.card import lifecycle
from juki.card.issuance import provision_record, recipient_of
from juki.card.lifecycle import CardState
from juki.card.models import CardEvent, CardFileEntry, ExchangeLog, WaitingContinuation
from juki.card.service import held_info, lives_in
from juki.core.clock import japan_today
from juki.core.crypto import sealed_label
from juki.core.errors import JukiError
from juki.core.messages import (
    CARD_DONE,
    CARD_REFUSED,
    CardInfo,
    CardInfoKind,
    CardReport,
    CardStatusAnswer,
    CardStatusQuery,
    CardUse,
    ChangeReason,
    MessageType,
)
from juki.core.messaging.node import UnitOfWork
from juki.core.messaging.paths import code_of
from juki.duties.search import ProvisionLog

log = logging.getLogger(__name__)
KIND = "counter_report"
TARGET: dict[str, CardState] = {
    "ready": CardState.READY,
    "handed_over": CardState.ACTIVE,
    "suspended": CardState.SUSPENDED,
    "resumed": CardState.ACTIVE,
    "abolished": CardState.ABOLISHED,
    "collected": CardState.COLLECTED,
}


def apply_reports(uow: UnitOfWork, sender: str, records: list[dict[str, object]]) -> None:
    for raw in records:
        report = CardReport.model_validate(raw)
        # FOR UPDATE: two municipalities' reports on one card (a suspension at the old one,
        # a 継続利用 at the new one) come through different CSs and may run at once.
        entry = uow.session.scalar(
            select(CardFileEntry)
            .where(CardFileEntry.card_issue_number == report.card_issue_number)
            .with_for_update()
        )
        if report.kind == "continued_use":
            _continue_use(uow, sender, report, entry)
            continue
        if entry is None or entry.lg_code != report.lg_code or code_of(sender) != entry.lg_code:
            _exchange(uow, sender, report, "refused:not_in_jurisdiction")
            log.warning("card report %s: no such card in that municipality", report.report_id)
            continue
        _apply(uow, sender, report, entry)


def _apply(uow: UnitOfWork, sender: str, report: CardReport, entry: CardFileEntry) -> None:
    actor = f"{report.operator_id}@{sender}"[:64]
    at = dt.datetime.now(dt.UTC)
    try:  # `move` checks everything before it changes anything
        if report.kind == "resumed" and entry.status != CardState.SUSPENDED:
            # 解除 is ACTIVE again only from a suspension (not a handover in disguise)
            raise lifecycle.TransitionRefused("一時停止中のカードではありません", field="status")
        if report.kind == "resumed" and _past_expiry(entry):
            raise lifecycle.TransitionRefused("有効期限の過ぎたカードです", field="status")
        if report.kind == "returned":  # 返還: 廃止 with its reason, then 回収, one step
            _return(uow, entry, at, actor, report.reason)
        else:
            move = TARGET[report.kind]
            lifecycle.move(uow.session, entry, move, at=at, actor=actor, reason=report.reason)
    except JukiError as refused:
        result = f"refused:{refused.code}"
        _exchange(uow, sender, report, result)
        _answer(uow, report, entry, CARD_REFUSED, refused_reason=refused.message)
        return
    _exchange(uow, sender, report, report.kind)
    _answer(uow, report, entry, CARD_DONE)
    if report.kind == "handed_over":
        end_other_cards(uow, entry, actor)


def _past_expiry(entry: CardFileEntry) -> bool:
    return entry.expires_on is not None and entry.expires_on < japan_today()


def _return(
    uow: UnitOfWork, entry: CardFileEntry, at: dt.datetime, actor: str, reason: str
) -> None:
    """返還: a card the holder had (in use, suspended or expired) handed back."""
    if entry.status in (CardState.ACTIVE, CardState.SUSPENDED):
        why = f"返還：{reason}".rstrip("：")
        lifecycle.move(uow.session, entry, CardState.ABOLISHED, at=at, actor=actor, reason=why)
    elif entry.status != CardState.EXPIRED:  # never handed over, or ended already
        raise lifecycle.TransitionRefused("本人が持っているカードではありません", field="status")
    lifecycle.move(uow.session, entry, CardState.COLLECTED, at=at, actor=actor, reason=reason)


RENEWED = "更新（新しいカードの交付）"
REPLACED = "新しいカードの交付"


def end_other_cards(uow: UnitOfWork, card: CardFileEntry, actor: str) -> None:
    """A card was handed over: every other card of the person still in use or suspended
    ends — one valid card at a time (個人番号カード省令 第24条), whether the new one renews
    it or replaces it (a renewal form reissued after a change names no old card, attack
    review) — and each one's mayor is told; the register then has JPKI revoke its
    certificates and takes the card back (回収)."""
    others = uow.session.scalars(
        select(CardFileEntry)
        .where(
            or_(
                CardFileEntry.resident_code == card.resident_code,
                CardFileEntry.individual_number_index == card.individual_number_index,
            ),
            CardFileEntry.id != card.id,
            CardFileEntry.status.in_((CardState.ACTIVE, CardState.SUSPENDED)),
        )
        .with_for_update()
    ).all()
    at = card.changed_at or dt.datetime.now(dt.UTC)
    for old in others:
        why = RENEWED if card.renewal_of == old.application_id else REPLACED
        lifecycle.move(uow.session, old, CardState.ABOLISHED, at=at, actor=actor, reason=why)
        try:  # nothing here may raise: a raise would hold up every later report of that CS
            inform_mayor(uow, old, "abolished", CARD_DONE, actor[:40], actor[:40])
        except (JukiError, ValueError):
            log.error("card entry %s ended; its mayor could not be told", old.id)


def _continue_use(
    uow: UnitOfWork, sender: str, report: CardReport, entry: CardFileEntry | None
) -> None:
    """3-⑥ 継続利用: the holder moved in elsewhere with the card (特例転入, 住基法 第24条の2)
    and the new municipality reports the card kept in use there. Only that municipality,
    for the card's own holder (its 住民票コード), once the national server's relay of the
    転入 has reached File 3 (the card's address is in that municipality): then the card's
    所管 moves there, and its 管理情報 goes to the new mayor. Anyone else's report is
    refused and answered nothing (the answer carries the 個人番号)."""
    ours = (
        entry is not None
        and code_of(sender) == report.lg_code
        and entry.resident_code == report.resident_code
        and entry.lg_code != report.lg_code
    )
    if entry is None or not ours:
        _exchange(uow, sender, report, "refused:not_in_jurisdiction")
        log.warning("card report %s: continued use refused", report.report_id)
        return
    try:  # nothing here may raise: a raise would hold up every later report of that CS
        lives_there = _lives_in(uow, entry, report.lg_code)
    except (JukiError, ValueError):
        lives_there = False
    if not lives_there and entry.change_reason == ChangeReason.MOVE_OUT:
        # the holder's 転出 is on record, their 転入's relay not yet: kept until it comes
        if _wait_for_relay(uow, sender, report):
            _exchange(uow, sender, report, "waiting:move_not_relayed")
        return
    if not lives_there:  # no move out of the card's municipality on record at all
        _exchange(uow, sender, report, "refused:move_not_relayed")
        return
    if entry.status != CardState.ACTIVE:
        _exchange(uow, sender, report, "refused:card_state")
        inform_mayor(
            uow, entry, report.kind, CARD_REFUSED, report.operator_id, report.terminal_id,
            "利用中のカードではありません", to_lg=report.lg_code,
        )  # fmt: skip
        return
    at = dt.datetime.now(dt.UTC)
    previous, entry.lg_code, entry.changed_at = entry.lg_code, report.lg_code, at
    # File 3 items 108 転入処理日 and 111 前住地市町村コード (000 §4.3)
    entry.moved_in_on, entry.previous_lg_code = report.done_on, previous
    uow.session.add(
        CardEvent(
            entry_id=entry.id, from_state=entry.status, to_state=entry.status, at=at,
            reason=f"継続利用（前住所地 {previous}）", actor=f"{report.operator_id}@{sender}"[:64],
        )
    )  # fmt: skip
    _exchange(uow, sender, report, report.kind)
    _answer(uow, report, entry, CARD_DONE)
    # The former municipality's register still shows the card as its own: told it has
    # gone (its reports on it are refused from now on, 所管 being the new one's).
    inform_mayor(
        uow, entry, "moved_away", CARD_DONE, report.operator_id, report.terminal_id,
        to_lg=previous,
    )  # fmt: skip


WAITING = sealed_label("card_waiting_continuations.report")


def _wait_for_relay(uow: UnitOfWork, sender: str, report: CardReport) -> bool:
    """Keep a 継続利用 until the national server's relay of the 転入 reaches File 3; False
    if it is kept already."""
    kept = select(WaitingContinuation.id).where(WaitingContinuation.report_id == report.report_id)
    if uow.session.scalar(kept) is not None:
        return False
    sealed = uow.node.keys.encrypt(report.model_dump_json(), column=WAITING)
    uow.session.add(
        WaitingContinuation(
            report_id=report.report_id, card_issue_number=report.card_issue_number,
            sender=sender, report_cipher=sealed, received_at=dt.datetime.now(dt.UTC),
        )
    )  # fmt: skip
    return True


def retry_continuations(uow: UnitOfWork) -> int:
    """After relayed changes were applied: each waiting 継続利用 whose holder File 3 now
    puts in the reporting municipality is taken up (and answered). Returns how many."""
    waiting = uow.session.scalars(
        select(WaitingContinuation).order_by(WaitingContinuation.id).with_for_update()
    ).all()
    taken = 0
    for row in waiting:
        report = CardReport.model_validate_json(
            uow.node.keys.decrypt(row.report_cipher, column=WAITING)
        )
        entry = uow.session.scalar(
            select(CardFileEntry)
            .where(CardFileEntry.card_issue_number == row.card_issue_number)
            .with_for_update()
        )
        try:
            arrived = entry is not None and _lives_in(uow, entry, report.lg_code)
        except (JukiError, ValueError):
            arrived = False
        if arrived:
            uow.session.delete(row)
            _continue_use(uow, row.sender, report, entry)
            taken += 1
        elif entry is None or entry.change_reason != ChangeReason.MOVE_OUT:
            # the holder's 転入 was relayed, and it is not there: the report goes
            uow.session.delete(row)
            _exchange(uow, row.sender, report, "refused:moved_elsewhere")
    return taken


def _lives_in(uow: UnitOfWork, entry: CardFileEntry, lg_code: str) -> bool:
    return lives_in(held_info(uow, entry), lg_code)


def _answer(
    uow: UnitOfWork,
    report: CardReport,
    entry: CardFileEntry,
    result_code: str,
    refused_reason: str | None = None,
) -> None:
    inform_mayor(
        uow, entry, report.kind, result_code, report.operator_id, report.terminal_id,
        refused_reason,
    )  # fmt: skip


def inform_mayor(
    uow: UnitOfWork,
    entry: CardFileEntry,
    kind: CardInfoKind,
    result_code: str,
    operator: str,
    terminal: str,
    refused_reason: str | None = None,
    *,
    to_lg: str | None = None,
) -> None:
    """個人番号カード管理情報 to the municipality that has the card (or `to_lg`: the new
    municipality a 継続利用 was refused to, the holder's now) (C23: the 8 items; C26
    for a suspension taken by the call centre), in the provision record."""
    assert entry.card_issue_number is not None  # a card reported on was made
    assert entry.expires_on is not None
    info = CardInfo(
        info_id=str(uuid.uuid4()), kind=kind,
        individual_number=held_info(uow, entry).individual_number,
        resident_code=entry.resident_code, lg_code=to_lg or entry.lg_code,
        application_id=entry.application_id, card_issue_number=entry.card_issue_number,
        expires_on=entry.expires_on, result_code=result_code,
    )  # fmt: skip
    recipient = f"cs:{to_lg}" if to_lg else recipient_of(entry)
    uow.send(recipient, MessageType.CARD_INFO, info.model_dump(mode="json"))
    requester = f"{uow.node.node_id} ({recipient})"
    record = provision_record(
        requester, operator, terminal, recipient, entry.resident_code, refused_reason
    )
    provided = ProvisionLog(**record)
    uow.session.add(provided)


def _exchange(uow: UnitOfWork, sender: str, report: CardReport, result: str) -> None:
    """The exchange record (F3-ACQ-03): by the card's number, never the person's."""
    exchanged = ExchangeLog(
        at=dt.datetime.now(dt.UTC), kind=KIND, counterpart=sender[:64],
        operator=report.operator_id[:64], terminal=report.terminal_id[:64],
        key=report.card_issue_number, result=result[:40],
    )  # fmt: skip
    uow.session.add(exchanged)


# --- the counter's question: is this card in use? (with a 本人確認 by the card) -----------

USE_OF: dict[str, CardUse] = {
    CardState.ACTIVE: "in_use", CardState.SUSPENDED: "suspended",
    CardState.ABOLISHED: "ended", CardState.EXPIRED: "ended", CardState.COLLECTED: "ended",
    CardState.ISSUED: "not_handed_over", CardState.SHIPPED: "not_handed_over",
    CardState.READY: "not_handed_over",
}  # fmt: skip


def answer_status(uow: UnitOfWork, sender: str, query: CardStatusQuery) -> None:
    """The card's state, to the asking municipality's CS only — and only for the card's own
    holder's code: "no such card" and "not this person's" get the same `unknown`."""
    if code_of(sender) != query.lg_code:
        log.warning("card status %s asked in another municipality's name", query.check_id)
        return
    entry = uow.session.scalar(
        select(CardFileEntry).where(CardFileEntry.card_issue_number == query.card_issue_number)
    )
    known = entry is not None and entry.resident_code == query.resident_code
    status: CardUse = USE_OF.get(entry.status, "unknown") if known and entry else "unknown"
    if status in ("in_use", "suspended") and entry is not None and _past_expiry(entry):
        status = "ended"  # past its expiry, before the run marks it
    answer = CardStatusAnswer(
        check_id=query.check_id, lg_code=query.lg_code,
        card_issue_number=query.card_issue_number, status=status,
    )  # fmt: skip
    uow.session.add(
        ExchangeLog(
            at=dt.datetime.now(dt.UTC), kind="status_query", counterpart=sender[:64],
            operator=f"({sender})"[:64], terminal=sender[:64], key=query.card_issue_number,
            result=status,
        )
    )  # fmt: skip
    uow.send(f"cs:{query.lg_code}", MessageType.CARD_STATUS, answer.model_dump(mode="json"))
