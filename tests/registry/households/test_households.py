"""世帯: every 届出 keeps one 世帯主 per household, and a broken rule leaves nothing behind."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from juki.core.errors import InvalidInput, JukiError, NotFound
from juki.core.ids import resident_code_from_body
from juki.network.embedded import EmbeddedNetwork
from juki.registry.households import schemas as household_schemas
from juki.registry.models import Resident, ResidentHistory
from juki.registry.notices import arrivals, changes, moves, schemas
from juki.registry.residents.items import REGISTER_ITEMS, STORED_COLUMNS
from tests.e2e.test_chain import reconcile_differences
from tests.registry.helpers import (
    ADDRESS,
    FAMILY,
    INTAKE,
    TODAY,
    history_count,
    household_of,
    household_status,
    member,
    members_of,
    move_in_family,
    notice,
    run,
)


def test_the_register_file_has_the_84_items_of_the_seed() -> None:
    assert [item.no for item in REGISTER_ITEMS] == list(range(1, 85))
    assert len({item.name for item in REGISTER_ITEMS}) == 84
    for name in STORED_COLUMNS:
        assert name in Resident.__table__.columns
        assert name in ResidentHistory.__table__.columns  # history keeps every item
    derived = {i.no: i.source for i in REGISTER_ITEMS if i.source != "column"}
    assert derived == {2: "household", 3: "household", 6: "municipality", 12: "key"}


def test_a_household_moves_in_with_one_head(network: EmbeddedNetwork) -> None:
    head, wife, child = move_in_family(network)
    household = household_of(network, head)
    assert members_of(network, household) == {head: "世帯主", wife: "妻", child: "子"}


@pytest.mark.parametrize(
    ("relationships", "message"),
    [(["妻", "子"], "世帯主を一人"), (["世帯主", "世帯主"], "世帯主を一人")],
)
def test_a_household_move_in_needs_exactly_one_head(
    sqlite_network: EmbeddedNetwork, relationships: list[str], message: str
) -> None:
    people = [
        member("甲　一", "コウ　イチ", "1970-01-01", "1", relationships[0]),
        member("甲　二", "コウ　ニ", "1971-01-01", "2", relationships[1]),
    ]
    before = history_count(sqlite_network)
    with pytest.raises(InvalidInput, match=message) as err:
        move_in_family(sqlite_network, people)
    assert err.value.field == "members"
    assert history_count(sqlite_network) == before


def test_a_birth_joins_the_household_as_a_child(network: EmbeddedNetwork) -> None:
    head, *_ = move_in_family(network)
    household = household_of(network, head)
    born = run(
        network,
        arrivals.record_birth,
        schemas.BirthNotice(
            **notice(change_date=TODAY - dt.timedelta(days=2)),
            name_kanji="向島　さくら",
            name_kana="ムコウジマ　サクラ",
            birth_date=TODAY - dt.timedelta(days=2),
            sex="2",
            address=ADDRESS,
            household_id=household,
            relationship="子",
        ),
    )
    assert members_of(network, household)[born.resident_id] == "子"


@pytest.mark.parametrize(
    ("placement", "error", "field"),
    [
        ({"household_id": 999_999, "relationship": "子"}, NotFound, "household_id"),
        ({"relationship": "子"}, InvalidInput, "relationship"),
        ({"household_id": "HOUSEHOLD", "relationship": "世帯主"}, InvalidInput, "relationship"),
        ({"household_id": "HOUSEHOLD", "relationship": "子", "address": "東京都墨田区押上1-1"},
         InvalidInput, "address"),
    ],
)  # fmt: skip
def test_birth_preconditions(
    sqlite_network: EmbeddedNetwork, placement: dict[str, object], error: type, field: str
) -> None:
    head, *_ = move_in_family(sqlite_network)
    if placement.get("household_id") == "HOUSEHOLD":
        placement = placement | {"household_id": household_of(sqlite_network, head)}
    body = {
        "change_date": TODAY,
        "name_kanji": "乙　花",
        "name_kana": "オツ　ハナ",
        "birth_date": TODAY,
        "sex": "2",
        "address": ADDRESS,
    } | placement
    before = history_count(sqlite_network)
    with pytest.raises(error) as err:
        run(sqlite_network, arrivals.record_birth, schemas.BirthNotice.model_validate(body))
    assert err.value.field == field
    assert history_count(sqlite_network) == before


def test_the_head_dies_and_a_new_head_is_named(network: EmbeddedNetwork) -> None:
    head, wife, child = move_in_family(network)
    household = household_of(network, head)
    before = history_count(network)
    with pytest.raises(InvalidInput, match="世帯主がいません") as err:
        run(network, moves.record_death, head, schemas.DeathNotice(**notice()))
    assert err.value.field == "relationships"
    assert history_count(network) == before  # nothing half-written
    run(
        network,
        moves.record_death,
        head,
        schemas.DeathNotice(**notice(), relationships={wife: "世帯主"}),
    )
    network.pump()
    assert members_of(network, household) == {wife: "世帯主", child: "子"}
    assert reconcile_differences(network) == 0


def test_part_of_a_household_moves_and_forms_a_new_one(network: EmbeddedNetwork) -> None:
    head, wife, child = move_in_family(network)
    old = household_of(network, head)
    move = schemas.MoveWithinNotice(
        intake=INTAKE, **notice(), address="東京都墨田区押上一丁目1番2号"
    )
    with pytest.raises(InvalidInput, match="世帯主がいません"):
        run(network, moves.record_move_within, child, move)
    run(
        network,
        moves.record_move_within,
        child,
        move.model_copy(update={"relationships": {child: household_schemas.Relationship.HEAD}}),
    )
    network.pump()
    new = household_of(network, child)
    assert new != old
    assert members_of(network, new) == {child: "世帯主"}
    assert members_of(network, old) == {head: "世帯主", wife: "妻"}
    assert reconcile_differences(network) == 0


def test_the_whole_household_moves_out_and_the_household_ends(
    network: EmbeddedNetwork,
) -> None:
    head, wife, child = move_in_family(network)
    household = household_of(network, head)
    out = schemas.MoveOutNotice(
        intake=INTAKE,
        **notice(),
        destination_address="埼玉県川越市元町一丁目1番1号",
        members=[wife, child],
    )
    run(network, moves.record_move_out, head, out)
    network.pump()
    assert members_of(network, household) == {}
    assert household_status(network, household) == "dissolved"
    assert reconcile_differences(network) == 0


def test_members_moving_together_must_share_the_household(
    sqlite_network: EmbeddedNetwork,
) -> None:
    head, *_ = move_in_family(sqlite_network)
    other, *_ = move_in_family(sqlite_network, [FAMILY[0] | {"name_kanji": "別　人"}])
    move = schemas.MoveWithinNotice(
        intake=INTAKE, **notice(), address="東京都墨田区押上一丁目1番2号", members=[other]
    )
    with pytest.raises(InvalidInput) as err:
        run(sqlite_network, moves.record_move_within, head, move)
    assert err.value.field == "members"


def test_household_split_merge_and_head_change(sqlite_network: EmbeddedNetwork) -> None:
    net = sqlite_network
    head, wife, child = move_in_family(net)
    household = household_of(net, head)
    split = schemas.HouseholdChangeNotice(
        intake=INTAKE, **notice(), kind="split", members=[child], relationships={child: "世帯主"}
    )
    run(net, changes.change_household, household, split)
    new = household_of(net, child)
    assert members_of(net, new) == {child: "世帯主"}

    merge = schemas.HouseholdChangeNotice(
        intake=INTAKE, **notice(), kind="merge", from_household_id=new, relationships={child: "子"}
    )
    run(net, changes.change_household, household, merge)
    assert members_of(net, household) == {head: "世帯主", wife: "妻", child: "子"}
    assert household_status(net, new) == "dissolved"

    swap = schemas.HouseholdChangeNotice(
        intake=INTAKE, **notice(), kind="head_change", relationships={head: "夫", wife: "世帯主"}
    )
    run(net, changes.change_household, household, swap)
    assert members_of(net, household) == {wife: "世帯主", head: "夫", child: "子"}

    with pytest.raises(InvalidInput, match="世帯主が複数"):
        run(
            net,
            changes.change_household,
            household,
            schemas.HouseholdChangeNotice(
                intake=INTAKE, **notice(), kind="head_change", relationships={child: "世帯主"}
            ),
        )


def test_cancelling_a_move_restores_it_and_tells_the_network(network: EmbeddedNetwork) -> None:
    (head,) = move_in_family(network, FAMILY[:1])
    run(
        network,
        moves.record_move_within,
        head,
        schemas.MoveWithinNotice(intake=INTAKE, **notice(), address="東京都墨田区押上一丁目1番2号"),
    )
    network.pump()
    version = run(
        network,
        changes.cancel_last_change,
        head,
        schemas.CancellationNotice(**notice(), reason="別人の転居届を誤って記録"),
    )
    network.pump()
    person = run(network, lambda uow: uow.session.get(Resident, head))
    assert person.address == ADDRESS
    assert person.change_reason == "cancellation"
    rows = run(
        network,
        lambda uow: [
            (h.version, h.change_reason, h.cancels_version, h.address)
            for h in uow.session.query(ResidentHistory)
            .filter_by(resident_id=head)
            .order_by(ResidentHistory.version)
        ],
    )
    assert rows[-1] == (version, "cancellation", version - 1, ADDRESS)
    assert rows[-2][1] == "move_within"  # the undone row is kept as it was
    assert reconcile_differences(network) == 0
    with pytest.raises(JukiError, match="取り消せる異動がありません"):
        run(
            network,
            changes.cancel_last_change,
            head,
            schemas.CancellationNotice(**notice(), reason="x"),
        )


def test_an_unreported_move_in_keeps_its_period(sqlite_network: EmbeddedNetwork) -> None:
    late = schemas.HouseholdMoveInNotice(
        intake=INTAKE,
        change_date=TODAY - dt.timedelta(days=60),
        notified_on=TODAY,
        origin="abroad",
        address=ADDRESS,
        members=FAMILY[:1],
    )
    body = late.model_dump(exclude={"members"}) | FAMILY[0]
    del body["relationship"]
    body["unreported_from"] = TODAY - dt.timedelta(days=46)
    notice_ = schemas.MoveInNotice(**body)
    rid = run(sqlite_network, arrivals.record_move_in, notice_).resident_id
    person = run(sqlite_network, lambda uow: uow.session.get(Resident, rid))
    assert (person.unreported_from, person.unreported_until) == (
        TODAY - dt.timedelta(days=46),
        TODAY,
    )
    with pytest.raises(InvalidInput) as err:
        run(
            sqlite_network,
            arrivals.record_move_in,
            notice_.model_copy(update={"unreported_from": TODAY + dt.timedelta(days=1)}),
        )
    assert err.value.field == "unreported_from"


def test_a_household_move_in_names_the_member_at_fault(sqlite_network: EmbeddedNetwork) -> None:
    code = resident_code_from_body("1234567890")
    people = [FAMILY[0], FAMILY[1] | {"resident_code": code}]  # a code without its number
    notice_ = schemas.HouseholdMoveInNotice(
        intake=INTAKE, change_date=TODAY, origin="abroad", address=ADDRESS, members=people
    )
    with pytest.raises(ValidationError, match="チェックディジット"):
        schemas.MoveInMember(**FAMILY[1] | {"resident_code": "12345678901"})
    with pytest.raises(InvalidInput) as err:
        run(sqlite_network, arrivals.record_household_move_in, notice_)
    assert err.value.field == "members.1.individual_number"


def test_roman_name_and_last_registered_address_are_kept(sqlite_network: EmbeddedNetwork) -> None:
    returning = schemas.HouseholdMoveInNotice(
        intake=INTAKE,
        change_date=TODAY,
        origin="abroad",
        address=ADDRESS,
        last_registered_lg_code="112011",
        last_registered_address="埼玉県川越市元町一丁目1番1号",
        members=[FAMILY[0] | {"name_roman": "MUKOJIMA ICHIRO"}],
    )
    (event,) = run(sqlite_network, arrivals.record_household_move_in, returning)
    person = run(sqlite_network, lambda uow: uow.session.get(Resident, event.resident_id))
    assert person.name_roman == "MUKOJIMA ICHIRO"
    assert (person.last_registered_lg_code, person.last_registered_address) == (
        "112011",
        "埼玉県川越市元町一丁目1番1号",
    )
    with pytest.raises(ValidationError):
        schemas.MoveInMember(**FAMILY[0] | {"name_roman": "向島"})
