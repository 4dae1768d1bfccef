"""Bulk output of the CS file (001a USE-5-4, XFER-2-4): under the threshold it runs at
once; above it, it waits for the prior approval of a different operator holding the
管理責任者's right; the file goes only to a registered medium virus-checked today, with a
second staff member of this node present and proving it with their own one-time code; a
refusal writes nothing, and the write is in the output log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from juki.core.audit import log as audit
from juki.core.audit import outputs
from juki.cs.bulk_output import THRESHOLD_ENV
from juki.cs.models import BulkOutput
from juki.duties.ledgers import service as ledgers
from juki.duties.operators import accounts, clients
from juki.duties.operators.accounts import SETUP, Policy
from juki.duties.operators.duties import DUTIES
from juki.duties.operators.tables import Operator
from juki.network.client_auth import ClientAuth
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from tests.conftest import born, resident
from tests.staff import Staff, staff_on, wrong_code

LG = "131075"
NODE = f"cs:{LG}"
BASE = f"/cs/{LG}/bulk-outputs"
# The requester holds the approval right too: only the two-person rule stops self-approval.
REQUESTER = Staff(
    "ueda.ichiro", "上田　一郎", "C2001",
    (("bulk_output", "update"), ("bulk_output_approval", "update")),
)  # fmt: skip
MANAGER = Staff("oda.hanako", "小田　花子", "C2002", (("bulk_output_approval", "update"),))
CLERK = Staff("ono.jiro", "小野　次郎", "C2003", (("bulk_output", "update"),))
WITNESS = Staff("kudo.saburo", "工藤　三郎", "C2004", (("identity_inquiry", "read"),))
STAFF = (REQUESTER, MANAGER, CLERK, WITNESS)
MEDIUM = "USB-0101"


@pytest.fixture
def cs(network: EmbeddedNetwork) -> dict[str, Any]:
    """The CS's staff (with their one-time-code secrets) and their terminal's API client."""
    node = network.node(NODE)
    secrets = staff_on(node, STAFF)
    key = clients.ClientKey.generate("system:cs-terminal")
    with node.unit_of_work() as uow:
        clients.register_client(
            uow.session, SETUP, node.role, client_id=key.client_id, name="CS 業務端末",
            public_key_pem=key.public_pem(),
            rights={"bulk_output": "update", "bulk_output_approval": "update"},
        )  # fmt: skip

    def as_(person: Staff | str) -> TestClient:
        client = TestClient(network_app(network))
        login = person if isinstance(person, str) else person.login
        client.auth = ClientAuth(key, login, "cs-terminal-1")
        return client

    return {"secrets": secrets, "as": as_}


def medium(network: EmbeddedNetwork, media_id: str = MEDIUM, result: str = "異常なし") -> None:
    with network.node(NODE).unit_of_work() as uow:
        ledgers.add(
            uow.session, "medium",
            {"media_id": media_id, "media_type": "USBメモリ", "encrypted": True,
             "antivirus": True, "holder_section": "住民基本台帳ネットワーク担当"},
            actor=WITNESS.login, terminal="t-1",
        )  # fmt: skip
        ledgers.add(
            uow.session, "medium_scan",
            {"media_id": media_id, "scanner": "ClamAV 1.4", "result": result},
            actor=WITNESS.login, terminal="t-1",
        )  # fmt: skip


def witnessed(cs: dict[str, Any], witness: Staff = WITNESS, **over: str) -> dict[str, str]:
    code = pyotp.TOTP(cs["secrets"][witness.login]).now()
    return {"media_id": MEDIUM, "witness_login": witness.login, "witness_code": code} | over


def stored(network: EmbeddedNetwork, output_id: int) -> BulkOutput:
    with network.node(NODE).db.session() as session:
        row = session.get(BulkOutput, output_id)
        assert row is not None
        session.expunge(row)
        return row


def output_log(network: EmbeddedNetwork) -> list[outputs.OutputLine]:
    now = dt.datetime.now(dt.UTC)
    with network.node(NODE).db.session() as session:
        return outputs.outputs(session, now - dt.timedelta(hours=1), now + dt.timedelta(hours=1))


def nothing_written(network: EmbeddedNetwork, output_id: int) -> bool:
    row = stored(network, output_id)
    return row.status != "written" and row.file_sha256 is None and output_log(network) == []


def ask(cs: dict[str, Any], **body: str) -> Any:
    return cs["as"](REQUESTER).post(BASE, json={"purpose": "選挙人名簿の照合"} | body)


def test_below_the_threshold_it_runs_at_once(
    network: EmbeddedNetwork, cs: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(THRESHOLD_ENV, "5")
    code = resident(network, LG, born(network)).resident_code
    medium(network)
    asked = ask(cs, address_prefix="東京都墨田区")
    assert asked.status_code == 201, asked.text
    assert (asked.json()["status"], asked.json()["records"]) == ("ready", 1)
    written = cs["as"](REQUESTER).post(f"{BASE}/{asked.json()['id']}/write-out", json=witnessed(cs))
    assert written.status_code == 200, written.text
    lines = written.content.decode().splitlines()
    assert lines[0].startswith("住民票コード,")
    assert [line.split(",")[0] for line in lines[1:]] == [code]
    row = stored(network, asked.json()["id"])
    assert (row.status, row.witness, row.media_id, row.written_records) == (
        "written", WITNESS.login, MEDIUM, 1,
    )  # fmt: skip
    assert row.approved_by is None
    (line,) = output_log(network)  # the output log (出力記録)
    assert MEDIUM in line.form
    assert WITNESS.login in line.form
    assert line.records == 1
    assert line.operator == f"{REQUESTER.login}@system:cs-terminal"
    assert line.purpose == "選挙人名簿の照合"


def test_above_the_threshold_it_waits_for_a_managers_prior_approval(
    network: EmbeddedNetwork, cs: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(THRESHOLD_ENV, "1")
    born(network)
    born(network, name_kanji="墨田\u3000太郎", name_kana="スミダ\u3000タロウ", sex="1")
    medium(network)
    asked = ask(cs)
    assert (asked.json()["status"], asked.json()["records"]) == ("awaiting_approval", 2)
    output_id = asked.json()["id"]
    early = cs["as"](REQUESTER).post(f"{BASE}/{output_id}/write-out", json=witnessed(cs))
    assert early.status_code == 403
    assert (early.json()["code"], early.json()["field"]) == ("approval_required", "approved_by")
    assert nothing_written(network, output_id)
    approval = f"{BASE}/{output_id}/approval"
    own = cs["as"](REQUESTER).post(approval)
    assert (own.status_code, own.json()["field"]) == (403, "approved_by")  # not one's own
    clerk = cs["as"](CLERK).post(approval)  # a colleague without the 管理責任者's right
    assert (clerk.status_code, clerk.json()["field"]) == (403, "approved_by")
    stranger = cs["as"]("nobody.here").post(approval)  # not staff of this node
    assert (stranger.status_code, stranger.json()["field"]) == (401, "operator")
    assert stored(network, output_id).status == "awaiting_approval"
    approved = cs["as"](MANAGER).post(approval)
    assert approved.status_code == 200, approved.text
    assert approved.json() == {"id": output_id, "status": "ready", "approved_by": MANAGER.login}
    written = cs["as"](CLERK).post(f"{BASE}/{output_id}/write-out", json=witnessed(cs))
    assert written.status_code == 200, written.text
    assert len(written.content.decode().splitlines()) == 3
    assert stored(network, output_id).approved_by == MANAGER.login
    assert [line.records for line in output_log(network)] == [2]
    again = cs["as"](CLERK).post(f"{BASE}/{output_id}/write-out", json=witnessed(cs))
    assert again.status_code == 409  # one request, one write


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [(lambda cs: {"media_id": MEDIUM}, 422, "witness_login"),  # nobody named
     (lambda cs: witnessed(cs, REQUESTER), 403, "witness_login"),  # the requester
     (lambda cs: witnessed(cs, witness_login="nobody.here"), 403, "witness_login"),
     (lambda cs: witnessed(cs, witness_code="000000"), 403, "witness_code")],  # not present
    ids=["no_witness", "requester", "not_staff", "wrong_code"],
)  # fmt: skip
def test_the_write_needs_another_authenticated_staff_member_as_witness(
    network: EmbeddedNetwork,
    cs: dict[str, Any],
    body: Callable[[dict[str, Any]], dict[str, str]],
    status: int,
    field: str,
) -> None:
    born(network)
    medium(network)
    output_id = ask(cs).json()["id"]
    refused = cs["as"](REQUESTER).post(f"{BASE}/{output_id}/write-out", json=body(cs))
    assert refused.status_code == status, refused.text
    assert field in {e["field"] for e in refused.json()["errors"]}
    assert nothing_written(network, output_id)


@pytest.mark.parametrize(
    ("registered", "result"), [(False, ""), (True, "検出")], ids=["unregistered", "virus_found"]
)
def test_only_a_registered_medium_checked_today_receives_the_file(
    network: EmbeddedNetwork, cs: dict[str, Any], registered: bool, result: str
) -> None:
    born(network)
    if registered:
        medium(network, result=result)
    output_id = ask(cs).json()["id"]
    refused = cs["as"](REQUESTER).post(f"{BASE}/{output_id}/write-out", json=witnessed(cs))
    assert (refused.status_code, refused.json()["field"]) == (409, "media_id")
    assert nothing_written(network, output_id)


def test_refused_steps_are_in_the_audit_log(network: EmbeddedNetwork, cs: dict[str, Any]) -> None:
    born(network)
    output_id = ask(cs).json()["id"]
    cs["as"](REQUESTER).post(f"{BASE}/{output_id}/write-out", json=witnessed(cs))  # no medium
    with network.node(NODE).db.session() as session:
        entries = audit.entries(session, 5)
    functions = {(e.function, e.result) for e in entries}
    assert ("POST /bulk-outputs/{output_id}/write-out", "conflict") in functions
    assert any(e.function == "POST /bulk-outputs" and e.result == "ok" for e in entries)


def test_taking_data_out_needs_the_bulk_output_right_of_client_and_operator(
    network: EmbeddedNetwork, cs: dict[str, Any]
) -> None:
    """001a XFER-2-3 (software's share): only holders of the privileged bulk-output right
    take data out, checked for the calling system and for its end operator."""
    assert DUTIES["bulk_output"].privileged
    assert DUTIES["bulk_output_approval"].privileged
    born(network)
    refused = cs["as"](WITNESS).post(BASE, json={"purpose": "確認"})  # staff, not this right
    assert (refused.status_code, refused.json()["field"]) == (403, "requested_by")
    node = network.node(NODE)
    key = clients.ClientKey.generate("system:cs-reader")
    with node.unit_of_work() as uow:
        clients.register_client(
            uow.session, SETUP, node.role, client_id=key.client_id, name="照会端末",
            public_key_pem=key.public_pem(), rights={"identity_inquiry": "read"},
        )  # fmt: skip
    reader = TestClient(network_app(network))
    reader.auth = ClientAuth(key, REQUESTER.login, "cs-terminal-2")
    denied = reader.post(BASE, json={"purpose": "確認"})
    assert (denied.status_code, denied.json()["field"]) == (403, "rights")
    # A purpose longer than the output log keeps is refused now, not at the write-out.
    too_long = ask(cs, purpose="目" * (outputs.PURPOSE_MAX + 1))
    assert too_long.status_code == 422, too_long.text
    assert "purpose" in {e["field"] for e in too_long.json()["errors"]}
    with network.node(NODE).db.session() as session:
        assert session.scalar(select(func.count()).select_from(BulkOutput)) == 0


def test_wrong_witness_codes_lock_the_witness_and_a_right_code_then_writes_nothing(
    network: EmbeddedNetwork, cs: dict[str, Any]
) -> None:
    """Issue #14: the witness's code was guessed without limit. Now each wrong code counts
    against the witness's second factor (the same secret as at log-in, the same budget),
    and once locked the right code is refused before it is checked."""
    born(network)
    medium(network)
    output_id = ask(cs).json()["id"]
    url = f"{BASE}/{output_id}/write-out"
    guess = wrong_code(cs["secrets"][WITNESS.login])
    for tried in range(1, Policy().max_failures + 1):
        refused = cs["as"](REQUESTER).post(url, json=witnessed(cs, witness_code=guess))
        assert (refused.status_code, refused.json()["field"]) == (403, "witness_code")
        witness = operator(network, WITNESS.login)
        assert witness.failed_second_factors == tried % Policy().max_failures  # counted
    assert witness.locked_until is not None
    right = cs["as"](REQUESTER).post(url, json=witnessed(cs))
    assert (right.status_code, right.json()["code"]) == (403, "locked")
    assert nothing_written(network, output_id)


def operator(network: EmbeddedNetwork, login: str) -> Operator:
    with network.node(NODE).db.session() as session:
        found = accounts.require(session, login)
        session.expunge(found)
        return found
