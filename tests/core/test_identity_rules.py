"""The logic checks every tier runs (000 Appendix B; 002 §6.1 1-②d), as pure functions."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from juki.core.errors import Conflict
from juki.core.identity import check_update
from juki.core.messages import ChangeReason, IdentityRecord

NUMBER, INDEX = "123456789018", "index-of-number"


def record(**overrides: Any) -> IdentityRecord:
    base: dict[str, Any] = {
        "update_id": "u-00000001",
        "resident_code": "24727059608",
        "name_kanji": "墨田\u3000花子",
        "name_kana": "スミダ\u3000ハナコ",
        "birth_date": dt.date(1990, 4, 1),
        "sex": "2",
        "address": "東京都墨田区吾妻橋1",
        "lg_code": "131075",
        "individual_number": NUMBER,
        "reason": ChangeReason.MOVE_WITHIN,
        "change_date": dt.date(2026, 11, 1),
        "notified_on": dt.date(2026, 11, 1),
        "operator_id": "op",
        "terminal_id": "t1",
    }
    return IdentityRecord(**(base | overrides))


def current(**overrides: Any) -> SimpleNamespace:
    base = {
        "removed": False,
        "lg_code": "131075",
        "individual_number_index": INDEX,
        "update_seq": 3,
        "name_kanji": "墨田\u3000花子",
        "name_kana": "スミダ\u3000ハナコ",
        "birth_date": dt.date(1990, 4, 1),
        "sex": "2",
        "address": "東京都墨田区業平1",
        "town_code": "",
    }
    return SimpleNamespace(**(base | overrides))


def refusal(state: SimpleNamespace | None, update: IdentityRecord, index: str = INDEX) -> Conflict:
    with pytest.raises(Conflict) as caught:
        check_update(state, update, index)  # type: ignore[arg-type]
    return caught.value


def test_move_in_of_a_current_resident_of_the_same_municipality_is_an_error() -> None:
    error = refusal(current(), record(reason=ChangeReason.MOVE_IN))
    assert (error.code, error.field) == ("already_resident", "reason")


def test_move_in_from_another_municipality_before_its_move_out_arrives_is_accepted() -> None:
    verdict = check_update(current(lg_code="131016"), record(reason=ChangeReason.MOVE_IN), INDEX)  # type: ignore[arg-type]
    assert not verdict.history_only


def test_late_move_out_from_the_previous_municipality_is_kept_as_history() -> None:
    update = record(reason=ChangeReason.MOVE_OUT, lg_code="131016")
    assert check_update(current(), update, INDEX).history_only  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("item", "value"),
    [("name_kanji", "押上\u3000花子"), ("sex", "1"), ("birth_date", dt.date(1991, 1, 1))],
)
def test_move_within_changing_anything_but_the_address_is_an_error(item: str, value: Any) -> None:
    error = refusal(current(), record(**{item: value}))
    assert (error.code, error.field) == ("not_allowed", item)


def test_move_within_changing_only_the_address_passes() -> None:
    assert check_update(current(), record(), INDEX).supersede is not None  # type: ignore[arg-type]


def test_number_that_does_not_belong_to_the_code_is_an_error() -> None:
    error = refusal(current(), record(), index="another-index")
    assert (error.code, error.field) == ("number_mismatch", "individual_number")


def test_birth_of_an_existing_code_and_change_of_an_unknown_person_are_errors() -> None:
    assert refusal(current(), record(reason=ChangeReason.BIRTH)).code == "exists"
    assert refusal(None, record()).code == "unknown"


def test_changes_to_a_removed_person_are_errors() -> None:
    assert refusal(current(removed=True), record(reason=ChangeReason.DEATH)).code == "not_resident"


def test_number_change_may_change_only_the_number() -> None:
    update = record(reason=ChangeReason.NUMBER_CHANGE, address="東京都墨田区業平1")
    assert check_update(current(), update, "new-index").supersede is not None  # type: ignore[arg-type]
    error = refusal(current(), record(reason=ChangeReason.NUMBER_CHANGE), "new-index")
    assert error.field == "address"
