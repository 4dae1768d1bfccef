"""職権記載・職権回復・職権消除・失踪宣告 and 戸籍通知 — each reaching every tier as it should."""

from __future__ import annotations

import datetime as dt

import pytest

from juki.core.errors import Conflict, InvalidInput
from juki.network.embedded import EmbeddedNetwork
from juki.registry.ex_officio import schemas as ex_officio_schemas
from juki.registry.ex_officio import service as ex_officio
from juki.registry.notices import schemas
from juki.registry.residents.models import Resident
from tests.e2e.test_chain import reconcile_differences
from tests.registry.helpers import ADDRESS, FAMILY, move_in_family, notice, run

PERSON = {
    "name_kanji": "錦糸　町子",
    "name_kana": "キンシ　マチコ",
    "birth_date": dt.date(1990, 6, 1),
    "sex": "1",
    "address": ADDRESS,
}


def get(network: EmbeddedNetwork, rid: int) -> Resident:
    return run(network, lambda uow: uow.session.get(Resident, rid))


def test_ex_officio_removal_restore_and_disappearance(network: EmbeddedNetwork) -> None:
    head, wife, child = move_in_family(network)
    with pytest.raises(InvalidInput, match="世帯主がいません"):
        run(network, ex_officio.record_ex_officio_removal, head, schemas.DeathNotice(**notice()))
    removal = schemas.DeathNotice(**notice(), relationships={wife: "世帯主"})
    run(network, ex_officio.record_ex_officio_removal, head, removal)
    network.pump()
    assert get(network, head).removal_kind == "ex_officio"

    restored = ex_officio_schemas.RestoreNotice(
        **notice(), household_id=get(network, wife).household_id, relationship="夫",
        evidence="居住の実態を確認",
    )  # fmt: skip
    run(network, ex_officio.restore, head, restored)
    network.pump()
    person = get(network, head)
    assert (person.status, person.relationship) == ("resident", "夫")

    run(network, ex_officio.record_disappearance, child, schemas.DeathNotice(**notice()))
    network.pump()
    assert get(network, child).removal_kind == "disappearance"
    with pytest.raises(Conflict):
        run(network, ex_officio.restore, child, restored)
    assert reconcile_differences(network) == 0


def test_ex_officio_entry_gets_a_code_and_a_number(network: EmbeddedNetwork) -> None:
    entry = ex_officio_schemas.ExOfficioEntryNotice(
        **notice(), **PERSON, evidence="実態調査で居住を確認"
    )
    rid = run(network, ex_officio.record_entry, entry).resident_id
    network.pump()
    person = get(network, rid)
    assert not person.awaiting_number
    assert person.remarks.startswith("職権記載")
    assert reconcile_differences(network) == 0


def test_koseki_notice_changes_name_and_domicile(network: EmbeddedNetwork) -> None:
    (rid,) = move_in_family(network, FAMILY[:1])
    only_domicile = ex_officio_schemas.KosekiNotice(
        **notice(), domicile="東京都墨田区向島一丁目", family_head_name="向島　一郎"
    )
    assert run(network, ex_officio.record_koseki_notice, rid, only_domicile) is None
    renamed = ex_officio_schemas.KosekiNotice(**notice(), name_kanji="向嶋　一郎")
    assert run(network, ex_officio.record_koseki_notice, rid, renamed) is not None
    network.pump()
    person = get(network, rid)
    assert (person.name_kanji, person.domicile) == ("向嶋　一郎", "東京都墨田区向島一丁目")
    assert reconcile_differences(network) == 0
    with pytest.raises(InvalidInput):
        run(
            network,
            ex_officio.record_koseki_notice,
            rid,
            ex_officio_schemas.KosekiNotice(**notice()),
        )
