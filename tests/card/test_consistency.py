"""File 3 in 整合 (issue #15): the CS's 整合 data go to the card system too, which answers
the differences between its card entries and the CS's file — a relayed change that never
reached File 3, an entry for a person the municipality no longer holds — by 住民票コード and
item name only; nothing is overwritten."""

from __future__ import annotations

import json

from sqlalchemy import select

from juki.card import service as card_service
from juki.card.models import CardFileEntry
from juki.cs import handlers as cs_handlers
from juki.cs import service as cs_service
from juki.network.embedded import EmbeddedNetwork
from juki.registry.notices import changes
from tests.card.helpers import CARD, CS, LG, entries
from tests.card.test_changes import NEW_NAME
from tests.conftest import born, record, resident


def reconcile(network: EmbeddedNetwork) -> list[dict[str, object]]:
    """Start 整合 at 墨田区's CS; File 3's answer."""
    with network.node(CS).unit_of_work() as uow:
        check_id = cs_handlers.start_reconcile(uow)
    network.pump()
    with network.node(CS).db.session() as session:
        reports = cs_service.consistency_reports(session, check_id)
        assert {r.checker for r in reports} == {"prefecture:13", "national", CARD}
        [card] = [r for r in reports if r.checker == CARD]
        return list(card.differences)


def rewrite(network: EmbeddedNetwork, entry_id: int, **items: object) -> None:
    """File 3's record of one entry changed behind the card system's back (a relayed
    change lost, a bad restore)."""
    with network.node(CARD).unit_of_work() as uow:
        entry = uow.session.get(CardFileEntry, entry_id)
        assert entry is not None
        record = card_service.open_record(uow, entry) | items
        entry.record_cipher = card_service.seal_record(uow, record)


def test_file_3_agrees_with_the_cs_after_a_birth_and_a_change(network: EmbeddedNetwork) -> None:
    rid = born(network)
    assert reconcile(network) == []
    record(network, LG, changes.record_name_change, rid, NEW_NAME)
    network.pump()  # relayed by the national server to File 3 (C27)
    assert reconcile(network) == []
    code = resident(network, LG, rid).resident_code
    [entry] = [e for e in entries(network) if e.resident_code == code]
    assert (entry.change_reason, entry.change_date) == ("name_change", NEW_NAME.change_date)


def test_a_stale_entry_is_found_by_item_name_only(network: EmbeddedNetwork) -> None:
    rid = born(network)
    code = resident(network, LG, rid).resident_code
    [entry] = [e for e in entries(network) if e.resident_code == code]
    rewrite(network, entry.id, name_kanji="旧姓　花子", birth_date="1999-01-01")
    differences = reconcile(network)
    assert differences == [
        {"resident_code": code, "kind": "mismatch", "fields": ["birth_date", "name_kanji"]}
    ]
    assert "旧姓" not in json.dumps(differences, ensure_ascii=False)
    # nothing overwritten from the CS's data (002 §6.6)
    with network.node(CARD).unit_of_work() as uow:
        held = uow.session.get(CardFileEntry, entry.id)
        assert held is not None
        assert card_service.held_info(uow, held).name_kanji == "旧姓　花子"


def test_an_entry_for_a_person_the_cs_does_not_hold_is_found(network: EmbeddedNetwork) -> None:
    rid = born(network)
    code = resident(network, LG, rid).resident_code
    with network.node(CARD).unit_of_work() as uow:
        [entry] = uow.session.scalars(
            select(CardFileEntry).where(CardFileEntry.resident_code == code)
        ).all()
        ghost = "12345678903"
        entry.resident_code = ghost
        record = card_service.open_record(uow, entry) | {"resident_code": ghost}
        entry.record_cipher = card_service.seal_record(uow, record)
    assert reconcile(network) == [{"resident_code": ghost, "kind": "missing_there", "fields": []}]
