"""Helpers for register tests: run a service in its own unit of work, bring in households."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from juki.core.clock import japan_today
from juki.duties.operators.accounts import Actor
from juki.network.embedded import EmbeddedNetwork
from juki.registry.households import service as households
from juki.registry.models import Household, Resident, ResidentHistory
from juki.registry.notices import arrivals, identity_confirmations, schemas

LG = "131075"
ADDRESS = "東京都墨田区向島一丁目5番8号"
TODAY = japan_today()
# A 届出 taken from the person, who showed their My Number card (001a ACQ-2-1, ACQ-3-1).
INTAKE = schemas.Intake(
    notifier=schemas.NotifierType.SELF, id_document=schemas.IdDocument.MY_NUMBER_CARD
)


def run(network: EmbeddedNetwork, action: Any, *args: Any, lg: str = LG) -> Any:
    with network.node(f"registry:{lg}").unit_of_work() as uow:
        result = action(uow, *args)
        if isinstance(result, Resident):
            uow.session.expunge(result)
        return result


def card_read(network: EmbeddedNetwork, lg: str, resident_code: str, card: str) -> str:
    """本人確認 with the card at `lg`'s counter (001a §3.5): the 住民票コード and the
    カード発行番号 read from the presented card, confirmed at the national server and J-LIS's
    card system; returns the confirmation's id."""
    actor = Actor("kakari", "T1")
    ask = identity_confirmations.request
    check_id = run(network, ask, resident_code, actor, card, lg=lg)
    network.pump()
    return str(check_id)


def member(kanji: str, kana: str, birth: str, sex: str, relationship: str) -> dict[str, Any]:
    return {
        "name_kanji": kanji,
        "name_kana": kana,
        "birth_date": dt.date.fromisoformat(birth),
        "sex": sex,
        "relationship": relationship,
    }


FAMILY = [
    member("向島　一郎", "ムコウジマ　イチロウ", "1980-05-05", "1", "世帯主"),
    member("向島　和子", "ムコウジマ　カズコ", "1982-07-07", "2", "妻"),
    member("向島　健太", "ムコウジマ　ケンタ", "2012-01-20", "1", "子"),
]


def move_in_family(
    network: EmbeddedNetwork, members: list[dict[str, Any]] | None = None
) -> list[int]:
    """A household from abroad; numbers delivered. Returns 宛名番号, head first."""
    notice = schemas.HouseholdMoveInNotice(
        intake=INTAKE,
        change_date=TODAY,
        origin="abroad",
        address=ADDRESS,
        members=members or FAMILY,
    )
    events = run(network, arrivals.record_household_move_in, notice)
    network.pump()
    return [e.resident_id for e in events]


def household_of(network: EmbeddedNetwork, resident_id: int) -> int:
    return run(network, lambda uow: uow.session.get(Resident, resident_id).household_id)


def members_of(network: EmbeddedNetwork, household_id: int) -> dict[int, str]:
    return run(
        network,
        lambda uow: {m.id: m.relationship for m in households.members(uow, household_id)},
    )


def household_status(network: EmbeddedNetwork, household_id: int) -> str:
    return run(network, lambda uow: uow.session.get(Household, household_id).status)


def history_count(network: EmbeddedNetwork) -> int:
    with network.node(f"registry:{LG}").db.session() as session:
        return session.scalar(select(func.count()).select_from(ResidentHistory)) or 0


def notice(**extra: Any) -> dict[str, Any]:
    return {"change_date": TODAY} | extra
