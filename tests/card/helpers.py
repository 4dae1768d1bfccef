"""送付先情報 built by hand in the prescribed format (001a §4.3.3, the 67 items) and sent to the
card management system the way a 市町村CS sends it; what the card system answered and holds."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.card import staff
from juki.card.lifecycle import card_expiry
from juki.card.models import CardFileEntry, ExchangeLog
from juki.card.schemas import CONTRACTOR_DUTIES, StaffCreate
from juki.core import ids
from juki.core.clock import japan_today
from juki.core.messages import DESTINATION_LENGTHS, DestinationInfo, MessageType, destination_digest
from juki.core.messaging import tables
from juki.duties.operators import clients
from juki.duties.operators.accounts import SETUP
from juki.duties.operators.tables import ApiClient
from juki.issuance import service as issuance_service
from juki.network.client_auth import ClientAuth
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.registry.residents import service as residents
from tests.conftest import born, resident

LG = "131075"
CS = f"cs:{LG}"
CARD = "card"
ISSUANCE = "issuance"


def new_number() -> str:
    return ids.individual_number_from_body(f"{uuid.uuid4().int % 10**11:011d}")


def new_code() -> str:
    return ids.resident_code_from_body(ids.new_resident_code_body())


def destination_record(
    resident_code: str, number: str, lg: str = LG, **items: Any
) -> dict[str, Any]:
    """One person's 送付先情報 (JSON form, as the registry extracts it), 項目長 consistent."""
    record: dict[str, Any] = {
        "destination_id": f"dst-{uuid.uuid4().hex[:16]}",
        "destination_postal_code": "1310033",
        "destination_address": "東京都墨田区向島一丁目2番3号",
        "destination_address_gaiji_count": 0,
        "addressee_name": "墨田\u3000花子",
        "addressee_name_gaiji_count": 0,
        "lg_code": lg,
        "lg_name": "墨田区",
        "lg_postal_code": "1308640",
        "lg_address": "東京都墨田区吾妻橋一丁目23番20号",
        "lg_address_gaiji_count": 0,
        "lg_phone": "03-5608-1111",
        "issuing_place_name": "墨田区役所",
        "issuing_place_name_gaiji_count": 0,
        "issuing_place_postal_code": "1308640",
        "issuing_place_address": "東京都墨田区吾妻橋一丁目23番20号",
        "issuing_place_address_gaiji_count": 0,
        "issuing_place_phone": "03-5608-1111",
        "delivery_place_name": "墨田区役所",
        "delivery_place_name_gaiji_count": 0,
        "delivery_place_postal_code": "1308640",
        "delivery_place_address": "東京都墨田区吾妻橋一丁目23番20号",
        "delivery_place_address_gaiji_count": 0,
        "delivery_place_phone": "03-5608-1111",
        "persons": 1,
        "processed_on": japan_today().isoformat(),
        "operator_id": "clerk-0001",
        "terminal_id": "t-0001",
        "print_category": "1",
        "resident_code": resident_code,
        "name_kanji": "墨田\u3000花子",
        "name_gaiji_count": 0,
        "name_kana": "スミダ\u3000ハナコ",
        "postal_code": "1310033",
        "address": "東京都墨田区吾妻橋一丁目2番3号",  # as tests.conftest.person
        "address_gaiji_count": 0,
        "birth_date": "1990-04-01",
        "sex": "2",
        "individual_number": number,
    } | items
    for length_field, item in DESTINATION_LENGTHS.items():
        record.setdefault(length_field, len(record.get(item, "")))
    return DestinationInfo.model_validate(record).model_dump(mode="json")


def notice_of(record: dict[str, Any]) -> dict[str, Any]:
    return {"record": record, "digest": destination_digest(record)}


def send_from_cs(network: EmbeddedNetwork, notices: list[dict[str, Any]], cs: str = CS) -> None:
    """Sent by `cs` to the card system in one envelope, then delivered."""
    with network.node(cs).unit_of_work() as uow:
        for notice in notices:
            uow.send(CARD, MessageType.DESTINATION_INFO, notice)
    network.pump()


def receipts(network: EmbeddedNetwork, cs: str = CS) -> list[dict[str, Any]]:
    """Every DestinationReceipt the card system ever sent to `cs`, in order."""
    node = network.node(CARD)
    outbox = tables.outbox
    with node.db.session() as session:
        stored = session.scalars(
            select(outbox.c.envelope)
            .where(outbox.c.recipient == cs, outbox.c.type == MessageType.DESTINATION_RECEIPT)
            .order_by(outbox.c.channel_seq)
        ).all()
    return [r for e in stored for r in json.loads(node.open_at_rest(e))["body"]["records"]]


def entries(network: EmbeddedNetwork) -> list[CardFileEntry]:
    with network.node(CARD).db.session() as session:
        rows = list(session.scalars(select(CardFileEntry).order_by(CardFileEntry.id)))
        session.expunge_all()
        return rows


def exchanges(network: EmbeddedNetwork) -> list[ExchangeLog]:
    with network.node(CARD).db.session() as session:
        rows = list(session.scalars(select(ExchangeLog).order_by(ExchangeLog.id)))
        session.expunge_all()
        return rows


def held_person(network: EmbeddedNetwork, **overrides: Any) -> tuple[int, CardFileEntry]:
    """A person born in 墨田区 (so the national server holds them), whose 送付先情報 the
    card system registered: (resident id, File 3 entry)."""
    rid = born(network, **overrides)
    code = resident(network, LG, rid).resident_code
    with network.node(f"registry:{LG}").unit_of_work() as uow:
        number = residents.number_of(uow, residents.get_resident(uow, rid))
    record = destination_record(code, number, birth_date="2026-11-01", **_as_items(overrides))
    send_from_cs(network, [notice_of(record)])
    [entry] = [e for e in entries(network) if e.destination_id == record["destination_id"]]
    return rid, entry


def _as_items(overrides: dict[str, Any]) -> dict[str, Any]:
    """The person's items as born (tests.conftest.person) in the record's names."""
    return {k: v for k, v in overrides.items() if k in ("name_kanji", "name_kana", "address")}


def on_roster(session: Session, client_id: str, operator: str) -> None:
    """Put `operator` on the client's 委託先従事者名簿 for every contractor duty it holds
    (000 OUT-02/03: only listed staff may act)."""
    [client] = session.scalars(select(ApiClient).where(ApiClient.client_id == client_id))
    for duty in set(json.loads(client.rights)) & set(CONTRACTOR_DUTIES):
        body = StaffCreate(client_id=client_id, operator=operator, person_name="委託\u3000太郎",
                           duty=duty)  # fmt: skip
        staff.add(session, "(テスト)", body)


# A face photo as the receipt contractor scans it: a JPEG (its first bytes are what the
# card system and the line check), different per application.
def face_photo(application_id: str) -> bytes:
    return b"\xff\xd8\xff\xe0" + application_id.encode() + b"\xff\xd9"


def application(application_id: str, **fields: Any) -> dict[str, Any]:
    photo = face_photo(application_id)
    return {
        "application_id": application_id,
        "applied_on": japan_today().isoformat(),
        "photo_sha256": hashlib.sha256(photo).hexdigest(),
        "face_photo": base64.b64encode(photo).decode(),
    } | fields


def made_record(
    entry: CardFileEntry, birth_date: str = "2026-11-01", **fields: Any
) -> dict[str, Any]:
    """The contractor's result (C21) for `entry`'s commission, a card made today, its
    expiry as the rules fix it for a holder born on `birth_date` (as `held_person`
    registers them) — for tests that put a result of their own on the line."""
    assert entry.commission_number is not None, "the application was not commissioned"
    expires = card_expiry(dt.date.fromisoformat(birth_date), japan_today())
    return {
        "request_id": f"T{entry.commission_number}",
        "commission_number": entry.commission_number,
        "application_id": entry.application_id,
        "result_code": "00",
        "operator_id": "issue-op-01",
        "terminal_id": "issue-terminal-1",
        "card_issue_number": uuid.uuid4().hex[:16].upper(),
        "expires_on": expires.isoformat(),
    } | fields


def send_from_contractor(network: EmbeddedNetwork, records: list[dict[str, Any]]) -> None:
    """Results sent by the issuance contractor's node to the card system, then delivered."""
    with network.node(ISSUANCE).unit_of_work() as uow:
        for record in records:
            uow.send(CARD, MessageType.CARD_MADE, record)
    network.pump()


def run_line(network: EmbeddedNetwork) -> dict[str, int]:
    """The contractor's line makes every commission it holds; everything delivered."""
    network.pump()
    with network.node(ISSUANCE).unit_of_work() as uow:
        counts = issuance_service.run_line(uow)
    network.pump()
    return counts


def made_answers(network: EmbeddedNetwork) -> list[dict[str, Any]]:
    """Every answer the card system gave the contractor's results, in order."""
    return sent(network, MessageType.CARD_MADE_ANSWER, recipient=ISSUANCE)


def sent(network: EmbeddedNetwork, message_type: str, recipient: str = CS) -> list[dict[str, Any]]:
    """Every record of `message_type` the card system sent to `recipient`, in order."""
    node = network.node(CARD)
    outbox = tables.outbox
    with node.db.session() as session:
        stored = session.scalars(
            select(outbox.c.envelope)
            .where(outbox.c.recipient == recipient, outbox.c.type == message_type)
            .order_by(outbox.c.channel_seq)
        ).all()
    return [r for e in stored for r in json.loads(node.open_at_rest(e))["body"]["records"]]


def as_operator(network: EmbeddedNetwork, client: TestClient, operator: str) -> TestClient:
    """The same contractor system, used by another end operator: one the card system
    knows as the client's (else the token itself is refused, 401), not on its roster."""
    assert isinstance(client.auth, ClientAuth)
    with network.node(CARD).unit_of_work() as uow:
        clients.add_operator(uow.session, SETUP, client.auth.key.client_id, operator)
    other = TestClient(client.app)
    other.auth = ClientAuth(client.auth.key, operator, client.auth.terminal)
    return other


def api_client(
    network: EmbeddedNetwork,
    kind: str,
    name: str,
    rights: dict[str, str],
    operator: str,
    *,
    roster: bool = True,
    media_key: X25519PrivateKey | None = None,
    terminal: str | None = None,
) -> TestClient:
    """A system registered with the card system as an API client acting for `operator`;
    a contractor's has `operator` on its roster (000 OUT-02/03), and a recipient of sealed
    files its X25519 key."""
    node = network.node(CARD)
    key = clients.ClientKey.generate(f"system:{kind}-{uuid.uuid4().hex[:6]}")
    media_pem = None
    if media_key is not None:
        media_pem = (
            media_key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
    with node.unit_of_work() as uow:
        clients.register_client(
            uow.session, SETUP, node.role, client_id=key.client_id, name=name,
            public_key_pem=key.public_pem(), rights=rights, media_public_key_pem=media_pem,
            operators=[operator],
        )  # fmt: skip
        if roster:
            on_roster(uow.session, key.client_id, operator)
    client = TestClient(network_app(network))
    client.auth = ClientAuth(key, operator, terminal or f"{kind}-terminal-1")
    return client


def contractor(network: EmbeddedNetwork, rights: dict[str, str] | None = None) -> TestClient:
    """The application-receipt contractor's system (000 §3.3 1-⑥)."""
    rights = rights if rights is not None else {"card_applications": "update"}
    return api_client(network, "receipt", "申請書受付事業者", rights, "receipt-op-01")


def printer(
    network: EmbeddedNetwork, operator: str = "print-op-01", rights: dict[str, str] | None = None
) -> tuple[TestClient, X25519PrivateKey]:
    """The print contractor's system (000 §3.3 1-②/③), with its X25519 key for the sealed
    print files."""
    private = X25519PrivateKey.generate()
    rights = rights if rights is not None else {"card_print": "update"}
    client = api_client(network, "print", "印刷事業者", rights, operator, media_key=private)
    return client, private


def jlis(
    network: EmbeddedNetwork, rights: dict[str, str] | None = None, operator: str = "jlis-op-01"
) -> TestClient:
    """A J-LIS operator's client at the card system (not a contractor: no roster)."""
    rights = rights if rights is not None else {"card_contracts": "update"}
    name = "地方公共団体情報システム機構"
    return api_client(network, "jlis", name, rights, operator, roster=False)


def client_id_of(client: TestClient) -> str:
    assert isinstance(client.auth, ClientAuth)
    return client.auth.key.client_id
