"""A tier's 本人確認情報検索 answers with the 個人番号 only where the legal table gives the
caller's body that item for the duty it names, and the audit entry says a number was
touched exactly when the request or the answer carried one (issue #14, item 8), on SQLite
and PostgreSQL. Before, a 4情報 search returned every match's clear 個人番号 to any caller
with the search right, and the audit entry said no number was touched."""

from __future__ import annotations

from typing import Any

import pytest

from juki.core.audit import log as audit
from juki.network.embedded import EmbeddedNetwork
from tests.conftest import api_client, born
from tests.duties.provision.test_provision_api import FOUR, body_client

SEARCH = FOUR | {"purpose": "本人確認"}


def last_search(network: EmbeddedNetwork, node_id: str) -> Any:
    with network.node(node_id).db.session() as db:
        entries = [e for e in audit.entries(db, 20) if e.function == "POST /search"]
    return entries[0]


def numbers_in(answer: Any) -> list[Any]:
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found  # the search found the person (so the check can fail)
    return [row["individual_number"] for row in found]


@pytest.mark.parametrize(
    ("body_code", "duty"),
    [
        (None, None),  # the tier's own staff, no body of the table
        ("nenkin", None),  # a body with the item, naming no duty
        ("nenkin", "local_tax"),  # a body, for a duty it has no row for
        ("city-tax", "local_tax"),  # a row without the item individual_number
    ],
)
def test_a_four_items_search_carries_no_number_without_the_legal_right(
    network: EmbeddedNetwork, body_code: str | None, duty: str | None
) -> None:
    born(network)
    client = body_client(network, "national", body_code)
    query = SEARCH | ({"duty": duty} if duty else {})
    assert numbers_in(client.post("/national/search", json=query)) == [None]
    entry = last_search(network, "national")
    assert (entry.result, entry.number_touched) == ("ok", False)


def test_a_body_whose_row_lists_the_number_gets_it_and_the_audit_says_so(
    network: EmbeddedNetwork,
) -> None:
    born(network)
    nenkin = body_client(network, "national", "nenkin")
    query = SEARCH | {"duty": "pension_benefits"}
    (number,) = numbers_in(nenkin.post("/national/search", json=query))
    assert number is not None
    assert len(number) == 12
    assert last_search(network, "national").number_touched is True


def test_a_search_by_number_touches_a_number_whatever_the_answer_carries(
    network: EmbeddedNetwork,
) -> None:
    born(network)
    nenkin = body_client(network, "national", "nenkin")
    query = SEARCH | {"duty": "pension_benefits"}
    (number,) = numbers_in(nenkin.post("/national/search", json=query))
    staff = api_client(network)  # the local command: no body, no number in the answer
    by_number = {"individual_number": number, "purpose": "本人確認"}
    assert numbers_in(staff.post("/prefecture/13/search", json=by_number)) == [None]
    assert last_search(network, "prefecture:13").number_touched is True
