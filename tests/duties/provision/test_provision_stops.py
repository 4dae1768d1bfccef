"""A granted 提供停止 or 利用停止 takes effect (000 DSC-02; 個人情報保護法 第100条): the person
is answered as withheld, with no items, in every provision by the legal table — single or
batch, at the prefecture and at J-LIS — and the provision record holds the withholding as
refused with its reason code; other persons, even in the same batch, are unaffected, and
the file itself keeps being updated from the CS. A request not granted withholds nobody."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from juki.core.clock import japan_today
from juki.duties.provision.batch import open_result
from juki.duties.provision.stops import WITHHELD
from juki.duties.provision.tables import BatchProvision
from juki.duties.search import ProvisionLog
from juki.national import models as national_models
from juki.network.embedded import EmbeddedNetwork
from juki.prefecture import models as prefecture_models
from juki.registry.notices import moves, schemas
from tests.conftest import born, record, resident
from tests.duties.disclosure.test_disclosure import desk, request_body, text_of
from tests.duties.disclosure.test_use_suspensions import second_desk
from tests.duties.provision.test_batch import conditions, operator, recipient
from tests.duties.provision.test_provision_api import body_client, records
from tests.registry.helpers import INTAKE

LG = "131075"
# node, URL base, a body allowed online and media there, its duty
TIERS = [("national", "/national", "nenkin", "pension_benefits"),
         ("prefecture:13", "/prefecture/13", "tax-bureau", "local_tax")]  # fmt: skip
IDENTITY = {"national": national_models.NationalIdentityRow,
            "prefecture:13": prefecture_models.PrefectureIdentityRow}  # fmt: skip
OTHER = {"name_kanji": "墨田　太郎", "name_kana": "スミダ　タロウ", "sex": "1"}


def two_people(network: EmbeddedNetwork) -> tuple[str, int, str]:
    """The person who asks for the stop (墨田花子: code and resident id), and another."""
    asking = born(network)
    other = born(network, **OTHER)
    return (resident(network, LG, asking).resident_code, asking,
            resident(network, LG, other).resident_code)  # fmt: skip


class Desk:
    """The tier's disclosure desk: one person takes a request, another decides it."""

    def __init__(self, network: EmbeddedNetwork, node_id: str, base: str) -> None:
        self.base, self.taker = base, desk(network, node_id)
        self.chief = second_desk(network, node_id)

    def ask(self, code: str, measure: str) -> int:
        answer = self.taker.post(f"{self.base}/disclosures", json=request_body(code))
        assert answer.status_code == 200, answer.text
        claim = {"measure": measure, "grounds": "違法に提供されていると考えるため"}
        made = self.taker.post(
            f"{self.base}/disclosures/{answer.headers['X-Disclosure-Id']}/suspensions", json=claim
        )
        assert made.status_code == 201, made.text
        return int(made.json()["id"])

    def decide(self, suspension_id: int, grant: bool) -> Any:
        decision = {"grant": grant, "reason": "審査の結果"}
        return self.chief.post(f"{self.base}/use-suspensions/{suspension_id}/decision",
                               json=decision)  # fmt: skip


def provide(client: TestClient, base: str, duty: str, code: str) -> dict[str, Any]:
    answer = client.post(f"{base}/provision", json={"duty": duty, "resident_code": code})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


@pytest.mark.parametrize("measure", ["provision_stop", "use_stop"])
@pytest.mark.parametrize(("node_id", "base", "body_code", "duty"), TIERS)
def test_a_granted_stop_withholds_the_person_from_provision(
    network: EmbeddedNetwork, node_id: str, base: str, body_code: str, duty: str, measure: str
) -> None:
    code, asking_id, other = two_people(network)
    body = body_client(network, node_id, body_code)
    before = provide(body, base, duty, code)
    assert ([r["resident_code"] for r in before["records"]], before["withheld"]) == ([code], 0)

    desk_ = Desk(network, node_id, base)
    suspension = desk_.ask(code, measure)
    assert provide(body, base, duty, code)["records"] != []  # only a decision stops it
    assert desk_.decide(suspension, grant=True).json()["status"] == "granted"

    withheld = provide(body, base, duty, code)
    assert (withheld["records"], withheld["withheld"]) == ([], 1)
    assert "スミダ" not in json.dumps(withheld, ensure_ascii=False)
    unaffected = provide(body, base, duty, other)
    assert ([r["resident_code"] for r in unaffected["records"]], unaffected["withheld"]) == (
        [other], 0,
    )  # fmt: skip
    entries = [(e.refused_reason, json.loads(e.targets), e.items, e.result_count, e.body_code)
               for e in records(network, node_id)]  # fmt: skip
    assert (WITHHELD, [code], "", 0, body_code) in entries
    assert [e for e in entries if e[0] is None and code in e[1]] == entries[:2]  # before

    # The desk sees the withholding among the person's provision records; the 開示 PDF
    # lists only what was provided (the two provisions before the decision).
    listed = desk_.taker.post(f"{base}/provision-records/of-person", json={"resident_code": code})
    assert [item["result"] for item in listed.json()] == ["provided", "provided", "withheld"]
    pdf = desk_.taker.post(f"{base}/disclosures", json=request_body(code)).content
    assert text_of(pdf, f"stop-{node_id.replace(':', '-')}-{measure}").count("提供項目:") == 2

    # Juki-net's own use is not blocked: the person's 転居 still reaches the tier's file.
    moved = schemas.MoveWithinNotice(
        intake=INTAKE, change_date=japan_today(), address="東京都墨田区押上一丁目9番9号"
    )
    record(network, LG, moves.record_move_within, asking_id, moved)
    model = IDENTITY[node_id]
    with network.node(node_id).db.session() as session:
        current = session.scalars(
            select(model.address).where(model.resident_code == code, model.is_current.is_(True))
        ).one()
    assert current == moved.address


@pytest.mark.parametrize(("node_id", "base", "body_code", "duty"), TIERS)
def test_a_batch_withholds_only_the_stopped_person(
    network: EmbeddedNetwork, node_id: str, base: str, body_code: str, duty: str
) -> None:
    code, _asking_id, other = two_people(network)
    desk_ = Desk(network, node_id, base)
    assert desk_.decide(desk_.ask(code, "provision_stop"), grant=True).status_code == 200
    private = recipient(network, body_code, node_id)
    first = operator(network, "system:staff-a", "yamada.ichiro", node_id)
    second = operator(network, "system:staff-b", "kimura.jiro", node_id)
    rows = conditions(f"r1,{code},,,", f"r2,{other},,,", "r3,,スミダ　ハナコ,2026-11-01,2")
    body = {"body_code": body_code, "duty": duty, "conditions_csv": rows}
    asked = first.post(f"{base}/batch-provisions", json=body)
    assert asked.status_code == 201, asked.text
    batch_id = asked.json()["id"]
    approved = second.post(f"{base}/batch-provisions/{batch_id}/approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["records"] == 1  # the other person only

    with network.node(node_id).db.session() as session:
        sealed = session.get(BatchProvision, batch_id).result  # type: ignore[union-attr]
    assert sealed is not None
    opened = open_result(private, sealed)
    by_row = {r["row_id"]: ([x["resident_code"] for x in r["records"]], r["withheld"])
              for r in opened["results"]}  # fmt: skip
    assert by_row == {"r1": ([], 1), "r2": ([other], 0), "r3": ([], 1)}
    (provided, stopped) = [e for e in records(network, node_id) if e.method == "media"]
    assert (provided.refused_reason, json.loads(provided.targets)) == (None, [other])
    assert (stopped.refused_reason, json.loads(stopped.targets), stopped.items) == (
        WITHHELD, [code], "",
    )  # fmt: skip
    assert type(stopped) is ProvisionLog


@pytest.mark.parametrize("outcome", ["pending", "refused", "erasure_refused"])
def test_a_request_not_granted_withholds_nobody(
    sqlite_network: EmbeddedNetwork, outcome: str
) -> None:
    network = sqlite_network
    code, _asking_id, _other = two_people(network)
    desk_ = Desk(network, "national", "/national")
    suspension = desk_.ask(code, "erasure" if outcome == "erasure_refused" else "provision_stop")
    if outcome != "pending":
        assert desk_.decide(suspension, grant=False).json()["status"] == "refused"
    body = body_client(network, "national", "nenkin")
    answer = provide(body, "/national", "pension_benefits", code)
    assert ([r["resident_code"] for r in answer["records"]], answer["withheld"]) == ([code], 0)
