"""外国人住民 (住基法 30条の45–51): 転入, 法30条の47 届出, the 法務大臣's notices,
通称 and 帰化."""

from __future__ import annotations

from fastapi import APIRouter, Response

from juki.registry.api.reads import CHECKED, Pending, event_read, take
from juki.registry.foreign import schemas as foreign_schemas
from juki.registry.foreign import service as foreign
from juki.registry.residents.schemas import EventRead
from juki.web.app import ApiCaller, RecordId, UoW
from juki.web.rights import needs

router = APIRouter()


@router.post(
    "/foreign/move-ins", status_code=201, summary="外国人住民の転入 (法30条の46)" + CHECKED
)
@needs("resident_records", "update")
def foreign_move_in(
    notice: foreign_schemas.ForeignMoveInNotice, uow: UoW, caller: ApiCaller, response: Response
) -> EventRead | Pending:
    return take(uow, caller, response, foreign.record_move_in, notice, event_read)


@router.post("/foreign/entries", status_code=201, summary="法30条の47の届出" + CHECKED)
@needs("resident_records", "update")
def foreign_entry(
    notice: foreign_schemas.ForeignEntryNotice, uow: UoW, caller: ApiCaller, response: Response
) -> EventRead | Pending:
    return take(uow, caller, response, foreign.record_entry, notice, event_read)


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
    return take(
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
    return take(uow, caller, response, foreign.record_alias, notice, _recorded, resident_id)


@router.post("/residents/{resident_id}/naturalization", status_code=201, summary="帰化" + CHECKED)
@needs("resident_records", "update")
def naturalization(
    resident_id: RecordId,
    notice: foreign_schemas.NaturalizationNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> EventRead | Pending:
    return take(uow, caller, response, foreign.naturalize, notice, event_read, resident_id)
