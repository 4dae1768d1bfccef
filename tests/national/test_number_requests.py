"""000 F1-ACQ-01: only codes of persons subject to numbering reach the generator, and a
change request whose old number is not the code's latest is refused at the national
server (it never reaches the generator)."""

from __future__ import annotations

from sqlalchemy import select

from juki.network.embedded import EmbeddedNetwork
from juki.numbering.models import IndividualNumberEntry
from tests.conftest import born, resident
from tests.national.helpers import (
    change_number,
    forwarded_to_generator,
    notices,
    number_of,
    number_request,
    numbered_person,
    send_requests,
)


def file_one(network: EmbeddedNetwork, resident_code: str) -> list[tuple[bool, str]]:
    """The generator's File 1 rows of a code: (latest, blind index of the number)."""
    with network.node("numbering").db.session() as session:
        rows = session.execute(
            select(IndividualNumberEntry.is_latest, IndividualNumberEntry.individual_number_index)
            .where(IndividualNumberEntry.resident_code == resident_code)
            .order_by(IndividualNumberEntry.id)
        )
        return [(bool(latest), index) for latest, index in rows]


def test_change_naming_a_superseded_number_is_refused_before_the_generator(
    network: EmbeddedNetwork,
) -> None:
    rid, code = numbered_person(network)
    superseded = number_of(network, rid)
    change_number(network, rid)
    assert number_of(network, rid) != superseded
    before = file_one(network, code)

    stale = number_request(code, kind="change", old_individual_number=superseded)
    send_requests(network, [stale])

    [notice] = notices(network, stale["request_id"])
    assert (notice.refused_reason, notice.resident_code) == ("number_mismatch", code)
    assert stale["request_id"] not in forwarded_to_generator(network)
    assert file_one(network, code) == before


def test_change_naming_another_person_s_number_is_refused_before_the_generator(
    network: EmbeddedNetwork,
) -> None:
    rid, code = numbered_person(network)
    other_rid, other_code = numbered_person(network)
    theirs = number_of(network, other_rid)
    assert theirs != number_of(network, rid)
    before = file_one(network, code), file_one(network, other_code)

    borrowed = number_request(code, kind="change", old_individual_number=theirs)
    send_requests(network, [borrowed])

    [notice] = notices(network, borrowed["request_id"])
    assert (notice.refused_reason, notice.resident_code) == ("number_mismatch", code)
    assert borrowed["request_id"] not in forwarded_to_generator(network)
    assert (file_one(network, code), file_one(network, other_code)) == before


def test_change_naming_the_latest_number_reaches_the_generator(network: EmbeddedNetwork) -> None:
    rid, code = numbered_person(network)
    request = number_request(code, kind="change", old_individual_number=number_of(network, rid))
    send_requests(network, [request])

    assert request["request_id"] in forwarded_to_generator(network)
    assert [latest for latest, _ in file_one(network, code)] == [False, True]


def test_only_codes_handed_to_the_asking_municipality_reach_the_generator(
    network: EmbeddedNetwork,
) -> None:
    _, code = numbered_person(network)  # a 墨田区 code, numbered already
    other_rid = born(network, lg="131016")
    other_code = resident(network, "131016", other_rid).resident_code
    requests = [
        number_request(code),  # a first number twice
        number_request(other_code),  # 千代田区's code asked by 墨田区
        number_request(code, lg="131016"),  # naming another municipality
    ]
    send_requests(network, requests)

    reasons = [[n.refused_reason for n in notices(network, r["request_id"])] for r in requests]
    assert reasons == [["exists"], ["unknown"], ["refused"]]
    assert not {r["request_id"] for r in requests} & forwarded_to_generator(network)
