"""Municipality to municipality through the CS: 特例転入 with the 転出証明書情報 asked of
the former municipality, and the 転入通知 that fills its 転出確定地."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from juki.core.clock import japan_today
from juki.core.errors import Conflict
from juki.core.messages import MessageType, MoveInNotice
from juki.core.messaging.paths import is_permitted
from juki.cs.handlers import relay_between_municipalities
from juki.network.embedded import EmbeddedNetwork
from juki.registry.ex_officio import schemas as ex_officio_schemas
from juki.registry.ex_officio import service as ex_officio
from juki.registry.notices import moves, schemas
from juki.registry.residents.models import Resident, ResidentHistory
from juki.registry.transfers import service as transfers
from juki.registry.transfers.schemas import SpecialMoveInNotice
from tests.conftest import born, resident
from tests.e2e.test_chain import reconcile_differences
from tests.registry.helpers import INTAKE, run

FORMER, NEW = "112011", "131075"  # 川越市 (埼玉県) → 墨田区 (東京都)
NEW_ADDRESS = "東京都墨田区業平一丁目3番4号"


def moved_out(network: EmbeddedNetwork) -> Resident:
    rid = born(network, FORMER, address="埼玉県川越市元町一丁目1番1号")
    out = schemas.MoveOutNotice(
        intake=INTAKE, change_date=japan_today(), destination_address=NEW_ADDRESS
    )
    run(network, moves.record_move_out, rid, out, lg=FORMER)
    network.pump()
    return resident(network, FORMER, rid)


def test_special_move_in_across_prefectures(network: EmbeddedNetwork) -> None:
    person = moved_out(network)
    request_id = run(
        network, transfers.request_certificate, FORMER, person.resident_code, "kakari", lg=NEW
    )
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

    # The certificate is used up; a second request finds the person already moved in.
    again = run(network, transfers.request_certificate, FORMER, person.resident_code, "k", lg=NEW)
    network.pump()
    record = run(network, transfers.request_status, again, lg=NEW)
    assert (record.status, record.error_code) == ("refused", "already_moved_in")


def test_a_request_for_someone_who_did_not_move_out_is_refused(
    sqlite_network: EmbeddedNetwork,
) -> None:
    rid = born(sqlite_network, FORMER, address="埼玉県川越市元町一丁目1番1号")
    code = resident(sqlite_network, FORMER, rid).resident_code
    request_id = run(sqlite_network, transfers.request_certificate, FORMER, code, "k", lg=NEW)
    sqlite_network.pump()
    record = run(sqlite_network, transfers.request_status, request_id, lg=NEW)
    assert (record.status, record.error_code) == ("refused", "not_moved_out")
    assert record.certificate_cipher is None


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
    person = moved_out(sqlite_network)
    request_id = run(sqlite_network, transfers.request_certificate, FORMER, person.resident_code,
                     "k", lg=NEW)  # fmt: skip
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
