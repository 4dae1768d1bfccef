"""情報照会・情報提供 end to end (issue #16; 番号法 第19条第8号, 第21条, 第23条; 001a §2.4,
§3.13, NWS-5/6/7): 千代田区's 児童手当 (legal table row 106) asks 墨田区 for 住民票関係情報
about a person who lived in both. The network checks the row, converts the 符号, and
relays the answer sealed to 千代田区's key; every query, refusals included, is in the
情報提供等記録 at the network and at the institutions."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import delete, select

from juki.core.infonet_messages import QueryRequest, open_answer, public_key_text
from juki.core.messages import MessageType
from juki.core.messaging.node import Node
from juki.infonet import brokering, legal_table
from juki.infonet import service as infonet_service
from juki.infonet.models import Institution, ProvisionRecord
from juki.intermediate import exchange
from juki.intermediate.models import PermitListEntry, ProvisionLog
from juki.network.embedded import EmbeddedNetwork
from juki.registry.support import schemas as support_schemas
from juki.registry.support import service as support
from tests.conftest import BACKENDS, born, make_network
from tests.e2e.test_fugo import (
    ADDRESSES,
    CHIYODA,
    SUMIDA,
    TODAY,
    Capture,
    atena_id_of,
    capture,
    fugo_of,
    move,
)

CHILD_ALLOWANCE = 106  # 児童手当法による児童手当又は旧特例給付の支給に関する事務
TASK = legal_table.shipped().rows[CHILD_ALLOWANCE].task
RECORD = "住民票関係情報"


@pytest.fixture(params=BACKENDS)
def exchange_network(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EmbeddedNetwork]:
    net = make_network(tmp_path, request.param, institutions=(SUMIDA, CHIYODA))
    yield net
    net.destroy()


def family_that_moved(network: EmbeddedNetwork) -> tuple[int, int]:
    """Born at 千代田区, moved to 墨田区: (千代田区's 宛名番号, 墨田区's)."""
    rid = born(network, CHIYODA, address=ADDRESSES[CHIYODA], name_kanji="九段　花子")
    return rid, move(network, rid, CHIYODA, SUMIDA)


def ask(
    network: EmbeddedNetwork, rid: int, *, row: int = CHILD_ALLOWANCE, task: str = TASK,
    items: tuple[str, ...] = (RECORD,), provider: str = SUMIDA,
) -> tuple[str, dict[str, Any]]:  # fmt: skip
    """千代田区 asks about its person `rid`; (query id, what it read of the answer)."""
    atena_id = atena_id_of(network, CHIYODA, rid)
    with network.node(f"intermediate:{CHIYODA}").unit_of_work() as uow:
        query_id = exchange.ask(uow, atena_id, row, task, items, provider)
    network.pump()
    with network.node(f"intermediate:{CHIYODA}").unit_of_work() as uow:
        return query_id, exchange.read_answer(uow, query_id)


def network_record(network: EmbeddedNetwork, query_id: str) -> ProvisionRecord:
    with network.node("infonet").db.session() as session:
        found = session.scalars(
            select(ProvisionRecord).where(ProvisionRecord.query_id == query_id)
        ).one()
        session.expunge(found)
        return found


def provider_log(network: EmbeddedNetwork) -> list[ProvisionLog]:
    with network.node(f"intermediate:{SUMIDA}").db.session() as session:
        rows = list(
            session.scalars(
                select(ProvisionLog)
                .where(ProvisionLog.side == "providing")
                .order_by(ProvisionLog.id)
            )
        )
        session.expunge_all()
        return rows


def test_the_new_municipality_gets_the_old_one_s_record_sealed_to_it(
    exchange_network: EmbeddedNetwork,
) -> None:
    chiyoda_rid, sumida_rid = family_that_moved(exchange_network)
    seen = capture(exchange_network)
    query_id, answer = ask(exchange_network, chiyoda_rid)
    assert answer["outcome"] == "provided"
    [copy] = [answer["data"][RECORD]]  # type: ignore[index]
    assert copy["name_kanji"] == "九段\u3000花子"
    assert copy["address"] == ADDRESSES[SUMIDA]
    assert copy["status"] == "resident"
    # The network's record: who asked whom, under which row and 事務, for what; permitted
    # and provided. The provider's record names the same permit and its own person.
    at_network = network_record(exchange_network, query_id)
    assert (at_network.requester, at_network.provider, at_network.row) == (CHIYODA, SUMIDA, 106)
    assert (at_network.task, json.loads(at_network.items)) == (TASK, [RECORD])
    assert at_network.outcome == "provided"
    [provided] = provider_log(exchange_network)
    assert (provided.permit_id, provided.other, provided.outcome) == (
        at_network.permit_id, CHIYODA, "provided",
    )  # fmt: skip
    assert provided.atena_id == atena_id_of(exchange_network, SUMIDA, sumida_rid)
    assert_sealed_from_the_network(exchange_network, seen, at_network.permit_id or "")


def assert_sealed_from_the_network(network: EmbeddedNetwork, seen: Capture, permit_id: str) -> None:
    """The answer crossed the network sealed to 千代田区's key: no name in clear on any hop
    of the network, the network holds no key that opens it, nor does 墨田区's."""
    [answer] = [e for e in seen.envelopes if e["type"] == MessageType.INFONET_ANSWER]
    [result] = [e for e in seen.envelopes if e["type"] == MessageType.INFONET_RESULT]
    sealed = answer["body"]["records"][0]["sealed"]
    assert result["body"]["records"][0]["sealed"] == sealed  # relayed as it came
    for envelope in seen.envelopes:
        assert "九段" not in json.dumps(envelope, ensure_ascii=False), envelope["type"]
    chiyoda = exchange.reply_private_key(network.node(f"intermediate:{CHIYODA}"))
    assert "九段" in open_answer(sealed, chiyoda, permit_id).decode()
    for stranger in (
        exchange.reply_private_key(network.node(f"intermediate:{SUMIDA}")),
        X25519PrivateKey.from_private_bytes(network.node("infonet").secret[:32]),
    ):
        with pytest.raises(InvalidTag):
            open_answer(sealed, stranger, permit_id)
    with pytest.raises(InvalidTag):
        open_answer(sealed, chiyoda, "0" * 32)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"row": 9999}, "no_such_row"),
        ({"row": 73, "task": legal_table.shipped().rows[73].task}, "not_the_rows_requester"),
        ({"task": legal_table.shipped().rows[108].task}, "wrong_task"),
        ({"items": (RECORD, "年金給付関係情報")}, "item_not_in_row"),
        ({"provider": "112011"}, "not_the_rows_provider"),
    ],
)
def test_a_query_off_the_table_is_refused_and_recorded(
    exchange_network: EmbeddedNetwork, change: dict[str, Any], reason: str
) -> None:
    chiyoda_rid, _ = family_that_moved(exchange_network)
    query_id, answer = ask(exchange_network, chiyoda_rid, **change)
    assert answer == {"outcome": "refused", "reason": reason}
    at_network = network_record(exchange_network, query_id)
    assert (at_network.outcome, at_network.reason, at_network.permit_id) == (
        "refused",
        reason,
        None,
    )
    assert provider_log(exchange_network) == []  # 墨田区 was never asked


def signed_query(node: Node, fugo: str | None, **change: Any) -> dict[str, Any]:
    """A query as 千代田区's 中間サーバー signs it (`change` alters the signed request)."""
    request = QueryRequest.model_validate({
        "query_id": secrets.token_hex(16), "requester": CHIYODA, "row": CHILD_ALLOWANCE,
        "task": TASK, "items": [RECORD], "provider": SUMIDA,
        "reply_key": exchange.reply_public_key(node),
    } | change)  # fmt: skip
    return {
        "request": request.model_dump(mode="json"), "fugo": fugo,
        "signature": node.sign(request.signed_bytes()), "certificate": node.certificate_pem,
    }  # fmt: skip


def send_query(network: EmbeddedNetwork, query: dict[str, Any]) -> ProvisionRecord:
    with network.node(f"intermediate:{CHIYODA}").unit_of_work() as uow:
        uow.send("infonet", MessageType.INFONET_QUERY, query)
    network.pump()
    return network_record(network, query["request"]["query_id"])


def test_a_foreign_fugo_a_bad_signature_and_an_unregistered_key_are_refused(
    exchange_network: EmbeddedNetwork,
) -> None:
    chiyoda_rid, sumida_rid = family_that_moved(exchange_network)
    node = exchange_network.node(f"intermediate:{CHIYODA}")
    own = fugo_of(exchange_network, CHIYODA, chiyoda_rid)
    # 墨田区's 符号 for the person, presented by 千代田区: not 千代田区's, so no one's.
    foreign = signed_query(node, fugo_of(exchange_network, SUMIDA, sumida_rid))
    assert send_query(exchange_network, foreign).reason == "unknown_fugo"
    # A key the network has not registered for 千代田区 (where a thief would have it sealed).
    thief = public_key_text(X25519PrivateKey.generate())
    assert send_query(exchange_network, signed_query(node, own, reply_key=thief)).reason == (
        "unregistered_key"
    )
    # A request altered after signing.
    altered = signed_query(node, own)
    altered["request"]["items"] = [RECORD, "地方税関係情報"]
    assert send_query(exchange_network, altered).reason == "bad_request_signature"
    # Signed by 墨田区's 中間サーバー in 千代田区's name.
    sumida = exchange_network.node(f"intermediate:{SUMIDA}")
    forged = signed_query(sumida, own, reply_key=exchange.reply_public_key(node))
    assert send_query(exchange_network, forged).reason == "bad_request_signature"
    assert provider_log(exchange_network) == []


def test_an_unregistered_institution_is_refused(exchange_network: EmbeddedNetwork) -> None:
    chiyoda_rid, _ = family_that_moved(exchange_network)
    with exchange_network.node("infonet").unit_of_work() as uow:
        uow.session.execute(delete(Institution).where(Institution.id == CHIYODA))
    query_id, answer = ask(exchange_network, chiyoda_rid)
    assert answer == {"outcome": "refused", "reason": "unregistered_institution"}
    assert network_record(exchange_network, query_id).outcome == "refused"
    assert provider_log(exchange_network) == []


def test_a_provider_of_another_office_is_not_the_rows(exchange_network: EmbeddedNetwork) -> None:
    """Row 106's 情報提供者 is 市町村長: a registered body under another office is not it."""
    chiyoda_rid, _ = family_that_moved(exchange_network)
    with exchange_network.node("infonet").unit_of_work() as uow:
        infonet_service.register_institution(
            uow, "jps", "日本年金機構", "other", "厚生労働大臣",
            public_key_text(X25519PrivateKey.generate()),
        )  # fmt: skip
    _, answer = ask(exchange_network, chiyoda_rid, provider="jps")
    assert answer == {"outcome": "refused", "reason": "not_the_rows_provider"}


def test_a_person_the_provider_never_held_is_not_provided(
    exchange_network: EmbeddedNetwork,
) -> None:
    """Told as a withheld answer is (`not_provided`); the network's record says why."""
    rid = born(exchange_network, CHIYODA, address=ADDRESSES[CHIYODA], name_kanji="九段　次郎")
    query_id, answer = ask(exchange_network, rid)
    assert answer == {"outcome": "not_provided", "reason": None}
    at_network = network_record(exchange_network, query_id)
    assert (at_network.outcome, at_network.reason) == ("not_held", "provider_holds_no_fugo")


def protect(network: EmbeddedNetwork, sumida_rid: int) -> None:
    """A 支援措置 (DV) for 墨田区's person, as its register records it."""
    with network.node(f"registry:{SUMIDA}").unit_of_work() as uow:
        support.register_measure(
            uow, sumida_rid,
            support_schemas.SupportRequest(kind="dv", starts_on=TODAY, registered_by="kakari"),
        )  # fmt: skip
    network.pump()


def test_a_person_under_a_support_measure_is_not_answered_automatically(
    exchange_network: EmbeddedNetwork,
) -> None:
    """001a NWS-5-3, 001b C-13: a DV victim's new address must not reach the municipality
    they left by an automatic answer. The 支援措置 at 墨田区 reaches its 副本 at once; the
    query is held for staff (tests/intermediate/test_review.py); the requester is told
    "not provided" at once, exactly as for a person 墨田区 never held (same answer, same
    moment: tests/intermediate/test_review.py shows the timing), and the hold is on
    record at the three places."""
    chiyoda_rid, sumida_rid = family_that_moved(exchange_network)
    protect(exchange_network, sumida_rid)
    seen = capture(exchange_network)
    query_id, answer = ask(exchange_network, chiyoda_rid)
    # Told at once as for a person never held there; the permit stays open for review.
    assert answer == {"outcome": "not_provided", "reason": None}
    at_network = network_record(exchange_network, query_id)
    assert (at_network.outcome, at_network.reason) == ("reviewing", "no_automatic_answer")
    assert [(p.outcome, p.reason) for p in provider_log(exchange_network)] == [
        ("held", "no_automatic_answer")
    ]
    for envelope in seen.envelopes:
        body = json.dumps(envelope["body"], ensure_ascii=False)
        assert "吾妻橋" not in body
        assert all(r.get("sealed") is None for r in envelope["body"]["records"])


def test_the_provider_checks_each_permit_against_its_own_list(
    exchange_network: EmbeddedNetwork,
) -> None:
    """NWS-5-1: a permit for a row missing from 墨田区's 照会許可用照合リスト is refused by
    墨田区 itself."""
    chiyoda_rid, _ = family_that_moved(exchange_network)
    with exchange_network.node(f"intermediate:{SUMIDA}").unit_of_work() as uow:
        assert uow.session.get(PermitListEntry, CHILD_ALLOWANCE) is not None
        uow.session.execute(delete(PermitListEntry).where(PermitListEntry.row == CHILD_ALLOWANCE))
    query_id, answer = ask(exchange_network, chiyoda_rid)
    assert answer == {"outcome": "refused", "reason": "not_on_permit_list"}
    assert network_record(exchange_network, query_id).reason == "not_on_permit_list"
    assert [(p.outcome, p.reason) for p in provider_log(exchange_network)] == [
        ("refused", "not_on_permit_list")
    ]


def permit_from_the_network(network: EmbeddedNetwork, permit: dict[str, Any]) -> ProvisionLog:
    """A permit sent as the network (or one that went astray) would send it; 墨田区's
    record of what it did with it."""
    with network.node("infonet").unit_of_work() as uow:
        uow.send(f"intermediate:{SUMIDA}", MessageType.PROVISION_PERMIT, permit)
    network.pump()
    return provider_log(network)[-1]


def test_the_provider_seals_only_to_the_key_the_requester_signed(
    exchange_network: EmbeddedNetwork,
) -> None:
    """NWS-6-1: the network cannot read an answer even by naming its own key in a permit —
    the provider seals only to the key in the requester's signed request, and only for a
    permit in date and not answered before."""
    _, sumida_rid = family_that_moved(exchange_network)
    node = exchange_network.node(f"intermediate:{CHIYODA}")
    sumida_fugo = fugo_of(exchange_network, SUMIDA, sumida_rid)
    stolen = signed_query(node, None)
    stolen["request"]["reply_key"] = public_key_text(X25519PrivateKey.generate())
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    permit = {"permit_id": "a" * 32, "request": stolen["request"], "fugo": sumida_fugo,
              "signature": stolen["signature"], "certificate": stolen["certificate"],
              "expires_at": expires}  # fmt: skip
    assert permit_from_the_network(exchange_network, permit).reason == "bad_request_signature"
    honest = signed_query(node, None)
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)).isoformat()
    permit |= {"permit_id": "b" * 32, "request": honest["request"],
               "signature": honest["signature"], "expires_at": past}  # fmt: skip
    assert permit_from_the_network(exchange_network, permit).reason == "permit_expired"
    permit |= {"permit_id": "c" * 32, "expires_at": expires}
    assert permit_from_the_network(exchange_network, permit).outcome == "provided"
    answered = len(provider_log(exchange_network))
    permit_from_the_network(exchange_network, permit)  # the same permit again
    assert len(provider_log(exchange_network)) == answered


def test_an_answer_comes_once_and_only_from_the_permitted_provider(
    exchange_network: EmbeddedNetwork,
) -> None:
    chiyoda_rid, _ = family_that_moved(exchange_network)
    # An open permit for 墨田区: 千代田区 answering it is dropped, it stays open.
    with exchange_network.node("infonet").unit_of_work() as uow:
        uow.session.add(ProvisionRecord(
            query_id="d" * 32, permit_id="e" * 32, requester=CHIYODA, provider=SUMIDA,
            row=CHILD_ALLOWANCE, task=TASK, items="[]", asked_at=dt.datetime.now(dt.UTC),
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1), outcome="permitted",
        ))  # fmt: skip
    forged = {"permit_id": "e" * 32, "outcome": "not_held", "sealed": None, "reason": "no_copy"}
    with exchange_network.node(f"intermediate:{CHIYODA}").unit_of_work() as uow:
        uow.send("infonet", MessageType.INFONET_ANSWER, forged)
    exchange_network.pump()
    assert network_record(exchange_network, "d" * 32).outcome == "permitted"
    # A real query answered: a second answer from its provider changes nothing.
    query_id, answer = ask(exchange_network, chiyoda_rid)
    permit_id = network_record(exchange_network, query_id).permit_id
    with exchange_network.node(f"intermediate:{SUMIDA}").unit_of_work() as uow:
        uow.send("infonet", MessageType.INFONET_ANSWER, forged | {"permit_id": permit_id})
    exchange_network.pump()
    with exchange_network.node(f"intermediate:{CHIYODA}").unit_of_work() as uow:
        assert exchange.read_answer(uow, query_id) == answer
    at_network = network_record(exchange_network, query_id)
    assert (at_network.outcome, at_network.reason) == ("provided", None)


def test_a_permit_left_unanswered_ends_and_the_requester_knows(
    exchange_network: EmbeddedNetwork,
) -> None:
    """The provider did not answer in 24 hours: the housekeeping ends the permit as
    refused (`permit_expired`) at the network, and the requester stops waiting; a late
    answer changes nothing."""
    asked = dt.datetime.now(dt.UTC) - dt.timedelta(hours=25)
    with exchange_network.node("infonet").unit_of_work() as uow:
        uow.session.add(ProvisionRecord(
            query_id="7" * 32, permit_id="6" * 32, requester=CHIYODA, provider=SUMIDA,
            row=CHILD_ALLOWANCE, task=TASK, items="[]", asked_at=asked,
            expires_at=asked + dt.timedelta(hours=24), outcome="permitted",
        ))  # fmt: skip
    with exchange_network.node(f"intermediate:{CHIYODA}").unit_of_work() as uow:
        uow.session.add(ProvisionLog(
            side="asking", query_id="7" * 32, other=SUMIDA, row=CHILD_ALLOWANCE, task=TASK,
            items="[]", asked_at=asked, outcome="asked", asked_by=exchange.STAFF,
        ))  # fmt: skip
    with exchange_network.node("infonet").unit_of_work() as uow:
        assert brokering.expire_open(uow) == 1
    exchange_network.pump()
    with exchange_network.node(f"intermediate:{CHIYODA}").unit_of_work() as uow:
        assert exchange.read_answer(uow, "7" * 32) == {
            "outcome": "refused", "reason": "permit_expired",
        }  # fmt: skip
    late = {"permit_id": "6" * 32, "outcome": "not_held", "sealed": None, "reason": "no_copy"}
    with exchange_network.node(f"intermediate:{SUMIDA}").unit_of_work() as uow:
        uow.send("infonet", MessageType.INFONET_ANSWER, late)
    exchange_network.pump()
    at_network = network_record(exchange_network, "7" * 32)
    assert (at_network.outcome, at_network.reason) == ("refused", "permit_expired")
