"""002 REQ-ACQ-09: the prefecture's manual correction of its file is privileged, entered
by one person and applied only when a different holder of the right approves; reason,
request reference and approver are recorded, every step is in the audit log, and a
monthly report lists the corrections for review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from juki.core.audit.tables import audit_log
from juki.core.clock import JST
from juki.network.embedded import EmbeddedNetwork
from juki.prefecture.models import ManualCorrection, PrefectureIdentityRow
from tests.conftest import born, resident
from tests.prefecture.helpers import PREF, staff

URL = f"/prefecture/{PREF}/manual-corrections"
CORRECTOR = {"manual_correction": "update"}


def person_rows(network: EmbeddedNetwork, code: str) -> list[tuple[bool, str, str]]:
    """(current, ふりがな, 異動事由) of every row of the person, oldest first."""
    node = network.node(f"prefecture:{PREF}")
    row = PrefectureIdentityRow
    with node.db.session() as session:
        found = session.execute(
            select(row.is_current, row.name_kana, row.change_reason)
            .where(row.resident_code == code)
            .order_by(row.id)
        )
        return [(bool(current), kana, reason) for current, kana, reason in found]


def correction_body(code: str, **overrides: Any) -> dict[str, Any]:
    return {
        "resident_code": code,
        "name_kana": "スミダ\u3000ハナエ",
        "reason": "更新処理の異常終了により誤った状態で残った記録の修正",
        "request_reference": "墨田区区民課 第2026-118号（担当 佐藤）",
    } | overrides


def test_a_correction_needs_a_second_holder_of_the_right(network: EmbeddedNetwork) -> None:
    code = resident(network, "131075", born(network)).resident_code
    first = staff(network, "system:pref-a", "yamada.ichiro", CORRECTOR)
    second = staff(network, "system:pref-b", "kimura.jiro", CORRECTOR)
    reader = staff(network, "system:pref-c", "sato.saburo", {"identity_inquiry": "read"})
    before = person_rows(network, code)

    entered = first.post(URL, json=correction_body(code))
    assert entered.status_code == 201, entered.text
    correction_id = entered.json()["id"]
    assert entered.json()["status"] == "requested"
    assert person_rows(network, code) == before  # nothing changes before approval

    same = first.post(f"{URL}/{correction_id}/approval")
    assert (same.status_code, same.json()["field"]) == (403, "approved_by")
    same_person_other_system = staff(network, "system:pref-d", "yamada.ichiro", CORRECTOR)
    assert same_person_other_system.post(f"{URL}/{correction_id}/approval").status_code == 403
    unprivileged = reader.post(f"{URL}/{correction_id}/approval")
    assert (unprivileged.status_code, unprivileged.json()["field"]) == (403, "rights")
    assert reader.post(URL, json=correction_body(code)).status_code == 403
    assert person_rows(network, code) == before

    approved = second.post(f"{URL}/{correction_id}/approval")
    assert approved.status_code == 200, approved.text
    shown = approved.json()
    assert (shown["status"], shown["items"]) == ("applied", ["name_kana"])
    assert (shown["requested_by"], shown["approved_by"]) == ("yamada.ichiro", "kimura.jiro")
    assert shown["request_reference"].startswith("墨田区区民課")
    rows = person_rows(network, code)
    assert rows[:-1] == [(False, kana, reason) for _, kana, reason in before]
    assert rows[-1] == (True, "スミダ\u3000ハナエ", "correction")
    assert second.post(f"{URL}/{correction_id}/approval").status_code == 409


def test_every_step_is_in_the_audit_log_and_the_values_are_encrypted(
    network: EmbeddedNetwork,
) -> None:
    code = resident(network, "131075", born(network)).resident_code
    first = staff(network, "system:pref-a", "yamada.ichiro", CORRECTOR)
    second = staff(network, "system:pref-b", "kimura.jiro", CORRECTOR)
    correction_id = first.post(URL, json=correction_body(code)).json()["id"]
    first.post(f"{URL}/{correction_id}/approval")  # refused: the same person
    second.post(f"{URL}/{correction_id}/approval")

    node = network.node(f"prefecture:{PREF}")
    with node.db.session() as session:
        logged = session.execute(
            select(audit_log.c.operator, audit_log.c.purpose, audit_log.c.result)
            .where(audit_log.c.function.like("POST /manual-corrections%"))
            .order_by(audit_log.c.seq)
        ).all()
        stored = session.scalars(select(ManualCorrection.values_cipher)).one()
    assert [(op.split("@")[0], result) for op, _, result in logged] == [
        ("yamada.ichiro", "ok"),
        ("yamada.ichiro", "refused"),
        ("kimura.jiro", "ok"),
    ]
    assert logged[0][1] == "本人確認情報の手動修正（特権）"
    assert "ハナエ".encode() not in stored


def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(
    network: EmbeddedNetwork,
) -> None:
    code = resident(network, "131075", born(network)).resident_code
    first = staff(network, "system:pref-a", "yamada.ichiro", CORRECTOR)
    cases = [
        (correction_body(code, reason="   "), "reason"),
        ({k: v for k, v in correction_body(code).items() if k != "request_reference"},
         "request_reference"),
        (correction_body(code, name_kana=None), "items"),
        (correction_body(code, resident_code="12345678901"), "resident_code"),
        (correction_body(code, telephone="03-0000-0000"), "telephone"),
    ]  # fmt: skip
    for body, field in cases:
        answer = first.post(URL, json={k: v for k, v in body.items() if v is not None})
        assert answer.status_code == 422, (field, answer.text)
        assert field in {e["field"] for e in answer.json()["errors"]}
        assert code not in answer.text
    with network.node(f"prefecture:{PREF}").db.session() as session:
        assert session.scalars(select(ManualCorrection)).all() == []


def test_the_monthly_report_lists_the_corrections_for_review(network: EmbeddedNetwork) -> None:
    code = resident(network, "131075", born(network)).resident_code
    first = staff(network, "system:pref-a", "yamada.ichiro", CORRECTOR)
    second = staff(network, "system:pref-b", "kimura.jiro", CORRECTOR)
    reviewer = staff(network, "system:pref-r", "suzuki.shiro", {"audit_review": "read"})
    applied = first.post(URL, json=correction_body(code)).json()["id"]
    second.post(f"{URL}/{applied}/approval")
    waiting = first.post(URL, json=correction_body(code, reason="住所の誤記")).json()["id"]

    today = dt.datetime.now(JST).date()
    report = reviewer.get(f"{URL}/report", params={"year": today.year, "month": today.month})
    assert report.status_code == 200, report.text
    lines = {line["id"]: line for line in report.json()}
    assert set(lines) == {applied, waiting}
    assert (lines[applied]["status"], lines[applied]["approved_by"]) == ("applied", "kimura.jiro")
    assert (lines[waiting]["status"], lines[waiting]["approved_by"]) == ("requested", None)
    assert lines[waiting]["reason"] == "住所の誤記"
    assert code not in report.text  # the report names corrections, not persons
    earlier = reviewer.get(f"{URL}/report", params={"year": today.year - 1, "month": 1})
    assert earlier.json() == []
    assert first.get(f"{URL}/report", params={"year": today.year, "month": 1}).status_code == 403
