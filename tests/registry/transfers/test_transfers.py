"""Municipality to municipality through the CS: 特例転入 with the 転出証明書情報 asked of
the former municipality, and the 転入通知 that fills its 転出確定地."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from juki.core.clock import japan_today
from juki.core.errors import Conflict, InvalidInput
from juki.core.messages import MessageType, MoveInNotice
from juki.core.messaging.paths import is_permitted
from juki.cs.handlers import relay_between_municipalities
from juki.network.embedded import EmbeddedNetwork
from juki.registry.ex_officio import schemas as ex_officio_schemas
from juki.registry.ex_officio import service as ex_officio
from juki.registry.notices import moves, schemas
from juki.registry.notices.models import IdentityConfirmation
from juki.registry.residents.models import Resident, ResidentHistory
from juki.registry.transfers import service as transfers
from juki.registry.transfers.models import MoveOutCertRequestRecord
from juki.registry.transfers.schemas import SpecialMoveInNotice
from tests.conftest import born, resident
from tests.e2e.test_card_counter import card_for
from tests.e2e.test_chain import reconcile_differences
from tests.registry.helpers import INTAKE, card_read, run

FORMER, NEW = "112011", "131075"  # 川越市 (埼玉県) → 墨田区 (東京都)
NEW_ADDRESS = "東京都墨田区業平一丁目3番4号"


def moved_out(network: EmbeddedNetwork) -> tuple[Resident, str]:
    """A holder of a card in use who moved out of 川越市: the person and the card's number."""
    rid = born(network, FORMER, address="埼玉県川越市元町一丁目1番1号")
    card = card_for(network, FORMER, rid)
    out = schemas.MoveOutNotice(
        intake=INTAKE, change_date=japan_today(), destination_address=NEW_ADDRESS
    )
    run(network, moves.record_move_out, rid, out, lg=FORMER)
    network.pump()
    return resident(network, FORMER, rid), card


def test_special_move_in_across_prefectures(network: EmbeddedNetwork) -> None:
    person, card = moved_out(network)
    check = card_read(network, NEW, person.resident_code, card)  # 3-①: the card presented
    request_id = run(network, transfers.request_certificate, check, "kakari", lg=NEW)
    assert run(network, transfers.request_status, request_id, lg=NEW).status == "waiting"
    network.pump()
    certificate = run(network, transfers.certificate_of, request_id, lg=NEW)
    assert certificate.resident_code == person.resident_code
    assert certificate.name_kanji == person.name_kanji
    assert certificate.lg_code == FORMER

    notice = SpecialMoveInNotice(
        intake=INTAKE, change_date=japan_today(), address=NEW_ADDRESS, request_id=request_id
    )
    event = run(network, transfers.record_special_move_in, notice, lg=NEW)
    network.pump()
    moved = resident(network, NEW, event.resident_id)
    assert (moved.resident_code, moved.previous_lg_code) == (person.resident_code, FORMER)

    # 転入通知: the former municipality's 除票 now shows where the person settled.
    old = resident(network, FORMER, person.id)
    assert (old.confirmed_lg_code, old.confirmed_address) == (NEW, NEW_ADDRESS)
    assert old.confirmed_head_name == person.name_kanji
    with network.node(f"registry:{FORMER}").db.session() as session:
        reasons = session.scalars(
            select(ResidentHistory.change_reason)
            .where(ResidentHistory.resident_id == person.id)
            .order_by(ResidentHistory.version)
        ).all()
    assert reasons[-1] == "move_in_notice"
    assert reconcile_differences(network) == 0

    # The certificate is used up; the card read again now shows the person living here.
    read = card_read(network, NEW, person.resident_code, card)
    with pytest.raises(Conflict) as again:
        run(network, transfers.request_certificate, read, "k", lg=NEW)
    assert (again.value.code, again.value.field) == ("not_moved_out", "identity_confirmation_id")


def test_a_request_for_someone_who_did_not_move_out_is_refused(
    sqlite_network: EmbeddedNetwork,
) -> None:
    """The card of someone still living in 川越市: the national server lists them there, so
    no 転出証明書情報 is asked for at all."""
    rid = born(sqlite_network, FORMER, address="埼玉県川越市元町一丁目1番1号")
    card = card_for(sqlite_network, FORMER, rid)
    code = resident(sqlite_network, FORMER, rid).resident_code
    check = card_read(sqlite_network, NEW, code, card)
    with pytest.raises(Conflict) as refused:
        run(sqlite_network, transfers.request_certificate, check, "k", lg=NEW)
    assert refused.value.code == "not_moved_out"
    sqlite_network.pump()
    with sqlite_network.node(f"registry:{NEW}").db.session() as session:
        assert session.scalar(select(MoveOutCertRequestRecord.id)) is None


def test_the_former_municipality_still_refuses_someone_already_moved_in(
    sqlite_network: EmbeddedNetwork,
) -> None:
    """The national server's answer can be older than the former register's: two card
    reads answered before the 転入 was recorded; the second, used after it, reaches the
    former municipality, which itself refuses (3-③)."""
    person, card = moved_out(sqlite_network)
    first_read = card_read(sqlite_network, NEW, person.resident_code, card)
    second_read = card_read(sqlite_network, NEW, person.resident_code, card)
    first = run(sqlite_network, transfers.request_certificate, first_read, "k", lg=NEW)
    sqlite_network.pump()
    notice = SpecialMoveInNotice(
        intake=INTAKE, change_date=japan_today(), address=NEW_ADDRESS, request_id=first
    )
    run(sqlite_network, transfers.record_special_move_in, notice, lg=NEW)
    again = run(sqlite_network, transfers.request_certificate, second_read, "k", lg=NEW)
    sqlite_network.pump()
    record = run(sqlite_network, transfers.request_status, again, lg=NEW)
    assert (record.status, record.error_code) == ("refused", "already_moved_in")


def test_one_card_read_serves_one_request_during_the_visit(
    sqlite_network: EmbeddedNetwork,
) -> None:
    """Attack review: one 本人確認 had fetched the 転出証明書情報 (with the 個人番号) any
    number of times, by any clerk, days later. Now once, and only within the visit."""
    person, card = moved_out(sqlite_network)
    check = card_read(sqlite_network, NEW, person.resident_code, card)
    run(sqlite_network, transfers.request_certificate, check, "k", lg=NEW)
    with pytest.raises(Conflict) as reused:
        run(sqlite_network, transfers.request_certificate, check, "k2", lg=NEW)
    assert (reused.value.code, reused.value.field) == (
        "confirmation_used", "identity_confirmation_id",
    )  # fmt: skip
    old = card_read(sqlite_network, NEW, person.resident_code, card)
    with sqlite_network.node(f"registry:{NEW}").db.session() as session:
        read = session.get(IdentityConfirmation, old)
        assert read is not None
        read.requested_at = read.requested_at - dt.timedelta(hours=9)
    with pytest.raises(Conflict) as stale:
        run(sqlite_network, transfers.request_certificate, old, "k", lg=NEW)
    assert stale.value.code == "confirmation_expired"
    with sqlite_network.node(f"registry:{NEW}").db.session() as session:
        assert len(session.scalars(select(MoveOutCertRequestRecord)).all()) == 1


@pytest.mark.parametrize(
    ("notifier", "document", "field"),
    [
        (schemas.NotifierType.SELF, schemas.IdDocument.DRIVERS_LICENCE, "intake.id_document"),
        (schemas.NotifierType.AGENT, schemas.IdDocument.MY_NUMBER_CARD, "intake.notifier"),
    ],
)
def test_a_special_move_in_needs_the_card_presented_by_its_household(
    sqlite_network: EmbeddedNetwork,
    notifier: schemas.NotifierType,
    document: schemas.IdDocument,
    field: str,
) -> None:
    """住基法 第24条の2: the 特例 is the card holder's; without the card shown, or by an
    agent, the 転入 is refused naming the field and nothing is recorded."""
    person, card = moved_out(sqlite_network)
    read = card_read(sqlite_network, NEW, person.resident_code, card)
    request_id = run(sqlite_network, transfers.request_certificate, read, "k", lg=NEW)
    sqlite_network.pump()
    intake = schemas.Intake(notifier=notifier, id_document=document, proxy_letter_checked=True)
    notice = SpecialMoveInNotice(
        intake=intake, change_date=japan_today(), address=NEW_ADDRESS, request_id=request_id
    )
    with pytest.raises(InvalidInput) as refused:
        run(sqlite_network, transfers.record_special_move_in, notice, lg=NEW)
    assert refused.value.field == field
    assert run(sqlite_network, transfers.request_status, request_id, lg=NEW).status == "received"


def test_municipalities_talk_only_through_their_cs() -> None:
    for kind in (MessageType.MOVE_OUT_CERT_REQUEST, MessageType.MOVE_IN_NOTICE):
        assert is_permitted("registry:131075", "cs:131075", kind)
        assert is_permitted("cs:131075", "cs:112011", kind)
        assert is_permitted("cs:112011", "registry:112011", kind)
        assert not is_permitted("registry:131075", "registry:112011", kind)
        assert not is_permitted("registry:131075", "cs:112011", kind)  # not its own CS
        assert not is_permitted("cs:131075", "registry:112011", kind)
        assert not is_permitted("cs:131075", "prefecture:13", kind)


def test_a_cs_cannot_speak_for_another_municipality(sqlite_network: EmbeddedNetwork) -> None:
    """A 転入通知 relayed by 千代田区's CS that claims to come from 川越市 is dropped."""
    forged = MoveInNotice(
        resident_code="12345678901", former_lg_code="131075", new_lg_code="112011",
        address="埼玉県川越市元町一丁目1番1号", moved_in_on=japan_today(),
    )  # fmt: skip
    envelope = SimpleNamespace(sender="cs:131016", type=MessageType.MOVE_IN_NOTICE)
    with sqlite_network.node("cs:131075").unit_of_work() as uow:
        relay_between_municipalities(uow, envelope, [forged.model_dump(mode="json")])  # type: ignore[arg-type]
        assert not uow._pending
        honest = forged.model_copy(update={"new_lg_code": "131016"})
        relay_between_municipalities(uow, envelope, [honest.model_dump(mode="json")])  # type: ignore[arg-type]
        assert list(uow._pending) == [("registry:131075", MessageType.MOVE_IN_NOTICE)]


def test_no_restoring_someone_who_moved_in_elsewhere(sqlite_network: EmbeddedNetwork) -> None:
    person, card = moved_out(sqlite_network)
    read = card_read(sqlite_network, NEW, person.resident_code, card)
    request_id = run(sqlite_network, transfers.request_certificate, read, "k", lg=NEW)
    sqlite_network.pump()
    notice = SpecialMoveInNotice(
        intake=INTAKE, change_date=japan_today(), address=NEW_ADDRESS, request_id=request_id
    )
    run(sqlite_network, transfers.record_special_move_in, notice, lg=NEW)
    sqlite_network.pump()
    restore = ex_officio_schemas.RestoreNotice(change_date=japan_today(), evidence="誤記")
    with pytest.raises(Conflict) as err:
        run(sqlite_network, ex_officio.restore, person.id, restore, lg=FORMER)
    assert err.value.code == "moved_in_elsewhere"
