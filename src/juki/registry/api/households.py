"""世帯: the 世帯変更届, a household's 転入 and the household's members."""

from __future__ import annotations

from fastapi import APIRouter, Response

from juki.registry.api.reads import CHECKED, Pending, event_read, take
from juki.registry.households import service as households
from juki.registry.households.schemas import HouseholdMemberRead, HouseholdRead
from juki.registry.notices import arrivals, changes, schemas
from juki.registry.residents.schemas import EventRead
from juki.registry.residents.service import EventRecord
from juki.web.app import ApiCaller, RecordId, UoW
from juki.web.rights import needs

router = APIRouter()


@router.post("/households/{household_id}/changes", status_code=201, summary="世帯変更届" + CHECKED)
@needs("resident_records", "update")
def household_change(
    household_id: RecordId,
    notice: schemas.HouseholdChangeNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> list[int] | Pending:
    return take(uow, caller, response, changes.change_household, notice, list, household_id)


@router.post("/move-ins/household", status_code=201, summary="転入届 (世帯)" + CHECKED)
@needs("resident_records", "update")
def household_move_in(
    notice: schemas.HouseholdMoveInNotice, uow: UoW, caller: ApiCaller, response: Response
) -> list[EventRead] | Pending:
    def answer(events: list[EventRecord]) -> list[EventRead]:
        return [event_read(e) for e in events]

    return take(uow, caller, response, arrivals.record_household_move_in, notice, answer)


@router.get("/households/{household_id}", summary="世帯 (世帯員の宛名番号と続柄)")
@needs("resident_records", "read")
def read_household(household_id: RecordId, uow: UoW) -> HouseholdRead:
    household = households.current_household(uow, household_id)
    members = [
        HouseholdMemberRead(id=m.id, relationship=m.relationship)
        for m in households.members(uow, household_id)
    ]
    return HouseholdRead(id=household.id, status=household.status, members=members)
