"""個人番号カード reported by J-LIS (000 §3.3 1-⑪): the CS passes on only its own
municipality's reports; the register keeps a card only for the current resident whose
住民票コード and 個人番号 it names, and shows it to the clerk as waiting to be handed over."""

from __future__ import annotations

import datetime as dt
import uuid
from types import SimpleNamespace

from fastapi.testclient import TestClient
from sqlalchemy import select

from juki.core.clock import japan_today
from juki.core.messages import CardInfo, MessageType
from juki.cs import handlers as cs_handlers
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.registry.cards import service as cards
from juki.registry.models import MyNumberCard
from tests.conftest import born, resident
from tests.registry.cards.test_destination_info import row_and_number
from tests.registry.helpers import LG
from tests.staff import READER, console_log_in, staff_on

REGISTRY = f"registry:{LG}"
OTHER_NUMBER = "123456789018"


def report(code: str, number: str, lg: str = LG, issue: str = "0123456789ABCDEF") -> CardInfo:
    return CardInfo(
        info_id=str(uuid.uuid4()), kind="issued", individual_number=number, resident_code=code,
        lg_code=lg, application_id="1" * 23, card_issue_number=issue,
        expires_on=japan_today() + dt.timedelta(days=3650), result_code="00",
    )  # fmt: skip


def kept(network: EmbeddedNetwork) -> list[MyNumberCard]:
    with network.node(REGISTRY).db.session() as session:
        rows = list(session.scalars(select(MyNumberCard)))
        session.expunge_all()
        return rows


def test_a_card_for_the_person_is_kept_once(network: EmbeddedNetwork) -> None:
    rid = born(network)
    code = resident(network, LG, rid).resident_code
    _row, number = row_and_number(network, rid)
    info = report(code, number)
    with network.node(REGISTRY).unit_of_work() as uow:
        assert cards.receive(uow, info) is not None
    with network.node(REGISTRY).unit_of_work() as uow:
        assert cards.receive(uow, info) is None  # the same report again
    (card,) = kept(network)
    assert (card.resident_id, card.status) == (rid, cards.AWAITING_HANDOVER)
    assert card.card_issue_number == "0123456789ABCDEF"


def test_a_report_naming_another_number_or_nobody_is_dropped(network: EmbeddedNetwork) -> None:
    rid = born(network)
    code = resident(network, LG, rid).resident_code
    with network.node(REGISTRY).unit_of_work() as uow:
        assert cards.receive(uow, report(code, OTHER_NUMBER)) is None
        assert cards.receive(uow, report("12345678901", OTHER_NUMBER)) is None
    assert kept(network) == []


def test_the_cs_passes_on_only_its_own_municipalitys_reports(network: EmbeddedNetwork) -> None:
    rid = born(network)
    code = resident(network, LG, rid).resident_code
    _row, number = row_and_number(network, rid)
    envelope = SimpleNamespace(sender="card", type=MessageType.CARD_INFO)
    ours = report(code, number).model_dump(mode="json")
    theirs = report(code, number, lg="131016", issue="FEDCBA9876543210").model_dump(mode="json")
    with network.node(f"cs:{LG}").unit_of_work() as uow:
        cs_handlers.on_card_info(uow, envelope, [ours, theirs])  # type: ignore[arg-type]
        assert dict(uow._pending) == {(REGISTRY, MessageType.CARD_INFO): [ours]}
    network.pump()
    (card,) = kept(network)
    assert card.card_issue_number == "0123456789ABCDEF"


def test_the_clerk_sees_the_card_waiting_to_be_handed_over(
    sqlite_network: EmbeddedNetwork,
) -> None:
    rid = born(sqlite_network)
    code = resident(sqlite_network, LG, rid).resident_code
    _row, number = row_and_number(sqlite_network, rid)
    with sqlite_network.node(REGISTRY).unit_of_work() as uow:
        cards.receive(uow, report(code, number))
    base = f"/registry/{LG}/console"
    secrets = staff_on(sqlite_network.node(REGISTRY), (READER,))
    with TestClient(network_app(sqlite_network), follow_redirects=False) as client:
        assert console_log_in(client, base, READER, secrets[READER.login]).status_code == 303
        page = client.get(f"{base}/residents/{rid}").text
    assert "0123456789ABCDEF" in page
    assert "機構から到着（交付前設定を行ってください）" in page
    assert number not in page
