"""Reading the register (住民票, events, the list of current residents) and the card
counter's 交付申請書 reissue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from juki.registry.api.reads import event_read, resident_read
from juki.registry.cards import destination_info
from juki.registry.cards.schemas import ApplicationFormRead
from juki.registry.residents import service as residents
from juki.registry.residents.schemas import EventRead, ResidentRead
from juki.web.app import ApiCaller, RecordId, UoW
from juki.web.rights import needs

router = APIRouter()


@router.get("/residents", summary="現に住民である者の内部ID (個人情報を含まない)")
@needs("resident_records", "read")
def list_residents(
    uow: UoW,
    after_id: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[int]:
    return residents.resident_ids(uow, after_id=after_id, limit=limit)


@router.get("/residents/{resident_id}", summary="住民票 (個人番号は伏せ字)")
@needs("resident_records", "read")
def read_resident(resident_id: RecordId, uow: UoW) -> ResidentRead:
    return resident_read(uow, residents.get_resident(uow, resident_id))


@router.get("/events/{event_id}", summary="異動の処理状況")
@needs("resident_records", "read")
def read_event(event_id: str, uow: UoW) -> EventRead:
    return event_read(residents.read_event(uow, event_id))


@router.get("/residents/{resident_id}/application-forms", summary="個人番号通知・交付申請書の状況")
@needs("resident_records", "read")
def application_forms(resident_id: RecordId, uow: UoW) -> list[ApplicationFormRead]:
    residents.get_resident(uow, resident_id)
    found = destination_info.extracts_of(uow, resident_id)
    return [ApplicationFormRead.model_validate(x) for x in found]


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
