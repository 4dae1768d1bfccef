"""Text no record may hold is refused at the door (web/input_guard.py): control characters,
lone surrogates and non-characters in a path, query, JSON or form body answer 422 naming
the field, on both databases, and nothing is stored. PostgreSQL cannot store NUL at all:
before the guard, a name with NUL was a 500 there and stored as written on SQLite."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from juki.core.messaging import tables
from juki.network.embedded import EmbeddedNetwork
from juki.registry.models import Resident
from juki.web import input_guard
from juki.web.input_guard import FORBIDDEN, faults_in
from tests.conftest import api_client
from tests.registry.api.test_routes import BIRTH


def residents(network: EmbeddedNetwork) -> int:
    with network.node("registry:131075").db.session() as session:
        return session.scalar(select(func.count()).select_from(Resident)) or 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name_kanji": "墨田\u3000太\x00郎"}, "name_kanji"),
        ({"address": "東京都墨田区\x1b[2J吾妻橋"}, "address"),
        ({"name_kana": "スミダ\u3000\ud800タロウ"}, "name_kana"),
        ({"address": "東京都墨田区吾妻橋\uffff"}, "address"),
        ({"remarks": {"\x00": "x"}}, "remarks.?"),
    ],
)
def test_forbidden_text_in_a_body_is_refused_by_field_and_nothing_is_stored(
    network: EmbeddedNetwork, change: dict[str, object], field: str
) -> None:
    client = api_client(network)
    body = json.dumps(BIRTH | change, ensure_ascii=True)  # \u0000, \ud800 as JSON escapes
    response = client.post(
        "/registry/131075/births", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [{"field": field, "message": input_guard._MESSAGE}]
    assert residents(network) == 0


def test_bytes_that_are_not_utf8_are_refused(sqlite_network: EmbeddedNetwork) -> None:
    client = api_client(sqlite_network)
    body = json.dumps(BIRTH, ensure_ascii=False).encode().replace("太郎".encode(), b"\xff\xfe")
    response = client.post(
        "/registry/131075/births", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name_kanji"
    assert residents(sqlite_network) == 0


def test_tab_and_line_breaks_pass_the_guard(network: EmbeddedNetwork) -> None:
    """Free text may have lines: the guard lets them through to the route's own rules
    (which refuse a name with a line break: a kana name is kana)."""
    client = api_client(network)
    response = client.post("/registry/131075/births", json=BIRTH | {"name_kana": "スミダ\nタロウ"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] != input_guard._MESSAGE
    assert client.post("/registry/131075/births", json=BIRTH).status_code == 201


def test_path_and_query_are_checked(sqlite_network: EmbeddedNetwork) -> None:
    client = api_client(sqlite_network)
    in_path = client.get("/registry/131075/events/ab%00cd")
    assert in_path.status_code == 422
    assert in_path.json()["errors"][0]["field"] == "path"
    in_query = client.get("/registry/131075/residents", params={"limit": "1\x00"})
    assert in_query.status_code == 422
    assert in_query.json()["errors"][0]["field"] == "query.limit"


def test_a_console_form_is_checked(sqlite_network: EmbeddedNetwork) -> None:
    client = api_client(sqlite_network)
    response = client.post(
        "/registry/131075/console/login", data={"login": "tanaka\x00", "password": "x"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "login"


def test_a_body_over_the_limit_is_refused_unread(
    sqlite_network: EmbeddedNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(input_guard, "MAX_BODY_BYTES", 1000)
    client = api_client(sqlite_network)
    response = client.post("/registry/131075/births", json=BIRTH | {"remarks": "あ" * 1000})
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "body"
    assert client.post("/registry/131075/births", json=BIRTH).status_code == 201


def test_a_refused_envelope_keeps_only_what_has_the_form_of_a_node_id(
    network: EmbeddedNetwork,
) -> None:
    """What a stranger claims is its text, not ours: a 個人番号 in `sender`, or NUL (which
    PostgreSQL cannot store) and a terminal escape in `type`, are kept as (不正な値), and
    the ack does not repeat an id that is not an id. Over HTTP the guard already refuses
    the control characters; a node's `receive` checks again for what comes by other ways."""
    client = api_client(network)
    stranger = {"id": "123456789018", "sender": "123456789018", "type": "identity.update"}
    response = client.post("/registry/131075/messages", json=[stranger])
    assert response.status_code == 403
    [ack] = response.json()
    assert (ack["status"], ack["id"]) == ("refused", "(不正な値)")
    assert "123456789018" not in response.text
    node = network.node("registry:131075")
    [ack] = node.receive([{"id": "x", "sender": "registry:1\x00", "type": "\x1b]0;x\x07"}])
    assert ack.status == "refused"
    with node.db.session() as session:
        kept = session.execute(
            select(tables.refusals.c.claimed_sender, tables.refusals.c.type)
        ).all()
    assert [tuple(row) for row in kept] == [
        ("(不正な値)", "identity.update"),
        ("(不正な値)", "(不正な値)"),
    ]


@settings(max_examples=200)
@given(st.recursive(st.text(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_every_forbidden_string_is_found(value: object) -> None:
    """The walk finds a fault exactly when some key or string in the value has one."""

    def strings(item: object) -> list[str]:
        if isinstance(item, str):
            return [item]
        if isinstance(item, list):
            return [s for each in item for s in strings(each)]
        if isinstance(item, dict):
            return [s for k, v in item.items() for s in [k, *strings(v)]]
        return []

    has_fault = any(FORBIDDEN.search(s) for s in strings(value))
    assert (next(faults_in(value), None) is not None) == has_fault


def test_a_query_parameter_the_route_does_not_take_is_refused(
    sqlite_network: EmbeddedNetwork,
) -> None:
    """`web.refuse_unknown_query`: a misspelt parameter is not run with the default; it is
    named when it looks like a name, and a number given as a key is not repeated."""
    client = api_client(sqlite_network)
    misspelt = client.get("/registry/131075/residents", params={"limt": "10"})
    assert misspelt.status_code == 422
    assert misspelt.json()["errors"][0]["field"] == "query.limt"
    numbered = client.get("/registry/131075/residents", params={"123456789018": "1"})
    assert numbered.status_code == 422
    assert numbered.json()["errors"][0]["field"] == "query.?"
    assert "123456789018" not in numbered.text
    assert client.get("/registry/131075/residents", params={"limit": "10"}).status_code == 200
    unknown = client.get("/registry/131075/no-such-route")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
