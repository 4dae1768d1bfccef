"""送付先情報ファイル at the CS (File 3; 001a §3.7 7-①/②, §4.3): received only whole and
correct (ACQ-3-8, 001b C-06), passed to J-LIS's card management system unedited (XFER-2-8),
erased in one batch a set period after the card system's receipt (STO-2-2, STO-3-4), never
backed up (§4.3.5)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import create_engine, func, inspect, select, text

from juki.core.audit.tables import audit_log
from juki.core.clock import japan_today
from juki.core.identity import NUMBER_COLUMN
from juki.core.messages import MessageType, destination_digest
from juki.core.messaging.tables import outbox
from juki.cs import destination_file, handlers
from juki.cs.models import SCHEMA, DestinationEntry
from juki.duties import backup
from juki.duties.retention import engine
from juki.duties.search import ProvisionLog
from juki.network.embedded import EmbeddedNetwork, postgres_database
from juki.registry.cards import destination_info
from juki.registry.models import DestinationExtract, Resident
from juki.registry.notices import moves, schemas
from tests.conftest import born, record, resident

LG = "131075"
CS = f"cs:{LG}"
OTHER_NUMBER = "123456789018"  # well-formed, nobody's


def entries(network: EmbeddedNetwork) -> list[DestinationEntry]:
    with network.node(CS).db.session() as session:
        rows = list(session.scalars(select(DestinationEntry).order_by(DestinationEntry.id)))
        session.expunge_all()
        return rows


def extracts(network: EmbeddedNetwork) -> list[DestinationExtract]:
    with network.node(f"registry:{LG}").db.session() as session:
        rows = list(session.scalars(select(DestinationExtract)))
        session.expunge_all()
        return rows


def notice_for(network: EmbeddedNetwork, resident_id: int, **changes: Any) -> dict[str, Any]:
    """The notice the registry would send for this person, with `changes` applied to the
    record and the digest computed afterwards (so only the change is wrong)."""
    node = network.node(f"registry:{LG}")
    with node.db.session() as session:
        person = session.get(Resident, resident_id)
        assert person is not None
        assert person.individual_number_cipher is not None
        row = {c.key: getattr(person, c.key) for c in inspect(Resident).mapper.column_attrs}
        number = node.keys.decrypt(person.individual_number_cipher, column=NUMBER_COLUMN)
    office = destination_info.office_of(LG)
    record = destination_info.build(row, number, office, "test-0001-destination", "clerk", "t1")
    record |= changes
    return {"record": record, "digest": destination_digest(record)}


def deliver(network: EmbeddedNetwork, notice: dict[str, Any]) -> list[tuple[str, str]]:
    """Hand `notice` to the CS as its registry would; returns what the CS queued."""
    envelope = SimpleNamespace(sender=f"registry:{LG}", type=MessageType.DESTINATION_INFO)
    with network.node(CS).unit_of_work() as uow:
        handlers.on_destination_info(uow, envelope, [notice])  # type: ignore[arg-type]
        pending = {key: list(records) for key, records in uow._pending.items()}
    return [(recipient, kind) for (recipient, kind), records in pending.items() for _ in records]


def refusal_queued(network: EmbeddedNetwork, notice: dict[str, Any]) -> dict[str, Any]:
    envelope = SimpleNamespace(sender=f"registry:{LG}", type=MessageType.DESTINATION_INFO)
    with network.node(CS).unit_of_work() as uow:
        handlers.on_destination_info(uow, envelope, [notice])  # type: ignore[arg-type]
        pending = dict(uow._pending)
    assert list(pending) == [(f"registry:{LG}", MessageType.DESTINATION_RECEIPT)]
    (receipt,) = pending[(f"registry:{LG}", MessageType.DESTINATION_RECEIPT)]
    assert receipt["result"] == "refused"
    assert receipt["refused_by"] == "cs"
    return receipt


def test_a_birth_reaches_the_card_system_and_the_receipt_comes_back(
    network: EmbeddedNetwork,
) -> None:
    code = resident(network, LG, born(network)).resident_code
    network.pump()
    (extract,) = extracts(network)
    assert extract.status == "registered"
    assert extract.answered_at is not None
    (entry,) = entries(network)
    assert (entry.destination_id, entry.digest) == (extract.destination_id, extract.digest)
    assert entry.status == "registered"
    assert entry.received_at is not None
    with network.node(CS).db.session() as session:
        sent = session.scalars(
            select(ProvisionLog).where(ProvisionLog.duty_code == MessageType.DESTINATION_INFO)
        ).one()
        assert (sent.body_code, sent.legal_basis) == ("card", "個人番号カード省令第35条")
        assert json.loads(sent.targets or "[]") == [code]  # by 住民票コード only


def test_what_the_cs_sends_is_what_the_registry_extracted(network: EmbeddedNetwork) -> None:
    """XFER-2-8: the record leaves the CS unedited; its digest is compared once more."""
    rid = born(network)
    notice = notice_for(network, rid, destination_id="test-0002-destination")
    node = network.node(CS)
    to_card = select(func.count()).select_from(outbox).where(outbox.c.recipient == "card")
    with node.db.session() as session:  # the record from the birth is already sent
        before = session.scalar(to_card) or 0
    assert ("card", MessageType.DESTINATION_INFO) in deliver(network, notice)
    with node.db.session() as session:
        assert session.scalar(to_card) == before + 1
    (entry,) = [e for e in entries(network) if e.destination_id == "test-0002-destination"]
    stored = json.loads(node.keys.decrypt(entry.record_cipher, column="destination_record"))
    assert stored == notice["record"]
    assert entry.digest == notice["digest"]
    assert entry.status == "sent"


def test_a_record_changed_on_the_way_is_refused_and_nothing_is_stored(
    network: EmbeddedNetwork,
) -> None:
    """001b C-06 / ACQ-3-8: the digest must match the record as received."""
    rid = born(network)
    notice = notice_for(network, rid, destination_id="test-0003-destination")
    notice["record"] = notice["record"] | {"addressee_name": "別人\u3000太郎"}
    before = len(entries(network))
    receipt = refusal_queued(network, notice)
    assert (receipt["error_code"], receipt["field"]) == ("digest_mismatch", "digest")
    assert len(entries(network)) == before
    with network.node(CS).db.session() as session:
        refusals = session.execute(
            select(audit_log.c.result, audit_log.c.targets).where(
                audit_log.c.function == "cs.destination.receive", audit_log.c.result == "refused"
            )
        ).all()
    assert any("理由=digest_mismatch" in json.loads(targets) for _result, targets in refusals)


def test_a_record_out_of_the_prescribed_format_is_refused_naming_the_item(
    network: EmbeddedNetwork,
) -> None:
    rid = born(network)
    cut = notice_for(network, rid, destination_id="test-0004-destination", address_length=3)
    receipt = refusal_queued(network, cut)
    assert (receipt["error_code"], receipt["field"]) == ("invalid_format", "address_length")
    extra = notice_for(network, rid, destination_id="test-0005-destination", notes="x")
    receipt = refusal_queued(network, extra)
    assert (receipt["error_code"], receipt["field"]) == ("invalid_format", "notes")
    assert not [e for e in entries(network) if e.destination_id.startswith("test-")]


def test_only_this_municipalitys_current_residents_with_their_own_number(
    network: EmbeddedNetwork,
) -> None:
    """000 §3.3 1-①: the CS checks each 個人番号 against the latest 住民票コード."""
    rid = born(network)
    wrong_number = notice_for(
        network, rid, destination_id="test-0006-destination", individual_number=OTHER_NUMBER
    )
    receipt = refusal_queued(network, wrong_number)
    assert (receipt["error_code"], receipt["field"]) == ("number_mismatch", "individual_number")
    assert OTHER_NUMBER not in json.dumps(receipt)
    elsewhere = notice_for(network, rid, destination_id="test-0007-destination", lg_code="131016")
    receipt = refusal_queued(network, elsewhere)
    assert (receipt["error_code"], receipt["field"]) == ("other_municipality", "lg_code")
    late = notice_for(network, rid, destination_id="test-0010-destination")
    death = schemas.DeathNotice(change_date=japan_today())
    record(network, LG, moves.record_death, rid, death)
    receipt = refusal_queued(network, late)  # File 2 now holds the person as removed
    assert (receipt["error_code"], receipt["field"]) == ("not_current_resident", "resident_code")
    assert not [e for e in entries(network) if e.destination_id.startswith("test-")]


def test_a_record_changed_at_the_cs_is_not_sent(network: EmbeddedNetwork) -> None:
    """XFER-2-8: before sending, the stored record's digest is compared with the
    registry's; a record that no longer matches is held back, the alarm raised and the
    registry told."""
    rid = born(network)
    notice = notice_for(network, rid, destination_id="test-0008-destination")
    node = network.node(CS)
    edited = notice["record"] | {"address": "東京都墨田区押上一丁目1番2号", "address_length": 15}
    with node.unit_of_work() as uow:
        uow.session.add(
            DestinationEntry(
                destination_id="test-0008-destination",
                record_cipher=node.keys.encrypt(
                    json.dumps(edited, ensure_ascii=False), column="destination_record"
                ),
                digest=notice["digest"],
                status="stored",
                stored_at=dt.datetime.now(dt.UTC),
            )
        )
        uow.session.flush()
        assert destination_file.send_stored(uow, destination_file.provision.Sent("test")) == 0
        assert ("card", MessageType.DESTINATION_INFO) not in uow._pending
        (receipt,) = uow._pending[(f"registry:{LG}", MessageType.DESTINATION_RECEIPT)]
    assert (receipt["error_code"], receipt["field"]) == ("changed_at_cs", "digest")
    (entry,) = [e for e in entries(network) if e.destination_id == "test-0008-destination"]
    assert entry.status == "damaged"


def test_received_records_are_erased_in_one_batch_after_the_set_period(
    network: EmbeddedNetwork,
) -> None:
    """ACQ-3-8, STO-2-2, STO-3-4: erased by the system a set period (under a year) after
    the card system's receipt; records never confirmed go before a year is out."""
    born(network)
    born(network, name_kanji="墨田\u3000次郎", name_kana="スミダ\u3000ジロウ", sex="1")
    rid = born(network, name_kanji="墨田\u3000三郎", name_kana="スミダ\u3000サブロウ", sex="1")
    node = network.node(CS)
    with node.unit_of_work() as uow:  # one that J-LIS never confirmed
        envelope = SimpleNamespace(sender=f"registry:{LG}", type=MessageType.DESTINATION_INFO)
        notice = notice_for(network, rid, destination_id="test-0009-destination")
        handlers.on_destination_info(uow, envelope, [notice])  # type: ignore[arg-type]
        uow._pending.clear()  # not sent: stays unconfirmed
    assert len(entries(network)) == 4
    rule = next(r for r in engine.rules_for("cs") if r.select == "stamped")
    assert 0 < rule.days < 365
    assert rule.years == 0
    now = dt.datetime.now(dt.UTC)
    with node.db.session() as session:
        engine.purge(session, "cs", SCHEMA, now + dt.timedelta(days=rule.days - 1))
        session.commit()
    assert len(entries(network)) == 4
    with node.db.session() as session:
        done = engine.purge(session, "cs", SCHEMA, now + dt.timedelta(days=rule.days + 1))
        session.commit()
    assert [e.destination_id for e in entries(network)] == ["test-0009-destination"]
    erased = {p.rule: p.erased for p in done if p.table == "destination_file"}
    assert erased[rule.name] == 3  # the three confirmed ones, together
    with node.db.session() as session:
        engine.purge(session, "cs", SCHEMA, now + dt.timedelta(days=365))
        session.commit()
    assert entries(network) == []


def test_no_backup_holds_the_destination_file(network: EmbeddedNetwork, tmp_path: Path) -> None:
    """001a §4.3.5: このファイルのバックアップは取得しない."""
    born(network)
    assert len(entries(network)) == 1
    node = network.node(CS)
    key = network.home.backup_key_for(CS)
    made = backup.create(node, key, tmp_path / "b", keep_days=7, operator="ops", terminal="t")
    if network.server_url is None:
        target = tmp_path / "restored.db"
        backup.restore_sqlite(CS, key, made.path, target)
        with sqlite3.connect(target) as restored:
            assert restored.execute("SELECT count(*) FROM destination_file").fetchone() == (0,)
            assert restored.execute("SELECT count(*) FROM identity_file").fetchone()[0] > 0
    else:
        url = postgres_database(network.server_url, f"{network.db_prefix}_restored")
        backup.restore_postgres(CS, key, made.path, url)
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as connection:
            count = text("SELECT count(*) FROM destination_file")
            assert connection.execute(count).scalar_one() == 0
            count = text("SELECT count(*) FROM identity_file")
            assert connection.execute(count).scalar_one() > 0
        engine.dispose()
