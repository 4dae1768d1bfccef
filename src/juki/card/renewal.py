"""更新 and expiry of the card (000 §3.3 "Card lifecycle states": 有効期限切れ, and 更新
producing a new card; the public rules outside the seeds: the holder is sent an
有効期限通知書 with a new 交付申請書 some months before the card expires, and a person holds
one valid card at a time, 個人番号カード省令 第24条).

A run (`POST /card/expiry-notices`, J-LIS's staff, on Japan's today) does two things, each
once per card:

- a card in use expiring within `NOTICE_WITHIN`, of a holder still recorded in the card's
  municipality, is marked and its mayor told (`renewal_due`, 1-⑪). The register extracts
  the holder's 送付先情報 as it stands now, 印刷区分 2 (交付申請書のみ), as for a 再発行; the
  card system then registers the renewal form (`service._reissue`: `renewal_of` names the
  card) and the print channel mails it. The form's mailing items are thus the register's,
  not File 3's copy from years before (attack review). Application, making and 交付 follow
  as for a first card; the new card's 交付 ends every other card of the person
  (`counter.end_other_cards`);
- a card in use or suspended whose expiry has passed becomes 有効期限切れ and its mayor is
  told (`expired`): the register has JPKI revoke its certificates, and every service that
  reads a card accepts only one in use.

The rows are taken FOR UPDATE with the condition in the WHERE clause, so two runs at once
on PostgreSQL do not both take a card: the second re-reads each row it waited for.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from juki.card import lifecycle
from juki.card.counter import inform_mayor
from juki.card.lifecycle import CardState
from juki.card.models import CardFileEntry
from juki.card.service import now, record_exchange
from juki.core.errors import JukiError
from juki.core.messages import CARD_DONE, CardInfoKind, ChangeReason
from juki.core.messaging.node import UnitOfWork

log = logging.getLogger(__name__)
NOTICE_WITHIN = dt.timedelta(days=90)  # some months before [Inference: J-LIS's practice]
ACTOR = "(有効期限通知)"


def run(uow: UnitOfWork, today: dt.date) -> dict[str, int]:
    """One run on Japan's `today`. Returns how many cards of each."""
    return {"renewal_notices": _notify(uow, today), "expired": _expire(uow, today)}


def _notify(uow: UnitOfWork, today: dt.date) -> int:
    due = uow.session.scalars(
        select(CardFileEntry)
        .where(
            CardFileEntry.status == CardState.ACTIVE,
            CardFileEntry.expires_on <= today + NOTICE_WITHIN,
            CardFileEntry.expires_on >= today,
            CardFileEntry.renewal_notified_on.is_(None),
            CardFileEntry.removed_on.is_(None),  # removed from the register: no form
        )
        .order_by(CardFileEntry.id)
        .with_for_update()
    ).all()
    told = 0
    for card in due:
        if card.change_reason == ChangeReason.MOVE_OUT:
            continue  # moved out, not yet in: the new municipality's 継続利用 comes first
        card.renewal_notified_on = today
        record_exchange(uow, "renewal_notice", uow.node.node_id, card.application_id,
                        "renewal_due", purpose="個人番号カードの更新（有効期限通知）")  # fmt: skip
        told += _tell(uow, card, "renewal_due")
    return told


def _expire(uow: UnitOfWork, today: dt.date) -> int:
    past = uow.session.scalars(
        select(CardFileEntry)
        .where(
            CardFileEntry.status.in_((CardState.ACTIVE, CardState.SUSPENDED)),
            CardFileEntry.expires_on < today,
        )
        .order_by(CardFileEntry.id)
        .with_for_update()
    ).all()
    for card in past:
        lifecycle.move(uow.session, card, CardState.EXPIRED, at=now(), actor=ACTOR)
        _tell(uow, card, "expired")
    return len(past)


def _tell(uow: UnitOfWork, card: CardFileEntry, kind: CardInfoKind) -> int:
    try:  # a record that cannot be read again must not stop the run
        inform_mayor(uow, card, kind, CARD_DONE, ACTOR, ACTOR)
    except (JukiError, ValueError):
        log.error("card entry %s: its mayor could not be told (%s)", card.id, kind)
        return 0
    return 1
