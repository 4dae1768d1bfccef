"""The disclosure tables' personal text is sealed (002 REQ-CON-03; duties/disclosure/tables.py).

After a disclosure, a correction request closed with the municipality's answer and a
利用停止請求 decided with reasons, the tier's database — read with raw SQL on both
backends, and as files on disk on SQLite — holds none of the person's words in clear,
while the desk still reads them: the API shows the answer and the decision's reason, the
PDF names the requester, and the records read back in clear."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from juki.duties.disclosure.tables import Disclosure, DisclosureCorrection
from juki.duties.provision.tables import UseSuspension
from juki.network.embedded import EmbeddedNetwork
from tests.conftest import born, resident
from tests.duties.disclosure.test_disclosure import LG, desk, text_of
from tests.duties.disclosure.test_use_suspensions import second_desk
from tests.e2e.test_number_at_rest import raw_bytes

REQUESTER = "押上\u3000請求子"  # as on the request form (an agent's own name, say)
REQUESTED = "業平\u3000訂正恵"  # the name the person asks for
REASON = "婚姻前の氏のまま記録されている"
ANSWER = "戸籍を確認した結果、記載に誤りはありません（墨田区）"
GROUNDS = "勤務先の照会に提供されたと聞いたため"
DECISION = "住基法別表に基づく提供のみで、違法な提供はない"
CLEAR = (REQUESTER, REQUESTED, REASON, ANSWER, GROUNDS, DECISION)
TABLES = ("disclosures", "disclosure_corrections", "use_suspensions")
TIERS = [("prefecture:13", "/prefecture/13"), ("national", "/national")]


def test_the_disclosure_tables_hold_no_personal_text_in_clear(network: EmbeddedNetwork) -> None:
    code = resident(network, LG, born(network)).resident_code
    for node_id, base in TIERS:
        client, chief = desk(network, node_id), second_desk(network, node_id)
        ids = desk_records(client, chief, node_id, base, code)
        with network.node(node_id).db.session() as session:
            read_back_in_clear(session, ids)
            for table in TABLES:
                for clear in CLEAR:
                    assert not found_in_clear(session, table, clear), f"{clear} in clear in {table}"
            assert found_in_clear(session, "disclosures", code)  # the scan works: the code is clear
    if network.server_url is None:  # SQLite: the files on disk, main file and WAL
        network.close()
        for name, content in raw_bytes(network.home.root).items():
            if name.startswith(("prefecture_13", "national")):
                for clear in CLEAR:
                    assert clear.encode() not in content, f"{clear} in clear in {name}"


def desk_records(
    client: TestClient, chief: TestClient, node_id: str, base: str, code: str
) -> tuple[int, int, int]:
    """A disclosure, a correction request closed with the municipality's answer, and a
    利用停止請求 refused with reasons by a second person (`chief`); what the API shows of
    each is the clear text."""
    body = {"resident_code": code, "requester_name": REQUESTER, "identity_document": "運転免許証"}
    disclosed = client.post(f"{base}/disclosures", json=body)
    assert disclosed.status_code == 200, disclosed.text
    pdf = text_of(disclosed.content, f"sealed-{node_id.replace(':', '-')}")
    assert "請求子 様" in pdf  # the requester, as on the form (the full-width space is laid out)
    disclosure_id = int(disclosed.headers["X-Disclosure-Id"])
    claim = {"requested": {"name_kanji": REQUESTED}, "reason": REASON}
    made = client.post(f"{base}/disclosures/{disclosure_id}/corrections", json=claim)
    assert made.status_code == 201, made.text
    closed = client.post(
        f"{base}/disclosure-corrections/{made.json()['id']}/close", json={"answer": ANSWER}
    )
    assert closed.json()["resolution"] == ANSWER
    asked = client.post(
        f"{base}/disclosures/{disclosure_id}/suspensions",
        json={"measure": "provision_stop", "grounds": GROUNDS},
    )
    assert asked.status_code == 201, asked.text
    decided = chief.post(
        f"{base}/use-suspensions/{asked.json()['id']}/decision",
        json={"grant": False, "reason": DECISION},
    )
    assert decided.json()["decision_reason"] == DECISION
    return disclosure_id, made.json()["id"], asked.json()["id"]


def read_back_in_clear(session: Session, ids: tuple[int, int, int]) -> None:
    disclosure_id, correction_id, suspension_id = ids
    disclosure = session.get(Disclosure, disclosure_id)
    assert disclosure is not None
    assert disclosure.requester_name == REQUESTER
    correction = session.get(DisclosureCorrection, correction_id)
    assert correction is not None
    assert json.loads(correction.requested) == {"name_kanji": REQUESTED}
    assert (correction.reason, correction.resolution) == (REASON, ANSWER)
    suspension = session.get(UseSuspension, suspension_id)
    assert suspension is not None
    assert (suspension.grounds, suspension.decision_reason) == (GROUNDS, DECISION)


def found_in_clear(session: Session, table: str, clear: str) -> bool:
    """Whether any value of any column of `table`, as the database returns it, holds `clear`."""
    rows = session.execute(text(f"SELECT * FROM {table}")).all()
    assert rows, table
    return any(clear.encode() in _raw(value) for row in rows for value in row)


def _raw(value: object) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode()
