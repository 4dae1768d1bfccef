"""The foreign residents' events (法30条の46, 30条の47, 30条の50 通知, 通称, 帰化) — each
reaching every tier as it should, and each prepared as a notice to 法務大臣."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from juki.core.errors import InvalidInput
from juki.network.embedded import EmbeddedNetwork
from juki.registry.foreign import schemas as foreign_schemas
from juki.registry.foreign import service as foreign
from juki.registry.residents.models import ImmigrationNotice, Resident
from tests.e2e.test_chain import reconcile_differences
from tests.registry.helpers import ADDRESS, INTAKE, TODAY, notice, run

PERSON = {
    "name_kanji": "SMITH JOHN",
    "name_kana": "スミス　ジョン",
    "birth_date": dt.date(1990, 6, 1),
    "sex": "1",
    "address": ADDRESS,
}
CARD = {
    "nationality_code": "GBR",
    "nationality": "英国",
    "foreign_category": "中長期在留者",
    "residence_card_no": "AB12345678CD",
    "residence_status": "技術・人文知識・国際業務",
    "period_of_stay": "3年",
    "stay_expires_on": dt.date(2029, 6, 1),
}


def get(network: EmbeddedNetwork, rid: int) -> Resident:
    return run(network, lambda uow: uow.session.get(Resident, rid))


def immigration_kinds(network: EmbeddedNetwork, rid: int) -> list[str]:
    return run(
        network,
        lambda uow: list(
            uow.session.scalars(
                select(ImmigrationNotice.kind)
                .where(ImmigrationNotice.resident_id == rid)
                .order_by(ImmigrationNotice.id)
            )
        ),
    )


def test_foreign_resident_life(network: EmbeddedNetwork) -> None:
    moved_in = foreign_schemas.ForeignMoveInNotice(
        intake=INTAKE, **notice(), **PERSON, residence=CARD, alias="山田太郎"
    )
    rid = run(network, foreign.record_move_in, moved_in).resident_id
    network.pump()
    person = get(network, rid)
    assert (person.foreign_category, person.residence_card_no) == ("中長期在留者", "AB12345678CD")
    assert person.foreign_true_name == "SMITH JOHN"
    assert json.loads(person.alias_history) == [{"alias": "山田太郎", "on": TODAY.isoformat()}]
    assert not person.awaiting_number

    renewal = foreign_schemas.ImmigrationNoticeEntry(
        **notice(), stay_expires_on=dt.date(2032, 6, 1)
    )
    run(network, foreign.enter_immigration_notice, rid, renewal)
    run(network, foreign.record_alias, rid, foreign_schemas.AliasNotice(**notice()))
    assert get(network, rid).alias is None
    assert len(json.loads(get(network, rid).alias_history)) == 2

    nationals = foreign_schemas.NaturalizationNotice(
        **notice(), name_kanji="墨田　譲", name_kana="スミダ　ジョウ",
        domicile="東京都墨田区吾妻橋一丁目1番", family_head_name="墨田　譲",
    )  # fmt: skip
    run(network, foreign.naturalize, rid, nationals)
    network.pump()
    person = get(network, rid)
    assert person.foreign_category is None
    assert person.residence_card_no is None
    assert (person.name_kanji, person.domicile) == ("墨田　譲", "東京都墨田区吾妻橋一丁目1番")
    kinds = immigration_kinds(network, rid)
    assert kinds == ["move_in_from_abroad", "alias", "naturalization"]
    assert reconcile_differences(network) == 0


def test_a_mid_long_term_resident_needs_the_card_items(sqlite_network: EmbeddedNetwork) -> None:
    card = CARD | {"residence_card_no": None}
    body = foreign_schemas.ForeignMoveInNotice(intake=INTAKE, **notice(), **PERSON, residence=card)
    with pytest.raises(InvalidInput) as err:
        run(sqlite_network, foreign.record_move_in, body)
    assert err.value.field == "residence_card_no"
    with pytest.raises(ValidationError, match="在留カード番号"):
        foreign_schemas.ForeignMoveInNotice(
            intake=INTAKE, **notice(), **PERSON, residence=CARD | {"residence_card_no": "12"}
        )


def test_status_acquired_here_makes_a_record(network: EmbeddedNetwork) -> None:
    special = CARD | {"foreign_category": "特別永住者", "residence_card_no": None}
    entry = foreign_schemas.ForeignEntryNotice(
        intake=INTAKE, **notice(), **PERSON, residence=special
    )
    rid = run(network, foreign.record_entry, entry).resident_id
    network.pump()
    assert immigration_kinds(network, rid) == ["foreign_entry"]
    assert reconcile_differences(network) == 0
