"""符号 acquisition end to end (issue #16; 001b flow 5; 000 P2.3, C10–C12): the register
tells its 統合宛名 of each person, the 中間サーバー gives a 処理通番, the 個人番号 goes up
既存住基 → CS → J-LIS, J-LIS gives the network only the latest 住民票コード, and the
network answers the 中間サーバー with the institution's 符号. Two institutions (墨田区 and
千代田区) take part; every message on the way is captured and checked."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from juki.atena.models import AtenaPerson, AtenaSystemLink
from juki.core import ids
from juki.core.messages import MessageType
from juki.core.messaging.envelope import Ack
from juki.core.messaging.transport import Transport
from juki.infonet import codes
from juki.infonet.models import FugoLink, FugoRecord
from juki.intermediate import service as fugo_service
from juki.intermediate.models import FugoEvent, FugoHeld, FugoRequest, Fukuhon
from juki.national.models import FugoNotifiedCode, FugoProvision
from juki.network.embedded import EmbeddedNetwork
from juki.registry.models import Resident
from juki.registry.notices import arrivals, changes, moves, schemas
from juki.registry.residents import service as residents
from tests.conftest import BACKENDS, born, event_status, make_network, person, record, resident
from tests.e2e.test_chain import number_of
from tests.registry.helpers import INTAKE

SUMIDA, CHIYODA = "131075", "131016"
TODAY = dt.date(2026, 11, 20)


class Capture:
    """The dispatcher's transport, keeping every envelope it carries."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.envelopes: list[dict[str, Any]] = []

    def send(self, recipient: str, envelopes: list[bytes]) -> list[Ack]:
        self.envelopes += [json.loads(raw) for raw in envelopes]
        return self.inner.send(recipient, envelopes)


@pytest.fixture(params=BACKENDS)
def fugo_network(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EmbeddedNetwork]:
    net = make_network(tmp_path, request.param, institutions=(SUMIDA, CHIYODA))
    yield net
    net.destroy()


def capture(network: EmbeddedNetwork) -> Capture:
    network.dispatcher.transport = capturing = Capture(network.dispatcher.transport)
    return capturing


def network_key(network: EmbeddedNetwork) -> bytes:
    return codes.network_key(network.node("infonet").secret)


def atena_id_of(network: EmbeddedNetwork, lg: str, rid: int) -> str:
    with network.node(f"atena:{lg}").db.session() as session:
        link = session.get(AtenaSystemLink, ("registry", rid))
        assert link is not None
        return link.atena_id


def fugo_of(network: EmbeddedNetwork, lg: str, rid: int) -> str | None:
    atena_id = atena_id_of(network, lg, rid)
    with network.node(f"intermediate:{lg}").db.session() as session:
        held = session.get(FugoHeld, atena_id)
        return None if held is None else held.fugo


def events(network: EmbeddedNetwork, lg: str) -> list[tuple[str, str | None]]:
    with network.node(f"intermediate:{lg}").db.session() as session:
        rows = session.scalars(select(FugoEvent).order_by(FugoEvent.id))
        return [(e.kind, e.reason) for e in rows]


def provisions(network: EmbeddedNetwork) -> list[FugoProvision]:
    with network.node("national").db.session() as session:
        rows = list(session.scalars(select(FugoProvision).order_by(FugoProvision.id)))
        session.expunge_all()
        return rows


ADDRESSES = {SUMIDA: "東京都墨田区吾妻橋一丁目2番3号", CHIYODA: "東京都千代田区九段南一丁目2番1号"}


def move(network: EmbeddedNetwork, rid: int, source: str, destination: str) -> int:
    """転出 from `source` and 転入 at `destination`; the new 宛名番号 there."""
    with network.node(f"registry:{source}").unit_of_work() as uow:
        moves.record_move_out(
            uow,
            rid,
            schemas.MoveOutNotice(
                intake=INTAKE, destination_address=ADDRESSES[destination], change_date=TODAY
            ),
        )
        cert = moves.move_out_certificate(uow, residents.get_resident(uow, rid))
    network.pump()
    event = record(
        network,
        destination,
        arrivals.record_move_in,
        schemas.MoveInNotice(
            intake=INTAKE,
            **person(
                address=ADDRESSES[destination], change_date=TODAY,
                birth_date=cert.birth_date, name_kanji=cert.name_kanji, name_kana=cert.name_kana,
            ),
            resident_code=cert.resident_code, individual_number=cert.individual_number,
            previous_lg_code=source, previous_address=cert.address,
        ),
    )  # fmt: skip
    assert event_status(network, destination, event) == ("applied", None)
    with network.node(f"registry:{destination}").db.session() as session:
        found = session.scalars(
            select(Resident.id).where(
                Resident.resident_code == cert.resident_code, Resident.status == "resident"
            )
        ).one()
        return int(found)


def move_to_chiyoda(network: EmbeddedNetwork, rid: int) -> int:
    return move(network, rid, SUMIDA, CHIYODA)


def test_a_birth_gets_its_institutions_fugo_through_jlis(fugo_network: EmbeddedNetwork) -> None:
    seen = capture(fugo_network)
    rid = born(fugo_network, SUMIDA)
    code = resident(fugo_network, SUMIDA, rid).resident_code
    number = number_of(fugo_network, SUMIDA, rid)
    fugo = fugo_of(fugo_network, SUMIDA, rid)
    # The 符号 is the network's keyed derivation for this person at this institution.
    assert fugo == codes.derive(network_key(fugo_network), SUMIDA, code)
    # The way it came: 1-④, 5-①, 5-② (registry, CS), C11, 5-④.
    route = [(e["sender"], e["recipient"], e["type"]) for e in seen.envelopes]
    for hop in [
        (f"registry:{SUMIDA}", f"atena:{SUMIDA}", MessageType.ATENA_UPDATE),
        (f"atena:{SUMIDA}", f"intermediate:{SUMIDA}", MessageType.FUGO_ACQUIRE),
        (f"intermediate:{SUMIDA}", f"atena:{SUMIDA}", MessageType.FUGO_SERIAL),
        (f"atena:{SUMIDA}", f"registry:{SUMIDA}", MessageType.FUGO_REQUEST),
        (f"registry:{SUMIDA}", f"cs:{SUMIDA}", MessageType.FUGO_REQUEST),
        (f"cs:{SUMIDA}", "national", MessageType.FUGO_REQUEST),
        ("national", "infonet", MessageType.FUGO_RESIDENT_CODE),
        ("infonet", f"intermediate:{SUMIDA}", MessageType.FUGO_ISSUED),
    ]:
        assert hop in route
    # J-LIS recorded the provision by 住民票コード and keeps the code it gave.
    [given] = [p for p in provisions(fugo_network) if p.resident_code == code]
    assert (given.institution, given.requester, given.refused_reason) == (
        SUMIDA, f"cs:{SUMIDA}", None,
    )  # fmt: skip
    with fugo_network.node("national").db.session() as session:
        assert session.get(FugoNotifiedCode, code) is not None
    # The 統合宛名 holds the number sealed and finds the person by it; the 処理通番 is gone.
    with fugo_network.node(f"atena:{SUMIDA}").db.session() as session:
        found = session.scalars(
            select(AtenaPerson).where(AtenaPerson.individual_number_index == number)
        ).one()
        assert found.atena_id == atena_id_of(fugo_network, SUMIDA, rid)
    with fugo_network.node(f"intermediate:{SUMIDA}").db.session() as session:
        assert session.scalars(select(FugoRequest)).all() == []
    assert_no_number_beyond_jlis(seen, numbers={number}, codes={code})


# What J-LIS alone gives the network: the 住民票コード for 符号 (C11) and its changes (C12).
JLIS_CODES = frozenset({MessageType.FUGO_RESIDENT_CODE, MessageType.FUGO_CODE_CHANGE})
RANDOM_IDS = frozenset({"serial", "login_id", "ask_id", "query_id", "permit_id"})


def without_random_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_random_ids(v) for k, v in value.items() if k not in RANDOM_IDS}
    if isinstance(value, list):
        return [without_random_ids(v) for v in value]
    return value


def assert_no_number_beyond_jlis(seen: Capture, numbers: set[str], codes: set[str]) -> None:
    """No 個人番号 on any hop to or from the network, a 中間サーバー or マイナポータル — by the
    known values and by pattern and check digit —, and no 住民票コード but J-LIS's to the
    network. The 個人番号 appears only inside the institution and on the 住基ネット's own
    hops."""
    carried = 0
    for envelope in seen.envelopes:
        roles = {envelope["sender"].split(":")[0], envelope["recipient"].split(":")[0]}
        if not roles & {"infonet", "intermediate", "portal"}:
            continue
        carried += 1
        for carried_record in envelope["body"]["records"]:
            for field, value in carried_record.items():
                text = str(value)
                assert not any(n in text for n in numbers), f"個人番号 in {envelope['type']}"
                # Random hex ids (128 bits) may hold 12 digits in a row: left out of the
                # pattern check (the known values were checked above, ids included).
                pattern_text = str(without_random_ids(value))
                if field not in RANDOM_IDS:
                    assert not ids.holds_individual_number(pattern_text), (
                        f"{envelope['type']}.{field}"
                    )
                if envelope["type"] not in JLIS_CODES or envelope["sender"] != "national":
                    assert not any(c in text for c in codes), f"住民票コード in {envelope['type']}"
    assert carried >= 3


def test_a_family_that_moves_gets_another_unequal_fugo_at_the_new_institution(
    fugo_network: EmbeddedNetwork,
) -> None:
    seen = capture(fugo_network)
    rid = born(fugo_network, SUMIDA)
    code = resident(fugo_network, SUMIDA, rid).resident_code
    number = number_of(fugo_network, SUMIDA, rid)
    at_sumida = fugo_of(fugo_network, SUMIDA, rid)
    new_rid = move_to_chiyoda(fugo_network, rid)
    at_chiyoda = fugo_of(fugo_network, CHIYODA, new_rid)
    assert at_sumida is not None
    assert at_chiyoda is not None
    assert at_sumida != at_chiyoda
    assert at_chiyoda == codes.derive(network_key(fugo_network), CHIYODA, code)
    # Without the network's key the two say nothing of each other: with any other key
    # neither is reproduced from the person's code.
    other = secrets.token_bytes(32)
    assert codes.derive(other, SUMIDA, code) != at_sumida
    assert codes.derive(other, CHIYODA, code) != at_chiyoda
    # 墨田区 keeps the removed person (status removed) with the 符号 it had.
    with fugo_network.node(f"atena:{SUMIDA}").db.session() as session:
        left = session.get(AtenaPerson, atena_id_of(fugo_network, SUMIDA, rid))
        assert left is not None
        assert left.status == "removed"
    assert fugo_of(fugo_network, SUMIDA, rid) == at_sumida
    # The network holds one link per institution, under one 連携用符号 and no 住民票コード.
    with fugo_network.node("infonet").db.session() as session:
        links = session.scalars(select(FugoLink)).all()
        assert {link.institution for link in links} >= {SUMIDA, CHIYODA}
        assert all(code not in (link.link_code, link.fugo) for link in links)
    assert_no_number_beyond_jlis(seen, numbers={number}, codes={code})


def test_a_resident_code_change_rekeys_every_institution(fugo_network: EmbeddedNetwork) -> None:
    rid = born(fugo_network, SUMIDA)
    new_rid = move_to_chiyoda(fugo_network, rid)
    old_code = resident(fugo_network, CHIYODA, new_rid).resident_code
    before = {SUMIDA: fugo_of(fugo_network, SUMIDA, rid),
              CHIYODA: fugo_of(fugo_network, CHIYODA, new_rid)}  # fmt: skip
    event = record(
        fugo_network, CHIYODA, changes.change_resident_code, new_rid,
        schemas.ResidentCodeChangeNotice(change_date=TODAY),
    )  # fmt: skip
    assert event_status(fugo_network, CHIYODA, event) == ("applied", None)
    new_code = resident(fugo_network, CHIYODA, new_rid).resident_code
    assert new_code != old_code
    key = network_key(fugo_network)
    after = {SUMIDA: fugo_of(fugo_network, SUMIDA, rid),
             CHIYODA: fugo_of(fugo_network, CHIYODA, new_rid)}  # fmt: skip
    for lg in (SUMIDA, CHIYODA):
        assert after[lg] == codes.derive(key, lg, new_code) != before[lg]
        assert ("rekeyed", None) in events(fugo_network, lg)
    with fugo_network.node("national").db.session() as session:
        assert session.get(FugoNotifiedCode, new_code) is not None
        assert session.get(FugoNotifiedCode, old_code) is not None  # kept (Appendix C 7)
    # A later acquisition (a new institution, a move) is given the new code, never the old.
    number = number_of(fugo_network, CHIYODA, new_rid)
    assert code_given_for(fugo_network, CHIYODA, number) == new_code
    # The old 符号 is held by no one: a re-keying naming it again finds nothing.
    with fugo_network.node("infonet").unit_of_work() as uow:
        stale = {"old_fugo": before[SUMIDA], "new_fugo": codes.derive(key, SUMIDA, old_code)}
        uow.send(f"intermediate:{SUMIDA}", MessageType.FUGO_REKEY, stale)
    fugo_network.pump()
    assert events(fugo_network, SUMIDA)[-1] == ("refused", "unknown_fugo")
    assert fugo_of(fugo_network, SUMIDA, rid) == after[SUMIDA]


def test_a_number_change_leaves_the_fugo_alone(fugo_network: EmbeddedNetwork) -> None:
    rid = born(fugo_network, SUMIDA)
    fugo = fugo_of(fugo_network, SUMIDA, rid)
    old_number = number_of(fugo_network, SUMIDA, rid)
    served = len(provisions(fugo_network))
    event = record(
        fugo_network, SUMIDA, changes.request_number_change, rid,
        schemas.NumberChangeNotice(ground="request", change_date=TODAY),
    )  # fmt: skip
    assert event_status(fugo_network, SUMIDA, event) == ("applied", None)
    new_number = number_of(fugo_network, SUMIDA, rid)
    with fugo_network.node(f"atena:{SUMIDA}").db.session() as session:
        person_ = session.scalars(
            select(AtenaPerson).where(AtenaPerson.individual_number_index == new_number)
        ).one()
        assert person_.atena_id == atena_id_of(fugo_network, SUMIDA, rid)
        assert person_.individual_number == new_number
    assert fugo_of(fugo_network, SUMIDA, rid) == fugo
    assert len(provisions(fugo_network)) == served  # no second acquisition
    # J-LIS gives the code for the new number only; the old one finds no one.
    code = resident(fugo_network, SUMIDA, rid).resident_code
    assert code_given_for(fugo_network, SUMIDA, new_number) == code
    assert code_given_for(fugo_network, SUMIDA, old_number) is None


def code_given_for(network: EmbeddedNetwork, lg: str, number: str) -> str | None:
    """What J-LIS gives the network for a request with this 個人番号 (None: refused)."""
    serial = secrets.token_hex(16)
    with network.node(f"cs:{lg}").unit_of_work() as uow:
        uow.send("national", MessageType.FUGO_REQUEST, fugo_request(serial, lg, number))
    network.pump()
    [given] = [p for p in provisions(network) if p.serial == serial]
    return given.resident_code


def fugo_request(serial: str, institution: str, number: str) -> dict[str, str]:
    return {"serial": serial, "institution": institution, "individual_number": number}


def test_jlis_refuses_a_request_for_another_institution_or_an_unknown_number(
    fugo_network: EmbeddedNetwork,
) -> None:
    """F2-NW-05: a CS asks only for its own municipality; a number J-LIS does not know as
    the latest gets nothing. Both refusals are recorded; nothing goes to the network."""
    rid = born(fugo_network, SUMIDA)
    number = number_of(fugo_network, SUMIDA, rid)
    seen = capture(fugo_network)
    unknown = ids.individual_number_from_body("12345678901")
    with fugo_network.node(f"cs:{CHIYODA}").unit_of_work() as uow:  # a CS gone astray
        uow.send("national", MessageType.FUGO_REQUEST, fugo_request("a" * 32, SUMIDA, number))
        uow.send("national", MessageType.FUGO_REQUEST, fugo_request("b" * 32, CHIYODA, unknown))
    fugo_network.pump()
    refused = {p.serial: p for p in provisions(fugo_network) if p.refused_reason}
    assert refused["a" * 32].refused_reason == "institution_not_permitted"
    assert refused["b" * 32].refused_reason == "unknown_number"
    assert all(p.resident_code is None for p in refused.values())
    assert not [e for e in seen.envelopes if e["recipient"] == "infonet"]


def test_a_cs_does_not_relay_a_request_for_another_institution(
    fugo_network: EmbeddedNetwork,
) -> None:
    rid = born(fugo_network, SUMIDA)
    number = number_of(fugo_network, SUMIDA, rid)
    served = len(provisions(fugo_network))
    with fugo_network.node(f"registry:{CHIYODA}").unit_of_work() as uow:
        uow.send(f"cs:{CHIYODA}", MessageType.FUGO_REQUEST, fugo_request("c" * 32, SUMIDA, number))
    fugo_network.pump()
    assert len(provisions(fugo_network)) == served


def test_the_network_gives_no_fugo_to_an_unregistered_institution(
    fugo_network: EmbeddedNetwork,
) -> None:
    rid = born(fugo_network, SUMIDA)
    code = resident(fugo_network, SUMIDA, rid).resident_code
    seen = capture(fugo_network)
    with fugo_network.node("national").unit_of_work() as uow:
        uow.send("infonet", MessageType.FUGO_RESIDENT_CODE,
                 {"serial": "d" * 32, "institution": "112011", "resident_code": code})  # fmt: skip
    fugo_network.pump()
    with fugo_network.node("infonet").db.session() as session:
        last = session.scalars(select(FugoRecord).order_by(FugoRecord.id.desc())).first()
        assert last is not None
        assert (last.kind, last.institution, last.reason) == (
            "refused", "112011", "unregistered_institution",
        )  # fmt: skip
        assert session.scalars(select(FugoLink).where(FugoLink.institution == "112011")).all() == []
    assert not [e for e in seen.envelopes if e["sender"] == "infonet"]


def test_a_fugo_binds_only_against_an_outstanding_unexpired_serial(
    fugo_network: EmbeddedNetwork,
) -> None:
    """004 R-ACQ-03/07: a made-up 処理通番, a used one (a replay) and an expired one bind
    nothing; each is recorded."""
    rid = born(fugo_network, SUMIDA)
    fugo = fugo_of(fugo_network, SUMIDA, rid)
    with fugo_network.node("infonet").db.session() as session:
        [used] = session.scalars(
            select(FugoRecord.serial).where(
                FugoRecord.kind == "issued", FugoRecord.institution == SUMIDA
            )
        ).all()[-1:]
    forged = "A" * 32
    with fugo_network.node(f"intermediate:{SUMIDA}").unit_of_work() as uow:
        uow.session.add(
            FugoRequest(
                serial="e" * 32, atena_id="1" * 16,
                asked_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=8),
                expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
            )
        )  # fmt: skip
    with fugo_network.node("infonet").unit_of_work() as uow:
        for serial in ("f" * 32, used, "e" * 32):
            uow.send(f"intermediate:{SUMIDA}", MessageType.FUGO_ISSUED,
                     {"serial": serial, "fugo": forged})  # fmt: skip
    fugo_network.pump()
    assert events(fugo_network, SUMIDA)[-3:] == [
        ("refused", "unknown_serial"),
        ("refused", "unknown_serial"),
        ("refused", "expired_serial"),
    ]
    with fugo_network.node(f"intermediate:{SUMIDA}").db.session() as session:
        assert session.scalars(select(FugoHeld).where(FugoHeld.fugo == forged)).all() == []
        assert session.get(FugoRequest, "e" * 32) is None  # an expired one is dropped
    assert fugo_of(fugo_network, SUMIDA, rid) == fugo


def test_a_person_back_with_another_number_is_one_person_again(
    fugo_network: EmbeddedNetwork,
) -> None:
    """名寄せ by the 符号: someone who left 墨田区, changed 個人番号 in 千代田区 and came back
    is at first a new 統合宛名 row (no register link, an unknown number); the network
    gives the 符号 of the 住民票コード they kept, which the first row holds, so the two
    rows become one, with the new number and the latest 副本."""
    rid = born(fugo_network, SUMIDA)
    fugo = fugo_of(fugo_network, SUMIDA, rid)
    atena_id = atena_id_of(fugo_network, SUMIDA, rid)
    chiyoda_rid = move(fugo_network, rid, SUMIDA, CHIYODA)
    event = record(
        fugo_network, CHIYODA, changes.request_number_change, chiyoda_rid,
        schemas.NumberChangeNotice(ground="request", change_date=TODAY),
    )  # fmt: skip
    assert event_status(fugo_network, CHIYODA, event) == ("applied", None)
    new_number = number_of(fugo_network, CHIYODA, chiyoda_rid)
    back = move(fugo_network, chiyoda_rid, CHIYODA, SUMIDA)
    assert back != rid  # a new 住民票 (宛名番号) at 墨田区
    assert atena_id_of(fugo_network, SUMIDA, back) == atena_id
    assert fugo_of(fugo_network, SUMIDA, back) == fugo
    with fugo_network.node(f"atena:{SUMIDA}").db.session() as session:
        [person_] = session.scalars(select(AtenaPerson)).all()
        assert (person_.individual_number, person_.status) == (new_number, "resident")
    assert ("merged", None) in [(kind, None) for kind, _ in events(fugo_network, SUMIDA)]
    with fugo_network.node(f"intermediate:{SUMIDA}").db.session() as session:
        copies = session.scalars(select(Fukuhon)).all()
        assert [c.atena_id for c in copies] == [atena_id]
        assert json.loads(copies[0].data)["status"] == "resident"


def test_an_acquisition_that_expired_is_asked_again(fugo_network: EmbeddedNetwork) -> None:
    """A 処理通番 left unanswered (here: the 符号 was never bound) is replaced when it
    expires, and the person gets their 符号 after all; one with a 符号 is not asked."""
    rid = born(fugo_network, SUMIDA)
    fugo = fugo_of(fugo_network, SUMIDA, rid)
    atena_id = atena_id_of(fugo_network, SUMIDA, rid)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with fugo_network.node(f"intermediate:{SUMIDA}").unit_of_work() as uow:
        uow.session.delete(uow.session.get_one(FugoHeld, atena_id))
        uow.session.add(FugoRequest(serial="9" * 32, atena_id=atena_id, asked_at=past,
                                    expires_at=past))  # fmt: skip
        uow.session.add(FugoRequest(serial="8" * 32, atena_id="1" * 16, asked_at=past,
                                    expires_at=past))  # fmt: skip
    with fugo_network.node(f"intermediate:{SUMIDA}").unit_of_work() as uow:
        uow.session.add(FugoHeld(atena_id="1" * 16, fugo="B" * 32, bound_at=past))
    with fugo_network.node(f"intermediate:{SUMIDA}").unit_of_work() as uow:
        assert fugo_service.renew_expired(uow) == 1  # not the one holding a 符号
    fugo_network.pump()
    assert fugo_of(fugo_network, SUMIDA, rid) == fugo
    with fugo_network.node(f"intermediate:{SUMIDA}").db.session() as session:
        assert session.scalars(select(FugoRequest)).all() == []
