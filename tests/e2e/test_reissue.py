"""交付申請書の再発行 end to end (000 P3.4, F3-ACQ-06): a person's 4情報 change after their
form was sent → the card system invalidates the old 申請書ID and refuses a form with it →
a clerk with the card counter's right asks for a reissue at the municipality → the
送付先情報 (印刷区分 2) goes registry → CS → card system as signed messages → a new 申請書ID
is accepted, the old one still refused, the link recorded, and the register shows it.
Refusals (no right, unknown person, not a current resident, a form still valid) name the
reason and store nothing."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from juki.card.models import CardFileEntry
from juki.core.audit.tables import audit_log
from juki.core.clock import japan_today
from juki.core.messages import MessageType
from juki.core.messaging import tables
from juki.duties.operators import clients
from juki.duties.operators.accounts import SETUP
from juki.network.client_auth import ClientAuth
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.registry.models import DestinationExtract
from juki.registry.notices import changes, moves, schemas
from juki.registry.residents import service as residents
from tests.card.helpers import application, contractor, entries
from tests.card.test_changes import NEW_NAME
from tests.conftest import api_client, born, record, resident
from tests.staff import CLERK, Staff, csrf_of, logged_in

LG = "131075"
REGISTRY = f"registry:{LG}"
API = f"/registry/{LG}"
CONSOLE = f"/registry/{LG}/console"
APPLICATIONS = "/card/applications"
CARD_CLERK = Staff(
    "kimura.hanako", "木村\u3000花子", "T1009",
    (("resident_records", "update"), ("card_counter", "update")),
)  # fmt: skip


def card_desk(network: EmbeddedNetwork, lg: str = LG) -> TestClient:
    """A ward's 個人番号カード窓口 system, acting for a named clerk with the right."""
    key = clients.ClientKey.generate(f"system:card-desk-{uuid.uuid4().hex[:6]}")
    node = network.node(f"registry:{lg}")
    with node.unit_of_work() as uow:
        clients.register_client(
            uow.session, SETUP, node.role, client_id=key.client_id, name="カード窓口",
            public_key_pem=key.public_pem(),
            rights={"card_counter": "update", "resident_records": "read"},
            operators=["kimura.hanako"],
        )  # fmt: skip
    client = TestClient(network_app(network))
    client.auth = ClientAuth(key, "kimura.hanako", "card-desk-01")
    return client


def forms_of(desk: TestClient, rid: int) -> list[dict[str, Any]]:
    answer = desk.get(f"{API}/residents/{rid}/application-forms")
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def card_entries_of(network: EmbeddedNetwork, rid: int) -> list[CardFileEntry]:
    code = resident(network, LG, rid).resident_code
    return [e for e in entries(network) if e.resident_code == code]


def number_of(network: EmbeddedNetwork, rid: int) -> str:
    with network.node(REGISTRY).unit_of_work() as uow:
        return residents.number_of(uow, residents.get_resident(uow, rid))


def test_a_changed_persons_form_is_reissued_at_the_municipality(
    network: EmbeddedNetwork,
) -> None:
    rid = born(network)
    network.pump()
    [old] = card_entries_of(network, rid)  # the form sent with the 個人番号通知書 (1-①)
    assert old.status == "registered"
    record(network, LG, changes.record_name_change, rid, NEW_NAME)  # 4情報 changed
    [old] = card_entries_of(network, rid)
    assert old.status == "invalidated"
    form = contractor(network)
    refused = form.post(APPLICATIONS, json=application(old.application_id))
    assert (refused.status_code, refused.json()["code"]) == (409, "application_invalidated")

    desk = card_desk(network)
    asked = desk.post(f"{API}/residents/{rid}/application-form-reissue")
    assert asked.status_code == 202, asked.text
    assert (asked.json()["kind"], asked.json()["status"]) == ("reissue", "sent")
    network.pump()

    reissued = [f for f in forms_of(desk, rid) if f["kind"] == "reissue"]
    assert [(f["status"], f["error_code"]) for f in reissued] == [("registered", None)]
    new_id = reissued[0]["application_id"]
    [new] = [e for e in card_entries_of(network, rid) if e.application_id == new_id]
    assert new_id != old.application_id
    assert new.reissue_of == old.application_id  # the link old → new
    assert new.destination_id == reissued[0]["destination_id"]
    assert form.post(APPLICATIONS, json=application(new_id)).status_code == 201
    refused = form.post(APPLICATIONS, json=application(old.application_id))
    assert (refused.status_code, refused.json()["code"]) == (409, "application_invalidated")

    # No 個人番号 in clear in any node's audit log (nor in the URL, which names 宛名番号).
    number = number_of(network, rid)
    for node_id in (REGISTRY, f"cs:{LG}", "card"):
        with network.node(node_id).db.session() as session:
            logged = session.scalars(select(audit_log.c.targets)).all()
        assert all(number not in t for t in logged), node_id
    with network.node(REGISTRY).db.session() as session:
        mine = session.scalars(
            select(audit_log.c.targets).where(audit_log.c.operator.like("kimura.hanako%"))
        ).all()
    assert any(reissued[0]["destination_id"] in t for t in mine)


def test_the_console_reissues_and_shows_the_new_application_id(
    network: EmbeddedNetwork,
) -> None:
    rid = born(network)
    record(network, LG, changes.record_name_change, rid, NEW_NAME)
    with logged_in(network, REGISTRY, CONSOLE, (CARD_CLERK, CLERK)) as clerks:
        card_clerk, clerk = clerks[CARD_CLERK.login], clerks[CLERK.login]
        page = card_clerk.get(f"{CONSOLE}/residents/{rid}")
        assert "交付申請書の再発行" in page.text
        assert "交付申請書の再発行" not in clerk.get(f"{CONSOLE}/residents/{rid}").text

        # Without the card counter's right: refused, nothing sent or stored.
        token = csrf_of(clerk.get(f"{CONSOLE}/").text)
        url = f"{CONSOLE}/residents/{rid}/application-form-reissue"
        assert clerk.post(url, data={"csrf": token}).status_code == 403
        assert extracts(network, rid, "reissue") == []

        form = card_clerk.get(url)
        assert form.status_code == 200
        answer = card_clerk.post(url, data={"csrf": csrf_of(form.text)})
        assert answer.status_code == 303
        network.pump()
        [reissue] = extracts(network, rid, "reissue")
        assert (reissue.status, reissue.operator_id) == ("registered", CARD_CLERK.login)
        [new] = [e for e in entries(network) if e.reissue_of is not None]
        assert reissue.application_id == new.application_id  # the card system's answer
        shown = card_clerk.get(f"{CONSOLE}/residents/{rid}").text
        assert f"再発行済（新しい申請書ID {reissue.application_id}）" in shown

        # Asked again with nothing changed since: J-LIS refuses, the page says why.
        form = card_clerk.get(url)
        assert card_clerk.post(url, data={"csrf": csrf_of(form.text)}).status_code == 303
        network.pump()
        assert [x.status for x in extracts(network, rid, "reissue")] == ["registered", "refused"]
        shown = card_clerk.get(f"{CONSOLE}/residents/{rid}").text
        assert "有効な交付申請書があります（再発行は不要です）" in shown


def extracts(network: EmbeddedNetwork, rid: int, kind: str) -> list[DestinationExtract]:
    with network.node(REGISTRY).db.session() as session:
        rows = list(
            session.scalars(
                select(DestinationExtract)
                .where(DestinationExtract.resident_id == rid, DestinationExtract.kind == kind)
                .order_by(DestinationExtract.extracted_at)
            )
        )
        session.expunge_all()
        return rows


def sent_to_cs(network: EmbeddedNetwork) -> int:
    """送付先情報 records the registry has put in its outbox for its CS."""
    with network.node(REGISTRY).db.session() as session:
        query = select(func.count()).where(
            tables.outbox.c.recipient == f"cs:{LG}",
            tables.outbox.c.type == MessageType.DESTINATION_INFO,
        )
        return int(session.scalar(query) or 0)


def test_refusals_name_the_reason_and_store_nothing(network: EmbeddedNetwork) -> None:
    rid = born(network)
    dead = born(network)
    record(network, LG, moves.record_death, dead, schemas.DeathNotice(change_date=japan_today()))
    desk = card_desk(network)
    cards_before = [(e.id, e.status) for e in entries(network)]
    outbox_before = sent_to_cs(network)

    no_right = api_client(network).post(f"{API}/residents/{rid}/application-form-reissue")
    assert (no_right.status_code, no_right.json()["field"]) == (403, "rights")
    unknown = desk.post(f"{API}/residents/999999/application-form-reissue")
    assert (unknown.status_code, unknown.json()["field"]) == (404, "resident_id")
    removed = desk.post(f"{API}/residents/{dead}/application-form-reissue")
    assert (removed.status_code, removed.json()["code"]) == (409, "not_current_resident")
    assert "住民ではありません" in removed.json()["message"]
    for person in (rid, dead):
        assert extracts(network, person, "reissue") == []
    assert sent_to_cs(network) == outbox_before

    # A form still valid (nothing changed): sent, but J-LIS refuses and keeps nothing.
    assert desk.post(f"{API}/residents/{rid}/application-form-reissue").status_code == 202
    network.pump()
    [refused] = [f for f in forms_of(desk, rid) if f["kind"] == "reissue"]
    assert (refused["status"], refused["error_code"], refused["application_id"]) == (
        "refused", "form_still_valid", None,
    )  # fmt: skip
    assert refused["refused_by"] == "card"
    assert [(e.id, e.status) for e in entries(network)] == cards_before
    with network.node(REGISTRY).db.session() as session:
        refusals = session.scalars(
            select(audit_log.c.targets).where(audit_log.c.result != "ok")
        ).all()
    assert any(json.loads(t) == ["resident_id=999999"] for t in refusals)
