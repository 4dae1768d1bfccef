"""利用停止請求 at the prefecture and J-LIS (000 DSC-02; 個人情報保護法 第98条–第103条): a
request names a disclosure that found a record, is taken with its grounds and a 30-day
deadline, and is decided with reasons by someone other than the operator who took it;
requests past their deadline are listed; bad requests name the field and store nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from juki.core.clock import JST
from juki.duties.disclosure.service import STATUTORY_RETENTION
from juki.duties.operators import clients
from juki.duties.operators.accounts import SETUP
from juki.duties.provision.tables import UseSuspension
from juki.network.client_auth import ClientAuth
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from tests.conftest import born, resident
from tests.duties.disclosure.test_disclosure import LG, desk, request_body

TODAY = dt.datetime.now(JST).date()
CLAIM = {"measure": "provision_stop", "grounds": "法令の根拠なく提供されたと考えるため"}


def second_desk(
    network: EmbeddedNetwork, node_id: str, rights: dict[str, str] | None = None
) -> TestClient:
    """Another person at the same desk (the one who decides)."""
    key = clients.ClientKey.generate("system:disclosure-chief")
    node = network.node(node_id)
    with node.unit_of_work() as uow:
        clients.register_client(
            uow.session, SETUP, node.role, client_id=key.client_id, name="開示窓口（決定）",
            public_key_pem=key.public_pem(), rights=rights or {"disclosure": "update"},
            operators=["kaiji.kakarichou"],
        )  # fmt: skip
    client = TestClient(network_app(network))
    client.auth = ClientAuth(key, "kaiji.kakarichou", "desk-09")
    return client


def disclosed(network: EmbeddedNetwork, client: TestClient, base: str) -> int:
    code = resident(network, LG, born(network)).resident_code
    answer = client.post(f"{base}/disclosures", json=request_body(code))
    assert answer.status_code == 200, answer.text
    return int(answer.headers["X-Disclosure-Id"])


def stored(network: EmbeddedNetwork, node_id: str) -> int:
    with network.node(node_id).db.session() as session:
        return int(session.scalar(select(func.count()).select_from(UseSuspension)) or 0)


@pytest.mark.parametrize(("node_id", "base"), [("prefecture:13", "/prefecture/13"),
                                               ("national", "/national")])  # fmt: skip
def test_a_request_is_decided_with_reasons_by_a_second_person(
    network: EmbeddedNetwork, node_id: str, base: str
) -> None:
    client = desk(network, node_id)
    disclosure_id = disclosed(network, client, base)
    made = client.post(f"{base}/disclosures/{disclosure_id}/suspensions", json=CLAIM)
    assert made.status_code == 201, made.text
    taken = made.json()
    assert (taken["status"], taken["measure"]) == ("pending", "provision_stop")
    assert taken["due_on"] == (TODAY + dt.timedelta(days=30)).isoformat()
    assert "grounds" not in taken  # the person's own words stay in the record

    decision = {"grant": False, "reason": "住基法別表に基づく提供であり、違法な提供はない"}
    own = client.post(f"{base}/use-suspensions/{taken['id']}/decision", json=decision)
    assert (own.status_code, own.json()["field"]) == (403, "decided_by")
    assert client.get(f"{base}/use-suspensions/{taken['id']}").json()["status"] == "pending"

    chief = second_desk(network, node_id)
    decided = chief.post(f"{base}/use-suspensions/{taken['id']}/decision", json=decision)
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "refused"
    assert decided.json()["decided_by"].startswith("kaiji.kakarichou")
    assert decided.json()["decision_reason"] == decision["reason"]
    again = chief.post(f"{base}/use-suspensions/{taken['id']}/decision", json=decision)
    assert (again.status_code, again.json()["code"]) == (409, "decided")


def test_undecided_requests_past_their_deadline_are_listed(network: EmbeddedNetwork) -> None:
    client = desk(network, "prefecture:13")
    disclosure_id = disclosed(network, client, "/prefecture/13")
    made = client.post(f"/prefecture/13/disclosures/{disclosure_id}/suspensions", json=CLAIM)
    suspension_id = made.json()["id"]

    def overdue(as_of: dt.date) -> list[int]:
        answer = client.get("/prefecture/13/reports/overdue-suspensions",
                            params={"as_of": as_of.isoformat()})  # fmt: skip
        assert answer.status_code == 200, answer.text
        return [line["id"] for line in answer.json()]

    assert overdue(TODAY + dt.timedelta(days=30)) == []  # the deadline day itself is in time
    assert overdue(TODAY + dt.timedelta(days=31)) == [suspension_id]
    granted = {"grant": True, "reason": "提供を停止する"}
    chief = second_desk(network, "prefecture:13")
    assert chief.post(f"/prefecture/13/use-suspensions/{suspension_id}/decision",
                      json=granted).status_code == 200  # fmt: skip
    assert overdue(TODAY + dt.timedelta(days=31)) == []


def test_bad_requests_name_the_field_and_store_nothing(sqlite_network: EmbeddedNetwork) -> None:
    network, base, node_id = sqlite_network, "/prefecture/13", "prefecture:13"
    client = desk(network, node_id)
    disclosure_id = disclosed(network, client, base)
    nothing = client.post(f"{base}/disclosures", json=request_body("24727059608"))
    empty_disclosure = int(nothing.headers["X-Disclosure-Id"])
    for target, body, status, field in (
        (disclosure_id, {"measure": "stop_everything", "grounds": "x"}, 422, "measure"),
        (disclosure_id, {"measure": "erasure", "grounds": ""}, 422, "grounds"),
        (disclosure_id, {"measure": "erasure", "grounds": "   "}, 422, "grounds"),
        (disclosure_id, {**CLAIM, "resident_code": "x"}, 422, "resident_code"),
        (999_999, CLAIM, 404, "disclosure_id"),
        (empty_disclosure, CLAIM, 409, "disclosure_id"),
    ):
        answer = client.post(f"{base}/disclosures/{target}/suspensions", json=body)
        assert answer.status_code == status, answer.text
        assert field in answer.text
    assert stored(network, node_id) == 0
    read_only = second_desk(network, node_id, {"disclosure": "read"})
    denied = read_only.post(f"{base}/disclosures/{disclosure_id}/suspensions", json=CLAIM)
    assert denied.status_code == 403
    assert stored(network, node_id) == 0


@pytest.mark.parametrize(("node_id", "base"), [("prefecture:13", "/prefecture/13"),
                                               ("national", "/national")])  # fmt: skip
def test_erasure_of_the_statutory_file_is_never_granted_and_the_decision_says_why(
    network: EmbeddedNetwork, node_id: str, base: str
) -> None:
    """The law keeps 本人確認情報 for its retention period (住基法施行令 第30条の6, 第30条の11):
    a grant of 消去 is refused naming `grant`; the refusal's recorded reason starts with the
    statutory ground, before the desk's own words."""
    client = desk(network, node_id)
    disclosure_id = disclosed(network, client, base)
    claim = {"measure": "erasure", "grounds": "保存の必要がないと考えるため"}
    taken = client.post(f"{base}/disclosures/{disclosure_id}/suspensions", json=claim).json()
    chief = second_desk(network, node_id)
    url = f"{base}/use-suspensions/{taken['id']}/decision"
    granted = chief.post(url, json={"grant": True, "reason": "消去する"})
    assert granted.status_code == 409, granted.text
    assert (granted.json()["field"], granted.json()["code"]) == ("grant", "statutory_retention")
    assert "保存期間" in granted.json()["message"]
    assert client.get(f"{base}/use-suspensions/{taken['id']}").json()["status"] == "pending"
    refused = chief.post(url, json={"grant": False, "reason": "法令に基づく保存である"})
    assert refused.status_code == 200, refused.text
    assert refused.json()["status"] == "refused"
    assert refused.json()["decision_reason"] == f"{STATUTORY_RETENTION}。法令に基づく保存である"
