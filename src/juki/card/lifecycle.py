"""The card's lifecycle, as one explicit state machine (000 §3.3 "Card lifecycle states";
File 3 items 96–102): every change of a card entry's status goes through `move`, which
refuses any transition the table below does not list, stamps the dates and reasons the
file keeps (一時停止日・理由, カード廃止日・理由, カード回収日) and writes the change to the
entry's history (`card_events`: from, to, when, why, who) in the same transaction.

States follow the seed's list, folded where juki has no separate step yet (print request
and mailing are the print channel's own records, `printing.py`):

    registered ──▶ application_received ──▶ issued ──▶ shipped ──▶ ready ──▶ active
        │                 │                    │          │          │       │  ▲
        └──▶ invalidated ◀┘                    └──────────┴──────────┴──▶ abolished
                                                                 active ◀─▶ suspended
                                              active, suspended ──▶ expired   │
                                                      abolished, expired ──▶ collected

`invalidated` is the form's end (P3.4: the 4情報 changed before the card was made);
`abolished` (廃止) ends a card, `collected` (回収) records it taken back; 更新 (renewal)
makes a new card entry rather than reviving an old one.

The expiry dates follow the public rules (not in the seeds; 番号法施行令 and 公的個人認証
法施行規則, as J-LIS publishes them): a card expires on the holder's 10th birthday after
its issue when they were 18 or over on issue, else on the 5th; both electronic
certificates expire on the 5th birthday after their issue.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy.orm import Session

from juki.card.models import CardEvent, CardFileEntry
from juki.core.birthdays import age_on, nth_birthday_after
from juki.core.clock import in_japan
from juki.core.errors import Conflict, InvalidInput


class CardState(StrEnum):
    REGISTERED = "registered"  # 1-① 送付先情報 registered, form mailed
    APPLICATION_RECEIVED = "application_received"  # 1-⑦ 交付申請 registered
    INVALIDATED = "invalidated"  # P3.4: the form, before a card was made
    ISSUED = "issued"  # 1-⑨ made by the issuance contractor
    SHIPPED = "shipped"  # 1-⑩ sent to the municipality of the destination address
    READY = "ready"  # 交付前設定 done at the municipality
    ACTIVE = "active"  # 交付: handed over, in use
    SUSPENDED = "suspended"  # 一時停止 (loss, theft: call centre or counter)
    ABOLISHED = "abolished"  # 廃止
    EXPIRED = "expired"  # カード有効期限 passed
    COLLECTED = "collected"  # 回収 (returned card taken back)


S = CardState
TRANSITIONS: dict[CardState, frozenset[CardState]] = {
    S.REGISTERED: frozenset({S.APPLICATION_RECEIVED, S.INVALIDATED}),
    S.APPLICATION_RECEIVED: frozenset({S.ISSUED, S.INVALIDATED}),
    # READY straight from ISSUED: the contractor's shipment report (C22) is not built, so
    # the municipality's 交付前設定 is the first the card system hears of its arrival.
    S.ISSUED: frozenset({S.SHIPPED, S.READY, S.ABOLISHED}),
    S.SHIPPED: frozenset({S.READY, S.ABOLISHED}),
    S.READY: frozenset({S.ACTIVE, S.ABOLISHED}),
    S.ACTIVE: frozenset({S.SUSPENDED, S.ABOLISHED, S.EXPIRED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.ABOLISHED, S.EXPIRED}),
    S.ABOLISHED: frozenset({S.COLLECTED}),
    S.EXPIRED: frozenset({S.COLLECTED}),
    S.INVALIDATED: frozenset(),
    S.COLLECTED: frozenset(),
}
# Where the file keeps a reason, one must be given (items 99, 101).
NEEDS_REASON = frozenset({S.SUSPENDED, S.ABOLISHED})
# A form is out and no card made yet: a change of the 4情報 invalidates it (P3.4).
OUTSTANDING = frozenset({S.REGISTERED, S.APPLICATION_RECEIVED})
# A card exists and has not ended: the services that read a card accept only ACTIVE.
CARD_HELD = frozenset({S.ISSUED, S.SHIPPED, S.READY, S.ACTIVE, S.SUSPENDED})
LABELS = {
    S.REGISTERED: "送付先情報登録済", S.APPLICATION_RECEIVED: "交付申請受付済",
    S.INVALIDATED: "申請書無効", S.ISSUED: "発行済", S.SHIPPED: "市町村へ送付済",
    S.READY: "交付前設定済", S.ACTIVE: "交付済（利用中）", S.SUSPENDED: "一時停止中",
    S.ABOLISHED: "廃止", S.EXPIRED: "有効期限切れ", S.COLLECTED: "回収済",
}  # fmt: skip


class TransitionRefused(Conflict):
    code = "card_state"


def move(
    session: Session,
    entry: CardFileEntry,
    to: CardState,
    *,
    at: dt.datetime,
    actor: str,
    reason: str = "",
) -> CardEvent:
    """Move `entry` to `to`, or refuse (409, field `status`) a transition not listed."""
    current = CardState(entry.status)
    if to not in TRANSITIONS[current]:
        raise TransitionRefused(
            f"カードの状態「{LABELS[current]}」から「{LABELS[to]}」にはできません", field="status"
        )
    reason = reason.strip()
    if to in NEEDS_REASON and not reason:
        raise InvalidInput(f"{LABELS[to]}の理由を入力してください", field="reason")
    _stamp(entry, current, to, at, reason)
    event = CardEvent(
        entry_id=entry.id, from_state=current.value, to_state=to.value, at=at,
        reason=reason[:200], actor=actor[:64],
    )  # fmt: skip
    session.add(event)
    return event


def _stamp(
    entry: CardFileEntry, current: CardState, to: CardState, at: dt.datetime, reason: str
) -> None:
    """The dates and reasons File 3 keeps (items 96–102) follow the state."""
    entry.status, entry.changed_at = to.value, at
    day = in_japan(at).date()  # the day as the ledger reads it: Japan's
    if to is S.INVALIDATED:
        entry.invalidated_at = at
    elif to is S.SUSPENDED:
        entry.suspended_on, entry.suspension_reason = day, reason
    elif to is S.ACTIVE and current is S.SUSPENDED:  # 一時停止解除: no longer suspended
        entry.suspended_on, entry.suspension_reason = None, None
    elif to is S.ABOLISHED:
        entry.abolished_on, entry.abolition_reason = day, reason
    elif to is S.COLLECTED:
        entry.collected_on = day


# --- expiry (public rules; see the module's docstring) -------------------------------------


def card_expiry(birth: dt.date, issued: dt.date) -> dt.date:
    """カード有効期限: the 10th birthday after issue for a holder 18 or over on the day of
    issue, the 5th for a younger one (番号法施行令 第13条, as amended for 18-year majority)."""
    return nth_birthday_after(birth, issued, 10 if age_on(birth, issued) >= 18 else 5)
