"""The spine end to end: registry → CS → prefecture → national, and back."""

from __future__ import annotations

import datetime as dt

import pytest

from juki.cs import handlers as cs_handlers
from juki.cs import service as cs_service
from juki.duties.search import IdentitySearch, TooManyResults
from juki.national import service as national_service
from juki.network.embedded import EmbeddedNetwork
from juki.numbering.models import GeneratedNumber, IndividualNumberEntry
from juki.prefecture import service as prefecture_service
from juki.registry.notices import arrivals, changes, moves, schemas
from juki.registry.residents import service as residents
from tests.conftest import born, event_status, person, record, resident
from tests.registry.helpers import INTAKE

TODAY = dt.date(2026, 11, 20)


def national_search(network: EmbeddedNetwork, **query: object) -> list:
    node = network.node("national")
    with node.unit_of_work() as uow:
        return national_service.search_identity(
            uow.session, node.keys, IdentitySearch(purpose="test", **query), "test"
        )


def prefecture_search(network: EmbeddedNetwork, pref: str, **query: object) -> list:
    node = network.node(f"prefecture:{pref}")
    with node.unit_of_work() as uow:
        return prefecture_service.search_identity(
            uow.session, node.keys, IdentitySearch(purpose="test", **query), "test"
        )


def number_of(network: EmbeddedNetwork, lg: str, resident_id: int) -> str:
    with network.node(f"registry:{lg}").unit_of_work() as uow:
        return residents.number_of(uow, residents.get_resident(uow, resident_id))


def reconcile_differences(network: EmbeddedNetwork) -> int:
    total = 0
    for lg in network.municipalities():
        with network.node(f"cs:{lg}").unit_of_work() as uow:
            check_id = cs_handlers.start_reconcile(uow)
        network.pump()
        with network.node(f"cs:{lg}").db.session() as session:
            reports = cs_service.consistency_reports(session, check_id)
            assert len(reports) == 3  # the prefecture, the national server, File 3
            total += sum(len(r.differences) for r in reports)
    return total


def test_birth_gets_a_number_from_jlis_and_reaches_every_tier(network: EmbeddedNetwork) -> None:
    rid = born(network)
    person_ = resident(network, "131075", rid)
    number = number_of(network, "131075", rid)
    [found] = national_search(network, resident_code=person_.resident_code)
    assert found.individual_number == number
    assert found.reason_label == "出生"
    assert (
        national_search(network, individual_number=number)[0].resident_code == found.resident_code
    )
    [by_four] = national_search(network, name_kana="すみだ はなこ", birth_date=dt.date(2026, 11, 1))
    assert by_four.resident_code == found.resident_code
    assert prefecture_search(network, "13", resident_code=found.resident_code)
    assert reconcile_differences(network) == 0


def test_four_item_search_needs_two_items_besides_sex(network: EmbeddedNetwork) -> None:
    born(network)
    with pytest.raises(ValueError, match="2項目以上"):
        IdentitySearch(purpose="x", name_kana="スミダ ハナコ", sex="2")


def test_search_results_are_capped(sqlite_network: EmbeddedNetwork) -> None:
    with sqlite_network.node("registry:131075").unit_of_work() as uow:
        for _ in range(51):
            arrivals.record_birth(
                uow, schemas.BirthNotice(**person(birth_date=dt.date(2026, 11, 1)))
            )
    sqlite_network.pump()
    with pytest.raises(TooManyResults):
        national_search(sqlite_network, name_kana="スミダ ハナコ", birth_date=dt.date(2026, 11, 1))


def test_move_within_changes_only_the_address(network: EmbeddedNetwork) -> None:
    rid = born(network)
    event = record(
        network,
        "131075",
        moves.record_move_within,
        rid,
        schemas.MoveWithinNotice(
            intake=INTAKE, address="東京都墨田区業平二丁目1番1号", change_date=TODAY
        ),
    )
    assert event_status(network, "131075", event) == ("applied", None)
    code = resident(network, "131075", rid).resident_code
    [found] = national_search(network, resident_code=code)
    assert found.address.startswith("東京都墨田区業平")
    assert found.reason_label == "転居"


def test_move_across_prefectures_updates_both_prefectures(network: EmbeddedNetwork) -> None:
    rid = born(network)
    with network.node("registry:131075").unit_of_work() as uow:
        moves.record_move_out(
            uow,
            rid,
            schemas.MoveOutNotice(
                intake=INTAKE, destination_address="埼玉県川越市元町一丁目1番1号", change_date=TODAY
            ),
        )
        cert = moves.move_out_certificate(uow, residents.get_resident(uow, rid))
    moved_in = record(
        network,
        "112011",
        arrivals.record_move_in,
        schemas.MoveInNotice(
            intake=INTAKE,
            **person(
                address="埼玉県川越市元町一丁目1番1号",
                change_date=TODAY,
                birth_date=cert.birth_date,
                name_kanji=cert.name_kanji,
                name_kana=cert.name_kana,
            ),
            resident_code=cert.resident_code,
            individual_number=cert.individual_number,
            previous_lg_code="131075",
            previous_address=cert.address,
        ),
    )
    assert event_status(network, "112011", moved_in) == ("applied", None)
    tokyo = prefecture_search(network, "13", resident_code=cert.resident_code, include_removed=True)
    assert tokyo[0].removed
    assert tokyo[0].reason_label == "転出"
    saitama = prefecture_search(network, "11", resident_code=cert.resident_code)
    assert saitama[0].lg_code == "112011"
    assert saitama[0].reason_label == "転入"
    [national] = national_search(network, resident_code=cert.resident_code)
    assert national.lg_code == "112011"
    assert reconcile_differences(network) == 0


def test_move_in_of_a_current_resident_is_refused(network: EmbeddedNetwork) -> None:
    rid = born(network)
    current = resident(network, "131075", rid)
    number = number_of(network, "131075", rid)
    with (
        pytest.raises(Exception, match="既に住民") as caught,
        network.node("registry:131075").unit_of_work() as uow,
    ):
        arrivals.record_move_in(
            uow,
            schemas.MoveInNotice(
                intake=INTAKE,
                **person(change_date=TODAY),
                origin="abroad",
                resident_code=current.resident_code,
                individual_number=number,
            ),
        )
    assert getattr(caught.value, "field", None) == "resident_code"


def test_death_name_change_and_correction_flow_to_national(network: EmbeddedNetwork) -> None:
    rid = born(network)
    code = resident(network, "131075", rid).resident_code
    record(
        network,
        "131075",
        changes.record_name_change,
        rid,
        schemas.NameChangeNotice(
            name_kanji="押上\u3000花子",
            name_kana="オシアゲ\u3000ハナコ",
            former_surname_kanji="墨田",
            former_surname_kana="スミダ",
            change_date=TODAY,
        ),
    )
    assert national_search(network, resident_code=code)[0].name_kanji == "押上\u3000花子"
    record(
        network,
        "131075",
        changes.record_correction,
        rid,
        schemas.CorrectionNotice(sex="1", change_date=TODAY),
    )
    assert national_search(network, resident_code=code)[0].sex == "1"
    record(network, "131075", moves.record_death, rid, schemas.DeathNotice(change_date=TODAY))
    assert national_search(network, resident_code=code) == []
    assert national_search(network, resident_code=code, include_removed=True)[0].removed
    assert reconcile_differences(network) == 0


def test_resident_code_change_re_pairs_the_number(network: EmbeddedNetwork) -> None:
    rid = born(network)
    old_code = resident(network, "131075", rid).resident_code
    number = number_of(network, "131075", rid)
    event = record(
        network,
        "131075",
        changes.change_resident_code,
        rid,
        schemas.ResidentCodeChangeNotice(change_date=TODAY),
    )
    assert event_status(network, "131075", event) == ("applied", None)
    new_code = resident(network, "131075", rid).resident_code
    assert new_code != old_code
    [found] = national_search(network, individual_number=number)
    assert found.resident_code == new_code
    with network.node("numbering").db.session() as session:
        latest = (
            session.query(IndividualNumberEntry)
            .filter_by(is_latest=True, resident_code=new_code)
            .all()
        )
        assert len(latest) == 1
    assert reconcile_differences(network) == 0


def test_number_change_issues_a_new_number_never_seen_before(network: EmbeddedNetwork) -> None:
    rid = born(network)
    numbers = {number_of(network, "131075", rid)}
    for ground in ("request", "ex_officio"):
        event = record(
            network,
            "131075",
            changes.request_number_change,
            rid,
            schemas.NumberChangeNotice(ground=ground, change_date=TODAY),
        )
        assert event_status(network, "131075", event) == ("applied", None)
        numbers.add(number_of(network, "131075", rid))
    assert len(numbers) == 3
    code = resident(network, "131075", rid).resident_code
    assert national_search(network, resident_code=code)[0].individual_number in numbers
    with network.node("numbering").db.session() as session:
        assert session.query(GeneratedNumber).count() >= 3
        rows = session.query(IndividualNumberEntry).filter_by(resident_code=code).all()
        assert sorted(r.is_latest for r in rows) == [False, False, True]
    assert reconcile_differences(network) == 0


def test_no_individual_number_in_clear_in_any_outbox(network: EmbeddedNetwork) -> None:
    from sqlalchemy import select

    from juki.core.messaging import tables

    rid = born(network)
    number = number_of(network, "131075", rid).encode()
    stored: list[bytes] = []
    for node in network.nodes.values():
        with node.db.session() as session:
            stored += session.scalars(select(tables.outbox.c.envelope)).all()
    assert len(stored) >= 8  # the birth's messages along the whole chain and back
    assert all(number not in envelope for envelope in stored)


def test_a_number_change_after_a_move_in_is_asked_by_the_new_mayor(
    network: EmbeddedNetwork,
) -> None:
    """番号法 第7条第2項: the mayor of where the person lives asks for the change. J-LIS
    admitted a change only from the municipality the 住民票コード had been handed to, so a
    person who had moved in could never have a new number (found in session 17)."""
    from tests.e2e.test_fugo import CHIYODA, SUMIDA, move

    rid = born(network, SUMIDA)
    moved = move(network, rid, SUMIDA, CHIYODA)
    before = number_of(network, CHIYODA, moved)
    event = record(
        network, CHIYODA, changes.request_number_change, moved,
        schemas.NumberChangeNotice(ground="request", change_date=TODAY),
    )  # fmt: skip
    assert event_status(network, CHIYODA, event) == ("applied", None)
    assert number_of(network, CHIYODA, moved) != before
    assert reconcile_differences(network) == 0
