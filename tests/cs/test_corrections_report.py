"""The report of manual corrections that reached the CS (001a ACQ-3-7; 001b C-05): who,
when, which record (住民票コード only: no name, no 個人番号) and which reason, for a period;
through the service, the CS API and `juki report corrections`, whose run is in the output
log."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from juki.cli import app
from juki.core.audit import outputs
from juki.core.clock import JST
from juki.core.errors import InvalidInput
from juki.core.identity import NUMBER_COLUMN
from juki.cs import reports
from juki.duties.operators import clients
from juki.duties.operators.accounts import SETUP
from juki.network.client_auth import ClientAuth
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.registry.notices import changes, schemas
from tests.conftest import born, record, resident

LG = "131075"
NODE = f"cs:{LG}"
TODAY = dt.datetime.now(JST).date()  # the report's days are Japan's
TOMORROW = TODAY + dt.timedelta(days=1)
NAME = "墨田\u3000花子"


def corrected(network: EmbeddedNetwork) -> str:
    """A person born (a 届出, not manual), then corrected by 職権修正 (manual)."""
    return corrected_person(network)[0]


def corrected_person(network: EmbeddedNetwork) -> tuple[str, str]:
    """The corrected person's 住民票コード and 個人番号."""
    rid = born(network, name_kanji=NAME)
    fix = schemas.CorrectionNotice(
        sex="1", change_date=TODAY, operator_id="kato.hanako", terminal_id="juki-t-09"
    )
    record(network, LG, changes.record_correction, rid, fix)
    person = resident(network, LG, rid)
    keys = network.node(f"registry:{LG}").keys
    number = keys.decrypt(person.individual_number_cipher, column=NUMBER_COLUMN)
    return person.resident_code, number


def lines(network: EmbeddedNetwork, since: dt.date, until: dt.date) -> list[reports.CorrectionLine]:
    with network.node(NODE).db.session() as session:
        return reports.manual_corrections(session, LG, since, until)


def test_the_report_lists_the_manual_corrections_of_the_period(network: EmbeddedNetwork) -> None:
    code, number = corrected_person(network)
    (line,) = lines(network, TODAY - dt.timedelta(days=1), TOMORROW)
    assert (line.resident_code, line.reason) == (code, "職権修正")
    assert (line.operator, line.terminal) == ("kato.hanako", "juki-t-09")
    assert line.at.date() == TODAY  # Japan time
    assert lines(network, TOMORROW, TOMORROW + dt.timedelta(days=1)) == []
    text = reports.corrections_csv([line])
    assert code in text
    assert NAME not in text
    assert number not in text
    # No 12-digit run anywhere but in the request id (a UUID, whose last group may be digits)
    without_ids = "\n".join(row.rsplit(",", 1)[0] for row in text.splitlines())
    assert not re.search(r"(?<!\d)\d{12}(?!\d)", without_ids)  # no 個人番号


@pytest.mark.parametrize(("since", "until"), [(TOMORROW, TODAY), (TODAY, TODAY),
                                              (TODAY, TODAY + dt.timedelta(days=400))])  # fmt: skip
def test_a_bad_period_is_refused_naming_the_field(
    sqlite_network: EmbeddedNetwork, since: dt.date, until: dt.date
) -> None:
    with pytest.raises(InvalidInput) as bad:
        lines(sqlite_network, since, until)
    assert bad.value.field == "to"


def test_the_report_through_the_cs_api(network: EmbeddedNetwork) -> None:
    code = corrected(network)
    node = network.node(NODE)
    key = clients.ClientKey.generate("system:cs-audit")
    with node.unit_of_work() as uow:
        clients.register_client(
            uow.session, SETUP, node.role, client_id=key.client_id, name="監査端末",
            public_key_pem=key.public_pem(), rights={"audit_review": "read"},
            operators=["audit.taro"],
        )  # fmt: skip
    client = TestClient(network_app(network))
    client.auth = ClientAuth(key, "audit.taro", "audit-terminal")
    url = f"/cs/{LG}/reports/corrections"
    answer = client.get(url, params={"from": TODAY.isoformat(), "to": TOMORROW.isoformat()})
    assert answer.status_code == 200, answer.text
    assert [(r["resident_code"], r["reason"]) for r in answer.json()] == [(code, "職権修正")]
    bad = client.get(url, params={"from": TOMORROW.isoformat(), "to": TODAY.isoformat()})
    assert (bad.status_code, bad.json()["field"]) == (422, "to")


def test_juki_report_corrections_prints_csv_and_logs_the_output(
    sqlite_network: EmbeddedNetwork,
) -> None:
    code = corrected(sqlite_network)
    home = str(sqlite_network.home.root)
    args = ["report", "corrections", NODE, "--from", TODAY.isoformat(),
            "--to", TOMORROW.isoformat(), "--operator", "audit.taro", "--home", home]  # fmt: skip
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    header, row = done.output.splitlines()
    assert header.startswith("受信日時,操作者,端末,住民票コード")
    assert f",{code},職権修正," in row
    now = dt.datetime.now(dt.UTC)
    with sqlite_network.node(NODE).db.session() as session:
        logged = outputs.outputs(session, now - dt.timedelta(hours=1), now + dt.timedelta(hours=1))
    assert [(o.operator, o.records) for o in logged] == [("audit.taro", 1)]
    registry = CliRunner().invoke(app, [*args[:2], f"registry:{LG}", *args[3:]])
    assert registry.exit_code == 2  # a CS report
