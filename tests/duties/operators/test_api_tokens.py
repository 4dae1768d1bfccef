"""API tokens attacked from outside (issue #14, item 5), through the network's HTTP face on
SQLite and PostgreSQL:

- a token copied off the wire cannot be sent again, even after a refused request;
- a token without a `jti`, or whose `kid` names no key of the client, is refused;
- during a key rotation both keys are accepted, after it only the new one;
- the end operator a token names must be known to the node: for the local command an
  active account of that node (a suspended one no longer), for another body's system one
  of its registered end operators — else 401 naming the field.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from juki.core.audit import log as audit
from juki.core.errors import Conflict
from juki.duties.operators import accounts, clients
from juki.duties.operators.accounts import SETUP
from juki.network.accounts import LOCAL_CLIENT_ID, local_client_key
from juki.network.client_auth import ClientAuth
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from tests.conftest import an_account, api_client

LG = "131075"
NODE = f"registry:{LG}"
URL = f"/registry/{LG}/residents"  # a read: GET with a page of the register
DESK = "system:disclosure-desk"


def get(client: TestClient, token: str) -> Any:
    return client.get(URL, headers={"Authorization": f"Bearer {token}"})


def refused_field(answer: Any) -> tuple[int, str]:
    return answer.status_code, answer.json()["field"]


@pytest.fixture
def local(network: EmbeddedNetwork) -> clients.ClientKey:
    """The local command registered on every node; `test-operator` an account of each."""
    api_client(network)
    return local_client_key(network.home.root)


def test_a_token_is_good_for_one_request(
    network: EmbeddedNetwork, local: clients.ClientKey
) -> None:
    raw = TestClient(network_app(network))
    token = local.token(NODE, "test-operator", "counter-01")
    assert get(raw, token).status_code == 200
    assert refused_field(get(raw, token)) == (401, "jti")  # replayed: refused
    # A token spent on a refused request (no right to write here) is spent all the same.
    spent = local.token(NODE, "test-operator", "counter-01")
    header = {"Authorization": f"Bearer {spent}"}
    assert raw.post(f"/registry/{LG}/disclosures", json={}, headers=header).status_code == 403
    assert refused_field(get(raw, spent)) == (401, "jti")


def test_a_token_without_jti_is_refused(network: EmbeddedNetwork, local: clients.ClientKey) -> None:
    now = int(time.time())
    claims = {
        "iss": LOCAL_CLIENT_ID, "aud": NODE, "iat": now, "exp": now + 60,
        "op": "test-operator", "term": "counter-01",
    }  # fmt: skip
    token = jwt.encode(claims, local.private_key, algorithm="EdDSA", headers={"kid": local.kid})
    assert refused_field(get(TestClient(network_app(network)), token)) == (401, "jti")


def test_both_keys_work_during_a_rotation_and_only_the_new_one_after_it(
    network: EmbeddedNetwork, local: clients.ClientKey
) -> None:
    raw = TestClient(network_app(network))
    new = clients.ClientKey.generate(LOCAL_CLIENT_ID)
    node = network.node(NODE)
    with node.unit_of_work() as uow:
        assert clients.add_key(uow.session, SETUP, LOCAL_CLIENT_ID, new.public_pem()) == new.kid
    for key in (local, new):
        assert get(raw, key.token(NODE, "test-operator", "counter-01")).status_code == 200
    third = clients.ClientKey.generate(LOCAL_CLIENT_ID)
    with node.unit_of_work() as uow, pytest.raises(Conflict):
        clients.add_key(uow.session, SETUP, LOCAL_CLIENT_ID, third.public_pem())  # two at most
    with node.unit_of_work() as uow:
        clients.retire_key(uow.session, SETUP, LOCAL_CLIENT_ID, local.kid)
    assert refused_field(get(raw, local.token(NODE, "test-operator", "c-1"))) == (401, "kid")
    assert get(raw, new.token(NODE, "test-operator", "counter-01")).status_code == 200
    # A token signed by an unregistered key that names a registered key's kid: bad signature.
    forged = jwt.encode(
        jwt.decode(new.token(NODE, "test-operator", "c-1"), options={"verify_signature": False}),
        third.private_key, algorithm="EdDSA", headers={"kid": new.kid},
    )  # fmt: skip
    assert refused_field(get(raw, forged)) == (401, "authorization")


def test_the_local_command_acts_only_for_an_account_of_the_node(
    network: EmbeddedNetwork, local: clients.ClientKey
) -> None:
    raw = TestClient(network_app(network))
    unknown = get(raw, local.token(NODE, "nobody.here", "counter-01"))
    assert refused_field(unknown) == (401, "operator")
    an_account(network.node(NODE), "kanri.ichiro")
    assert get(raw, local.token(NODE, "kanri.ichiro", "counter-01")).status_code == 200
    # An account of another node is not one of this node's.
    an_account(network.node("registry:131016"), "tonari.jiro")
    assert refused_field(get(raw, local.token(NODE, "tonari.jiro", "c-1"))) == (401, "operator")
    # A suspended account no longer acts through the API either.
    with network.node(NODE).unit_of_work() as uow:
        accounts.require(uow.session, "kanri.ichiro").status = "suspended"
    assert refused_field(get(raw, local.token(NODE, "kanri.ichiro", "c-1"))) == (401, "operator")


def test_another_bodys_system_names_only_its_registered_operators(
    network: EmbeddedNetwork,
) -> None:
    key = clients.ClientKey.generate(f"{DESK}-{uuid.uuid4().hex[:6]}")
    node = network.node(NODE)
    with node.unit_of_work() as uow:
        clients.register_client(
            uow.session, SETUP, node.role, client_id=key.client_id, name="開示窓口",
            public_key_pem=key.public_pem(), rights={"resident_records": "read"},
            operators=["kaiji.tantou"],
        )  # fmt: skip
    desk = TestClient(network_app(network))
    desk.auth = ClientAuth(key, "kaiji.tantou", "desk-01")
    assert desk.get(URL).status_code == 200
    desk.auth = ClientAuth(key, "kaiji.kakarichou", "desk-01")  # a name the caller chose
    assert refused_field(desk.get(URL)) == (401, "operator")
    with node.unit_of_work() as uow:
        clients.add_operator(uow.session, SETUP, key.client_id, "kaiji.kakarichou")
        clients.remove_operator(uow.session, SETUP, key.client_id, "kaiji.tantou")
    assert desk.get(URL).status_code == 200
    desk.auth = ClientAuth(key, "kaiji.tantou", "desk-01")
    assert refused_field(desk.get(URL)) == (401, "operator")


def test_the_operator_named_goes_on_as_the_node_spells_it(
    network: EmbeddedNetwork, local: clients.ClientKey
) -> None:
    """Found by an attack review: the account check ignores case, and the name went on as
    the caller wrote it, so `YAMADA.ICHIRO` passed a two-person check against
    `yamada.ichiro`. The caller's end operator is now the node's stored login."""
    an_account(network.node(NODE), "yamada.ichiro")
    raw = TestClient(network_app(network))
    assert get(raw, local.token(NODE, "YAMADA.Ichiro", "counter-01")).status_code == 200
    with network.node(NODE).db.session() as db:
        (entry,) = [e for e in audit.entries(db, 5) if e.function == "GET /residents"][:1]
    assert entry.operator == "yamada.ichiro@system:juki-cli"


@pytest.mark.parametrize("claim", ["op", "term", "jti"])
def test_a_control_character_in_a_claim_is_refused_naming_it(
    network: EmbeddedNetwork, local: clients.ClientKey, claim: str
) -> None:
    now = int(time.time())
    claims = {
        "iss": LOCAL_CLIENT_ID, "aud": NODE, "iat": now, "exp": now + 60,
        "op": "test-operator", "term": "counter-01", "jti": uuid.uuid4().hex,
    }  # fmt: skip
    claims[claim] = claims[claim][:4] + "\x00" + claims[claim][4:]
    token = jwt.encode(claims, local.private_key, algorithm="EdDSA", headers={"kid": local.kid})
    field = {"op": "operator", "term": "terminal", "jti": "jti"}[claim]
    assert refused_field(get(TestClient(network_app(network)), token)) == (401, field)


def test_a_token_sent_with_a_broken_body_is_spent_too(
    network: EmbeddedNetwork, local: clients.ClientKey
) -> None:
    """Found by an attack review: FastAPI parses a body before the API guard runs, so a
    request with a broken body neither spent nor logged its token, which then served once
    more with a good body."""
    raw = TestClient(network_app(network))
    token = local.token(NODE, "test-operator", "counter-01")
    headers = {"Authorization": f"Bearer {token}", "content-type": "application/json"}
    url = f"/registry/{LG}/births"
    assert raw.post(url, content=b"{not json", headers=headers).status_code == 422
    again = raw.post(url, json={}, headers=headers)
    assert (again.status_code, again.json()["field"]) == (401, "jti")
    with network.node(NODE).db.session() as db:
        results = [e.result for e in audit.entries(db, 5) if e.function == "POST /births"]
    assert results[:2] == ["unauthenticated", "invalid_input"]


def test_a_token_sent_with_a_control_character_in_the_query_is_spent_too(
    network: EmbeddedNetwork, local: clients.ClientKey
) -> None:
    """The input guard refuses a control character at the door, before the API guard."""
    raw = TestClient(network_app(network))
    token = local.token(NODE, "test-operator", "counter-01")
    header = {"Authorization": f"Bearer {token}"}
    assert raw.get(URL, params={"q": "a\x01b"}, headers=header).status_code == 422
    assert refused_field(get(raw, token)) == (401, "jti")
