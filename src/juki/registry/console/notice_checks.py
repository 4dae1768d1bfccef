"""Console pages for 届出点検 (001b C-01): the list of 届出 waiting for their check, and the
check page, which shows what was entered beside the buttons to confirm it (点検して反映),
send it back with a reason (差戻し) or, for the clerk who entered it, withdraw it (取下げ).

Every 届出 form of the console records through `take`, so where the municipality requires
the check a 届出 becomes an entry here instead of a change to the register."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from juki.core.errors import NotFound
from juki.core.messaging.node import UnitOfWork
from juki.core.wareki import wareki
from juki.registry.console.render import base_of, local_time, page
from juki.registry.console.session import Clerk, ClerkSession, Form
from juki.registry.console.views import AuditedRead, perform, redirect
from juki.registry.households import service as households
from juki.registry.models import PendingNotice, Resident
from juki.registry.notice_checks import kinds
from juki.registry.notice_checks import service as notice_checks
from juki.registry.residents.schemas import Notice
from juki.web.app import RecordId, UoW
from juki.web.rights import needs

router = APIRouter()


def take(
    uow: UnitOfWork,
    clerk: ClerkSession,
    record: kinds.Record,
    notice: Notice,
    target: int | None = None,
) -> notice_checks.Applied | notice_checks.Entered:
    """Record a 届出 from a console form by its service function `record`, or enter it for
    its check (the clerk and the terminal are who entered it)."""
    return notice_checks.submit(
        uow, record, notice, target=target, operator=clerk.login, terminal=clerk.terminal
    )


def next_page(request: Request, outcome: Any, recorded: Callable[[Any], Response]) -> Response:
    """Where a form goes next: to the entry's page when it waits for its check, else on
    as it always went (`recorded` gets the service's own result)."""
    if isinstance(outcome, notice_checks.Entered):
        return redirect(request, f"/pending-notices/{outcome.entry_id}", "entered")
    assert isinstance(outcome, notice_checks.Applied)
    return recorded(outcome.result)


# --- the list and the check page -------------------------------------------------------------
# 届出点検 (001b C-01): the list and an entry are open to the counter (a clerk sees what was
# sent back); each step (confirm, send back, withdraw) needs the check's right, and
# registry/notice_checks/service.py checks each step's operator again.


@router.get("/pending-notices", response_class=HTMLResponse)
@needs(("resident_records", "notice_check"), "read")
def pending(request: Request, clerk: Clerk, uow: UoW) -> HTMLResponse:
    """No personal item here: the kind, the 宛名番号 or 世帯番号, who entered it and when."""
    return page(
        request, "pending_notices.html", "届出の点検", clerk,
        waiting=notice_checks.waiting(uow), sent_back=notice_checks.sent_back_to(uow, clerk.login),
        required=notice_checks.required(uow), kind_label=_label, when=_when,
    )  # fmt: skip


@router.get("/pending-notices/{entry_id}", response_class=HTMLResponse, dependencies=[AuditedRead])
@needs(("resident_records", "notice_check"), "read")
def entry_page(request: Request, entry_id: RecordId, clerk: Clerk, uow: UoW) -> HTMLResponse:
    """What was entered beside the decision: the checker compares it with the paper."""
    return _entry_page(request, clerk, uow, entry_id)


def _entry_page(
    request: Request,
    clerk: ClerkSession,
    uow: UnitOfWork,
    entry_id: int,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    entry = notice_checks.get(uow, entry_id)
    own = entry.entered_by.lower() == clerk.login.lower()
    return page(
        request, "pending_notice.html", f"届出の点検　点検番号 {entry.id}", clerk,
        422 if errors else 200, entry=entry, label=_label(entry),
        status=notice_checks.STATUS_LABELS.get(entry.status),
        rows=rows(uow, notice_checks.content(uow, entry)), target=_target(uow, entry),
        reason=notice_checks.reason_of(uow, entry), own=own, when=_when, errors=errors or {},
        may_check=clerk.may(notice_checks.DUTY, "update") and not own,
    )  # fmt: skip


@router.post("/pending-notices/{entry_id}/{step}")
@needs("notice_check", "update")
def decide(request: Request, entry_id: RecordId, step: str, clerk: Clerk, fields: Form) -> Response:
    who = {"operator": clerk.login, "terminal": clerk.terminal}
    steps: dict[str, Callable[[UnitOfWork], Any]] = {
        "confirm": lambda uow: notice_checks.confirm(uow, entry_id, **who),
        "send-back": lambda uow: notice_checks.send_back(
            uow, entry_id, reason=fields.get("reason", ""), **who
        ),
        "withdraw": lambda uow: notice_checks.withdraw(uow, entry_id, **who),
    }
    if step not in steps:
        raise NotFound("ページが見つかりません", field="step")
    result, errors = perform(request, steps[step], targets=(f"entry={entry_id}",))
    if set(errors) == {"reason"}:  # the 差戻し without its reason: the page again, the
        with request.app.state.node.unit_of_work() as uow:  # message beside the field
            return _entry_page(request, clerk, uow, entry_id, errors)
    if errors:
        refused = {"checker", "operator"} & set(errors)
        return page(
            request, "message.html", "処理できません", clerk, 403 if refused else 409,
            message=next(iter(errors.values())), css="refused", role="alert",
            links=[("点検番号の画面へ戻る", f"{base_of(request)}/pending-notices/{entry_id}"),
                   ("届出の点検の一覧へ", f"{base_of(request)}/pending-notices")],
        )  # fmt: skip
    if step == "confirm":
        assert isinstance(result, notice_checks.Applied)
        return _after_confirm(request, result, entry_id)
    done = "sent_back" if step == "send-back" else "withdrawn"
    return redirect(request, "/pending-notices", done)


def _after_confirm(request: Request, applied: notice_checks.Applied, entry_id: int) -> Response:
    """To the person the 届出 recorded (after a 転出, straight on to the 転出証明書)."""
    people = applied.events
    if applied.kind == "move_out" and people:
        return redirect(request, f"/residents/{people[0].resident_id}/move-out-certificate")
    if people:
        return redirect(request, f"/residents/{people[0].resident_id}", "checked")
    return redirect(request, f"/pending-notices/{entry_id}", "checked")


def _label(entry: PendingNotice) -> str:
    return kinds.kind_of(entry.kind).label


def _when(moment: Any) -> str:
    return local_time(moment) if moment else ""


def _target(uow: UnitOfWork, entry: PendingNotice) -> dict[str, Any] | None:
    """Who the 届出 is about, as the register has them now (for the checker to compare)."""
    if entry.resident_id is not None:
        person = uow.session.get(Resident, entry.resident_id)
        if person is None:
            return None
        return {"kind": "resident", "id": person.id, "name": person.name_kanji,
                "address": person.address, "status": person.status}  # fmt: skip
    if entry.household_id is not None:
        head = households.head_of(uow, entry.household_id)
        return {
            "kind": "household", "id": entry.household_id,
            "name": head.name_kanji if head else "", "address": head.address if head else "",
        }  # fmt: skip
    return None


# --- the entered content, in the screen's words ----------------------------------------------

LABELS = {
    "change_date": "異動日", "notified_on": "届出日", "name_kanji": "氏名", "name_kana": "ふりがな",
    "birth_date": "生年月日", "sex": "性別", "name_roman": "ローマ字氏名", "address": "住所",
    "postal_code": "郵便番号", "town_code": "町字コード", "household_id": "世帯番号",
    "relationship": "続柄", "origin": "転入元", "resident_code": "住民票コード",
    "individual_number": "個人番号", "number_check_id": "個人番号の確認番号",
    "previous_lg_code": "前住所の地方公共団体コード", "previous_address": "前住所",
    "unreported_from": "未届期間の開始日",
    "last_registered_lg_code": "最終住民登録地の地方公共団体コード",
    "last_registered_address": "最終住民登録地", "members": "同時に異動する世帯員",
    "relationships": "異動後の続柄", "destination_address": "転出予定地",
    "destination_lg_code": "転出先の地方公共団体コード", "kind": "変更の種類",
    "from_household_id": "合併する世帯の世帯番号", "reason": "理由",
    "former_surname_kanji": "旧氏", "former_surname_kana": "旧氏のふりがな",
    "ground": "変更の理由", "evidence": "根拠", "domicile_lg_code": "本籍の地方公共団体コード",
    "domicile": "本籍", "family_head_name": "筆頭者", "alias": "通称",
    "alias_kana": "通称のふりがな", "request_id": "転出証明書情報の請求番号",
    "residence_card_no": "在留カード番号", "residence_status": "在留資格",
    "period_of_stay": "在留期間", "stay_expires_on": "在留期間の満了日",
    "nationality_code": "国籍コード", "nationality": "国籍・地域",
    "foreign_category": "30条の45区分", "notifier": "届出人", "id_document": "本人確認書類",
    "proxy_letter_checked": "委任状の確認", "slip_reference": "届書の保管番号",
}  # fmt: skip
VALUES = {
    "sex": {"1": "男", "2": "女"},
    "origin": {"municipality": "国内の他市区町村", "abroad": "国外"},
    "kind": {"head_change": "世帯主変更", "split": "世帯分離", "merge": "世帯合併"},
    "ground": {"request": "本人の請求", "ex_officio": "職権"},
}
SHOWN_ELSEWHERE = {"operator_id", "terminal_id"}  # the entry's own record names them
FIRST, LAST = ("change_date", "notified_on"), ("intake",)  # the form's order
DATES = {"change_date", "notified_on", "birth_date", "unreported_from", "stay_expires_on"}


def rows(uow: UnitOfWork, content: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) for each item entered, in the form's order; empty items left out.
    People named by 宛名番号 (members moving along, new 続柄) are shown with their name."""
    shown: list[tuple[str, str]] = []
    ordered = (
        [k for k in FIRST if k in content]
        + [k for k in content if k not in FIRST and k not in LAST]
        + [k for k in LAST if k in content]
    )
    for key in ordered:
        value = content[key]
        if key in SHOWN_ELSEWHERE or value in (None, "", [], {}):
            continue
        if key in ("intake", "residence") and isinstance(value, dict):
            prefix = "届出人・本人確認：" if key == "intake" else "在留カード："
            shown += [(prefix + label, text) for label, text in rows(uow, value)]
        elif key == "members" and value and isinstance(value[0], dict):
            for i, member in enumerate(value, 1):
                shown += [(f"世帯員{i}：{label}", text) for label, text in rows(uow, member)]
        elif key == "members":
            shown.append((LABELS[key], "、".join(_person(uow, int(i)) for i in value)))
        elif key == "relationships":
            pairs = [f"{_person(uow, int(i))}：{rel}" for i, rel in value.items()]
            shown.append((LABELS[key], "、".join(pairs)))
        else:
            shown.append((LABELS.get(key, key), _text(key, value)))
    return shown


def _text(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "確認した" if value else "確認していない"
    if key in DATES:  # as the paper has it too (和暦)
        day = dt.date.fromisoformat(str(value))
        return f"{wareki(day)}（{day.isoformat()}）"
    return VALUES.get(key, {}).get(str(value), str(value))


def _person(uow: UnitOfWork, resident_id: int) -> str:
    person = uow.session.get(Resident, resident_id)
    name = f"（{person.name_kanji}）" if person is not None else ""
    return f"宛名番号 {resident_id}{name}"
