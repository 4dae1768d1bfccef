"""職権 entries (住基法施行令 12条): 職権記載, 回復, 消除, 失踪宣告 and the 戸籍通知."""

from __future__ import annotations

from fastapi import APIRouter, Response

from juki.registry.api.reads import CHECKED, Pending, event_read, take
from juki.registry.ex_officio import schemas as ex_officio_schemas
from juki.registry.ex_officio import service as ex_officio
from juki.registry.notices import schemas
from juki.registry.residents.schemas import EventRead
from juki.registry.residents.service import EventRecord
from juki.web.app import ApiCaller, RecordId, UoW
from juki.web.rights import needs

router = APIRouter()


@router.post("/ex-officio/entries", status_code=201, summary="職権記載" + CHECKED)
@needs("resident_records", "update")
def ex_officio_entry(
    notice: ex_officio_schemas.ExOfficioEntryNotice, uow: UoW, caller: ApiCaller, response: Response
) -> EventRead | Pending:
    return take(uow, caller, response, ex_officio.record_entry, notice, event_read)


@router.post("/residents/{resident_id}/restoration", status_code=201, summary="職権回復" + CHECKED)
@needs("resident_records", "update")
def restore(
    resident_id: RecordId,
    notice: ex_officio_schemas.RestoreNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> EventRead | Pending:
    return take(uow, caller, response, ex_officio.restore, notice, event_read, resident_id)


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
    return take(
        uow, caller, response, ex_officio.record_ex_officio_removal, notice, event_read, resident_id
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
    return take(
        uow, caller, response, ex_officio.record_disappearance, notice, event_read, resident_id
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
        return event_read(event) if event else None

    return take(uow, caller, response, ex_officio.record_koseki_notice, notice, answer, resident_id)
