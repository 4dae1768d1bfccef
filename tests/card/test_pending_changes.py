"""A change that reaches the card system before the person's 送付先情報 (issue #15: the two
come on different channels) is kept, sealed, and applied when the person arrives — before,
it was dropped without a trace, and the form went out with a name already changed. On
SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from juki.card import pending
from juki.card.models import ExchangeLog, PendingCardChange
from juki.network.embedded import EmbeddedNetwork
from tests.card.helpers import (
    CARD,
    destination_record,
    entries,
    new_code,
    new_number,
    notice_of,
    send_from_cs,
)
from tests.card.test_reissue import changed


def waiting(network: EmbeddedNetwork) -> list[PendingCardChange]:
    with network.node(CARD).db.session() as session:
        rows = list(session.scalars(select(PendingCardChange)))
        session.expunge_all()
        return rows


def test_a_change_before_the_person_is_kept_and_applied_when_they_arrive(
    network: EmbeddedNetwork,
) -> None:
    code, number = new_code(), new_number()
    changed(network, code, number)  # a name change, relayed before the 送付先情報
    [kept] = waiting(network)
    assert kept.resident_code == code
    assert number.encode() not in kept.record_cipher  # sealed: 4情報 and 個人番号 inside
    record = destination_record(code, number)  # extracted with the old name
    send_from_cs(network, [notice_of(record)])
    [entry] = [e for e in entries(network) if e.destination_id == record["destination_id"]]
    assert entry.status == "invalidated"  # the form names the old name: not to be used
    assert waiting(network) == []  # claimed, once
    with network.node(CARD).db.session() as session:
        results = [
            r.result
            for r in session.scalars(select(ExchangeLog).where(ExchangeLog.kind == "card_change"))
        ]
    assert results == ["kept_pending", "invalidated"]


def test_the_same_change_delivered_twice_is_kept_once(network: EmbeddedNetwork) -> None:
    code, number = new_code(), new_number()
    changed(network, code, number, update_id="u-twice-000001")
    changed(network, code, number, update_id="u-twice-000001")
    assert len(waiting(network)) == 1


def test_a_change_for_a_person_held_is_not_kept(network: EmbeddedNetwork) -> None:
    code, number = new_code(), new_number()
    record = destination_record(code, number)
    send_from_cs(network, [notice_of(record)])
    changed(network, code, number)
    assert waiting(network) == []
    with network.node(CARD).db.session() as session:
        assert session.scalar(select(func.count()).select_from(PendingCardChange)) == 0
    assert pending.RECORD == "card_pending_changes.record"
