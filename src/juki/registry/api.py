"""Registry API: record 届出 and read the register. Routes are thin; rules are in service."""

from __future__ import annotations

from fastapi import Request

from juki.core.errors import JukiError
from juki.core.identity import NUMBER_COLUMN
from juki.core.ids import mask_individual_number
from juki.core.web import ApiCaller, ApiRule, UoW, guarded
from juki.registry import (
    changes,
    corrections,
    ex_officio,
    foreign,
    households,
    linkage,
    number_checks,
    schemas,
    service,
    transfers,
    wide_area,
)
from juki.registry.models import Resident, ResidentEvent

# Every caller is an authenticated system acting for a named operator (core.web.api_guard).
API_RIGHTS: list[ApiRule] = [
    ("POST", "/linkage", "internal_linkage", "read"),
    ("GET", "/linkage/approvals", "internal_linkage", "read"),
    ("POST", "/wide-area-requests/*/issue", "certificates", "update"),
    ("GET", "/*", "resident_records", "read"),
    ("POST", "/*", "resident_records", "update"),
]
router = guarded(API_RIGHTS, tags=["既存住基 (resident register)"])


def _event(event: service.EventRecord | ResidentEvent) -> schemas.EventRead:
    return schemas.EventRead(
        id=event.update_id,
        resident_id=event.resident_id,
        reason=event.reason,
        change_date=event.change_date,
        status=event.status,
        error_code=event.error_code,
        error_field=event.error_field,
    )


def _resident(uow: UoW, resident: Resident, *, reveal: bool = False) -> schemas.ResidentRead:
    number = ""
    if resident.individual_number_cipher is not None:
        clear = uow.node.keys.decrypt(resident.individual_number_cipher, column=NUMBER_COLUMN)
        number = clear if reveal else mask_individual_number(clear)
    return schemas.ResidentRead(
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


@router.post("/births", status_code=201, summary="出生届")
def birth(notice: schemas.BirthNotice, uow: UoW) -> schemas.EventRead:
    return _event(service.record_birth(uow, notice))


@router.post("/move-ins", status_code=201, summary="転入届 (他市町村・国外)")
def move_in(notice: schemas.MoveInNotice, uow: UoW) -> schemas.EventRead:
    return _event(service.record_move_in(uow, notice))


@router.post("/residents/{resident_id}/move-within", status_code=201, summary="転居届")
def move_within(resident_id: int, notice: schemas.MoveWithinNotice, uow: UoW) -> schemas.EventRead:
    return _event(service.record_move_within(uow, resident_id, notice))


@router.post(
    "/residents/{resident_id}/move-out", status_code=201, summary="転出届 (転出証明書を返す)"
)
def move_out(resident_id: int, notice: schemas.MoveOutNotice, uow: UoW) -> schemas.MoveOutRead:
    event = service.record_move_out(uow, resident_id, notice)
    certificate = service.move_out_certificate(uow, service.get_resident(uow, resident_id))
    return schemas.MoveOutRead(**_event(event).model_dump(), certificate=certificate)


@router.get("/residents", summary="現に住民である者の内部ID (個人情報を含まない)")
def list_residents(uow: UoW, after_id: int = 0, limit: int = 1000) -> list[int]:
    return service.resident_ids(uow, after_id=after_id, limit=min(limit, 10_000))


@router.post("/residents/{resident_id}/death", status_code=201, summary="死亡届")
def death(resident_id: int, notice: schemas.DeathNotice, uow: UoW) -> schemas.EventRead:
    return _event(service.record_death(uow, resident_id, notice))


@router.post("/residents/{resident_id}/name-change", status_code=201, summary="氏名の変更")
def name_change(resident_id: int, notice: schemas.NameChangeNotice, uow: UoW) -> schemas.EventRead:
    return _event(service.record_name_change(uow, resident_id, notice))


@router.post(
    "/residents/{resident_id}/correction-requests",
    status_code=201,
    summary="職権修正の入力 (確認・承認の後に反映)",
)
def propose_correction(
    resident_id: int, body: corrections.CorrectionProposal, uow: UoW, caller: ApiCaller
) -> dict[str, int]:
    """Entered by the caller's end operator, who must be an operator of this node with the
    update right; confirmation and approval are done in the console by two other people."""
    return {"request_id": corrections.propose(uow, resident_id, body, caller.operator)}


@router.post(
    "/residents/{resident_id}/resident-code-change", status_code=201, summary="住民票コードの変更"
)
def code_change(
    resident_id: int, notice: schemas.ResidentCodeChangeNotice, uow: UoW
) -> schemas.EventRead:
    return _event(service.change_resident_code(uow, resident_id, notice))


@router.post("/residents/{resident_id}/number-change", status_code=201, summary="個人番号の変更")
def number_change(
    resident_id: int, notice: schemas.NumberChangeNotice, uow: UoW
) -> schemas.EventRead:
    return _event(service.request_number_change(uow, resident_id, notice))


@router.get("/residents/{resident_id}", summary="住民票 (個人番号は伏せ字)")
def read_resident(resident_id: int, uow: UoW) -> schemas.ResidentRead:
    return _resident(uow, service.get_resident(uow, resident_id))


@router.get("/events/{event_id}", summary="異動の処理状況")
def read_event(event_id: str, uow: UoW) -> schemas.EventRead:
    return _event(service.read_event(uow, event_id))


@router.post("/households/{household_id}/changes", status_code=201, summary="世帯変更届")
def household_change(
    household_id: int, notice: schemas.HouseholdChangeNotice, uow: UoW
) -> list[int]:
    return changes.change_household(uow, household_id, notice)


@router.post("/move-ins/household", status_code=201, summary="転入届 (世帯)")
def household_move_in(notice: schemas.HouseholdMoveInNotice, uow: UoW) -> list[schemas.EventRead]:
    return [_event(e) for e in service.record_household_move_in(uow, notice)]


@router.post("/residents/{resident_id}/cancellation", status_code=201, summary="異動の取消し")
def cancel(resident_id: int, notice: schemas.CancellationNotice, uow: UoW) -> dict[str, int]:
    return {"history_no": changes.cancel_last_change(uow, resident_id, notice)}


@router.post(
    "/move-out-certificate-requests", status_code=201, summary="転出証明書情報の送信依頼 (特例転入)"
)
def request_certificate(body: transfers.CertificateRequestBody, uow: UoW) -> dict[str, str]:
    request_id = transfers.request_certificate(
        uow, body.former_lg_code, body.resident_code, body.clerk_login
    )
    return {"request_id": request_id}


@router.get("/move-out-certificate-requests/{request_id}", summary="転出証明書情報の受信状況")
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
def request_number_check(
    body: number_checks.NumberCheckBody, uow: UoW, caller: ApiCaller
) -> dict[str, str]:
    """001a ACQ-3-2: before a 転入 whose number was entered from paper. The answer arrives
    through the CS; the 転入 names the check (`number_check_id`)."""
    return {"check_id": number_checks.request(uow, body, caller.operator)}


@router.get("/number-checks/{check_id}", summary="個人番号の真正性確認の結果")
def number_check_status(check_id: str, uow: UoW) -> dict[str, str]:
    return {"check_id": check_id, "status": number_checks.status(uow, check_id).status}


@router.post("/move-ins/special", status_code=201, summary="特例転入 (転出証明書情報による転入)")
def special_move_in(notice: transfers.SpecialMoveInNotice, uow: UoW) -> schemas.EventRead:
    return _event(transfers.record_special_move_in(uow, notice))


@router.get("/households/{household_id}", summary="世帯 (世帯員の宛名番号と続柄)")
def read_household(household_id: int, uow: UoW) -> schemas.HouseholdRead:
    household = households.current_household(uow, household_id)
    members = [
        schemas.HouseholdMemberRead(id=m.id, relationship=m.relationship)
        for m in households.members(uow, household_id)
    ]
    return schemas.HouseholdRead(id=household.id, status=household.status, members=members)


@router.post("/ex-officio/entries", status_code=201, summary="職権記載")
def ex_officio_entry(notice: ex_officio.ExOfficioEntryNotice, uow: UoW) -> schemas.EventRead:
    return _event(ex_officio.record_entry(uow, notice))


@router.post("/residents/{resident_id}/restoration", status_code=201, summary="職権回復")
def restore(resident_id: int, notice: ex_officio.RestoreNotice, uow: UoW) -> schemas.EventRead:
    return _event(ex_officio.restore(uow, resident_id, notice))


@router.post("/residents/{resident_id}/ex-officio-removal", status_code=201, summary="職権消除")
def ex_officio_removal(
    resident_id: int, notice: schemas.DeathNotice, uow: UoW
) -> schemas.EventRead:
    return _event(ex_officio.record_removal(uow, resident_id, notice, disappearance=False))


@router.post("/residents/{resident_id}/disappearance", status_code=201, summary="失踪宣告")
def disappearance(resident_id: int, notice: schemas.DeathNotice, uow: UoW) -> schemas.EventRead:
    return _event(ex_officio.record_removal(uow, resident_id, notice, disappearance=True))


@router.post("/residents/{resident_id}/koseki-notice", status_code=201, summary="戸籍通知")
def koseki_notice(
    resident_id: int, notice: ex_officio.KosekiNotice, uow: UoW
) -> schemas.EventRead | None:
    event = ex_officio.record_koseki_notice(uow, resident_id, notice)
    return _event(event) if event else None


@router.post("/foreign/move-ins", status_code=201, summary="外国人住民の転入 (法30条の46)")
def foreign_move_in(notice: foreign.ForeignMoveInNotice, uow: UoW) -> schemas.EventRead:
    return _event(foreign.record_move_in(uow, notice))


@router.post("/foreign/entries", status_code=201, summary="法30条の47の届出")
def foreign_entry(notice: foreign.ForeignEntryNotice, uow: UoW) -> schemas.EventRead:
    return _event(foreign.record_entry(uow, notice))


@router.post(
    "/residents/{resident_id}/immigration-notice", status_code=201, summary="法務大臣からの通知"
)
def immigration_notice(
    resident_id: int, notice: foreign.ImmigrationNoticeEntry, uow: UoW
) -> dict[str, str]:
    foreign.enter_immigration_notice(uow, resident_id, notice)
    return {"status": "recorded"}


@router.post("/residents/{resident_id}/alias", status_code=201, summary="通称の記載・削除")
def alias(resident_id: int, notice: foreign.AliasNotice, uow: UoW) -> dict[str, str]:
    foreign.record_alias(uow, resident_id, notice)
    return {"status": "recorded"}


@router.post("/residents/{resident_id}/naturalization", status_code=201, summary="帰化")
def naturalization(
    resident_id: int, notice: foreign.NaturalizationNotice, uow: UoW
) -> schemas.EventRead:
    return _event(foreign.naturalize(uow, resident_id, notice))


@router.post("/wide-area-requests", status_code=201, summary="住民票の写しの広域交付: 住所地へ請求")
def wide_area_ask(body: wide_area.WideAreaAsk, uow: UoW) -> dict[str, str]:
    return {"request_id": wide_area.ask(uow, body)}


@router.get("/wide-area-requests/{request_id}", summary="広域交付: 受信状況")
def wide_area_status(request_id: str, uow: UoW) -> dict[str, str | None]:
    record = wide_area.status(uow, request_id)
    return {"status": record.status, "error_code": record.error_code}


@router.post(
    "/wide-area-requests/{request_id}/issue", status_code=201, summary="広域交付: 写しの交付"
)
def wide_area_issue(request_id: str, uow: UoW, caller: ApiCaller) -> dict[str, str]:
    issued = wide_area.issue(uow, request_id, caller.operator, caller.terminal)
    return {"issue_no": issued.issue_no}


@router.post("/linkage", summary="庁内連携: 承認された項目の移転・提供 (宛名番号で)")
def linkage_transfer(
    request: Request, body: linkage.LinkageRequest, uow: UoW, caller: ApiCaller
) -> linkage.LinkageAnswer:
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
def linkage_approvals(caller: ApiCaller) -> list[dict[str, object]]:
    return [
        {"approval_no": a.approval_no, "purpose": a.purpose, "legal_basis": a.legal_basis,
         "items": list(a.items), "approved_on": a.approved_on.isoformat()}
        for a in linkage.approvals_of(caller.body_code or "")
    ]  # fmt: skip
