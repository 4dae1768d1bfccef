"""A tier's 本人確認情報検索 answers who matched, never with the 個人番号; a body gets the
number only as a provision by the legal table, and the audit entry says a number was
touched exactly when the request or the answer carried one (issue #14, item 8), on SQLite
and PostgreSQL. Before, a 4情報 search returned every match's clear 個人番号 to any caller
with the search right, and the audit entry said no number was touched. (A first fix let a
body name its duty on `/search`: that went around the row's items, its keys, 提供停止 and
the provision record a person sees in 開示 — found by an attack review, so the number left
`/search` altogether.)"""

from __future__ import annotations

from typing import Any

import pytest

from juki.core.audit import log as audit
from juki.network.embedded import EmbeddedNetwork
from tests.conftest import api_client, born
from tests.duties.provision.test_provision_api import FOUR, body_client

SEARCH = FOUR | {"purpose": "本人確認"}


def last_entry(network: EmbeddedNetwork, node_id: str, function: str) -> Any:
    with network.node(node_id).db.session() as db:
        entries = [e for e in audit.entries(db, 20) if e.function == function]
    return entries[0]


def numbers_in(answer: Any) -> list[Any]:
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found  # the search found the person (so the check can fail)
    return [row["individual_number"] for row in found]


@pytest.mark.parametrize("body_code", [None, "nenkin", "city-tax"])
def test_a_four_items_search_carries_no_number(
    network: EmbeddedNetwork, body_code: str | None
) -> None:
    """The tier's own staff, a body whose row lists the number, a body whose row does not."""
    born(network)
    client = body_client(network, "national", body_code)
    assert numbers_in(client.post("/national/search", json=SEARCH)) == [None]
    entry = last_entry(network, "national", "POST /search")
    assert (entry.result, entry.number_touched) == ("ok", False)
    named = client.post("/national/search", json=SEARCH | {"duty": "pension_benefits"})
    assert named.status_code == 422  # no way round
    assert named.json()["errors"][0]["field"].endswith("duty")


def test_the_number_goes_only_by_provision_and_the_audit_says_so(
    network: EmbeddedNetwork,
) -> None:
    born(network)
    nenkin = body_client(network, "national", "nenkin")
    answer = nenkin.post("/national/provision", json={"duty": "pension_benefits", **FOUR})
    assert answer.status_code == 200, answer.text
    (record,) = answer.json()["records"]
    assert len(record["individual_number"]) == 12  # the row lists the item
    assert last_entry(network, "national", "POST /provision").number_touched is True


def test_a_search_by_number_touches_a_number_whatever_the_answer_carries(
    network: EmbeddedNetwork,
) -> None:
    born(network)
    nenkin = body_client(network, "national", "nenkin")
    answer = nenkin.post("/national/provision", json={"duty": "pension_benefits", **FOUR})
    number = answer.json()["records"][0]["individual_number"]
    staff = api_client(network)  # the local command
    by_number = {"individual_number": number, "purpose": "本人確認"}
    assert numbers_in(staff.post("/prefecture/13/search", json=by_number)) == [None]
    assert last_entry(network, "prefecture:13", "POST /search").number_touched is True
