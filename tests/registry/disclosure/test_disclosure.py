"""開示 at the register (001a §5.9 DISC-2, DISC-3, DISC-6): a person's request for what the
register holds about them — their 住民票's items, the history of its changes and the
provisions of it through 庁内連携 — answered with a PDF (read back with pypdf) or "no
record"; entered in the inquiry register, in the output and audit logs; the 個人番号 in
full only for the person themself who asks for it."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select

from juki.core.audit import log as audit
from juki.core.audit import outputs
from juki.core.clock import japan_today
from juki.core.identity import NUMBER_COLUMN
from juki.core.ids import resident_code_check_digit
from juki.duties.ledgers import service as ledgers
from juki.duties.operators import clients
from juki.duties.operators.accounts import SETUP
from juki.network.client_auth import ClientAuth
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.registry.models import Resident
from juki.registry.notices import moves, schemas
from juki.registry.support import schemas as support_schemas
from juki.registry.support import service as support
from tests.conftest import born, record
from tests.duties.provision.test_provision_api import body_client
from tests.registry.helpers import INTAKE, run

LG = "131075"
URL = f"/registry/{LG}/disclosures"
NAME = "墨田\u3000花子"  # tests.conftest.person


def desk(
    network: EmbeddedNetwork, rights: dict[str, str] | None = None, client_id: str = "desk"
) -> TestClient:
    """The ward's 開示 desk system (窓口課 庶務係, DISC-1), acting for a named clerk."""
    key = clients.ClientKey.generate(f"system:{client_id}")
    node = network.node(f"registry:{LG}")
    with node.unit_of_work() as uow:
        clients.register_client(
            uow.session, SETUP, node.role, client_id=f"system:{client_id}",
            name="開示窓口", public_key_pem=key.public_pem(),
            rights=rights or {"disclosure": "update"}, operators=["kaiji.tantou"],
        )  # fmt: skip
    client = TestClient(network_app(network))
    client.auth = ClientAuth(key, "kaiji.tantou", "desk-01")
    return client


def ask(**extra: Any) -> dict[str, Any]:
    return {
        "requester": "本人", "requester_name": NAME, "id_document": "個人番号カード",
    } | extra  # fmt: skip


def pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def number_of(network: EmbeddedNetwork, resident_id: int) -> str:
    node = network.node(f"registry:{LG}")
    with node.db.session() as session:
        person = session.get(Resident, resident_id)
        assert person is not None
        assert person.individual_number_cipher is not None
        return node.keys.decrypt(person.individual_number_cipher, column=NUMBER_COLUMN)


def inquiries(network: EmbeddedNetwork) -> list[ledgers.Entry]:
    with network.node(f"registry:{LG}").db.session() as session:
        return ledgers.entries(session, "inquiry")


def moved(network: EmbeddedNetwork) -> int:
    """Born at 吾妻橋, moved to 押上, and transferred to the tax section (庁内連携 T05)."""
    person = born(network)
    notice = schemas.MoveWithinNotice(
        intake=INTAKE, change_date=japan_today(), address="東京都墨田区押上一丁目9番9号"
    )
    record(network, LG, moves.record_move_within, person, notice)
    tax = body_client(network, f"registry:{LG}", "zeimu", {"internal_linkage": "read"})
    answer = tax.post(
        f"/registry/{LG}/linkage",
        json={"approval_no": "T05", "addressee_ids": [person], "items": ["name_kanji", "address"]},
    )
    assert answer.status_code == 200, answer.text
    return person


def test_a_person_gets_their_record_its_history_and_its_provisions(
    network: EmbeddedNetwork,
) -> None:
    person = moved(network)
    answer = desk(network).post(URL, json=ask(addressee_id=person))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["cache-control"] == "no-store"
    text = pdf_text(answer.content)
    assert "保有個人情報開示決定通知書" in text
    assert "東京都墨田区長" in text
    assert answer.headers["x-disclosure-no"] in text
    assert "住民票の記載事項" in text
    assert "現住所　東京都墨田区押上一丁目9番9号" in text  # the record now
    assert "漢字氏名　墨田　花子" in text
    assert "令和" in text  # dates in 和暦
    history = text.split("■ 異動の履歴")[1].split("■ 提供・移転の記録")[0]
    assert "出生" in history
    assert "転居" in history
    assert "吾妻橋一丁目2番3号" in history  # the address before the move
    assert "個人番号の記載" in history  # the number's arrival is a change of its own
    provisions = text.split("■ 提供・移転の記録（庁内連携）")[1]
    assert "（移転）" in provisions
    assert "番号法第9条第2項" in provisions
    assert "漢字氏名・現住所" in provisions
    # Not asked for: the number is masked, in the record and in its history.
    assert number_of(network, person) not in text
    assert "個人番号　************" in text
    (entry,) = inquiries(network)
    assert (entry.status, entry.fields["requester"]) == ("closed", "本人")
    assert answer.headers["x-disclosure-no"] in (entry.closing or {})["response"]
    with network.node(f"registry:{LG}").db.session() as session:
        (line,) = [
            o for o in outputs.outputs(
                session, dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
                dt.datetime(2100, 1, 1, tzinfo=dt.UTC),
            )
            if o.form.startswith("保有個人情報開示決定通知書")
        ]  # fmt: skip
        access = next(e for e in audit.entries(session, 20) if e.function == "POST /disclosures")
    assert (line.operator, line.terminal) == ("kaiji.tantou@system:desk", "desk-01")
    assert hashlib.sha256(answer.content).hexdigest() in line.purpose  # what was handed over
    assert access.result == "ok"
    assert f"addressee={person}" in access.targets
    assert access.number_touched  # the number was read, even to mask it


@pytest.mark.parametrize(
    ("extra", "full"),
    [({"include_individual_number": True}, True),
     ({}, False),  # not asked for
     ({"include_individual_number": True, "requester": "代理人", "requester_name": "代理　一郎",
       "proxy_letter_checked": True}, False)],  # an agent (DISC-3)
    ids=["person_asks", "person_does_not_ask", "agent_asks"],
)  # fmt: skip
def test_the_number_in_full_only_for_the_person_who_asks(
    sqlite_network: EmbeddedNetwork, extra: dict[str, Any], full: bool
) -> None:
    person = born(sqlite_network)
    answer = desk(sqlite_network).post(URL, json=ask(addressee_id=person, **extra))
    assert answer.status_code == 200, answer.text
    text = pdf_text(answer.content)
    number = number_of(sqlite_network, person)
    assert (number in text) is full
    assert ("************" in text) is not full
    (entry,) = inquiries(sqlite_network)
    assert ("個人番号は全桁" in (entry.closing or {})["response"]) is full


@pytest.mark.parametrize("key", ["resident_code", "addressee_id"])
def test_no_record_is_answered_as_such(network: EmbeddedNetwork, key: str) -> None:
    body = "1234567890"
    code = body + str(resident_code_check_digit(body))
    value: Any = code if key == "resident_code" else 999999
    answer = desk(network).post(URL, json=ask(**{key: value}))
    assert answer.status_code == 200, answer.text
    text = pdf_text(answer.content)
    assert "該当する住民基本台帳の記録はありません" in text
    assert "■ 異動の履歴" not in text
    (entry,) = inquiries(network)
    assert "記録なし" in (entry.closing or {})["response"]


@pytest.mark.parametrize(
    ("body", "field"),
    [(ask(), "resident_code"),  # whose record?
     (ask(addressee_id=1, resident_code="12345678906"), "resident_code"),  # both
     (ask(resident_code="12345678900"), "resident_code"),  # wrong check digit
     (ask(addressee_id=1, requester="代理人"), "proxy_letter_checked"),  # DISC-3
     (ask(addressee_id=1, id_document="社員証"), "id_document"),  # not on the fixed list
     (ask(addressee_id=1, requester="第三者"), "requester"),
     (ask(addressee_id=1, requester_name=""), "requester_name"),
     (ask(addressee_id=1, extra="x"), "extra")],
    ids=["no_key", "two_keys", "check_digit", "agent_without_proxy_letter", "id_document",
         "third_party", "no_name", "extra_field"],
)  # fmt: skip
def test_bad_input_names_the_field_and_stores_nothing(
    sqlite_network: EmbeddedNetwork, body: dict[str, Any], field: str
) -> None:
    answer = desk(sqlite_network).post(URL, json=body)
    assert answer.status_code == 422, answer.text
    assert field in [error["field"] for error in answer.json()["errors"]]
    assert inquiries(sqlite_network) == []


def test_someone_else_s_name_is_refused_and_nothing_disclosed(
    sqlite_network: EmbeddedNetwork,
) -> None:
    """A wrong 宛名番号 at the counter must not hand a person someone else's record."""
    person = born(sqlite_network)
    answer = desk(sqlite_network).post(
        URL, json=ask(addressee_id=person, requester_name="押上　太郎")
    )
    assert answer.status_code == 403
    assert answer.json()["field"] == "requester_name"
    assert answer.headers["content-type"] == "application/json"
    assert inquiries(sqlite_network) == []
    with sqlite_network.node(f"registry:{LG}").db.session() as session:
        last = audit.entries(session, 1)[0]
    assert (last.function, last.result) == ("POST /disclosures", "not_the_person")


def test_an_agent_gets_nothing_for_a_person_under_support_measures(
    sqlite_network: EmbeddedNetwork,
) -> None:
    person = born(sqlite_network)
    run(
        sqlite_network, support.register_measure, person,
        support_schemas.SupportRequest(kind="dv", starts_on=japan_today(), registered_by="kanri"),
    )  # fmt: skip
    agent = ask(addressee_id=person, requester="代理人", requester_name="代理　一郎",
                proxy_letter_checked=True)  # fmt: skip
    answer = desk(sqlite_network).post(URL, json=agent)
    assert answer.status_code == 403
    assert answer.json()["code"] == "support_measure"
    assert inquiries(sqlite_network) == []
    assert (
        desk(sqlite_network, client_id="desk2").post(URL, json=ask(addressee_id=person)).status_code
        == 200
    )  # the person themself


@pytest.mark.parametrize(
    "rights",
    [{"disclosure": "read"}, {"resident_records": "update", "certificates": "update"}],
    ids=["read_only", "counter_clerk"],
)
def test_only_the_disclosure_right_answers(
    sqlite_network: EmbeddedNetwork, rights: dict[str, str]
) -> None:
    person = born(sqlite_network)
    answer = desk(sqlite_network, rights).post(URL, json=ask(addressee_id=person))
    assert answer.status_code == 403
    assert answer.json()["field"] == "rights"
    assert inquiries(sqlite_network) == []
    with sqlite_network.node(f"registry:{LG}").db.session() as session:
        assert session.scalars(select(Resident.id)).all() == [person]  # nothing else changed
