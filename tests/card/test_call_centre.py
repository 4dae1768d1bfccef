"""The call centre (issue #15; 000 P3.2, P3.3, C24–C26), on SQLite and PostgreSQL: the
caller's identity is confirmed by all four of the 4情報 against File 3 and by nothing
less; an enquiry answers the card's state and no personal item; a suspension taken at any
hour stops the card, holds both certificates at JPKI (asked by the call centre itself,
C25) and tells the mayor (C26), whose register follows; every read is recorded, refusals
too; a caller cannot suspend someone else's card; an operator off the roster reads nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from juki.card.models import CardFileEntry
from juki.duties.search import ProvisionLog
from juki.network.embedded import EmbeddedNetwork
from tests.card.helpers import CARD, api_client
from tests.conftest import resident
from tests.e2e.test_card_counter import LG, at_register, report
from tests.jpki.helpers import IssuedCard, handed_over_with_certificates, relying_party, status_of

HOLD = "revoked:certificateHold"


def call_centre(network: EmbeddedNetwork, roster: bool = True) -> TestClient:
    return api_client(
        network, "callcentre", "コールセンター事業者", {"card_call_centre": "update"},
        "cc-op-101", roster=roster,
    )  # fmt: skip


def identity_of(network: EmbeddedNetwork, card: IssuedCard, **changed: Any) -> dict[str, Any]:
    holder = resident(network, LG, card.resident_id)
    items = {
        "name_kanji": holder.name_kanji, "birth_date": holder.birth_date.isoformat(),
        "sex": holder.sex, "address": holder.address,
    }  # fmt: skip
    return items | changed


def reads(network: EmbeddedNetwork) -> list[ProvisionLog]:
    with network.node(CARD).db.session() as session:
        found = session.scalars(
            select(ProvisionLog).where(ProvisionLog.body_code.like("callcentre:%"))
        ).all()
        for row in found:
            session.expunge(row)
        return list(found)


def test_an_enquiry_matches_all_four_items_or_nothing(network: EmbeddedNetwork) -> None:
    card = handed_over_with_certificates(network)
    centre = call_centre(network)
    right = identity_of(network, card)
    answer = centre.post("/card/call-centre/enquiries", json=right)
    assert answer.status_code == 200, answer.text
    listed = answer.json()  # the person's forms and cards (a form may be out besides the card)
    [found] = [c for c in listed if c["card_issue_number"] == card.number]
    assert found["status"] == "active"
    assert set(found) == {
        "application_id", "card_issue_number", "status", "status_label", "expires_on",
        "suspended_on",
    }  # no 個人番号, no 4情報 back  # fmt: skip
    spaced = identity_of(network, card, name_kanji=right["name_kanji"].replace("\u3000", " "))
    assert centre.post("/card/call-centre/enquiries", json=spaced).json() == listed
    born = dt.date.fromisoformat(right["birth_date"])
    near_misses = [
        {"name_kanji": "墨田\u3000花"},
        {"birth_date": (born + dt.timedelta(days=1)).isoformat()},
        {"sex": "1" if right["sex"] == "2" else "2"},
        {"address": right["address"] + "先"},
    ]
    for miss in near_misses:  # three of four right is no match
        assert centre.post("/card/call-centre/enquiries", json=right | miss).json() == [], miss
    logged = reads(network)
    assert len(logged) == 2 + len(near_misses)  # every read, the empty ones too
    code = resident(network, LG, card.resident_id).resident_code
    assert [json.loads(r.targets) for r in logged[:2]] == [[code], [code]]
    assert all(r.result_count == 0 for r in logged[2:])
    incomplete = {k: v for k, v in right.items() if k != "address"}
    refused = centre.post("/card/call-centre/enquiries", json=incomplete)
    assert refused.status_code == 422
    assert "address" in refused.text


def test_a_suspension_at_any_hour_stops_the_card_holds_the_certificates_and_tells_the_mayor(
    network: EmbeddedNetwork,
) -> None:
    card = handed_over_with_certificates(network)
    centre = call_centre(network)
    jpki_desk = relying_party(network, {"jpki_hold": "update"})
    body = {
        "identity": identity_of(network, card),
        "card_issue_number": card.number,
        "reason": "紛失",
    }
    taken = centre.post("/card/call-centre/suspensions", json=body)
    assert taken.status_code == 201, taken.text
    assert taken.json()["status"] == "suspended"
    held = jpki_desk.post("/jpki/holds", json={"card_issue_number": card.number, "reason": "紛失"})
    assert held.json() == {"card_issue_number": card.number, "held": 2}  # C25, at once
    party = relying_party(network)
    assert (status_of(party, card.sign, "sign"), status_of(party, card.auth, "auth")) == (
        HOLD,
        HOLD,
    )
    network.pump()  # C26: the mayor is told
    assert at_register(card.desk, card.resident_id)["status"] == "suspended"
    with network.node(CARD).db.session() as session:
        (entry,) = session.scalars(
            select(CardFileEntry).where(CardFileEntry.card_issue_number == card.number)
        )
        assert (entry.suspension_reason, entry.status) == ("紛失", "suspended")
    # found again: the municipality lifts the suspension at its counter
    report(network, card.desk, card.number, "resumed")
    assert (status_of(party, card.sign, "sign"), status_of(party, card.auth, "auth")) == (
        "good",
        "good",
    )


def test_a_caller_cannot_suspend_someone_else_s_card(network: EmbeddedNetwork) -> None:
    card = handed_over_with_certificates(network)
    centre = call_centre(network)
    other = identity_of(network, card, name_kanji="業平\u3000太郎")
    body = {"identity": other, "card_issue_number": card.number, "reason": "盗難"}
    refused = centre.post("/card/call-centre/suspensions", json=body)
    assert refused.status_code == 404
    assert refused.json()["field"] == "card_issue_number"
    unknown = body | {"identity": identity_of(network, card), "card_issue_number": "0" * 16}
    assert centre.post("/card/call-centre/suspensions", json=unknown).json() == refused.json()
    assert status_of(relying_party(network), card.auth, "auth") == "good"
    network.pump()
    assert at_register(card.desk, card.resident_id)["status"] == "active"
    assert [r.refused_reason is not None for r in reads(network)] == [True, True]


@pytest.mark.parametrize("path", ["/card/call-centre/enquiries", "/card/call-centre/suspensions"])
def test_an_operator_off_the_roster_reads_nothing(
    sqlite_network: EmbeddedNetwork, path: str
) -> None:
    card = handed_over_with_certificates(sqlite_network)
    centre = call_centre(sqlite_network, roster=False)
    identity = identity_of(sqlite_network, card)
    body = identity if path.endswith("enquiries") else {
        "identity": identity, "card_issue_number": card.number, "reason": "紛失",
    }  # fmt: skip
    answer = centre.post(path, json=body)
    assert answer.status_code == 403
    assert answer.json()["field"] == "operator"
    assert reads(sqlite_network) == []
