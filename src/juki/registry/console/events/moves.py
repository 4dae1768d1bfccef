"""転居・転出・死亡 and 異動の取消し: a 届出 about one resident and who moves with them."""

from __future__ import annotations

from fastapi import APIRouter

from juki.registry.console import forms
from juki.registry.console.events.common import (
    codes,
    effects,
    notice_of,
    person_event,
    relationships,
)
from juki.registry.console.forms import Field
from juki.registry.notices import changes, moves, schemas

router = APIRouter()


person_event(
    router,
    "move-within",
    "転居届",
    lambda p: forms.address_fields(),
    lambda f, c, uow: schemas.MoveWithinNotice.model_validate(
        notice_of(f, c)
        | forms.intake_of(f)
        | effects(f, uow)
        | forms.blank_to_none(f, ["address"])
        | codes(f)
    ),
    moves.record_move_within,
    received=True,
)


person_event(
    router,
    "move-out",
    "転出届",
    lambda p: [
        Field("destination_address", "転出予定地", required=True),
        Field("destination_lg_code", "転出先の地方公共団体コード", inputmode="numeric"),
    ],
    lambda f, c, uow: schemas.MoveOutNotice.model_validate(
        notice_of(f, c)
        | forms.intake_of(f)
        | effects(f, uow)
        | forms.blank_to_none(f, ["destination_address", "destination_lg_code"])
    ),
    moves.record_move_out,
    then="move-out-certificate",
    received=True,
)


person_event(
    router,
    "death",
    "死亡届",
    lambda p: [],
    lambda f, c, uow: schemas.DeathNotice.model_validate(
        notice_of(f, c) | {"relationships": relationships(f, uow)}
    ),
    moves.record_death,
    tick=False,
)


person_event(
    router,
    "cancel",
    "異動の取消し",
    lambda p: [Field("reason", "取消しの理由", "textarea", required=True)],
    lambda f, c, uow: schemas.CancellationNotice(
        **notice_of(f, c), reason=(f.get("reason") or "").strip()
    ),
    changes.cancel_last_change,
    tick=False,
    household=False,
)
