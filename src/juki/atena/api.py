"""The 統合宛名's API for the institution's business systems (001a §2.3): a system finds
the 団体内統合宛名番号 of its own person by its 宛名番号 — never the 個人番号 (USE-1-1)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel

from juki.atena import service
from juki.web.app import ApiCaller, UoW, guarded
from juki.web.rights import needs

router = guarded(tags=["団体内統合宛名システム"])


class AtenaView(BaseModel):
    atena_id: str
    status: str


@router.get("/addressees/{system}/{addressee_id}", summary="団体内統合宛名番号（宛名番号から）")
@needs("atena_lookup", "read")
def lookup(
    system: Annotated[Literal["registry"], Path(description="業務システム")],
    addressee_id: Annotated[int, Path(ge=1, le=2**31 - 1, description="宛名番号")],
    uow: UoW,
    caller: ApiCaller,
) -> AtenaView:
    person = service.by_addressee(uow, system, addressee_id)
    return AtenaView(atena_id=person.atena_id, status=person.status)
