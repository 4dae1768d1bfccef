"""The 中間サーバー console (001a §2.4 ⑦): log-in and log-out in the audit log with the staff
member, terminal and time (NWS-5-4), every page declaring its right, the review of held
answers (NWS-5-3) through the forms, the 副本 view by a posted 統合宛名番号 (NWS-7-2), and
the 副本's export for comparison, for administrators only and in the output log
(NWS-7-3). No page shows a 符号."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from juki.core.audit import log as audit
from juki.core.audit import outputs
from juki.core.clock import JST, japan_today
from juki.intermediate.models import FugoHeld
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.registry.models import Resident
from juki.web.rights import route_rights
from tests.conftest import BACKENDS, born, make_network
from tests.e2e.test_exchange import RECORD, network_record
from tests.e2e.test_fugo import ADDRESSES, CHIYODA, SUMIDA, atena_id_of
from tests.intermediate.test_review import answer_of, held_query
from tests.routes import mounted
from tests.staff import Staff, csrf_of, logged_in

NODE = f"intermediate:{SUMIDA}"
BASE = f"/intermediate/{SUMIDA}/console"
REVIEWER = Staff(
    "nishi.aki", "西　亜紀", "M1002", (("provision_review", "update"), ("fukuhon_view", "read"))
)
ADMIN = Staff(
    "kudo.rie", "工藤　理恵", "M2001", (("account_admin", "update"), ("data_export", "update"))
)
ASKER = Staff("ishii.jun", "石井　純", "M1001", (("info_query", "update"),))


@pytest.fixture(params=BACKENDS)
def console_network(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EmbeddedNetwork]:
    net = make_network(tmp_path, request.param, institutions=(SUMIDA, CHIYODA))
    yield net
    net.destroy()


@pytest.fixture
def staff(console_network: EmbeddedNetwork) -> Iterator[dict[str, TestClient]]:
    with logged_in(console_network, NODE, BASE, (REVIEWER, ADMIN, ASKER)) as clients:
        yield clients


def audit_entries(network: EmbeddedNetwork, limit: int = 50) -> list[Any]:
    with network.node(NODE).db.session() as session:
        return audit.entries(session, limit)


def test_every_console_route_declares_its_right(console_network: EmbeddedNetwork) -> None:
    table = route_rights(mounted(network_app(console_network), f"/intermediate/{SUMIDA}"))
    console = [line for line in table if line.path.startswith("/console")]
    served = {(line.method, line.path) for line in console}
    assert ("POST", "/console/reviews/{permit_id}") in served  # the routes are read
    assert [(line.method, line.path, line.problem) for line in console if line.problem] == []


def test_log_in_and_log_out_are_recorded(
    console_network: EmbeddedNetwork, staff: dict[str, TestClient]
) -> None:
    """NWS-5-4: who logged in and out, from which terminal, when, and what they did."""
    client = staff[REVIEWER.login]
    client.get(f"{BASE}/reviews")
    token = csrf_of(client.get(f"{BASE}/").text)
    assert client.post(f"{BASE}/logout", data={"csrf": token}).status_code == 303
    mine = [e for e in reversed(audit_entries(console_network)) if e.operator == REVIEWER.login]
    functions = [e.function for e in mine]
    assert functions[:2] == ["login.password", "login.totp"]
    assert "GET /reviews" in functions
    assert functions[-1] == "logout"
    assert all(e.terminal and e.at for e in mine)
    assert client.get(f"{BASE}/reviews").status_code == 303  # to the log-in page


def test_a_reviewer_provides_a_held_answer_through_the_console(
    console_network: EmbeddedNetwork, staff: dict[str, TestClient]
) -> None:
    query_id, permit_id = held_query(console_network)
    client = staff[REVIEWER.login]
    home = client.get(f"{BASE}/")
    assert 'id="waiting">1<' in home.text
    queue = client.get(f"{BASE}/reviews")
    assert queue.status_code == 200
    assert f"/reviews/{permit_id}" in queue.text
    assert "千代田区" in queue.text
    assert ADDRESSES[SUMIDA] not in queue.text
    case = client.get(f"{BASE}/reviews/{permit_id}")
    assert case.status_code == 200
    assert ADDRESSES[SUMIDA] in case.text
    fugos = _fugos(console_network)
    assert fugos
    assert not [f for f in fugos if f in case.text]
    atena_id = atena_id_of(console_network, SUMIDA, _sumida_rid(console_network))
    read = next(e for e in audit_entries(console_network) if e.function.startswith("GET"))
    assert f"atena_id={atena_id}" in json.loads(read.targets)  # the read is logged by key
    token = csrf_of(case.text)
    # Nothing chosen: refused naming the field, nothing sent.
    refused = client.post(f"{BASE}/reviews/{permit_id}", data={"csrf": token})
    assert refused.status_code == 422
    assert 'id="e-decision"' in refused.text
    console_network.pump()
    assert answer_of(console_network, query_id)["outcome"] == "not_provided"
    done = client.post(f"{BASE}/reviews/{permit_id}", data={"csrf": token, "decision": "provide"})
    assert done.status_code == 303
    assert done.headers["location"].endswith("done=provided")
    console_network.pump()
    answer = answer_of(console_network, query_id)
    assert answer["outcome"] == "provided"
    assert answer["data"][RECORD]["address"] == ADDRESSES[SUMIDA]  # type: ignore[index]
    # A second press (another tab) is told it was decided.
    again = client.post(
        f"{BASE}/reviews/{permit_id}", data={"csrf": token, "decision": "withhold", "note": "x"}
    )
    assert again.status_code == 409
    assert "既に審査" in again.text
    assert network_record(console_network, query_id).outcome == "provided"
    assert client.get(f"{BASE}/reviews/{'0' * 32}").status_code == 404


def test_withholding_needs_a_reason_on_the_form(
    console_network: EmbeddedNetwork, staff: dict[str, TestClient]
) -> None:
    query_id, permit_id = held_query(console_network)
    client = staff[REVIEWER.login]
    token = csrf_of(client.get(f"{BASE}/reviews/{permit_id}").text)
    form = {"csrf": token, "decision": "withhold"}
    refused = client.post(f"{BASE}/reviews/{permit_id}", data=form)
    assert refused.status_code == 422
    assert 'id="e-note"' in refused.text
    done = client.post(f"{BASE}/reviews/{permit_id}", data=form | {"note": "本人の申出により"})
    assert done.headers["location"].endswith("done=withheld")
    console_network.pump()
    assert answer_of(console_network, query_id) == {"outcome": "not_provided", "reason": None}


def test_only_a_reviewer_reviews(
    console_network: EmbeddedNetwork, staff: dict[str, TestClient]
) -> None:
    _query_id, permit_id = held_query(console_network)
    asker = staff[ASKER.login]
    assert asker.get(f"{BASE}/reviews").status_code == 403
    token = csrf_of(asker.get(f"{BASE}/").text)
    forged = asker.post(f"{BASE}/reviews/{permit_id}", data={"csrf": token, "decision": "provide"})
    assert forged.status_code == 403
    refusals = [e for e in audit_entries(console_network) if e.result == "refused"]
    assert any(e.operator == ASKER.login for e in refusals)
    # Without the form's CSRF token even a reviewer's post is refused.
    reviewer = staff[REVIEWER.login]
    stolen = reviewer.post(f"{BASE}/reviews/{permit_id}", data={"decision": "provide"})
    assert stolen.status_code in (400, 403)


def test_the_copy_is_viewed_by_a_posted_number(
    console_network: EmbeddedNetwork, staff: dict[str, TestClient]
) -> None:
    """NWS-7-2: the 副本 by 統合宛名番号, posted; a malformed number is refused by field
    and neither logged nor shown back."""
    rid = _sumida_rid(console_network, new=True)
    atena_id = atena_id_of(console_network, SUMIDA, rid)
    client = staff[REVIEWER.login]
    token = csrf_of(client.get(f"{BASE}/fukuhon").text)
    shown = client.post(f"{BASE}/fukuhon", data={"csrf": token, "atena_id": atena_id})
    assert shown.status_code == 200
    assert ADDRESSES[SUMIDA] in shown.text
    assert "令和" in shown.text or "平成" in shown.text  # dates in 和暦
    bad = client.post(f"{BASE}/fukuhon", data={"csrf": token, "atena_id": "123456789012"})
    assert bad.status_code == 422
    assert 'id="e-atena_id"' in bad.text
    assert "123456789012" not in bad.text
    assert "123456789012" not in json.dumps(
        [tuple(e) for e in audit_entries(console_network)], default=str
    )
    unknown = client.post(f"{BASE}/fukuhon", data={"csrf": token, "atena_id": "9" * 16})
    assert unknown.status_code == 404


def test_the_export_is_for_administrators_and_in_the_output_log(
    console_network: EmbeddedNetwork, staff: dict[str, TestClient]
) -> None:
    """NWS-7-3: every 副本 as CSV for comparison with the original; `data_export` only."""
    rid = _sumida_rid(console_network, new=True)
    atena_id = atena_id_of(console_network, SUMIDA, rid)
    reviewer = staff[REVIEWER.login]
    token = csrf_of(reviewer.get(f"{BASE}/").text)
    assert reviewer.post(f"{BASE}/fukuhon/export", data={"csrf": token}).status_code == 403
    admin = staff[ADMIN.login]
    home = admin.get(f"{BASE}/")
    assert 'id="export"' in home.text
    exported = admin.post(f"{BASE}/fukuhon/export", data={"csrf": csrf_of(home.text)})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["団体内統合宛名番号", "種別"]
    [mine] = [r for r in rows[1:] if r[0] == atena_id]
    assert mine[1] == RECORD
    assert ADDRESSES[SUMIDA] in mine
    for fugo in _fugos(console_network):
        assert fugo not in exported.text
    with console_network.node(NODE).db.session() as session:
        today = japan_today()
        [line] = [
            o for o in outputs.outputs(session, _day(today), _day(today, 1))
            if o.form == "副本（CSV）"
        ]  # fmt: skip
    assert (line.operator, line.records) == (ADMIN.login, len(rows) - 1)


def _day(day: dt.date, shift: int = 0) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=shift), dt.time(), JST)


def _fugos(network: EmbeddedNetwork) -> list[str]:
    with network.node(NODE).db.session() as session:
        return list(session.scalars(select(FugoHeld.fugo)))


def _sumida_rid(network: EmbeddedNetwork, new: bool = False) -> int:
    """墨田区's person: the one `held_query` moved in, or (new) one born there now."""
    if new:
        rid = born(network, SUMIDA, address=ADDRESSES[SUMIDA], name_kanji="吾妻　太郎")
        network.pump()
        return rid
    with network.node(f"registry:{SUMIDA}").db.session() as session:
        return int(session.scalars(select(Resident.id).order_by(Resident.id.desc())).first() or 0)
