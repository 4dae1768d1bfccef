"""The identity update a tier accepts is closed (002 REQ-ACQ-03; 000 F2-ACQ-02): the items
the law has municipalities notify and nothing else. Every tier parses incoming records
with this model (`core/identity_apply.apply_records`), so an extra item fails the message."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from juki.core.messages import (
    DestinationInfo,
    DestinationNotice,
    IdentityRecord,
    MoveInNotice,
    MoveOutCertReply,
    MoveOutCertRequest,
    NumberCheck,
    NumberRequest,
    PoolRequest,
    Strict,
    WideAreaCopy,
    WideAreaRequest,
    destination_digest,
)
from juki.registry.cards import destination_info

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


@pytest.mark.parametrize(
    ("field", "value"),
    [("resident_code", "24727059607"),  # check digit 8
     ("previous_resident_code", "24727059609"),
     ("individual_number", "123456789017")],  # check digit 8
)  # fmt: skip
def test_a_code_or_number_with_a_wrong_check_digit_is_refused_naming_the_field(
    field: str, value: str
) -> None:
    """002 REQ-ACQ-08b: every tier re-runs the CS's check-digit checks on what it receives."""
    with pytest.raises(ValidationError) as refused:
        IdentityRecord.model_validate(VALID | {field: value})
    [error] = refused.value.errors()
    assert error["loc"] == (field,)
    assert "チェックディジット" in error["msg"]


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


def a_destination_record() -> dict[str, Any]:
    """One person's 送付先情報 as the registry builds it (001a §4.3.3)."""
    row = {
        "resident_code": "24727059608", "name_kanji": "墨田　花子", "name_kana": "スミダ　ハナコ",
        "birth_date": dt.date(1990, 4, 1), "sex": "2", "postal_code": "1300001",
        "address": "東京都墨田区吾妻橋一丁目2番3号",
    }  # fmt: skip
    office = destination_info.office_of("131075")
    return destination_info.build(
        row, "123456789018", office, "test-0001-destination", "sato.ichiro", "counter-01"
    )


# Every other message the CS takes from its registry or relays between municipalities
# (001a ACQ-1-8): the valid form of each, which an extra item must spoil.
CLOSED: dict[str, tuple[type[Strict], dict[str, Any]]] = {
    "number_request": (NumberRequest, NUMBER_REQUEST),
    "pool_request": (PoolRequest, {"lg_code": "131075", "count": 10}),
    "number_check": (NumberCheck, {
        "check_id": "chk-00000001", "lg_code": "131075", "resident_code": "24727059608",
        "individual_number": "123456789018"}),
    "moveout_cert_request": (MoveOutCertRequest, {
        "request_id": "req-00000002", "requesting_lg_code": "112011",
        "former_lg_code": "131075", "resident_code": "24727059608"}),
    "moveout_cert": (MoveOutCertReply, {
        "request_id": "req-00000002", "requesting_lg_code": "112011",
        "former_lg_code": "131075", "certificate": {"name_kanji": "墨田　花子"}}),
    "movein_notice": (MoveInNotice, {
        "resident_code": "24727059608", "former_lg_code": "131075", "new_lg_code": "112011",
        "address": "埼玉県川越市元町一丁目3番1号", "moved_in_on": dt.date(2026, 11, 2)}),
    "widearea_request": (WideAreaRequest, {
        "request_id": "req-00000003", "requesting_lg_code": "112011", "home_lg_code": "131075",
        "resident_code": "24727059608"}),
    "widearea_copy": (WideAreaCopy, {
        "request_id": "req-00000003", "requesting_lg_code": "112011", "home_lg_code": "131075",
        "copy_items": {"name_kanji": "墨田　花子"}}),
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(CLOSED))
@pytest.mark.parametrize("extra", ["individual_number", "koseki_address", "phone"])
def test_every_message_the_cs_takes_is_a_closed_item_list(kind: str, extra: str) -> None:
    """001a ACQ-1-8: number and pool requests, number checks and the messages between
    municipalities (転出証明書情報 and its request, 転入通知, 広域交付) accept their own
    items and refuse any other, naming it."""
    model, valid = CLOSED[kind]
    model.model_validate(valid)  # the valid form passes
    if extra in model.model_fields:
        return  # the item is one of this type's own (a number check's 個人番号)
    with pytest.raises(ValidationError) as refused:
        model.model_validate(valid | {extra: "x"})
    [error] = refused.value.errors()
    assert (error["loc"], error["type"]) == ((extra,), "extra_forbidden")


@pytest.mark.parametrize("extra", ["notes", "household_id", "koseki_address"])
def test_destination_info_refuses_an_extra_item(extra: str) -> None:
    """001a ACQ-1-8 for 送付先情報 (File 3): the 67 prescribed items and nothing else, as a
    record and as the notice that carries it (the CS's own refusal of such a notice is
    tests/cs/test_destination_file.py::
    test_a_record_out_of_the_prescribed_format_is_refused_naming_the_item)."""
    record = a_destination_record()
    assert DestinationInfo.model_validate(record).resident_code == "24727059608"
    with pytest.raises(ValidationError) as refused:
        DestinationInfo.model_validate(record | {extra: "x"})
    [error] = refused.value.errors()
    assert (error["loc"], error["type"]) == ((extra,), "extra_forbidden")
    notice = {"record": record, "digest": destination_digest(record)}
    assert DestinationNotice.model_validate(notice).info().resident_code == "24727059608"
    with pytest.raises(ValidationError):
        DestinationNotice.model_validate(notice | {extra: "x"})
    padded = record | {extra: "x"}
    with pytest.raises(ValidationError):
        DestinationNotice.model_validate(
            {"record": padded, "digest": destination_digest(padded)}
        ).info()
