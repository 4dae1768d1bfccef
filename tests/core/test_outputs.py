"""The output log and the audit's exports (002 REQ-PRN-01, REQ-AUD-06; 001a USE-5-1, AUD-3):
every certificate, file and print is recorded with operator, terminal, form and record
count, and the records export by period and by the operators' section."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from sqlalchemy.orm import Session

from juki.core.audit import log as audit
from juki.core.audit import outputs
from juki.core.errors import InvalidInput
from juki.core.messaging.node import Node
from juki.duties.audit_review import exports
from juki.duties.operators import accounts
from juki.duties.operators.clients import Caller
from juki.duties.provision import service as provision
from juki.network.embedded import EmbeddedNetwork
from juki.registry.certificates import schemas as certificate_schemas
from juki.registry.certificates import service as certificates
from tests.conftest import born

WIDE = (dt.datetime(2000, 1, 1, tzinfo=dt.UTC), dt.datetime(2100, 1, 1, tzinfo=dt.UTC))


def test_a_certificate_is_in_the_output_log(network: EmbeddedNetwork) -> None:
    person = born(network)
    node = network.node("registry:131075")
    with node.unit_of_work() as uow:
        issued = certificates.issue(
            uow, certificate_schemas.IssueRequest(
                resident_ids=[person], clerk_login="sato.ichiro", terminal_id="mado-3",
                purpose="本人の申請", include_individual_number=True,
            ),
        )  # fmt: skip
    assert isinstance(issued, certificates.Issued)
    with node.db.session() as session:
        (line,) = outputs.outputs(session, *WIDE)
    assert (line.operator, line.terminal, line.form, line.records) == (
        "sato.ichiro", "mado-3", "住民票（写し）", 1,
    )  # fmt: skip
    with node.db.session() as session:
        last = audit.entries(session, 1)[0]
    assert last.number_touched  # the copy showed the 個人番号


def staff(session: Session, login: str, section: str, employee_no: str) -> None:
    accounts.create_operator(
        session, accounts.SETUP, login=login, person_name="県　職員", employee_no=employee_no,
        password="a-long-password-1", section=section,
    )  # fmt: skip


def test_exports_by_period_and_section(network: EmbeddedNetwork) -> None:
    node = network.node("prefecture:13")
    schema = importlib.import_module("juki.prefecture.models").SCHEMA
    with node.unit_of_work() as uow:
        staff(uow.session, "mori.aki", "市町村課", "P100")
        staff(uow.session, "hara.ken", "情報政策課", "P200")
        for login in ("mori.aki", "hara.ken"):
            outputs.record_output(
                uow.session, operator=f"{login}@system:pref-desk", terminal="t-9",
                form="開示決定通知書", targets=("code=1", "code=2"),
            )  # fmt: skip
        caller = Caller("system:pref-desk", "県庁端末", "mori.aki", "t-9", "pref-tax")
        what = provision.Recorded("pref-tax", "prefectural_tax", "code", "online")
        provision.record(
            uow.session, caller, what, "transfer",
            legal_basis="住基法第30条の15（別表第五）", items=("name_kanji",), targets=["x"],
        )  # fmt: skip
    with node.db.session() as session:
        everyone = exports.export(session, schema, "outputs", *WIDE)
        mine = exports.export(session, schema, "outputs", *WIDE, section="市町村課")
        log = exports.export(session, schema, "log", *WIDE, section="情報政策課")
        records = exports.export(session, schema, "provisions", *WIDE)
        before = exports.export(
            session, schema, "outputs", WIDE[0], dt.datetime(2001, 1, 1, tzinfo=dt.UTC)
        )
    assert everyone.count("開示決定通知書") == 2
    assert "mori.aki" in mine
    assert "hara.ken" not in mine
    assert "mori.aki" not in log
    assert "hara.ken" in log
    assert "住基法第30条の15" in records
    assert "pref-tax" in records
    assert before.count("\n") == 1  # the header only
    with node.db.session() as session, pytest.raises(InvalidInput) as refused:
        exports.export(session, schema, "linkage", *WIDE)  # a registry's record
    assert refused.value.field == "what"


def output(node: Node, purpose: str) -> None:
    with node.unit_of_work() as uow:
        outputs.record_output(
            uow.session, operator="mori.aki@console", terminal="t-9",
            form="一括提供結果ファイル", targets=("batch=1",), purpose=purpose,
        )  # fmt: skip


def test_a_purpose_is_kept_up_to_the_column_and_refused_beyond(network: EmbeddedNetwork) -> None:
    """The output log's purpose is the audit log's column (String(100)): 100 characters are
    kept whole — on PostgreSQL, which enforces the length, too — and more are refused
    naming the field, before the write (which would fail there, and the output with it)."""
    assert outputs.PURPOSE_MAX == 100
    node = network.node("prefecture:13")
    output(node, "目" * 100)
    for longer in ("目" * 101, "x" * 200):
        with pytest.raises(InvalidInput) as refused:
            output(node, longer)
        assert refused.value.field == "purpose"
    with node.db.session() as session:
        assert [line.purpose for line in outputs.outputs(session, *WIDE)] == ["目" * 100]
