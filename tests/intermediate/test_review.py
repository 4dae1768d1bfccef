"""The review of held answers (自動応答不可: 001a NWS-5-3, 001b C-13), end to end: 千代田区
asks about a person 墨田区 protects with a 支援措置; 墨田区's staff re-check the request and
the 副本, then provide it (sealed to 千代田区's key, as an automatic answer is) or withhold
it (told "not provided", as for a person 墨田区 never held). Decided once, by one person,
before the deadline; every step in the 情報提供等記録 at the three places."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from juki.core.errors import Conflict, InvalidInput, NotFound
from juki.core.messages import MessageType
from juki.infonet import brokering
from juki.infonet.models import ProvisionRecord
from juki.intermediate import exchange, review
from juki.intermediate.models import HeldAnswer
from juki.network.embedded import EmbeddedNetwork
from tests.conftest import BACKENDS, born, make_network
from tests.e2e.test_exchange import (
    CHILD_ALLOWANCE,
    RECORD,
    TASK,
    family_that_moved,
    network_record,
    protect,
    provider_log,
)
from tests.e2e.test_exchange import ask as ask_sumida
from tests.e2e.test_fugo import ADDRESSES, CHIYODA, SUMIDA, atena_id_of, capture

REVIEWER = "nishi.aki@M-01"


@pytest.fixture(params=BACKENDS)
def review_network(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EmbeddedNetwork]:
    net = make_network(tmp_path, request.param, institutions=(SUMIDA, CHIYODA))
    yield net
    net.destroy()


def held_query(network: EmbeddedNetwork) -> tuple[str, str]:
    """千代田区 asks about a person 墨田区 protects: (query id, the held permit's id)."""
    chiyoda_rid, sumida_rid = family_that_moved(network)
    protect(network, sumida_rid)
    query_id, answer = ask_sumida(network, chiyoda_rid)
    assert answer == {"outcome": "not_provided", "reason": None}  # as if not held there
    [held] = waiting(network)
    return query_id, held


def waiting(network: EmbeddedNetwork) -> list[str]:
    with network.node(f"intermediate:{SUMIDA}").unit_of_work() as uow:
        return [h.permit_id for h in review.waiting(uow)]


def decide(network: EmbeddedNetwork, permit_id: str, decision: str, note: str = "") -> str:
    with network.node(f"intermediate:{SUMIDA}").unit_of_work() as uow:
        outcome = review.decide(uow, permit_id, decision, REVIEWER, note)  # type: ignore[arg-type]
    network.pump()
    return outcome


def answer_of(network: EmbeddedNetwork, query_id: str) -> dict[str, object]:
    with network.node(f"intermediate:{CHIYODA}").unit_of_work() as uow:
        return exchange.read_answer(uow, query_id)


def test_staff_provide_a_held_answer_sealed_to_the_requester(
    review_network: EmbeddedNetwork,
) -> None:
    query_id, permit_id = held_query(review_network)
    with review_network.node(f"intermediate:{SUMIDA}").unit_of_work() as uow:
        case = review.case(uow, permit_id)
    assert case.request.requester == CHIYODA
    assert case.request.items == (RECORD,)
    assert case.copies[RECORD]["address"] == ADDRESSES[SUMIDA]  # type: ignore[index]
    seen = capture(review_network)
    assert decide(review_network, permit_id, "provide") == "provided"
    answer = answer_of(review_network, query_id)
    assert answer["outcome"] == "provided"
    assert answer["data"][RECORD]["address"] == ADDRESSES[SUMIDA]  # type: ignore[index]
    assert network_record(review_network, query_id).outcome == "provided"
    assert [(p.outcome, p.reason) for p in provider_log(review_network)] == [("provided", None)]
    assert waiting(review_network) == []
    [sent] = [e for e in seen.envelopes if e["type"] == MessageType.INFONET_ANSWER]
    assert sent["body"]["records"][0]["sealed"]  # sealed, not in clear
    assert ADDRESSES[SUMIDA] not in str(seen.envelopes)
    with review_network.node(f"intermediate:{SUMIDA}").db.session() as session:
        held = session.get(HeldAnswer, permit_id)
        assert held is not None
        assert (held.decision, held.decided_by) == ("provided", REVIEWER)


def test_a_withheld_answer_is_told_as_not_provided_and_needs_a_reason(
    review_network: EmbeddedNetwork,
) -> None:
    query_id, permit_id = held_query(review_network)
    sumida = review_network.node(f"intermediate:{SUMIDA}")
    with sumida.unit_of_work() as uow, pytest.raises(InvalidInput) as refused:
        review.decide(uow, permit_id, "withhold", REVIEWER, "  ")
    assert refused.value.field == "note"
    assert waiting(review_network) == [permit_id]  # nothing decided, nothing sent
    note = "加害者からの照会のおそれがあるため"
    assert decide(review_network, permit_id, "withhold", note) == "withheld"
    # The requester learns what it would for a person never held there, and no reason.
    assert answer_of(review_network, query_id) == {"outcome": "not_provided", "reason": None}
    at_network = network_record(review_network, query_id)
    assert (at_network.outcome, at_network.reason) == ("withheld", "withheld_on_review")
    assert [(p.outcome, p.reason) for p in provider_log(review_network)] == [
        ("withheld", "withheld_on_review")
    ]
    node = review_network.node(f"intermediate:{SUMIDA}")
    with node.db.session() as session:
        held = session.get(HeldAnswer, permit_id)
        assert held is not None
        assert held.note == note
        raw = session.execute(
            text("SELECT note_cipher FROM intermediate_held_answers WHERE permit_id = :p"),
            {"p": permit_id},
        ).scalar_one()
    assert note.encode() not in bytes(raw)  # sealed at rest


def test_a_held_answer_is_decided_once(review_network: EmbeddedNetwork) -> None:
    query_id, permit_id = held_query(review_network)
    assert decide(review_network, permit_id, "withhold", "理由") == "withheld"
    sumida = review_network.node(f"intermediate:{SUMIDA}")
    with sumida.unit_of_work() as uow, pytest.raises(Conflict):
        review.decide(uow, permit_id, "provide", REVIEWER, "")
    review_network.pump()
    assert answer_of(review_network, query_id)["outcome"] == "not_provided"
    with sumida.unit_of_work() as uow, pytest.raises(NotFound):
        review.decide(uow, "0" * 32, "provide", REVIEWER, "")


def test_two_reviewers_at_once_send_one_answer(review_network: EmbeddedNetwork) -> None:
    """Two members of staff press 決定 on the same case at the same moment: one decision
    is taken, the other is told it was decided; one answer leaves."""
    query_id, permit_id = held_query(review_network)
    seen = capture(review_network)
    node = review_network.node(f"intermediate:{SUMIDA}")
    start = threading.Barrier(2)
    results: list[str] = []

    def reviewer(decision: str, note: str) -> None:
        start.wait()
        try:
            with node.unit_of_work() as uow:
                results.append(review.decide(uow, permit_id, decision, REVIEWER, note))  # type: ignore[arg-type]
        except Conflict:
            results.append("conflict")
        except Exception as error:  # SQLite: the loser may find the database locked
            results.append(type(error).__name__)

    threads = [
        threading.Thread(target=reviewer, args=("provide", "")),
        threading.Thread(target=reviewer, args=("withhold", "理由")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    review_network.pump()
    decided = [r for r in results if r in ("provided", "withheld")]
    assert len(decided) == 1, results
    answers = [e for e in seen.envelopes if e["type"] == MessageType.INFONET_ANSWER]
    assert len(answers) == 1
    assert network_record(review_network, query_id).outcome == decided[0]


def test_an_unreviewed_answer_ends_withheld_at_its_deadline(
    review_network: EmbeddedNetwork,
) -> None:
    """Nobody reviewed it in time: the housekeeping at both ends closes it; the requester
    is told "not provided" (never "expired", which would say a hold was there)."""
    query_id, permit_id = held_query(review_network)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    sumida = review_network.node(f"intermediate:{SUMIDA}")
    with sumida.unit_of_work() as uow:
        uow.session.execute(update(HeldAnswer).values(review_by=past))
    with sumida.unit_of_work() as uow, pytest.raises(Conflict) as late:
        review.decide(uow, permit_id, "provide", REVIEWER, "")
    assert late.value.field == "permit_id"
    with sumida.unit_of_work() as uow:
        assert review.expire(uow) == 1
    with review_network.node("infonet").unit_of_work() as uow:
        uow.session.execute(update(ProvisionRecord).values(expires_at=past))
    with review_network.node("infonet").unit_of_work() as uow:
        assert brokering.expire_open(uow) == 1
    review_network.pump()
    assert answer_of(review_network, query_id) == {"outcome": "not_provided", "reason": None}
    at_network = network_record(review_network, query_id)
    assert (at_network.outcome, at_network.reason) == ("withheld", "review_expired")
    assert [(p.outcome, p.reason) for p in provider_log(review_network)] == [
        ("withheld", "review_expired")
    ]
    assert waiting(review_network) == []
    with sumida.db.session() as session:
        assert session.scalar(select(HeldAnswer.decision)) == "expired"


def test_a_held_answer_looks_like_a_person_not_held_in_what_and_when(
    review_network: EmbeddedNetwork,
) -> None:
    """The attack review's finding: an answer that stayed `asked` for days while others
    came at once told a DV victim's whereabouts by its delay alone. Now both queries, sent
    together, are answered by the same delivery with the same words."""
    chiyoda_rid, sumida_rid = family_that_moved(review_network)
    protect(review_network, sumida_rid)
    stranger = born(review_network, CHIYODA, address=ADDRESSES[CHIYODA], name_kanji="九段　三郎")
    with review_network.node(f"intermediate:{CHIYODA}").unit_of_work() as uow:
        asked = [
            exchange.ask(
                uow, atena_id_of(review_network, CHIYODA, rid), CHILD_ALLOWANCE, TASK,
                (RECORD,), SUMIDA,
            )
            for rid in (chiyoda_rid, stranger)
        ]  # fmt: skip
    review_network.pump()
    answers = [answer_of(review_network, query_id) for query_id in asked]
    assert answers == [{"outcome": "not_provided", "reason": None}] * 2
    assert [network_record(review_network, q).outcome for q in asked] == ["reviewing", "not_held"]
