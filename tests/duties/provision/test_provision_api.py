"""Provision by the legal table over the API: a body with a row gets exactly the row's
items; a body, duty or key without one gets nothing (403 naming the field), and every
attempt is in the provision record; a person can get the list of provisions of their own
information."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from juki.duties.operators import clients
from juki.duties.operators.accounts import SETUP
from juki.duties.search import ProvisionLog
from juki.network.client_auth import ClientAuth
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.registry.models import Resident
from tests.conftest import born

FOUR = {"name_kana": "スミダ　ハナコ", "birth_date": "2026-11-01", "sex": "2"}


def body_client(
    network: EmbeddedNetwork,
    node_id: str,
    body_code: str | None,
    rights: dict[str, str] | None = None,
) -> TestClient:
    key = clients.ClientKey.generate(f"agency:{body_code}")
    node = network.node(node_id)
    with node.unit_of_work() as uow:
        clients.register_client(
            uow.session, SETUP, node.role, client_id=f"agency:{body_code}",
            name="試験機関", public_key_pem=key.public_pem(), body_code=body_code,
            rights=rights or {"identity_inquiry": "read"}, operators=["nenkin.taro"],
        )  # fmt: skip
    client = TestClient(network_app(network))
    client.auth = ClientAuth(key, "nenkin.taro", "agency-terminal-7")
    return client


def code_of_resident(network: EmbeddedNetwork, resident_id: int) -> str:
    with network.node("registry:131075").db.session() as session:
        resident = session.get(Resident, resident_id)
        assert resident is not None
        return resident.resident_code


def records(network: EmbeddedNetwork, node_id: str) -> list[Any]:
    """The node's provision record (the shared `provision_log`, in the node's database)."""
    with network.node(node_id).db.session() as session:
        rows = session.scalars(select(ProvisionLog).order_by(ProvisionLog.id)).all()
        session.expunge_all()
        return list(rows)


def test_a_body_with_a_row_gets_exactly_its_items(network: EmbeddedNetwork) -> None:
    code = code_of_resident(network, born(network))
    nenkin = body_client(network, "national", "nenkin")
    answer = nenkin.post("/national/provision", json={"duty": "pension_benefits", **FOUR})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["legal_basis"] == "住基法第30条の9（別表第一）"
    (record,) = body["records"]
    assert set(record) == set(body["items"])
    assert record["resident_code"] == code
    assert not {"lg_code", "removed"} & set(record)  # never more than the row
    (entry,) = records(network, "national")
    assert (entry.body_code, entry.duty_code, entry.operator, entry.terminal) == (
        "nenkin", "pension_benefits", "nenkin.taro", "agency-terminal-7",
    )  # fmt: skip
    assert json.loads(entry.targets) == [code]
    assert entry.refused_reason is None


def test_a_transfer_without_the_number_when_the_duty_may_not_have_it(
    network: EmbeddedNetwork,
) -> None:
    born(network)
    passport = body_client(network, "prefecture:13", "passport-office")
    answer = passport.post("/prefecture/13/provision", json={"duty": "passport", **FOUR})
    assert answer.status_code == 200, answer.text
    (record,) = answer.json()["records"]
    assert "individual_number" not in record
    by_number = passport.post(
        "/prefecture/13/provision", json={"duty": "passport", "individual_number": "123456789018"}
    )
    assert by_number.status_code == 403
    assert by_number.json()["field"] == "individual_number"


@pytest.mark.parametrize(
    ("body_code", "duty", "field"),
    [
        ("stranger", "pension_benefits", "duty"),  # no row for this body at all
        ("nenkin", "local_tax", "duty"),  # the body, but not for this duty
        (None, "pension_benefits", "duty"),  # a system that is no body of the table
    ],
)
def test_no_row_no_provision(
    network: EmbeddedNetwork, body_code: str | None, duty: str, field: str
) -> None:
    born(network)
    client = body_client(network, "national", body_code)
    answer = client.post("/national/provision", json={"duty": duty, **FOUR})
    assert answer.status_code == 403
    assert answer.json()["field"] == field
    assert "スミダ" not in answer.text
    (entry,) = records(network, "national")
    assert entry.refused_reason == "法令（別表）に定めのない提供です"
    assert json.loads(entry.targets) == []


def test_bad_input_is_refused_naming_the_field(network: EmbeddedNetwork) -> None:
    nenkin = body_client(network, "national", "nenkin")
    answer = nenkin.post("/national/provision", json={"duty": "pension_benefits", "sex": "1"})
    assert answer.status_code == 422
    unknown = nenkin.post("/national/provision", json={"duty": "pension_benefits", "x": 1})
    assert unknown.status_code == 422
    assert records(network, "national") == []


def test_a_person_gets_the_list_of_provisions_of_their_information(
    network: EmbeddedNetwork,
) -> None:
    code = code_of_resident(network, born(network))
    nenkin = body_client(network, "national", "nenkin")
    assert nenkin.post("/national/provision", json={"duty": "pension_benefits", **FOUR}).is_success
    denied = nenkin.post("/national/provision-records/of-person", json={"resident_code": code})
    assert denied.status_code == 403  # a body cannot read the provision records
    desk = body_client(network, "national", "jlis-disclosure", {"disclosure": "read"})
    listed = desk.post("/national/provision-records/of-person", json={"resident_code": code})
    assert listed.status_code == 200, listed.text
    (item,) = listed.json()
    assert (item["body_code"], item["duty_code"]) == ("nenkin", "pension_benefits")
    assert "individual_number" in item["items"]
    bad = desk.post("/national/provision-records/of-person", json={"resident_code": "1"})
    assert bad.status_code == 422
