"""Registry API: record 届出 and read the register. Routes are thin; rules are in service.

Every 届出 goes through `notice_checks.submit`, naming the service function that records
it: where the municipality requires a second person's check (001b C-01) it is answered 202
with its 点検番号 and applied only when another operator confirms it
(`/pending-notices/{id}/confirm`); otherwise 201 as before."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Query, Request, Response

from juki.core.errors import JukiError
from juki.core.identity import NUMBER_COLUMN
from juki.core.ids import mask_individual_number
from juki.duties.operators.clients import Caller
from juki.registry.cards import destination_info
from juki.registry.cards.schemas import ApplicationFormRead
from juki.registry.certificates import wide_area
from juki.registry.certificates.schemas import WideAreaAsk
from juki.registry.disclosure import service as disclosure
from juki.registry.disclosure.schemas import DisclosureRequest
from juki.registry.ex_officio import schemas as ex_officio_schemas
from juki.registry.ex_officio import service as ex_officio
from juki.registry.foreign import schemas as foreign_schemas
from juki.registry.foreign import service as foreign
from juki.registry.households import service as households
from juki.registry.households.schemas import HouseholdMemberRead, HouseholdRead
from juki.registry.linkage import service as linkage
from juki.registry.linkage.schemas import LinkageAnswer, LinkageRequest
from juki.registry.models import Resident, ResidentEvent
from juki.registry.notice_checks import kinds
from juki.registry.notice_checks import service as notice_checks
from juki.registry.notice_checks.kinds import Record
from juki.registry.notice_checks.schemas import (
    CheckedRead,
    PendingNoticeDetail,
    PendingNoticeRead,
    SendBack,
)
from juki.registry.notices import arrivals, changes, corrections, moves, number_checks, schemas
from juki.registry.notices.schemas import CorrectionProposal, NumberCheckBody
from juki.registry.residents import service as residents
from juki.registry.residents.schemas import EventRead, Notice, ResidentRead
from juki.registry.residents.service import EventRecord
from juki.registry.transfers import service as transfers
from juki.registry.transfers.schemas import CertificateRequestBody, SpecialMoveInNotice
from juki.web.app import ApiCaller, RecordId, UoW, guarded
from juki.web.rights import POSTED_KEYS, needs

# Every caller is an authenticated system acting for a named operator (web/app.api_guard);
# each route declares the right it needs (web/rights.py).
router = guarded(tags=["既存住基 (resident register)"])
T = TypeVar("T")
CHECKED = "（点検を要する市町村では点検待ちとして受付: 202）"


def _event(event: EventRecord | ResidentEvent) -> EventRead:
    return EventRead(
        id=event.update_id,
        resident_id=event.resident_id,
        reason=event.reason,
        change_date=event.change_date,
        status=event.status,
        error_code=event.error_code,
        error_field=event.error_field,
    )


def _resident(uow: UoW, resident: Resident, *, reveal: bool = False) -> ResidentRead:
    number = ""
    if resident.individual_number_cipher is not None:
        clear = uow.node.keys.decrypt(resident.individual_number_cipher, column=NUMBER_COLUMN)
        number = clear if reveal else mask_individual_number(clear)
    return ResidentRead(
        id=resident.id,
        resident_code=resident.resident_code,
        individual_number=number,
        name_kanji=resident.name_kanji,
        name_kana=resident.name_kana,
        birth_date=resident.birth_date,
        sex=resident.sex,  # type: ignore[arg-type]
        address=resident.address,
        status=resident.status,
        version=resident.version,
        awaiting_number=resident.awaiting_number,
        household_id=resident.household_id,
        relationship=resident.relationship,
    )


def _pending(entry: Any) -> PendingNoticeRead:
    return PendingNoticeRead.model_validate(_pending_items(entry))


def _pending_items(entry: Any) -> dict[str, Any]:
    """An entry's record of who entered and decided it, without what it holds."""
    kept = set(PendingNoticeRead.model_fields) - {"label", "update_ids", "resident_ids"}
    return {k: getattr(entry, k) for k in kept} | {
        "label": kinds.kind_of(entry.kind).label,
        "update_ids": json.loads(entry.update_ids or "[]"),
        "resident_ids": json.loads(entry.resident_ids or "[]"),
    }


def _take(
    uow: UoW,
    caller: Caller,
    response: Response,
    record: Record,
    notice: Notice,
    answer: Callable[[Any], T],
    target: int | None = None,
) -> T | PendingNoticeRead:
    """Record the 届出 by its service function `record`, or enter it for its check (202
    and its 点検番号): the caller's end operator and terminal are who entered it."""
    outcome = notice_checks.submit(
        uow, record, notice, target=target, operator=caller.operator, terminal=caller.terminal
    )
    if isinstance(outcome, notice_checks.Entered):
        response.status_code = 202
        return _pending(notice_checks.get(uow, outcome.entry_id))
    return answer(outcome.result)


def _move_out_read(uow: UoW, resident_id: int, event: EventRecord) -> schemas.MoveOutRead:
    certificate = moves.move_out_certificate(uow, residents.get_resident(uow, resident_id))
    return schemas.MoveOutRead(**_event(event).model_dump(), certificate=certificate)


Pending = PendingNoticeRead


@router.post("/births", status_code=201, summary="出生届" + CHECKED)
@needs("resident_records", "update")
def birth(
    notice: schemas.BirthNotice, uow: UoW, caller: ApiCaller, response: Response
) -> EventRead | Pending:
    return _take(uow, caller, response, arrivals.record_birth, notice, _event)


@router.post("/move-ins", status_code=201, summary="転入届 (他市町村・国外)" + CHECKED)
@needs("resident_records", "update")
def move_in(
    notice: schemas.MoveInNotice, uow: UoW, caller: ApiCaller, response: Response
) -> EventRead | Pending:
    return _take(uow, caller, response, arrivals.record_move_in, notice, _event)


@router.post("/residents/{resident_id}/move-within", status_code=201, summary="転居届" + CHECKED)
@needs("resident_records", "update")
def move_within(
    resident_id: RecordId,
    notice: schemas.MoveWithinNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> EventRead | Pending:
    return _take(uow, caller, response, moves.record_move_within, notice, _event, resident_id)


@router.post(
    "/residents/{resident_id}/move-out",
    status_code=201,
    summary="転出届 (転出証明書を返す。点検を要する市町村では点検の後に返す)",
)
@needs("resident_records", "update")
def move_out(
    resident_id: RecordId,
    notice: schemas.MoveOutNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> schemas.MoveOutRead | Pending:
    def answer(event: EventRecord) -> schemas.MoveOutRead:
        return _move_out_read(uow, resident_id, event)

    return _take(uow, caller, response, moves.record_move_out, notice, answer, resident_id)


@router.get("/residents", summary="現に住民である者の内部ID (個人情報を含まない)")
@needs("resident_records", "read")
def list_residents(
    uow: UoW,
    after_id: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[int]:
    return residents.resident_ids(uow, after_id=after_id, limit=limit)


@router.post("/residents/{resident_id}/death", status_code=201, summary="死亡届" + CHECKED)
@needs("resident_records", "update")
def death(
    resident_id: RecordId,
    notice: schemas.DeathNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> EventRead | Pending:
    return _take(uow, caller, response, moves.record_death, notice, _event, resident_id)


@router.post(
    "/residents/{resident_id}/name-change", status_code=201, summary="氏名の変更" + CHECKED
)
@needs("resident_records", "update")
def name_change(
    resident_id: RecordId,
    notice: schemas.NameChangeNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> EventRead | Pending:
    return _take(uow, caller, response, changes.record_name_change, notice, _event, resident_id)


@router.post(
    "/residents/{resident_id}/correction-requests",
    status_code=201,
    summary="職権修正の入力 (確認・承認の後に反映)",
)
@needs("resident_records", "update")
def propose_correction(
    resident_id: RecordId, body: CorrectionProposal, uow: UoW, caller: ApiCaller
) -> dict[str, int]:
    """Entered by the caller's end operator, who must be an operator of this node with the
    update right; confirmation and approval are done in the console by two other people."""
    return {"request_id": corrections.propose(uow, resident_id, body, caller.operator)}


@router.post(
    "/residents/{resident_id}/resident-code-change",
    status_code=201,
    summary="住民票コードの変更" + CHECKED,
)
@needs("resident_records", "update")
def code_change(
    resident_id: RecordId,
    notice: schemas.ResidentCodeChangeNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> EventRead | Pending:
    return _take(uow, caller, response, changes.change_resident_code, notice, _event, resident_id)


@router.post(
    "/residents/{resident_id}/number-change", status_code=201, summary="個人番号の変更" + CHECKED
)
@needs("resident_records", "update")
def number_change(
    resident_id: RecordId,
    notice: schemas.NumberChangeNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> EventRead | Pending:
    return _take(uow, caller, response, changes.request_number_change, notice, _event, resident_id)


@router.post(
    "/residents/{resident_id}/application-form-reissue",
    status_code=202,
    summary="交付申請書の再発行 (4情報の変更後; 機構の回答は application-forms に)",
)
@needs("card_counter", "update")  # 000 P3.4, F3-ACQ-06: the card counter's; sends 送付先情報
def reissue_application_form(
    resident_id: RecordId, uow: UoW, caller: ApiCaller, request: Request
) -> ApplicationFormRead:
    sent = destination_info.request_reissue(uow, resident_id, caller.operator, caller.terminal)
    request.state.number_touched = True  # the 送付先情報 sent carries the 個人番号
    request.state.audit_targets = (f"送付先管理番号={sent.destination_id}",)
    return ApplicationFormRead.model_validate(sent)


@router.get("/residents/{resident_id}/application-forms", summary="個人番号通知・交付申請書の状況")
@needs("resident_records", "read")
def application_forms(resident_id: RecordId, uow: UoW) -> list[ApplicationFormRead]:
    residents.get_resident(uow, resident_id)
    found = destination_info.extracts_of(uow, resident_id)
    return [ApplicationFormRead.model_validate(x) for x in found]


@router.get("/residents/{resident_id}", summary="住民票 (個人番号は伏せ字)")
@needs("resident_records", "read")
def read_resident(resident_id: RecordId, uow: UoW) -> ResidentRead:
    return _resident(uow, residents.get_resident(uow, resident_id))


@router.get("/events/{event_id}", summary="異動の処理状況")
@needs("resident_records", "read")
def read_event(event_id: str, uow: UoW) -> EventRead:
    return _event(residents.read_event(uow, event_id))


@router.post("/households/{household_id}/changes", status_code=201, summary="世帯変更届" + CHECKED)
@needs("resident_records", "update")
def household_change(
    household_id: RecordId,
    notice: schemas.HouseholdChangeNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> list[int] | Pending:
    return _take(uow, caller, response, changes.change_household, notice, list, household_id)


@router.post("/move-ins/household", status_code=201, summary="転入届 (世帯)" + CHECKED)
@needs("resident_records", "update")
def household_move_in(
    notice: schemas.HouseholdMoveInNotice, uow: UoW, caller: ApiCaller, response: Response
) -> list[EventRead] | Pending:
    def answer(events: list[EventRecord]) -> list[EventRead]:
        return [_event(e) for e in events]

    return _take(uow, caller, response, arrivals.record_household_move_in, notice, answer)


@router.post(
    "/residents/{resident_id}/cancellation", status_code=201, summary="異動の取消し" + CHECKED
)
@needs("resident_records", "update")
def cancel(
    resident_id: RecordId,
    notice: schemas.CancellationNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> dict[str, int] | Pending:
    def answer(history_no: int) -> dict[str, int]:
        return {"history_no": history_no}

    return _take(uow, caller, response, changes.cancel_last_change, notice, answer, resident_id)


@router.post(
    "/move-out-certificate-requests", status_code=201, summary="転出証明書情報の送信依頼 (特例転入)"
)
@needs("resident_records", "update")
def request_certificate(body: CertificateRequestBody, uow: UoW) -> dict[str, str]:
    request_id = transfers.request_certificate(
        uow, body.former_lg_code, body.resident_code, body.clerk_login
    )
    return {"request_id": request_id}


@router.get("/move-out-certificate-requests/{request_id}", summary="転出証明書情報の受信状況")
@needs("resident_records", "read")
def certificate_request(request_id: str, uow: UoW) -> dict[str, object]:
    record = transfers.request_status(uow, request_id)
    body: dict[str, object] = {"status": record.status, "error_code": record.error_code}
    if record.status == "received":
        certificate = transfers.certificate_of(uow, request_id)
        masked = mask_individual_number(certificate.individual_number)
        body["certificate"] = certificate.model_dump(mode="json") | {"individual_number": masked}
    return body


@router.post(
    "/number-checks", status_code=201, summary="個人番号の真正性確認 (CS経由で全国サーバに照会)"
)
@needs("resident_records", "update")
def request_number_check(body: NumberCheckBody, uow: UoW, caller: ApiCaller) -> dict[str, str]:
    """001a ACQ-3-2: before a 転入 whose number was entered from paper. The answer arrives
    through the CS; the 転入 names the check (`number_check_id`)."""
    return {"check_id": number_checks.request(uow, body, caller.operator)}


@router.get("/number-checks/{check_id}", summary="個人番号の真正性確認の結果")
@needs("resident_records", "read")
def number_check_status(check_id: str, uow: UoW) -> dict[str, str]:
    return {"check_id": check_id, "status": number_checks.status(uow, check_id).status}


@router.post(
    "/move-ins/special", status_code=201, summary="特例転入 (転出証明書情報による転入)" + CHECKED
)
@needs("resident_records", "update")
def special_move_in(
    notice: SpecialMoveInNotice, uow: UoW, caller: ApiCaller, response: Response
) -> EventRead | Pending:
    return _take(uow, caller, response, transfers.record_special_move_in, notice, _event)


@router.get("/households/{household_id}", summary="世帯 (世帯員の宛名番号と続柄)")
@needs("resident_records", "read")
def read_household(household_id: RecordId, uow: UoW) -> HouseholdRead:
    household = households.current_household(uow, household_id)
    members = [
        HouseholdMemberRead(id=m.id, relationship=m.relationship)
        for m in households.members(uow, household_id)
    ]
    return HouseholdRead(id=household.id, status=household.status, members=members)


@router.post("/ex-officio/entries", status_code=201, summary="職権記載" + CHECKED)
@needs("resident_records", "update")
def ex_officio_entry(
    notice: ex_officio_schemas.ExOfficioEntryNotice, uow: UoW, caller: ApiCaller, response: Response
) -> EventRead | Pending:
    return _take(uow, caller, response, ex_officio.record_entry, notice, _event)


@router.post("/residents/{resident_id}/restoration", status_code=201, summary="職権回復" + CHECKED)
@needs("resident_records", "update")
def restore(
    resident_id: RecordId,
    notice: ex_officio_schemas.RestoreNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> EventRead | Pending:
    return _take(uow, caller, response, ex_officio.restore, notice, _event, resident_id)


@router.post(
    "/residents/{resident_id}/ex-officio-removal", status_code=201, summary="職権消除" + CHECKED
)
@needs("resident_records", "update")
def ex_officio_removal(
    resident_id: RecordId,
    notice: schemas.DeathNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> EventRead | Pending:
    return _take(
        uow, caller, response, ex_officio.record_ex_officio_removal, notice, _event, resident_id
    )


@router.post(
    "/residents/{resident_id}/disappearance", status_code=201, summary="失踪宣告" + CHECKED
)
@needs("resident_records", "update")
def disappearance(
    resident_id: RecordId,
    notice: schemas.DeathNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> EventRead | Pending:
    return _take(
        uow, caller, response, ex_officio.record_disappearance, notice, _event, resident_id
    )


@router.post(
    "/residents/{resident_id}/koseki-notice", status_code=201, summary="戸籍通知" + CHECKED
)
@needs("resident_records", "update")
def koseki_notice(
    resident_id: RecordId,
    notice: ex_officio_schemas.KosekiNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> EventRead | Pending | None:
    def answer(event: EventRecord | None) -> EventRead | None:
        return _event(event) if event else None

    return _take(
        uow, caller, response, ex_officio.record_koseki_notice, notice, answer, resident_id
    )


@router.post(
    "/foreign/move-ins", status_code=201, summary="外国人住民の転入 (法30条の46)" + CHECKED
)
@needs("resident_records", "update")
def foreign_move_in(
    notice: foreign_schemas.ForeignMoveInNotice, uow: UoW, caller: ApiCaller, response: Response
) -> EventRead | Pending:
    return _take(uow, caller, response, foreign.record_move_in, notice, _event)


@router.post("/foreign/entries", status_code=201, summary="法30条の47の届出" + CHECKED)
@needs("resident_records", "update")
def foreign_entry(
    notice: foreign_schemas.ForeignEntryNotice, uow: UoW, caller: ApiCaller, response: Response
) -> EventRead | Pending:
    return _take(uow, caller, response, foreign.record_entry, notice, _event)


def _recorded(_result: None) -> dict[str, str]:
    return {"status": "recorded"}


@router.post(
    "/residents/{resident_id}/immigration-notice",
    status_code=201,
    summary="法務大臣からの通知" + CHECKED,
)
@needs("resident_records", "update")
def immigration_notice(
    resident_id: RecordId,
    notice: foreign_schemas.ImmigrationNoticeEntry,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> dict[str, str] | Pending:
    return _take(
        uow, caller, response, foreign.enter_immigration_notice, notice, _recorded, resident_id
    )


@router.post(
    "/residents/{resident_id}/alias", status_code=201, summary="通称の記載・削除" + CHECKED
)
@needs("resident_records", "update")
def alias(
    resident_id: RecordId,
    notice: foreign_schemas.AliasNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> dict[str, str] | Pending:
    return _take(uow, caller, response, foreign.record_alias, notice, _recorded, resident_id)


@router.post("/residents/{resident_id}/naturalization", status_code=201, summary="帰化" + CHECKED)
@needs("resident_records", "update")
def naturalization(
    resident_id: RecordId,
    notice: foreign_schemas.NaturalizationNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> EventRead | Pending:
    return _take(uow, caller, response, foreign.naturalize, notice, _event, resident_id)


# --- 届出点検 (001b C-01) ----------------------------------------------------------------------
# Reading an entry is counter work; confirming or sending it back needs the check's own
# right (and, in the service, an operator other than the one who entered it).


@router.get("/pending-notices", summary="届出点検: 点検待ちの一覧 (個人情報を含まない)")
@needs("resident_records", "read")
def pending_notices(uow: UoW) -> list[Pending]:
    return [_pending(entry) for entry in notice_checks.waiting(uow)]


@router.get("/pending-notices/{entry_id}", summary="届出点検: 入力内容 (個人番号は伏せ字)")
@needs("resident_records", "read")
def pending_notice(entry_id: RecordId, uow: UoW, request: Request) -> PendingNoticeDetail:
    entry = notice_checks.get(uow, entry_id)
    if entry.resident_id is not None:
        request.state.audit_targets = (f"addressee={entry.resident_id}",)
    return PendingNoticeDetail(
        **_pending_items(entry),
        notice=notice_checks.content(uow, entry),
        reason=notice_checks.reason_of(uow, entry),
    )


@router.post(
    "/pending-notices/{entry_id}/confirm",
    summary="届出点検: 点検して住民票に反映 (入力した者以外、届出の点検の権限)",
)
@needs("notice_check", "update")
def confirm_notice(
    entry_id: RecordId, uow: UoW, caller: ApiCaller, request: Request
) -> CheckedRead:
    applied = notice_checks.confirm(
        uow, entry_id, operator=caller.operator, terminal=caller.terminal
    )
    entry = notice_checks.get(uow, entry_id)
    request.state.number_touched = entry.number_entered
    certificate = None
    if applied.kind == "move_out" and entry.resident_id is not None:
        resident = residents.get_resident(uow, entry.resident_id)
        certificate = moves.move_out_certificate(uow, resident)
        request.state.number_touched = True
    return CheckedRead(
        **_pending_items(entry),
        events=[_event(e) for e in applied.events],
        certificate=certificate,
    )


@router.post("/pending-notices/{entry_id}/send-back", summary="届出点検: 差戻し (理由を付けて)")
@needs("notice_check", "update")
def send_back_notice(entry_id: RecordId, body: SendBack, uow: UoW, caller: ApiCaller) -> Pending:
    notice_checks.send_back(
        uow, entry_id, operator=caller.operator, terminal=caller.terminal, reason=body.reason
    )
    return _pending(notice_checks.get(uow, entry_id))


@router.post("/pending-notices/{entry_id}/withdraw", summary="届出点検: 取下げ (入力した者)")
@needs("resident_records", "update")
def withdraw_notice(entry_id: RecordId, uow: UoW, caller: ApiCaller) -> Pending:
    notice_checks.withdraw(uow, entry_id, operator=caller.operator, terminal=caller.terminal)
    return _pending(notice_checks.get(uow, entry_id))


@router.post("/wide-area-requests", status_code=201, summary="住民票の写しの広域交付: 住所地へ請求")
@needs("resident_records", "update")
def wide_area_ask(body: WideAreaAsk, uow: UoW) -> dict[str, str]:
    return {"request_id": wide_area.ask(uow, body)}


@router.get("/wide-area-requests/{request_id}", summary="広域交付: 受信状況")
@needs("resident_records", "read")
def wide_area_status(request_id: str, uow: UoW) -> dict[str, str | None]:
    record = wide_area.status(uow, request_id)
    return {"status": record.status, "error_code": record.error_code}


@router.post(
    "/wide-area-requests/{request_id}/issue", status_code=201, summary="広域交付: 写しの交付"
)
@needs("certificates", "update")
def wide_area_issue(request_id: str, uow: UoW, caller: ApiCaller) -> dict[str, str]:
    issued = wide_area.issue(uow, request_id, caller.operator, caller.terminal)
    return {"issue_no": issued.issue_no}


@router.post("/linkage", summary="庁内連携: 承認された項目の移転・提供 (宛名番号で)")
@needs("internal_linkage", "read", read_by_post=POSTED_KEYS)
def linkage_transfer(
    request: Request, body: LinkageRequest, uow: UoW, caller: ApiCaller
) -> LinkageAnswer:
    try:
        answer = linkage.transfer(uow, caller, body)
    except JukiError as refused:
        # Refusals are kept too (XFER-1-4), in a transaction of their own.
        uow.session.rollback()
        with uow.node.unit_of_work() as record:
            linkage.record(record, caller, body, refused=refused.message[:200])
        raise
    request.state.number_touched = "individual_number_cipher" in body.items
    request.state.audit_targets = tuple(f"addressee={r['addressee_id']}" for r in answer.records)
    return answer


@router.get("/linkage/approvals", summary="庁内連携: 自課の承認（目的・項目）")
@needs("internal_linkage", "read")
def linkage_approvals(caller: ApiCaller) -> list[dict[str, object]]:
    return [
        {"approval_no": a.approval_no, "purpose": a.purpose, "legal_basis": a.legal_basis,
         "items": list(a.items), "approved_on": a.approved_on.isoformat()}
        for a in linkage.approvals_of(caller.body_code or "")
    ]  # fmt: skip


@router.post(
    "/disclosures",
    summary="開示請求: 自己の住民票・異動の履歴・提供の記録（PDF）",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
@needs("disclosure", "update")  # 開示 (001a DISC-2)
def disclose(request: Request, body: DisclosureRequest, uow: UoW, caller: ApiCaller) -> Response:
    answer = disclosure.disclose(uow, caller, body)
    request.state.number_touched = answer.number_touched
    request.state.audit_targets = answer.targets
    return Response(
        answer.pdf, media_type="application/pdf",
        headers={"X-Disclosure-No": answer.disclosure_no, "Cache-Control": "no-store"},
    )  # fmt: skip
