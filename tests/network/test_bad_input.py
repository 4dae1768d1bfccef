"""Bad input on every API route of every role (issue #4, "Must hold"; 000 ACQ checks, 001a
ACQ-2-x): schemathesis reads each node's own OpenAPI document and generates requests that
break it — bodies that are not JSON or not objects, fields missing or of the wrong type,
values out of range, path and query parameters of the wrong kind. Each must be refused
with a 4xx whose body says which field is at fault (never a 5xx, never the default
`{"detail": …}`), must not echo what was sent, and must change nothing in the node's
database but its evidence: the audit log and the records the PIAs ask to keep of refused
attempts."""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from sqlalchemy import inspect, text

import juki
from juki.network.embedded import EmbeddedNetwork
from tests.conftest import BACKENDS, api_client, born, make_network

# One node per role; every role's routes are the same at every node of that role.
NODES = [
    "registry:131075",
    "cs:131075",
    "prefecture:13",
    "national",
    "numbering",
    "card",
    "jpki",
    "kiosk",
    "issuance",
    "atena:131075",
    "intermediate:131075",
    "portal",
]
INSTITUTIONS = ("131075", "131016")

# Tables a refusal is meant to write to: the PIAs ask for every attempt, refused ones
# included, to be on record (000 LOG-01, F1-PRV-04; 001a USE-2-8; 002 REQ-PRV-02).
EVIDENCE_TABLES = {
    "audit_log",  # every API call and refusal (core/audit)
    "msg_refusals",  # refused envelopes at POST /messages
    "api_token_uses",  # each token is spent by its request, refused or not (issue #14)
}

EXAMPLES_PER_ROUTE = 20


@pytest.fixture(scope="module", params=BACKENDS)
def network(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EmbeddedNetwork]:
    net = make_network(
        tmp_path_factory.mktemp("bad-input"), request.param, institutions=INSTITUTIONS
    )
    born(net)  # so that resident 1, its household and its events exist
    yield net
    net.destroy()


def operations(node_id: str) -> list[Any]:
    """The node's operations that take input (`GET /health` takes none), read from the
    OpenAPI document a network of that shape serves (built once, at collection)."""
    found = [result.ok() for result in _schema(node_id).get_all_operations()]
    return [op for op in found if {"parameters", "requestBody"} & set(op.definition.raw)]


_SCHEMAS: dict[str, Any] = {}


def _schema(node_id: str) -> Any:
    if node_id not in _SCHEMAS:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            net = make_network(Path(tmp), "sqlite", institutions=INSTITUTIONS)
            try:
                client = api_client(net)
                for each in NODES:
                    spec = client.get(f"/{each.replace(':', '/')}/openapi.json").json()
                    _SCHEMAS[each] = schemathesis.openapi.from_dict(spec)
            finally:
                net.close()
    return _SCHEMAS[node_id]


CASES = [
    pytest.param(node_id, operation, id=f"{node_id} {operation.method.upper()} {operation.path}")
    for node_id in NODES
    for operation in operations(node_id)
]


def fingerprint(network: EmbeddedNetwork, node_id: str) -> dict[str, str]:
    """A digest of every row of every table but the evidence tables."""
    engine = network.node(node_id).db.engine
    tables = sorted(set(inspect(engine).get_table_names()) - EVIDENCE_TABLES)
    digests = {}
    with engine.connect() as conn:
        for table in tables:
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
            digests[table] = hashlib.sha256(
                "\n".join(sorted(repr(tuple(row)) for row in rows)).encode()
            ).hexdigest()
    return digests


def sent_values(value: Any) -> Iterator[str]:
    """The strings sent as values (keys are field names, which the answer names)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from sent_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from sent_values(item)


@functools.cache
def own_texts() -> tuple[str, ...]:
    """Every string literal in juki's code: the texts an answer may hold of its own.
    Hypothesis draws some of its strings from the code under test's constants, so a value
    sent may be, say, part of a refusal's message; finding it in the answer is no echo."""
    found: set[str] = set()
    for source in Path(juki.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return tuple(found)


def echoed(value: str, answer: str) -> bool:
    """Whether an answer gives back a value sent, rather than a text of its own."""
    return value in answer and not any(value in text for text in own_texts())


def assert_named_refusal(response: Any, sent: dict[str, Any]) -> None:
    body = response.json()
    # POST /messages answers one ack per envelope; a refused one names the envelope field.
    errors = body if isinstance(body, list) else body.get("errors")
    assert errors, body  # not FastAPI's bare {"detail": …}
    for error in errors:
        assert error["field"], body  # names the input at fault
        assert error.get("message") or error.get("detail"), body
    # Nothing sent comes back: a 個人番号 or a name typed by mistake must not reach a log or a
    # screen. (Values that are plain ASCII words may be an enum's own values, which the
    # message lists.)
    given_back = [
        s
        for s in sent_values(sent.get("json"))
        if len(s) >= 8 and not re.fullmatch(r"[A-Za-z_]+", s) and echoed(s, response.text)
    ]
    assert not given_back, (given_back, response.text)


def send(client: Any, node_id: str, case: Any) -> tuple[Any, dict[str, Any]]:
    """Send a generated case as the local command (signed token, operator, terminal)."""
    sent = case.as_transport_kwargs(base_url=f"http://testserver/{node_id.replace(':', '/')}")
    # httpx sends nothing for a query parameter whose value is an empty list, so such a
    # case would reach the server without the part that was to make it invalid.
    assume(not any(value == [] for value in (sent.get("params") or {}).values()))
    headers = {
        k: v for k, v in (sent.get("headers") or {}).items() if k.lower() in ("content-type",)
    }
    response = client.request(
        sent["method"],
        sent["url"],
        params=sent.get("params"),
        headers=headers,
        content=sent.get("data") if "json" not in sent else None,
        json=sent.get("json"),
    )
    return response, sent


# CI runs the same examples every time (a failure there is the code's, not the draw's);
# by hand, each run draws new ones.
EXAMPLES = settings(
    max_examples=EXAMPLES_PER_ROUTE,
    deadline=None,
    database=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize(("node_id", "operation"), CASES)
def test_bad_input_is_refused_by_field_and_changes_nothing(
    network: EmbeddedNetwork, node_id: str, operation: Any
) -> None:
    client = api_client(network)
    # The state before an example is the state after the one before it (nothing else runs
    # in between), so one digest per example is enough: taken after it, kept for the next.
    state = [fingerprint(network, node_id)]

    @EXAMPLES
    @given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    def refused(case: Any) -> None:
        response, sent = send(client, node_id, case)
        before, state[0] = state[0], fingerprint(network, node_id)
        assert 400 <= response.status_code < 500, (
            response.status_code, sent["url"], sent.get("params"), response.text
        )  # fmt: skip
        assert_named_refusal(response, sent)
        assert state[0] == before, json.dumps({"status": response.status_code, "url": sent["url"]})

    try:
        refused()
    except Unsatisfiable:
        # Nothing in the schema can be broken: no body, only free-text path parameters.
        # The route's own refusals (unknown id …) are tested with the route.
        assert "requestBody" not in operation.definition.raw


@pytest.mark.parametrize(("node_id", "operation"), CASES)
def test_requests_the_schema_allows_never_break_the_server(
    network: EmbeddedNetwork, node_id: str, operation: Any
) -> None:
    """Requests that fit the schema (a huge id, an empty list, a date in year 9999 …) are
    answered or refused by field, never with a server error."""
    client = api_client(network)

    @EXAMPLES
    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    def answered(case: Any) -> None:
        response, sent = send(client, node_id, case)
        assert response.status_code < 500, (sent["url"], response.text)
        if response.status_code >= 400:
            assert_named_refusal(response, sent)

    answered()


def test_an_unknown_key_that_is_not_a_field_name_is_not_given_back(
    sqlite_network: EmbeddedNetwork,
) -> None:
    """Found by the sweep: an extra item's key was named as the field, as sent — a
    個人番号 typed as a key came back in the refusal."""
    client = api_client(sqlite_network)
    body = {"name_kana": "スミダ　ハナコ", "birth_date": "2026-11-01", "purpose": "確認",
            "123456789018": "x", "nickname": "y"}  # fmt: skip
    answer = client.post("/national/search", json=body)
    assert answer.status_code == 422
    assert "123456789018" not in answer.text
    assert {e["field"] for e in answer.json()["errors"]} == {"?", "nickname"}
