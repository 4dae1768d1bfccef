"""開示 at the prefecture and J-LIS: a PDF of the person's current record, its history and
the provisions of it (or "no record"), read back with pdftotext; a correction request
followed until the municipality's 職権修正 reaches the tier, or closed with its answer."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from juki.core.clock import japan_today
from juki.duties.operators import clients
from juki.duties.operators.accounts import SETUP
from juki.network.client_auth import ClientAuth
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.registry.notices import corrections, moves, schemas
from tests.conftest import born, record, resident
from tests.registry.helpers import INTAKE
from tests.staff import CLERK, CLERK2, SUPERVISOR, staff_on

LG = "131075"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "disclosure"


def desk(
    network: EmbeddedNetwork, node_id: str, rights: dict[str, str] | None = None
) -> TestClient:
    key = clients.ClientKey.generate("system:disclosure-desk")
    node = network.node(node_id)
    with node.unit_of_work() as uow:
        clients.register_client(
            uow.session, SETUP, node.role, client_id="system:disclosure-desk",
            name="開示窓口", public_key_pem=key.public_pem(),
            rights=rights or {"disclosure": "update"}, operators=["kaiji.tantou"],
        )  # fmt: skip
    client = TestClient(network_app(network))
    client.auth = ClientAuth(key, "kaiji.tantou", "desk-01")
    return client


def text_of(pdf: bytes, name: str) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode()


def request_body(code: str) -> dict[str, str]:
    return {
        "resident_code": code,
        "requester_name": "墨田　花子",
        "identity_document": "個人番号カード",
    }


@pytest.mark.parametrize("node_id", ["prefecture:13", "national"])
def test_a_disclosure_is_a_pdf_of_the_record_and_its_history(
    network: EmbeddedNetwork, node_id: str
) -> None:
    rid = born(network)
    code = resident(network, LG, rid).resident_code
    notice = schemas.MoveWithinNotice(
        intake=INTAKE, change_date=japan_today(), address="東京都墨田区押上一丁目9番9号"
    )
    record(network, LG, moves.record_move_within, rid, notice)
    answer = desk(network, node_id).post(
        f"/{node_id.replace(':', '/')}/disclosures", json=request_body(code)
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    text = text_of(answer.content, f"kaiji-{node_id.replace(':', '-')}")
    assert "本人確認情報開示決定通知書" in text
    assert "現在の本人確認情報" in text
    assert "押上一丁目9番9号" in text  # current
    assert "履歴" in text
    assert "吾妻橋" in text  # the address before the move, from the history
    holder = "東京都知事" if node_id.startswith("prefecture") else "地方公共団体情報システム機構"
    assert holder in text


def test_no_record_is_answered_as_such(network: EmbeddedNetwork) -> None:
    answer = desk(network, "national").post(
        "/national/disclosures", json=request_body("24727059608")
    )
    assert answer.status_code == 200, answer.text
    assert "該当する本人確認情報の記録はありません" in text_of(answer.content, "kaiji-no-record")


def test_bad_input_and_missing_rights(sqlite_network: EmbeddedNetwork) -> None:
    client = desk(sqlite_network, "national", {"disclosure": "read"})
    denied = client.post("/national/disclosures", json=request_body("24727059608"))
    assert denied.status_code == 403  # reading rights do not answer disclosures
    client = desk_again(sqlite_network)
    bad = client.post("/national/disclosures", json=request_body("12345"))
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "resident_code"


def desk_again(network: EmbeddedNetwork) -> TestClient:
    key = clients.ClientKey.generate("system:desk-2")
    node = network.node("national")
    with node.unit_of_work() as uow:
        clients.register_client(
            uow.session, SETUP, node.role, client_id="system:desk-2", name="開示窓口2",
            public_key_pem=key.public_pem(), rights={"disclosure": "update"},
            operators=["kaiji.tantou2"],
        )  # fmt: skip
    client = TestClient(network_app(network))
    client.auth = ClientAuth(key, "kaiji.tantou2", "desk-02")
    return client


def test_a_correction_request_is_tracked_to_the_municipality_s_correction(
    network: EmbeddedNetwork,
) -> None:
    rid = born(network)
    code = resident(network, LG, rid).resident_code
    client = desk(network, "prefecture:13")
    disclosed = client.post("/prefecture/13/disclosures", json=request_body(code))
    disclosure_id = int(disclosed.headers["X-Disclosure-Id"])
    claim = {"requested": {"name_kanji": "墨田　華子"}, "reason": "氏名の漢字の誤り"}
    bad = client.post(f"/prefecture/13/disclosures/{disclosure_id}/corrections",
                      json={"requested": {"blood": "A"}, "reason": "x"})  # fmt: skip
    assert bad.status_code == 422
    made = client.post(f"/prefecture/13/disclosures/{disclosure_id}/corrections", json=claim)
    assert made.status_code == 201, made.text
    assert (made.json()["status"], made.json()["lg_code"]) == ("forwarded", LG)
    correction_id = made.json()["id"]
    # The municipality corrects its record: two clerks and a supervisor (001a §5).
    staff_on(network.node(f"registry:{LG}"))
    proposal = schemas.CorrectionProposal(
        correction=schemas.CorrectionNotice(change_date=japan_today(), name_kanji="墨田　華子"),
        reason="開示後の訂正請求（東京都）",
    )
    with network.node(f"registry:{LG}").unit_of_work() as uow:
        request_id = corrections.propose(uow, rid, proposal, CLERK.login)
    with network.node(f"registry:{LG}").unit_of_work() as uow:
        corrections.confirm(uow, request_id, CLERK2.login)
    with network.node(f"registry:{LG}").unit_of_work() as uow:
        corrections.approve(uow, request_id, SUPERVISOR.login)
    assert (
        client.get(f"/prefecture/13/disclosure-corrections/{correction_id}").json()["status"]
        == "forwarded"
    )
    network.pump()  # the 職権修正 reaches the prefecture
    tracked = client.get(f"/prefecture/13/disclosure-corrections/{correction_id}").json()
    assert tracked["status"] == "corrected"
    assert LG in tracked["resolution"]
    again = client.post(
        f"/prefecture/13/disclosure-corrections/{correction_id}/close", json={"answer": "x"}
    )
    assert again.status_code == 409


def test_a_correction_request_closed_with_the_municipality_s_answer(
    sqlite_network: EmbeddedNetwork,
) -> None:
    rid = born(sqlite_network)
    code = resident(sqlite_network, LG, rid).resident_code
    client = desk(sqlite_network, "national")
    disclosed = client.post("/national/disclosures", json=request_body(code))
    disclosure_id = int(disclosed.headers["X-Disclosure-Id"])
    made = client.post(
        f"/national/disclosures/{disclosure_id}/corrections",
        json={"requested": {"address": "東京都墨田区押上"}, "reason": "住所が違う"},
    ).json()
    empty = client.post(f"/national/disclosure-corrections/{made['id']}/close", json={"answer": ""})
    assert empty.status_code == 422
    closed = client.post(
        f"/national/disclosure-corrections/{made['id']}/close",
        json={"answer": "住民票を確認した結果、記載に誤りはありません（墨田区）"},
    ).json()
    assert closed["status"] == "closed"
