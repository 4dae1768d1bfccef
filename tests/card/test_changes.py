"""Keeping File 3 current (000 P3.4, C27, F3-STO-01): each change the national server applies
is relayed to the card system, which applies it to the persons it holds and drops the rest.
A change of the 4情報 invalidates the 申請書ID (F3-ACQ-06); a death starts the period after
which the purge job erases the person (F3-STO-03)."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from sqlalchemy import func, select

from juki.card.models import SCHEMA, CardFileEntry, PendingCardChange
from juki.card.service import RECORD_COLUMN
from juki.core.audit.tables import audit_log
from juki.core.clock import japan_today
from juki.core.messages import MessageType
from juki.core.messaging import tables
from juki.duties.retention import engine
from juki.duties.retention.tables import retention_purges
from juki.network.embedded import EmbeddedNetwork
from juki.registry.notices import changes, moves, schemas
from juki.registry.residents import service as residents
from tests.card.helpers import (
    CARD,
    LG,
    application,
    contractor,
    destination_record,
    entries,
    held_person,
    new_code,
    new_number,
    notice_of,
    send_from_cs,
)
from tests.conftest import born, record, resident
from tests.registry.helpers import INTAKE

TODAY = japan_today()
NOW = dt.datetime.now(dt.UTC)
NEW_NAME = schemas.NameChangeNotice(
    name_kanji="押上\u3000花子", name_kana="オシアゲ\u3000ハナコ",
    former_surname_kanji="墨田", former_surname_kana="スミダ", change_date=TODAY,
)  # fmt: skip


def entry_of(network: EmbeddedNetwork, destination_id: str) -> CardFileEntry | None:
    found = [e for e in entries(network) if e.destination_id == destination_id]
    return found[0] if found else None


def held_items(network: EmbeddedNetwork, destination_id: str) -> dict[str, object]:
    entry = entry_of(network, destination_id)
    assert entry is not None
    opened: dict[str, object] = json.loads(
        network.node(CARD).keys.decrypt(entry.record_cipher, column=RECORD_COLUMN)
    )
    return opened


def relayed(network: EmbeddedNetwork) -> int:
    """How many 異動情報 messages the card system has applied from the national server."""
    with network.node(CARD).db.session() as session:
        query = select(func.count()).where(
            tables.inbox.c.sender == "national", tables.inbox.c.type == MessageType.CARD_CHANGE
        )
        return int(session.scalar(query) or 0)


def test_a_name_change_invalidates_the_application_id_and_a_later_form_is_refused(
    network: EmbeddedNetwork,
) -> None:
    rid, entry = held_person(network)
    record(network, LG, changes.record_name_change, rid, NEW_NAME)
    changed = entry_of(network, entry.destination_id)
    assert changed is not None
    assert (changed.status, changed.application_id) == ("invalidated", entry.application_id)
    assert changed.invalidated_at is not None
    items = held_items(network, entry.destination_id)
    assert (items["name_kanji"], items["name_kanji_length"]) == ("押上\u3000花子", 5)
    answer = contractor(network).post("/card/applications", json=application(entry.application_id))
    assert answer.status_code == 409
    assert answer.json()["field"] == "application_id"
    assert answer.json()["code"] == "application_invalidated"
    assert all(e.application_received_at is None for e in entries(network))  # nothing stored


def test_a_move_within_the_municipality_invalidates_too(network: EmbeddedNetwork) -> None:
    rid, entry = held_person(network)
    notice = schemas.MoveWithinNotice(
        intake=INTAKE, address="東京都墨田区業平二丁目1番1号", change_date=TODAY
    )
    record(network, LG, moves.record_move_within, rid, notice)
    moved = entry_of(network, entry.destination_id)
    assert moved is not None
    assert moved.status == "invalidated"
    assert held_items(network, entry.destination_id)["address"] == "東京都墨田区業平二丁目1番1号"


def test_a_resident_code_change_follows_the_person_and_keeps_the_form(
    network: EmbeddedNetwork,
) -> None:
    rid, entry = held_person(network)
    notice = schemas.ResidentCodeChangeNotice(change_date=TODAY)
    record(network, LG, changes.change_resident_code, rid, notice)
    new_code = resident(network, LG, rid).resident_code
    changed = entry_of(network, entry.destination_id)
    assert changed is not None
    assert new_code != entry.resident_code
    assert (changed.resident_code, changed.status) == (new_code, "registered")
    assert held_items(network, entry.destination_id)["resident_code"] == new_code


def test_every_applied_change_is_relayed_by_the_national_server(
    network: EmbeddedNetwork,
) -> None:
    before = relayed(network)
    rid = born(network)
    record(network, LG, changes.record_name_change, rid, NEW_NAME)
    assert relayed(network) >= before + 2  # the birth and the name change (C27)


def test_changes_of_persons_not_held_wait_sealed_and_go_after_30_days(
    network: EmbeddedNetwork,
) -> None:
    """Issue #15: a change for a person File 3 does not hold yet may come before their
    送付先情報 (another channel), so it is kept — sealed, outside File 3, never logged by
    the person's codes — for 30 days, then erased by the retention job
    (`tests/card/test_pending_changes.py` shows it applied when the person arrives)."""
    held_person(network)
    held_before = entries(network)
    stranger = card_change(new_code())
    with network.node("national").unit_of_work() as uow:
        uow.send(CARD, MessageType.CARD_CHANGE, stranger)
    network.pump()
    assert relayed(network) >= 1
    assert [(e.id, e.resident_code, e.status, e.record_cipher) for e in entries(network)] == [
        (e.id, e.resident_code, e.status, e.record_cipher) for e in held_before
    ]
    node = network.node(CARD)
    with node.db.session() as session:
        targets = session.scalars(select(audit_log.c.targets)).all()
        waiting = session.scalar(select(func.count()).select_from(PendingCardChange))
    assert waiting == 1
    assert all(stranger["resident_code"] not in t for t in targets)
    for days, left in ((29, 1), (31, 0)):
        with node.unit_of_work() as uow:
            engine.purge(uow.session, node.role, SCHEMA, NOW + dt.timedelta(days=days))
        with node.db.session() as session:
            assert session.scalar(select(func.count()).select_from(PendingCardChange)) == left


def card_change(code: str, **fields: object) -> dict[str, object]:
    return {
        "update_id": str(uuid.uuid4()), "resident_code": code, "name_kanji": "錦糸　一郎",
        "name_kana": "キンシ　イチロウ", "birth_date": "1980-01-01", "sex": "1",
        "address": "東京都墨田区錦糸一丁目1番1号", "lg_code": LG,
        "individual_number": new_number(), "reason": "name_change",
        "change_date": TODAY.isoformat(),
    } | fields  # fmt: skip


def test_a_death_is_erased_after_the_period_and_not_before(network: EmbeddedNetwork) -> None:
    rid, entry = held_person(network)
    record(network, LG, moves.record_death, rid, schemas.DeathNotice(change_date=TODAY))
    dead = entry_of(network, entry.destination_id)
    assert dead is not None
    assert (dead.removed_on, dead.status) == (TODAY, "invalidated")
    rule = "個人番号カード用管理ファイル（死亡・失踪宣告・職権消除の者）"
    assert purge_at(network, years=4.9)[rule].erased == 0
    assert entry_of(network, entry.destination_id) is not None
    done = purge_at(network, years=5.1)[rule]
    assert done.erased >= 1
    assert str(entry.id) in done.keys
    assert entry_of(network, entry.destination_id) is None
    with network.node(CARD).db.session() as session:  # the erasure history (F3-STO-02)
        history = session.execute(select(retention_purges.c.rule, retention_purges.c.erased))
        assert (rule, done.erased) in [tuple(row) for row in history]


def purge_at(network: EmbeddedNetwork, years: float) -> dict[str, engine.Purge]:
    node = network.node(CARD)
    at = dt.datetime.now(dt.UTC) + dt.timedelta(days=365.25 * years)
    with node.unit_of_work() as uow:
        return {p.rule: p for p in engine.purge(uow.session, "card", SCHEMA, at)}


def test_a_change_that_keeps_the_address_keeps_the_form_of_a_person_with_a_katagaki(
    network: EmbeddedNetwork,
) -> None:
    """The municipality's 送付先情報 carries the 住所 with its 方書; the changes the national
    server relays carry the 住所 of 本人確認情報, without it. The same 住所 is no change."""
    rid = born(network)
    code = resident(network, LG, rid).resident_code
    with network.node(f"registry:{LG}").unit_of_work() as uow:
        number = residents.number_of(uow, residents.get_resident(uow, rid))
    with_katagaki = "東京都墨田区吾妻橋一丁目2番3号\u3000スカイハイツ101号"
    held = destination_record(code, number, birth_date="2026-11-01", address=with_katagaki)
    send_from_cs(network, [notice_of(held)])
    record(network, LG, changes.change_resident_code, rid,
           schemas.ResidentCodeChangeNotice(change_date=TODAY))  # fmt: skip
    entry = entry_of(network, held["destination_id"])
    assert entry is not None
    assert entry.status == "registered"
    assert held_items(network, held["destination_id"])["address"] == with_katagaki
