"""A kiosk terminal registered with the 証明書交付センター, and a holder with a virtual card
whose certificates JPKI issued at 墨田区's counter, for the kiosk tests."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import update

from juki.cs.models import CsIdentityRow
from juki.duties.operators import clients
from juki.duties.operators.accounts import SETUP
from juki.holder.apdu import CardSession
from juki.holder.virtual_card import VirtualCard
from juki.kiosk_terminal.client import Centre, Visit
from juki.national.models import NationalIdentityRow
from juki.network.client_auth import ClientAuth
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.prefecture.models import PrefectureIdentityRow
from juki.registry.residents.models import Resident
from tests.conftest import resident
from tests.e2e.test_card_counter import LG
from tests.jpki.helpers import apply_for_certificates, card_in_hand

KIOSK = "kiosk"
SIGN_PIN, AUTH_PIN = "JUKI2026", "4831"


@dataclass
class Holder:
    resident_id: int
    name: str
    card: VirtualCard
    card_issue_number: str
    desk: TestClient


def holder(network: EmbeddedNetwork, folder: Path, age: int = 40, **overrides: Any) -> Holder:
    """A resident of 墨田区 whose card was handed over and whose virtual card holds the two
    certificates JPKI issued from its own keys, `age` years old by the register (people
    enter these tests by birth; the register's date of birth is then moved back, as the
    kiosk serves holders of 15 and over)."""
    rid, desk, number = card_in_hand(network, **overrides)
    with network.node(f"registry:{LG}").db.session() as session:
        person = session.get(Resident, rid)
        assert person is not None
        person.birth_date = person.birth_date.replace(year=person.birth_date.year - age)
        code, birth = person.resident_code, person.birth_date
    # the same date at every tier of 住基ネット, else the tiers' logic checks refuse the
    # person's later changes (a 転出 changing the 生年月日) as they should
    for node, row in (
        (f"cs:{LG}", CsIdentityRow), ("prefecture:13", PrefectureIdentityRow),
        ("national", NationalIdentityRow),
    ):  # fmt: skip
        with network.node(node).db.session() as session:
            session.execute(update(row).where(row.resident_code == code).values(birth_date=birth))
    path = folder / f"holder-{uuid.uuid4().hex[:8]}.card"
    card = VirtualCard.create(path, number, SIGN_PIN, AUTH_PIN)
    body = {f"{kind}_public_key": pem for kind, pem in card.public_keys.items()}
    answer = apply_for_certificates(network, desk, number, body)
    card.load_certificates(answer["sign_certificate"], answer["auth_certificate"])
    return Holder(rid, resident(network, LG, rid).name_kanji, card, number, desk)


def terminal(network: EmbeddedNetwork, name: str = "") -> Centre:
    """A convenience store's kiosk system, registered with the centre."""
    name = name or f"store-{uuid.uuid4().hex[:6]}"
    key = clients.ClientKey.generate(f"system:kiosk-{name}")
    node = network.node(KIOSK)
    with node.unit_of_work() as uow:
        clients.register_client(
            uow.session, SETUP, node.role, client_id=key.client_id, name="キオスク端末（試験）",
            public_key_pem=key.public_pem(), rights={"kiosk_terminal": "update"},
            operators=["kiosk-op"],
        )  # fmt: skip
    client = TestClient(network_app(network))
    client.auth = ClientAuth(key, "kiosk-op", f"{name}-01")
    return Centre(client)


def visit(
    network: EmbeddedNetwork, centre: Centre, person: Holder, pin: str = AUTH_PIN,
    **document: Any,
) -> Visit:  # fmt: skip
    """One holder at the kiosk: the card read and signed through the reader, the document
    asked for, the network run until the centre has an answer."""
    at = centre.open()
    centre.present(at, CardSession(person.card).transmit, pin, {"kind": "copy", **document})
    centre.wait(at, network.pump)
    return at


def pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
