"""The 中間サーバー's and the 統合宛名's APIs as a business system uses them: find the person's
団体内統合宛名番号 by its 宛名番号, ask under a row of the legal table, read the answer.
Bad input is refused by field, and nothing is sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from juki.intermediate.models import ProvisionLog
from juki.network.embedded import EmbeddedNetwork
from tests.conftest import BACKENDS, api_client, make_network
from tests.e2e.test_exchange import CHILD_ALLOWANCE, RECORD, TASK, family_that_moved
from tests.e2e.test_fugo import ADDRESSES, CHIYODA, SUMIDA, fugo_of


@pytest.fixture(params=BACKENDS)
def served(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[EmbeddedNetwork, TestClient]]:
    net = make_network(tmp_path, request.param, institutions=(SUMIDA, CHIYODA))
    yield net, api_client(net)
    net.destroy()


def asks(network: EmbeddedNetwork) -> int:
    with network.node(f"intermediate:{CHIYODA}").db.session() as session:
        return session.scalar(select(func.count()).select_from(ProvisionLog)) or 0


def test_a_business_system_asks_and_reads_the_answer(
    served: tuple[EmbeddedNetwork, TestClient],
) -> None:
    network, client = served
    chiyoda_rid, _ = family_that_moved(network)
    found = client.get(f"/atena/{CHIYODA}/addressees/registry/{chiyoda_rid}")
    assert found.status_code == 200, found.text
    assert set(found.json()) == {"atena_id", "status"}  # no 個人番号, no 符号
    assert found.json()["status"] == "removed"  # moved out of 千代田区
    asked = client.post(
        f"/intermediate/{CHIYODA}/queries",
        json={"atena_id": found.json()["atena_id"], "row": CHILD_ALLOWANCE, "task": TASK,
              "items": [RECORD], "provider": SUMIDA},
    )  # fmt: skip
    assert asked.status_code == 202, asked.text
    query_id = asked.json()["query_id"]
    network.pump()
    answer = client.get(f"/intermediate/{CHIYODA}/queries/{query_id}")
    assert answer.status_code == 200, answer.text
    assert answer.json()["outcome"] == "provided"
    assert answer.json()["data"][RECORD]["address"] == ADDRESSES[SUMIDA]
    assert "fugo" not in answer.text


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"row": CHILD_ALLOWANCE, "task": TASK, "items": [RECORD], "provider": SUMIDA},
         "atena_id", 422),
        ({"atena_id": "123456789012", "row": CHILD_ALLOWANCE, "task": TASK, "items": [RECORD],
          "provider": SUMIDA}, "atena_id", 422),
        ({"atena_id": "1" * 16, "row": CHILD_ALLOWANCE, "task": TASK, "items": [RECORD],
          "provider": SUMIDA}, "atena_id", 404),
        ({"atena_id": "1" * 16, "row": 0, "task": TASK, "items": [RECORD], "provider": SUMIDA},
         "row", 422),
        ({"atena_id": "1" * 16, "row": CHILD_ALLOWANCE, "task": TASK, "items": [],
          "provider": SUMIDA}, "items", 422),
        ({"atena_id": "1" * 16, "row": CHILD_ALLOWANCE, "task": TASK, "items": [RECORD],
          "provider": SUMIDA, "individual_number": "123456789012"}, "individual_number", 422),
    ],
)  # fmt: skip
def test_bad_queries_are_refused_by_field_and_send_nothing(
    served: tuple[EmbeddedNetwork, TestClient], body: dict[str, object], field: str, status: int
) -> None:
    network, client = served
    before = asks(network)
    response = client.post(f"/intermediate/{CHIYODA}/queries", json=body)
    assert response.status_code == status, response.text
    assert field in response.text
    assert asks(network) == before


def test_an_unknown_addressee_and_an_unknown_query_are_not_found(
    served: tuple[EmbeddedNetwork, TestClient],
) -> None:
    _, client = served
    assert client.get(f"/atena/{CHIYODA}/addressees/registry/999999").status_code == 404
    assert client.get(f"/intermediate/{CHIYODA}/queries/{'0' * 32}").status_code == 404
    assert client.get(f"/atena/{CHIYODA}/addressees/tax/1").status_code == 422


def test_the_staff_view_a_person_s_copies_but_never_the_fugo(
    served: tuple[EmbeddedNetwork, TestClient],
) -> None:
    """NWS-7-2: the 副本 as registered, on a terminal — the items, removed or not, whether
    answers are held; no 符号 and no 個人番号 (NWS-8-2)."""
    network, client = served
    _, sumida_rid = family_that_moved(network)
    atena_id = client.get(f"/atena/{SUMIDA}/addressees/registry/{sumida_rid}").json()["atena_id"]
    copies = client.get(f"/intermediate/{SUMIDA}/fukuhon/{atena_id}")
    assert copies.status_code == 200, copies.text
    [copy] = copies.json()
    assert copy["kind"] == RECORD
    assert (copy["data"]["address"], copy["removed"], copy["hold"]) == (
        ADDRESSES[SUMIDA], False, False,
    )  # fmt: skip
    assert fugo_of(network, SUMIDA, sumida_rid) not in copies.text
    assert "individual_number" not in copies.text
    assert client.get(f"/intermediate/{SUMIDA}/fukuhon/{'1' * 16}").status_code == 404
    assert client.get(f"/intermediate/{SUMIDA}/fukuhon/123456789012").status_code == 422
