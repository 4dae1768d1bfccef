"""The identity update a tier accepts is closed (002 REQ-ACQ-03; 000 F2-ACQ-02): the items
the law has municipalities notify and nothing else. Every tier parses incoming records
with this model (`core/identity_apply.apply_records`), so an extra item fails the message."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from juki.core.messages import IdentityRecord, NumberRequest

VALID: dict[str, Any] = {
    "update_id": "0123456789abcdef", "resident_code": "24727059608",
    "name_kanji": "墨田　花子", "name_kana": "スミダ　ハナコ", "birth_date": dt.date(1990, 4, 1),
    "sex": "2", "address": "東京都墨田区吾妻橋一丁目2番3号", "lg_code": "131075",
    "individual_number": "123456789018", "reason": "move_within",
    "change_date": dt.date(2026, 11, 2), "notified_on": dt.date(2026, 11, 2),
    "operator_id": "sato.ichiro", "terminal_id": "counter-01",
}  # fmt: skip


def test_the_items_of_the_law_are_accepted() -> None:
    assert IdentityRecord.model_validate(VALID).resident_code == "24727059608"


@pytest.mark.parametrize("extra", ["blood_type", "household_id", "phone", "koseki_address"])
def test_an_update_with_an_extra_item_is_refused(extra: str) -> None:
    with pytest.raises(ValidationError) as refused:
        IdentityRecord.model_validate(VALID | {extra: "x"})
    assert refused.value.errors()[0]["loc"] == (extra,)
    assert refused.value.errors()[0]["type"] == "extra_forbidden"


NUMBER_REQUEST: dict[str, Any] = {
    "request_id": "req-00000001", "lg_code": "131075", "resident_code": "24727059608",
    "kind": "generate", "operator_id": "sato.ichiro",
}  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [{"individual_number": "123456789018"},  # the generator gets no other item (F1-ACQ-02)
     {"name_kana": "スミダ　ハナコ"},
     {"kind": "change"},  # a change without the previous number (F1-ACQ-04)
     {"old_individual_number": "123456789018"},  # a generation naming an old number
     {"resident_code": None}],  # no code
)  # fmt: skip
def test_a_number_request_carries_the_code_and_only_what_its_kind_needs(
    change: dict[str, Any],
) -> None:
    """000 F1-ACQ-02/04: the generator receives the 住民票コード (and, for a change, the
    previous 個人番号) and nothing else."""
    with pytest.raises(ValidationError):
        NumberRequest.model_validate(NUMBER_REQUEST | change)
    assert NumberRequest.model_validate(NUMBER_REQUEST).kind == "generate"
    changed = NUMBER_REQUEST | {"kind": "change", "old_individual_number": "123456789018"}
    assert NumberRequest.model_validate(changed).old_individual_number == "123456789018"
