"""The call centre (コールセンター, 000 P3.2, P3.3; C24–C26): a contractor's system, open at
any hour, whose operators answer enquiries about a person's card and take 一時停止 on loss
or theft. Both start from the caller's identity, confirmed against File 3's own data by all
four of the 4情報 (`identity.py`); every read is in the provision record, a refused one
too (F3-PRV-01, 7 years). A suspension moves the card through the lifecycle and tells the
mayor at once (C26), whose register then asks JPKI to hold the certificates; the call
centre's own system also asks JPKI (C25, `POST /jpki/holds`, a call of its own: the card
system and JPKI share nothing, F3-USE-01), so the hold does not wait for the municipality.

The answers carry no 個人番号 and no 4情報 back: the card's number, its state and dates.
The operators are on the contractor's roster (000 OUT-02/03; staff numbers 100–499)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import select

from juki.card import lifecycle, staff
from juki.card.counter import inform_mayor
from juki.card.identity import four_items_index
from juki.card.issuance import provision
from juki.card.lifecycle import LABELS, CardState
from juki.card.models import CardFileEntry, ExchangeLog
from juki.core.errors import NotFound
from juki.core.messages import CARD_DONE, Sex
from juki.core.messaging.node import UnitOfWork
from juki.duties.operators.clients import Caller
from juki.duties.search import ProvisionLog

DUTY = "card_call_centre"
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class CallerIdentity(BaseModel):
    """The 4情報 as the caller gives them; all four are required and all four must match."""

    model_config = ConfigDict(extra="forbid")

    name_kanji: Annotated[Text, Field(max_length=100)]
    birth_date: dt.date
    sex: Sex
    address: Annotated[Text, Field(max_length=200)]


class SuspensionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identity: CallerIdentity
    card_issue_number: str = Field(pattern=r"^[0-9A-F]{16}$")
    reason: Annotated[Text, Field(max_length=200)]  # 一時停止理由 (紛失, 盗難 …)


class CardStatusView(BaseModel):
    """What the operator reads (000 §2.4 (iii)): the card's state, no personal item."""

    application_id: str  # 申請書ID
    card_issue_number: str | None
    status: str
    status_label: str
    expires_on: dt.date | None
    suspended_on: dt.date | None


def enquire(uow: UnitOfWork, caller: Caller, identity: CallerIdentity) -> list[CardStatusView]:
    """P3.3: the caller's cards and forms, found by all four of the 4情報."""
    staff.require(uow.session, caller, DUTY)
    entries = _entries_of(uow, identity)
    _read(uow, caller, entries, "enquiry")
    return [_view(entry) for entry in entries]


def suspend(uow: UnitOfWork, caller: Caller, body: SuspensionCreate) -> CardStatusView:
    """P3.2: confirm the caller holds the card, suspend it, tell the mayor (C26). A card
    that is not the caller's and a card that does not exist get the same answer."""
    staff.require(uow.session, caller, DUTY)
    mine = [
        e for e in _entries_of(uow, body.identity) if e.card_issue_number == body.card_issue_number
    ]
    if not mine or mine[0].status != CardState.ACTIVE:  # only a card in use is suspended
        uow.session.rollback()  # the refusal is recorded on its own and stays
        with uow.node.unit_of_work() as log_uow:
            _read(log_uow, caller, [], "suspension", refused="本人確認不一致又は一時停止できない")
        raise NotFound(
            "本人確認の結果、一時停止できるカードがありません", field="card_issue_number"
        )
    (entry,) = mine
    actor = f"{caller.operator}@{caller.client_id}"
    at = dt.datetime.now(dt.UTC)
    lifecycle.move(uow.session, entry, CardState.SUSPENDED, at=at, actor=actor, reason=body.reason)
    inform_mayor(uow, entry, "suspended", CARD_DONE, caller.operator, caller.terminal)
    _read(uow, caller, [entry], "suspension")
    return _view(entry)


def _entries_of(uow: UnitOfWork, identity: CallerIdentity) -> list[CardFileEntry]:
    index = four_items_index(
        uow.node.keys, identity.name_kanji, identity.birth_date, identity.sex, identity.address
    )
    stmt = select(CardFileEntry).where(CardFileEntry.four_items_index == index)
    return list(uow.session.scalars(stmt.order_by(CardFileEntry.id)))


def _read(
    uow: UnitOfWork,
    caller: Caller,
    entries: list[CardFileEntry],
    kind: str,
    refused: str | None = None,
) -> None:
    """Every read by the call centre, in the provision record and the exchange record
    (by 申請書ID, never the person)."""
    codes = sorted({e.resident_code for e in entries})
    record = provision(uow, caller, f"callcentre:{caller.client_id}", "", refused)
    record["result_count"] = 0 if refused else len(entries)
    record["targets"] = json.dumps(codes)
    uow.session.add(ProvisionLog(**record))
    keys = [e.application_id for e in entries] or ["-"]
    for key in keys:
        exchanged = ExchangeLog(
            at=dt.datetime.now(dt.UTC), kind=f"call_centre_{kind}",
            counterpart=caller.client_id[:64],
            operator=caller.operator[:64], terminal=caller.terminal[:64],
            key=key, result="refused" if refused else "read",
        )  # fmt: skip
        uow.session.add(exchanged)


def _view(entry: CardFileEntry) -> CardStatusView:
    return CardStatusView(
        application_id=entry.application_id, card_issue_number=entry.card_issue_number,
        status=entry.status, status_label=LABELS[CardState(entry.status)],
        expires_on=entry.expires_on, suspended_on=entry.suspended_on,
    )  # fmt: skip
