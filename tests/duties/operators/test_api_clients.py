"""Every API caller is an authenticated system acting for a named end operator at a
terminal (000 AUTH-03), holding the route's right; refusals are 401/403 naming the field,
are in the audit log, and change nothing. Role × node refusals the PIAs require."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from juki.core.audit import log as audit
from juki.core.messages import MessageType
from juki.core.messaging.paths import is_permitted
from juki.duties.operators import clients
from juki.duties.operators.accounts import SETUP
from juki.network.client_auth import ClientAuth
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.registry.models import Resident
from juki.web.rights import route_rights
from tests.conftest import api_client
from tests.routes import mounted

LG = "131075"
BIRTH = {
    "name_kanji": "墨田　一郎", "name_kana": "スミダ　イチロウ", "birth_date": "2026-10-01",
    "sex": "1", "address": "東京都墨田区吾妻橋一丁目1番1号", "change_date": "2026-10-01",
}  # fmt: skip
WRITER = {"resident_records": "update"}
SEARCH = {"name_kana": "スミダ　イチロウ", "birth_date": "2026-10-01", "purpose": "test"}


# The end operators the test systems act for, registered with each (issue #14: a token
# may name only an operator the node knows).
OPERATORS = ("sato.ichiro", "abe.saburo", "kimura.shiro")


def register(
    network: EmbeddedNetwork, node_id: str, client_id: str, rights: dict[str, str]
) -> clients.ClientKey:
    key = clients.ClientKey.generate(client_id)
    node = network.node(node_id)
    with node.unit_of_work() as uow:
        clients.register_client(
            uow.session, SETUP, node.role, client_id=client_id, name="試験用システム",
            public_key_pem=key.public_pem(), rights=rights, operators=OPERATORS,
        )  # fmt: skip
    return key


def raw_client(network: EmbeddedNetwork) -> TestClient:
    return TestClient(network_app(network))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def residents(network: EmbeddedNetwork) -> int:
    with network.node(f"registry:{LG}").db.session() as session:
        return session.scalar(select(func.count()).select_from(Resident)) or 0


def last_entry(network: EmbeddedNetwork, node_id: str) -> Any:
    with network.node(node_id).db.session() as session:
        return audit.entries(session, 1)[0]


def test_a_call_without_a_token_is_refused_and_logged(sqlite_network: EmbeddedNetwork) -> None:
    answer = raw_client(sqlite_network).post(f"/registry/{LG}/births", json=BIRTH)
    assert answer.status_code == 401
    assert answer.json()["field"] == "authorization"
    assert residents(sqlite_network) == 0
    entry = last_entry(sqlite_network, f"registry:{LG}")
    assert (entry.function, entry.result) == ("POST /births", "unauthenticated")


@pytest.mark.parametrize(("missing", "field"), [("op", "operator"), ("term", "terminal")])
def test_a_call_without_end_operator_or_terminal_is_refused(
    sqlite_network: EmbeddedNetwork, missing: str, field: str
) -> None:
    key = register(
        sqlite_network, f"registry:{LG}", "system:vendor", {"resident_records": "update"}
    )
    now = int(time.time())
    claims = {
        "iss": "system:vendor", "aud": f"registry:{LG}", "iat": now, "exp": now + 60,
        "op": "sato.ichiro", "term": "counter-01", "jti": uuid.uuid4().hex,
    }  # fmt: skip
    del claims[missing]
    token = jwt.encode(claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
    answer = raw_client(sqlite_network).post(
        f"/registry/{LG}/births", json=BIRTH, headers=bearer(token)
    )
    assert answer.status_code == 401
    assert answer.json()["field"] == field
    assert residents(sqlite_network) == 0


@pytest.mark.parametrize(
    "tamper",
    ["other_node", "expired", "long_lived", "wrong_key", "unknown_client"],
)
def test_bad_tokens_are_refused(sqlite_network: EmbeddedNetwork, tamper: str) -> None:
    key = register(
        sqlite_network, f"registry:{LG}", "system:vendor", {"resident_records": "update"}
    )
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": "system:vendor", "aud": f"registry:{LG}", "iat": now, "exp": now + 60,
        "op": "sato.ichiro", "term": "counter-01", "jti": uuid.uuid4().hex,
    }  # fmt: skip
    signer = key.private_key
    if tamper == "other_node":
        claims["aud"] = "registry:131016"  # a token for 千代田区 replayed to 墨田区
    elif tamper == "expired":
        claims["iat"], claims["exp"] = now - 600, now - 300
    elif tamper == "long_lived":
        claims["exp"] = now + 3600
    elif tamper == "wrong_key":
        signer = clients.ClientKey.generate("x").private_key
    else:
        claims["iss"] = "system:stranger"
    token = jwt.encode(claims, signer, algorithm="EdDSA", headers={"kid": key.kid})
    answer = raw_client(sqlite_network).post(
        f"/registry/{LG}/births", json=BIRTH, headers=bearer(token)
    )
    assert answer.status_code == 401, answer.text
    assert answer.json()["field"] == "authorization"
    assert residents(sqlite_network) == 0


def test_a_revoked_client_is_refused(sqlite_network: EmbeddedNetwork) -> None:
    key = register(sqlite_network, f"registry:{LG}", "system:vendor", {"resident_records": "read"})
    client = raw_client(sqlite_network)
    client.auth = ClientAuth(key, "sato.ichiro", "counter-01")
    assert client.get(f"/registry/{LG}/residents").status_code == 200
    with sqlite_network.node(f"registry:{LG}").unit_of_work() as uow:
        clients.revoke_client(uow.session, SETUP, "system:vendor")
    assert client.get(f"/registry/{LG}/residents").status_code == 401


def test_read_only_client_cannot_write(sqlite_network: EmbeddedNetwork) -> None:
    """000 ACL-01: 照会権限のみ reads and never writes."""
    key = register(sqlite_network, f"registry:{LG}", "system:inquiry", {"resident_records": "read"})
    client = raw_client(sqlite_network)
    client.auth = ClientAuth(key, "abe.saburo", "counter-09")
    assert client.get(f"/registry/{LG}/residents").status_code == 200
    answer = client.post(f"/registry/{LG}/births", json=BIRTH)
    assert answer.status_code == 403
    assert answer.json()["field"] == "rights"
    assert residents(sqlite_network) == 0
    entry = last_entry(sqlite_network, f"registry:{LG}")
    assert (entry.operator, entry.terminal, entry.result) == (
        "abe.saburo@system:inquiry", "counter-09", "refused",
    )  # fmt: skip


def test_a_municipal_system_cannot_read_another_prefectures_server(
    sqlite_network: EmbeddedNetwork,
) -> None:
    """墨田区's system is registered with 墨田区's nodes; 埼玉県's server does not know it."""
    key = register(sqlite_network, f"registry:{LG}", "system:sumida", {"resident_records": "read"})
    client = raw_client(sqlite_network)
    client.auth = ClientAuth(key, "sato.ichiro", "counter-01")
    answer = client.post("/prefecture/11/search", json=SEARCH)
    assert answer.status_code == 401
    entry = last_entry(sqlite_network, "prefecture:11")
    assert (entry.function, entry.result) == ("POST /search", "unauthenticated")


def test_the_number_generator_cannot_read_the_national_file() -> None:
    """The generator's only path to the national server carries number results; a search or
    provision of 本人確認情報 from it is refused by the permitted paths."""
    assert is_permitted("numbering", "national", MessageType.NUMBER_RESULT)
    for message_type in MessageType:
        if message_type != MessageType.NUMBER_RESULT:
            assert not is_permitted("numbering", "national", message_type)


def test_an_api_call_is_logged_with_its_end_operator(sqlite_network: EmbeddedNetwork) -> None:
    client = api_client(sqlite_network, operator="tanaka.ichiro")
    assert client.post(f"/registry/{LG}/births", json=BIRTH).status_code == 201
    entry = last_entry(sqlite_network, f"registry:{LG}")
    assert entry.operator == "tanaka.ichiro@system:juki-cli"
    assert (entry.function, entry.result) == ("POST /births", "ok")
    sqlite_network.pump()
    by_number = {"individual_number": "123456789018", "purpose": "test"}
    client.post("/national/search", json=by_number)
    entry = last_entry(sqlite_network, "national")
    assert entry.number_touched
    assert entry.purpose == "本人確認情報の照会・提供"


def test_unknown_duties_cannot_be_granted_to_a_client(sqlite_network: EmbeddedNetwork) -> None:
    from juki.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        register(sqlite_network, "national", "agency:x", {"resident_records": "read"})
    assert refused.value.field == "rights"


def test_every_api_route_declares_its_right(sqlite_network: EmbeddedNetwork) -> None:
    """Deny by default: a route without a declaration would refuse everyone; every API route
    of every role declares an operator right, and is behind the guard that checks it (the
    console and the node-to-node /messages have their own: tests/web/test_rights.py)."""
    app = network_app(sqlite_network)
    unguarded = ("/messages", "/health", "/docs", "/openapi", "/redoc", "/console")
    checked = 0
    for node_id in ("registry:131075", "cs:131075", "prefecture:13", "national", "card"):
        for line in route_rights(mounted(app, "/" + node_id.replace(":", "/"))):
            if line.path.startswith(unguarded):
                continue
            checked += 1
            assert line.declared is not None, (node_id, line)
            assert (line.declared.kind, line.checked) == ("right", True), (node_id, line)
    assert checked > 40


def test_a_cs_api_call_is_logged_in_the_cs_log_with_its_end_operator(
    sqlite_network: EmbeddedNetwork,
) -> None:
    """001a USE-2-8 at the CS: its API runs behind the same guard, so each call — done,
    refused or unauthenticated — is in the CS's own audit log with system, end operator,
    terminal and result."""
    cs = f"cs:{LG}"
    key = register(sqlite_network, cs, "system:cs-terminal", {"consistency_check": "update"})
    client = raw_client(sqlite_network)
    client.auth = ClientAuth(key, "kimura.shiro", "cs-01")

    def logged(function: str) -> list[Any]:
        with sqlite_network.node(cs).db.session() as session:
            return [e for e in audit.entries(session, 100) if e.function == function]

    assert client.post(f"/cs/{LG}/reconcile").status_code == 202
    (done,) = logged("POST /reconcile")
    assert (done.operator, done.terminal, done.result) == (
        "kimura.shiro@system:cs-terminal", "cs-01", "ok",
    )  # fmt: skip
    ask = {"purpose": "test", "reason": "test"}
    answer = client.post(f"/cs/{LG}/bulk-outputs", json=ask)  # a right it does not hold
    assert answer.status_code == 403
    assert answer.json()["field"] == "rights"
    (refused,) = logged("POST /bulk-outputs")
    assert (refused.operator, refused.terminal, refused.result) == (
        "kimura.shiro@system:cs-terminal", "cs-01", "refused",
    )  # fmt: skip
    assert raw_client(sqlite_network).post(f"/cs/{LG}/reconcile").status_code == 401
    assert [e.result for e in logged("POST /reconcile")] == ["unauthenticated", "ok"]
    with sqlite_network.node(f"registry:{LG}").db.session() as session:
        assert not [e for e in audit.entries(session, 100) if "reconcile" in e.function]
