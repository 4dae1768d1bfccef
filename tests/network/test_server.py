"""000 NOMATCH-01: matching is per record; no route of the national or prefectural server
joins or exports a file. Every route the network app mounts for them is in the table below
with what its request carries; a new route (an export, a file download, a join) fails the
test until someone classifies it here. The per-record bodies refuse a query without a key,
the condition list of a batch is capped, and statistics answer with counts only. The
consoles of the tiers and of the card system are classified the same way."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from juki.core.errors import InvalidInput
from juki.duties.disclosure.service import DisclosureRequest
from juki.duties.provision import batch
from juki.duties.provision.service import ProvisionRequest
from juki.duties.search import IdentitySearch
from juki.national.statistics import NationalStatistics
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.prefecture.schemas import StatisticsResult
from juki.web.provision import PersonKey
from tests.routes import mounted, route_table

# (method, path) -> (kind, request body schema). Kinds:
#   record     one person, named by a key (code, number or enough of the 4情報), capped
#   conditions 一括提供: one result set per condition row, rows capped, two-person control
#   step       a step on one stored request (approve, write out, track, close)
#   statistics counts only, no person
#   node       the signed node-to-node channel and the health probe
TIER: dict[tuple[str, str], tuple[str, str | None]] = {
    ("POST", "/messages"): ("node", None),
    ("GET", "/health"): ("node", None),
    ("POST", "/search"): ("record", "IdentitySearch"),
    ("POST", "/provision"): ("record", "ProvisionRequest"),
    ("POST", "/provision-records/of-person"): ("record", "PersonKey"),
    ("POST", "/disclosures"): ("record", "DisclosureRequest"),
    ("POST", "/disclosures/{disclosure_id}/corrections"): ("step", "CorrectionClaim"),
    ("GET", "/disclosure-corrections/{correction_id}"): ("step", None),
    ("POST", "/disclosure-corrections/{correction_id}/close"): ("step", "MunicipalAnswer"),
    ("POST", "/disclosures/{disclosure_id}/suspensions"): ("step", "SuspensionClaim"),
    ("GET", "/use-suspensions/{suspension_id}"): ("step", None),
    ("POST", "/use-suspensions/{suspension_id}/decision"): ("step", "SuspensionDecision"),
    ("GET", "/reports/overdue-suspensions"): ("step", None),  # the requests, not persons
    ("POST", "/batch-provisions"): ("conditions", "BatchRequest"),
    ("POST", "/batch-provisions/{batch_id}/approve"): ("step", None),
    ("POST", "/batch-provisions/{batch_id}/write-out"): ("step", None),
}
ROUTES: dict[str, dict[tuple[str, str], tuple[str, str | None]]] = {
    "national": TIER | {("GET", "/statistics"): ("statistics", None)},
    "prefecture/13": TIER | {
        ("POST", "/manual-corrections"): ("record", "ManualCorrectionCreate"),
        ("POST", "/manual-corrections/{correction_id}/approval"): ("step", None),
        ("GET", "/manual-corrections/report"): ("step", None),  # the corrections, not persons
        ("POST", "/statistics/residents-by-municipality"): ("statistics", "StatisticsJobCreate"),
    },
}  # fmt: skip
PERSONAL = {"resident_code", "individual_number", "name_kanji", "name_kana", "birth_date",
            "address", "sex"}  # fmt: skip


def served(app: Any) -> dict[tuple[str, str], str | None]:
    """(method, path) -> request body schema name, from the app's own OpenAPI."""
    found: dict[tuple[str, str], str | None] = {}
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema", {})
            ref = schema.get("$ref")
            found[(method.upper(), path)] = ref.rsplit("/", 1)[-1] if ref else None
    return found


@pytest.mark.parametrize("node", sorted(ROUTES))
def test_every_route_is_per_record_statistics_or_plumbing(
    sqlite_network: EmbeddedNetwork, node: str
) -> None:
    app = mounted(network_app(sqlite_network), f"/{node}")
    expected = {route: schema for route, (_kind, schema) in ROUTES[node].items()}
    assert served(app) == expected
    words = ("export", "dump", "download", "join", "match", "file", "all", "bulk")
    assert not [p for _m, p in expected if any(w in p for w in words)]


# The consoles of the tiers and of J-LIS's card system (hidden from the OpenAPI above):
# the same kinds, plus
#   session    log-in, second factor, enrolment, log-out (web/console/auth.py)
#   staff      the node's own operators and rights, not residents (web/console/operators.py)
CONSOLE_COMMON: dict[tuple[str, str], str] = {
    **{(m, f"/console{p}"): "session" for m, p in (
        ("GET", "/login"), ("POST", "/login"), ("GET", "/login/second"), ("POST", "/login/totp"),
        ("POST", "/login/webauthn"), ("POST", "/login/enrol"), ("POST", "/login/enrol/finish"),
        ("POST", "/logout"), ("GET", "/"), ("GET", "/account"), ("POST", "/account"))},
    **{(m, f"/console{p}"): "staff" for m, p in (
        ("GET", "/operators"), ("POST", "/operators"), ("POST", "/operators/{login}/{step}"),
        ("POST", "/operators-rights"), ("POST", "/operators-rights/{right_id}/{step}"),
        ("GET", "/operators-report/users.csv"), ("GET", "/operators-report/privileged"))},
}  # fmt: skip
CONSOLE_TIER: dict[tuple[str, str], str] = CONSOLE_COMMON | {
    ("GET", "/console/identity"): "step",  # the empty form
    ("POST", "/console/identity"): "record",  # duties/search.py via the node's search service
}
CONSOLE_ROUTES: dict[str, dict[tuple[str, str], str]] = {
    # J-LIS's card management system (File 3, F3-USE-02): one application by its posted
    # 申請書ID, counts by state, and the print stops (申請書IDs only, no person's items).
    "card": CONSOLE_COMMON | {
        ("GET", "/console/applications"): "step",  # the empty form
        ("POST", "/console/applications"): "record",  # card/inquiry.py: one 申請書ID
        ("GET", "/console/statistics"): "statistics",  # F3-USE-04
        ("GET", "/console/print-stops"): "step",  # the stops, by 申請書ID and batch
    },
    "national": CONSOLE_TIER | {("GET", "/console/statistics"): "statistics"},
    "cs/131075": CONSOLE_TIER,  # 本人確認情報 by a posted 住民票コード (001a USE-2-7)
    "prefecture/13": CONSOLE_TIER | {
        ("GET", "/console/batches"): "step",  # the batches themselves, not persons
        ("POST", "/console/batches"): "conditions",
        ("POST", "/console/batches/{batch_id}/approve"): "step",
        ("POST", "/console/batches/{batch_id}/write-out"): "step",
    },
}  # fmt: skip


@pytest.mark.parametrize("node", sorted(CONSOLE_ROUTES))
def test_every_console_page_of_a_tier_is_classified(
    sqlite_network: EmbeddedNetwork, node: str
) -> None:
    app = mounted(network_app(sqlite_network), f"/{node}")
    console = {route for route in route_table(app) if route[1].startswith("/console")}
    assert console == set(CONSOLE_ROUTES[node])
    words = ("export", "dump", "download", "join", "match", "file", "all", "bulk")
    assert not [p for _m, p in console if any(w in p for w in words)]


@pytest.mark.parametrize(
    ("model", "body"),
    [(IdentitySearch, {"purpose": "p"}),
     (IdentitySearch, {"purpose": "p", "sex": "1", "name_kana": "スミダ　ハナコ"}),
     (ProvisionRequest, {"duty": "d"}),
     (ProvisionRequest, {"duty": "d", "sex": "2", "address": "東京都墨田区"}),
     (PersonKey, {}),
     (DisclosureRequest, {"requester_name": "墨田　花子", "identity_document": "運転免許証"})],
)  # fmt: skip
def test_a_per_record_body_without_a_key_is_refused(
    model: type[BaseModel], body: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError):
        model.model_validate(body)


def test_a_condition_list_is_one_key_per_row_and_capped() -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row_id", "resident_code"])
    writer.writerows([f"r{i}", "24727059608"] for i in range(batch.MAX_ROWS + 1))
    with pytest.raises(InvalidInput) as refused:
        batch.parse_conditions(out.getvalue())
    assert str(batch.MAX_ROWS) in refused.value.message
    with pytest.raises(InvalidInput):  # a row without a key is no condition
        batch.parse_conditions("row_id,resident_code\nr1,\n")


def test_statistics_answer_with_counts_and_no_personal_item() -> None:
    names: set[str] = set()

    def walk(schema: Any) -> None:
        if isinstance(schema, dict):
            names.update(schema.get("properties", {}))
            for value in schema.values():
                walk(value)
        elif isinstance(schema, list):
            for value in schema:
                walk(value)

    walk(StatisticsResult.model_json_schema())
    assert "residents" in names  # the schema is read (this test can fail)
    assert not names & PERSONAL
    names.clear()
    walk(NationalStatistics.model_json_schema())
    assert {"provisions", "persons", "updates"} <= names
    assert not names & PERSONAL
