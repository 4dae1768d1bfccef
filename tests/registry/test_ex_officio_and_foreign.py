"""職権記載・職権消除・失踪宣告, 戸籍通知, and the foreign residents' events (法30条の46,
30条の47, 30条の50 通知, 通称, 帰化) — each reaching every tier as it should."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from juki.core.errors import Conflict, InvalidInput
from juki.network.embedded import EmbeddedNetwork
from juki.registry import ex_officio, foreign, schemas
from juki.registry.models import ImmigrationNotice, Resident
from tests.e2e.test_chain import reconcile_differences
from tests.registry.helpers import ADDRESS, FAMILY, INTAKE, TODAY, move_in_family, notice, run

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


def remove(uow: object, rid: int, body: schemas.DeathNotice) -> object:
    return ex_officio.record_removal(uow, rid, body, disappearance=False)  # type: ignore[arg-type]


def disappear(uow: object, rid: int, body: schemas.DeathNotice) -> object:
    return ex_officio.record_removal(uow, rid, body, disappearance=True)  # type: ignore[arg-type]


def test_foreign_resident_life(network: EmbeddedNetwork) -> None:
    moved_in = foreign.ForeignMoveInNotice(
        intake=INTAKE, **notice(), **PERSON, residence=CARD, alias="山田太郎"
    )
    rid = run(network, foreign.record_move_in, moved_in).resident_id
    network.pump()
    person = get(network, rid)
    assert (person.foreign_category, person.residence_card_no) == ("中長期在留者", "AB12345678CD")
    assert person.foreign_true_name == "SMITH JOHN"
    assert json.loads(person.alias_history) == [{"alias": "山田太郎", "on": TODAY.isoformat()}]
    assert not person.awaiting_number

    renewal = foreign.ImmigrationNoticeEntry(**notice(), stay_expires_on=dt.date(2032, 6, 1))
    run(network, foreign.enter_immigration_notice, rid, renewal)
    run(network, foreign.record_alias, rid, foreign.AliasNotice(**notice()))
    assert get(network, rid).alias is None
    assert len(json.loads(get(network, rid).alias_history)) == 2

    nationals = foreign.NaturalizationNotice(
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
    body = foreign.ForeignMoveInNotice(intake=INTAKE, **notice(), **PERSON, residence=card)
    with pytest.raises(InvalidInput) as err:
        run(sqlite_network, foreign.record_move_in, body)
    assert err.value.field == "residence_card_no"
    with pytest.raises(ValidationError, match="在留カード番号"):
        foreign.ForeignMoveInNotice(
            intake=INTAKE, **notice(), **PERSON, residence=CARD | {"residence_card_no": "12"}
        )


def test_status_acquired_here_makes_a_record(network: EmbeddedNetwork) -> None:
    special = CARD | {"foreign_category": "特別永住者", "residence_card_no": None}
    entry = foreign.ForeignEntryNotice(intake=INTAKE, **notice(), **PERSON, residence=special)
    rid = run(network, foreign.record_entry, entry).resident_id
    network.pump()
    assert immigration_kinds(network, rid) == ["foreign_entry"]
    assert reconcile_differences(network) == 0


def test_ex_officio_removal_restore_and_disappearance(network: EmbeddedNetwork) -> None:
    head, wife, child = move_in_family(network)
    with pytest.raises(InvalidInput, match="世帯主がいません"):
        run(network, remove, head, schemas.DeathNotice(**notice()))
    removal = schemas.DeathNotice(**notice(), relationships={wife: "世帯主"})
    run(network, remove, head, removal)
    network.pump()
    assert get(network, head).removal_kind == "ex_officio"

    restored = ex_officio.RestoreNotice(
        **notice(), household_id=get(network, wife).household_id, relationship="夫",
        evidence="居住の実態を確認",
    )  # fmt: skip
    run(network, ex_officio.restore, head, restored)
    network.pump()
    person = get(network, head)
    assert (person.status, person.relationship) == ("resident", "夫")

    run(network, disappear, child, schemas.DeathNotice(**notice()))
    network.pump()
    assert get(network, child).removal_kind == "disappearance"
    with pytest.raises(Conflict):
        run(network, ex_officio.restore, child, restored)
    assert reconcile_differences(network) == 0


def test_ex_officio_entry_gets_a_code_and_a_number(network: EmbeddedNetwork) -> None:
    entry = ex_officio.ExOfficioEntryNotice(
        **notice(), **PERSON | {"name_kanji": "錦糸　町子", "name_kana": "キンシ　マチコ"},
        evidence="実態調査で居住を確認",
    )  # fmt: skip
    rid = run(network, ex_officio.record_entry, entry).resident_id
    network.pump()
    person = get(network, rid)
    assert not person.awaiting_number
    assert person.remarks.startswith("職権記載")
    assert reconcile_differences(network) == 0


def test_koseki_notice_changes_name_and_domicile(network: EmbeddedNetwork) -> None:
    (rid,) = move_in_family(network, FAMILY[:1])
    only_domicile = ex_officio.KosekiNotice(
        **notice(), domicile="東京都墨田区向島一丁目", family_head_name="向島　一郎"
    )
    assert run(network, ex_officio.record_koseki_notice, rid, only_domicile) is None
    renamed = ex_officio.KosekiNotice(**notice(), name_kanji="向嶋　一郎")
    assert run(network, ex_officio.record_koseki_notice, rid, renamed) is not None
    network.pump()
    person = get(network, rid)
    assert (person.name_kanji, person.domicile) == ("向嶋　一郎", "東京都墨田区向島一丁目")
    assert reconcile_differences(network) == 0
    with pytest.raises(InvalidInput):
        run(network, ex_officio.record_koseki_notice, rid, ex_officio.KosekiNotice(**notice()))
