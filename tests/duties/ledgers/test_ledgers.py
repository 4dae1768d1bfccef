"""The registers (台帳): each kind's entries are checked against its schema (naming the
field, storing nothing when wrong), never hold a 個人番号, are in the audit log, and the
ones with a 処理期限 show as overdue when left open (000 DSC-03, 001a ACQ-4-1, DISC-6,
002 REQ-INQ-01, REQ-OPS-01, REQ-AUD-03/04, REQ-RET-05, AUD-01, EDU-1)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from juki.cli import app
from juki.core.audit.tables import audit_log
from juki.core.errors import Conflict, InvalidInput
from juki.core.ids import individual_number_from_body
from juki.duties.ledgers import service as ledgers
from juki.duties.ledgers.kinds import KINDS
from juki.duties.ledgers.tables import ledger_entries
from juki.network.embedded import EmbeddedNetwork
from juki.pia import catalogue

NOON_JST = dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)
INQUIRY = {"received_via": "電話", "requester": "本人", "summary": "開示請求の方法について"}
DATA_REQUEST = {
    "direction": "照会を受けた", "counterpart": "川越市市民課", "purpose": "転入手続の確認",
    "persons": 1, "method": "文書", "document_reference": "川市第1234号",
}  # fmt: skip


def add(network: EmbeddedNetwork, kind: str, fields: dict[str, Any], **kw: Any) -> ledgers.Entry:
    node = network.node("prefecture:13")
    with node.unit_of_work() as uow:
        return ledgers.add(uow.session, kind, fields, actor="ogawa.kenji", terminal="t-3", **kw)


def count(network: EmbeddedNetwork) -> int:
    with network.node("prefecture:13").db.session() as session:
        return int(session.scalar(select(func.count()).select_from(ledger_entries)) or 0)


def test_an_inquiry_is_kept_until_answered_and_overdue_after_its_period(
    network: EmbeddedNetwork,
) -> None:
    ordinary = add(network, "inquiry", INQUIRY, at=NOON_JST)
    serious = add(network, "inquiry", INQUIRY | {"serious": True}, at=NOON_JST)
    assert ordinary.due_on == dt.date(2026, 11, 24) + dt.timedelta(days=30)
    assert serious.due_on == dt.date(2026, 11, 24) + dt.timedelta(days=14)
    node = network.node("prefecture:13")
    with node.db.session() as session:
        assert ledgers.overdue(session, dt.date(2026, 12, 8)) == []
        late = ledgers.overdue(session, dt.date(2026, 12, 9))
    assert [e.id for e in late] == [serious.id]
    with node.unit_of_work() as uow:
        closed = ledgers.close(
            uow.session, serious.id, {"response": "書面で回答した"}, actor="ogawa.kenji",
            terminal="t-3",
        )  # fmt: skip
    assert closed.status == "closed"
    assert closed.closing == {"response": "書面で回答した"}
    with node.db.session() as session:
        assert ledgers.overdue(session, dt.date(2026, 12, 9)) == []
        functions = session.scalars(select(audit_log.c.function)).all()
    assert functions.count("台帳の記録:inquiry") == 2
    assert "台帳の完結:inquiry" in functions
    with node.unit_of_work() as uow, pytest.raises(Conflict):
        ledgers.close(uow.session, serious.id, {"response": "二度目"}, actor="x", terminal="t")


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [("inquiry", INQUIRY | {"received_via": "伝書鳩"}, "received_via"),
     ("inquiry", INQUIRY | {"shoe_size": 27}, "shoe_size"),
     ("inquiry", {"received_via": "電話", "requester": "本人"}, "summary"),
     ("medium", {"media_id": "USB-1", "media_type": "USBメモリ", "encrypted": False,
                 "antivirus": True, "holder_section": "課"}, "encrypted"),
     ("disk", {"asset_no": "A-1"}, "serial_no"),
     # 001a ACQ-1-2: in writing (with its document number), or by phone only after calling
     # back; about the person concerned only.
     ("data_request", DATA_REQUEST | {"document_reference": None}, "document_reference"),
     ("data_request", DATA_REQUEST | {"method": "電話", "document_reference": None},
      "called_back"),
     ("data_request", DATA_REQUEST | {"persons": 30}, "persons"),
     ("contract_check", {"contractor": "株式会社A", "period_from": "2026-04-01",
                         "period_to": "2026-09-30", "answers": {}, "checked_by": "課長"},
      "answers"),
     ("audit", {"audit_type": "自己流監査", "fiscal_year": 2026, "auditor": "監査室",
                "findings": "指摘なし"}, "audit_type"),
     ("no_such_register", {}, "kind")],
)  # fmt: skip
def test_a_wrong_entry_names_its_field_and_stores_nothing(
    sqlite_network: EmbeddedNetwork, kind: str, fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        add(sqlite_network, kind, fields)
    assert refused.value.field == field
    assert count(sqlite_network) == 0


def test_a_register_never_holds_an_individual_number(sqlite_network: EmbeddedNetwork) -> None:
    number = individual_number_from_body("12345678901")
    with pytest.raises(InvalidInput) as refused:
        add(sqlite_network, "inquiry", INQUIRY | {"summary": f"番号 {number} の件"})
    assert refused.value.field == "summary"
    assert number not in refused.value.message
    assert count(sqlite_network) == 0
    add(sqlite_network, "inquiry", INQUIRY | {"summary": "電話 031234567890 から"})  # not one


def test_inquiries_contract_checks_and_audits_are_kept(sqlite_network: EmbeddedNetwork) -> None:
    """001a ACQ-1-2, OUT-3 and 001b C-24 (options): the registers take the entries that
    follow the rules, and keep them as records."""
    phoned = add(
        sqlite_network, "data_request",
        DATA_REQUEST | {"method": "電話", "document_reference": None, "called_back": True},
    )  # fmt: skip
    checked = add(
        sqlite_network, "contract_check",
        {"contractor": "株式会社A", "period_from": "2026-04-01", "period_to": "2026-09-30",
         "answers": {"作業場所の遵守": "適", "再委託の有無": "該当なし"}, "checked_by": "課長"},
    )  # fmt: skip
    audited = add(
        sqlite_network, "audit",
        {"audit_type": "内部監査", "fiscal_year": 2026, "auditor": "監査室",
         "findings": "操作ログの定期確認を月次から週次へ"},
    )  # fmt: skip
    assert [e.status for e in (phoned, checked, audited)] == ["closed"] * 3
    assert checked.fields["answers"]["作業場所の遵守"] == "適"
    assert count(sqlite_network) == 3


def test_a_postal_form_not_processed_the_same_day_is_overdue(
    sqlite_network: EmbeddedNetwork,
) -> None:
    entry = add(sqlite_network, "postal", {"document": "転出届", "received_on": "2026-11-24"})
    with sqlite_network.node("prefecture:13").db.session() as session:
        assert ledgers.overdue(session, dt.date(2026, 11, 24)) == []
        assert [e.id for e in ledgers.overdue(session, dt.date(2026, 11, 25))] == [entry.id]


def test_records_without_a_closing_are_closed_when_written(
    sqlite_network: EmbeddedNetwork,
) -> None:
    disk = add(sqlite_network, "disk", {
        "asset_no": "PREF-SV-03", "serial_no": "WD-123", "action": "消去及び物理破壊",
        "method": "NIST SP 800-88 Purge の後に破砕", "witness": "情報政策課 田村",
    })  # fmt: skip
    assert disk.status == "closed"
    node = sqlite_network.node("prefecture:13")
    with node.unit_of_work() as uow, pytest.raises(Conflict):
        ledgers.close(uow.session, disk.id, {}, actor="x", terminal="t")
    with node.db.session() as session:
        text = ledgers.to_csv(ledgers.entries(session, "disk"))
    assert "磁気ディスク管理簿" in text
    assert "PREF-SV-03" in text


def test_the_cli_records_a_self_inspection_of_the_nodes_own_checklist(
    sqlite_network: EmbeddedNetwork,
) -> None:
    home = str(sqlite_network.home.root)
    runner = CliRunner()
    template = runner.invoke(app, ["ledger", "checklist", "prefecture:13", "--home", home])
    assert template.exit_code == 0, template.output
    answers = json.loads(template.output)
    wanted = {r.id for r in catalogue.load().for_role("prefecture")}
    assert set(answers["answers"]) == wanted
    partial = {**answers, "answers": dict(list(answers["answers"].items())[1:])}
    refused = runner.invoke(app, [
        "ledger", "add", "prefecture:13", "self_inspection", "--json", json.dumps(partial),
        "--operator", "ogawa.kenji", "--home", home,
    ])  # fmt: skip
    assert refused.exit_code == 1
    assert "未回答" in refused.output
    done = runner.invoke(app, [
        "ledger", "add", "prefecture:13", "self_inspection", "--json", json.dumps(answers),
        "--operator", "ogawa.kenji", "--home", home,
    ])  # fmt: skip
    assert done.exit_code == 0, done.output
    listed = runner.invoke(
        app, ["ledger", "list", "prefecture:13", "self_inspection", "--csv", "--home", home]
    )
    assert "自己点検" in listed.output


def test_machine_fields_are_not_mistaken_for_an_individual_number(
    sqlite_network: EmbeddedNetwork,
) -> None:
    """A backup file's time stamp can be twelve digits with a valid check digit (it was, once,
    in CI): only the fields people write in are checked for a 個人番号."""
    number = individual_number_from_body("15333733599")
    entry = add(sqlite_network, "backup", {
        "file": f"registry-131075-20261123T{number}Z.jbak", "sha256": "0" * 64,
        "size_bytes": 1, "encrypted": True, "keep_until": "2026-12-01",
    })  # fmt: skip
    assert entry.fields["file"].endswith(f"{number}Z.jbak")
    for kind in KINDS.values():
        for schema in (kind.schema, kind.closing):
            if schema is not None:
                assert set(schema.free_text) <= set(schema.model_fields), kind.code


INCIDENT = {
    "occurred_at": "2026-11-24T10:15:00+09:00", "category": "システム障害",
    "description": "夜間バッチが停止し、CSからの更新の取り込みが遅れた", "severity": "重大",
}  # fmt: skip
INCIDENT_CLOSING = {
    "corrective_action": "バッチを再実行し、未取込の更新を全件取り込んだ",
    "preventive_action": "ディスク使用率の監視閾値を80%に下げ、週次で確認する",
    "verified_by": "情報政策課 田村",
}  # fmt: skip


@pytest.mark.parametrize(
    ("closing", "field"),
    [({k: v for k, v in INCIDENT_CLOSING.items() if k != "preventive_action"},
      "preventive_action"),
     ({k: v for k, v in INCIDENT_CLOSING.items() if k != "corrective_action"},
      "corrective_action"),
     (INCIDENT_CLOSING | {"preventive_action": "  "}, "preventive_action"),
     (INCIDENT_CLOSING | {"corrective_action": ""}, "corrective_action")],
)  # fmt: skip
def test_an_incident_is_closed_only_with_its_corrective_and_preventive_actions(
    network: EmbeddedNetwork, closing: dict[str, Any], field: str
) -> None:
    """002 REQ-AUD-03/04: a failure or incident is closed by recording the corrective action
    (是正措置) and the preventive action (再発防止策); without either the closing is refused
    naming it, and the entry stays open with nothing stored."""
    node = network.node("prefecture:13")
    incident = add(network, "incident", INCIDENT, at=NOON_JST)
    assert (incident.status, incident.closing) == ("open", None)
    assert incident.due_on == dt.date(2026, 11, 24) + dt.timedelta(days=30)
    with node.unit_of_work() as uow, pytest.raises(InvalidInput) as refused:
        ledgers.close(uow.session, incident.id, closing, actor="ogawa.kenji", terminal="t-3")
    assert refused.value.field == field
    with node.db.session() as session:
        kept = ledgers.get(session, incident.id)
        late = ledgers.overdue(session, dt.date(2027, 1, 1))
        functions = session.scalars(select(audit_log.c.function)).all()
    assert (kept.status, kept.closing, kept.closed_by) == ("open", None, None)
    assert [e.id for e in late] == [incident.id]  # open past its 処理期限
    assert "台帳の完結:incident" not in functions
    with node.unit_of_work() as uow:
        closed = ledgers.close(
            uow.session, incident.id, INCIDENT_CLOSING, actor="ogawa.kenji", terminal="t-3"
        )
    assert (closed.status, closed.closed_by) == ("closed", "ogawa.kenji")
    assert closed.closing == INCIDENT_CLOSING
    with node.db.session() as session:
        stored = ledgers.get(session, incident.id)
        assert ledgers.overdue(session, dt.date(2027, 1, 1)) == []
        functions = session.scalars(select(audit_log.c.function)).all()
        text = ledgers.to_csv(ledgers.entries(session, "incident", status="closed"))
    assert stored.closing == INCIDENT_CLOSING
    assert functions.count("台帳の完結:incident") == 1
    assert "ディスク使用率の監視閾値" in text
    assert "未取込の更新を全件取り込んだ" in text


def test_the_forms_register_tracks_lots_and_a_disposal_needs_a_witness(
    sqlite_network: EmbeddedNetwork,
) -> None:
    """001b C-20: forms are tracked in a forms register (帳票管理簿): lots received, issued
    and disposed of by serial range; a disposal without a witness is refused, nothing
    stored."""
    lot = {"form_name": "住民票の写し用紙（改ざん防止用紙）", "serial_from": "A000001",
           "serial_to": "A005000", "sheets": 5000}  # fmt: skip
    add(sqlite_network, "form", lot | {"action": "受入"})
    add(sqlite_network, "form", lot | {"action": "払出", "note": "本庁舎 窓口1"})
    with pytest.raises(InvalidInput) as refused:
        add(sqlite_network, "form", lot | {"action": "廃棄", "sheets": 12})
    assert refused.value.field == "witness"
    add(sqlite_network, "form", lot | {"action": "廃棄", "sheets": 12, "witness": "総務課 田村"})
    with sqlite_network.node("prefecture:13").db.session() as session:
        found = ledgers.entries(session, "form")
        text = ledgers.to_csv(found)
    assert [e.fields["action"] for e in found] == ["受入", "払出", "廃棄"]
    assert all(e.status == "closed" for e in found)
    assert "帳票管理簿" in text
