"""届出受付記録 (001a ACQ-2-1, ACQ-3-1, ACQ-3-5; 001b C-03): a 届出 taken at the counter
cannot be recorded without who notified, the identity document seen (from a fixed list)
and, for an agent, the power of attorney checked; the record is kept and its events name it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from juki.network.embedded import EmbeddedNetwork
from juki.registry.models import IntakeRecord, Resident, ResidentEvent
from juki.registry.notices import intake, moves, schemas
from tests.conftest import api_client
from tests.registry.helpers import ADDRESS, FAMILY, INTAKE, LG, TODAY, move_in_family, run

FROM_ABROAD = {
    "name_kanji": "墨田\u3000花子",
    "name_kana": "スミダ\u3000ハナコ",
    "birth_date": "1990-04-01",
    "sex": "2",
    "address": ADDRESS,
    "change_date": TODAY.isoformat(),
    "origin": "abroad",
}


def counts(network: EmbeddedNetwork) -> tuple[int, int, int]:
    with network.node(f"registry:{LG}").db.session() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in (Resident, ResidentEvent, IntakeRecord)
        )


def test_one_intake_per_notice_named_by_each_of_its_events(network: EmbeddedNetwork) -> None:
    ids = move_in_family(network)  # one 転入届 for a household of three
    with network.node(f"registry:{LG}").db.session() as session:
        (record,) = session.scalars(select(IntakeRecord)).all()
        events = session.scalars(select(ResidentEvent)).all()
    assert (record.kind, record.notifier, record.id_document) == (
        "転入届（世帯）",
        "本人",
        "個人番号カード",
    )
    assert record.operator_id
    assert record.terminal_id
    assert len(events) == len(ids) == len(FAMILY)
    assert {e.intake_id for e in events} == {record.intake_id}

    # A 転居 by an agent, with the power of attorney checked and the slip's reference.
    by_agent = schemas.Intake(
        notifier=schemas.NotifierType.AGENT,
        id_document=schemas.IdDocument.DRIVERS_LICENCE,
        proxy_letter_checked=True,
        slip_reference="R8-000123",
    )
    notice = schemas.MoveWithinNotice(
        intake=by_agent, change_date=TODAY, address="東京都墨田区押上一丁目1番2号", members=ids[1:]
    )
    event = run(network, moves.record_move_within, ids[0], notice)
    found = run(network, intake.of_event, event.update_id)
    assert (found.kind, found.notifier, found.proxy_letter_checked, found.slip_reference) == (
        "転居届",
        "代理人",
        True,
        "R8-000123",
    )


@pytest.mark.parametrize(
    ("given", "field"),
    [
        (None, "intake"),
        ({"id_document": "個人番号カード"}, "intake.notifier"),
        ({"notifier": "本人"}, "intake.id_document"),
        ({"notifier": "本人", "id_document": "図書館カード"}, "intake.id_document"),
        ({"notifier": "隣人", "id_document": "旅券"}, "intake.notifier"),
        ({"notifier": "代理人", "id_document": "旅券"}, "intake.proxy_letter_checked"),
        (
            {"notifier": "本人", "id_document": "旅券", "slip_reference": "山田/1"},
            "intake.slip_reference",
        ),
        ({"notifier": "本人", "id_document": "旅券", "seen_by": "x"}, "intake.seen_by"),
    ],
)
def test_a_notice_without_a_complete_intake_is_refused_and_nothing_stored(
    network: EmbeddedNetwork, given: dict[str, Any] | None, field: str
) -> None:
    client = api_client(network)
    body = FROM_ABROAD | ({"intake": given} if given is not None else {})
    response = client.post(f"/registry/{LG}/move-ins", json=body)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    assert counts(network) == (0, 0, 0)


def test_the_counter_notices_all_require_an_intake() -> None:
    """Every 届出 of 住基法 第22条–第25条 and 第30条の46–第30条の47 that the counter takes."""
    from juki.registry.foreign import schemas as foreign_schemas
    from juki.registry.transfers import schemas as transfer_schemas

    received = [
        schemas.MoveInNotice,
        schemas.HouseholdMoveInNotice,
        schemas.MoveWithinNotice,
        schemas.MoveOutNotice,
        schemas.HouseholdChangeNotice,
        transfer_schemas.SpecialMoveInNotice,
        foreign_schemas.ForeignMoveInNotice,
        foreign_schemas.ForeignEntryNotice,
    ]
    for notice in received:
        assert notice.model_fields["intake"].is_required(), notice.__name__


def test_an_accepted_notice_by_api_keeps_its_intake(network: EmbeddedNetwork) -> None:
    client = api_client(network)
    body = FROM_ABROAD | {"intake": INTAKE.model_dump(mode="json")}
    response = client.post(f"/registry/{LG}/move-ins", json=body)
    assert response.status_code == 201, response.text
    assert counts(network) == (1, 1, 1)
    found = run(network, intake.of_event, response.json()["id"])
    assert found is not None
    assert found.kind == "転入届"
