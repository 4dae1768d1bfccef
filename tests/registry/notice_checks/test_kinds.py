"""The kinds of 届出 that pass through 届出点検: a route names the service function itself,
and the name an entry stores for it never changes, so an entry kept before an upgrade is
applied after it by the same function."""

from __future__ import annotations

import pytest

from juki.core.errors import InvalidInput
from juki.registry.ex_officio import service as ex_officio
from juki.registry.foreign import service as foreign
from juki.registry.notice_checks import kinds
from juki.registry.notices import arrivals, changes, moves
from juki.registry.residents import service as residents
from juki.registry.transfers import service as transfers

# The names stored in `pending_notices.kind` (kept in every node's database), each
# with the service function that records it.
STORED = {
    "birth": arrivals.record_birth,
    "move_in": arrivals.record_move_in,
    "household_move_in": arrivals.record_household_move_in,
    "special_move_in": transfers.record_special_move_in,
    "foreign_move_in": foreign.record_move_in,
    "foreign_entry": foreign.record_entry,
    "ex_officio_entry": ex_officio.record_entry,
    "move_within": moves.record_move_within,
    "move_out": moves.record_move_out,
    "death": moves.record_death,
    "name_change": changes.record_name_change,
    "cancellation": changes.cancel_last_change,
    "resident_code_change": changes.change_resident_code,
    "number_change": changes.request_number_change,
    "restoration": ex_officio.restore,
    "ex_officio_removal": ex_officio.record_ex_officio_removal,
    "disappearance": ex_officio.record_disappearance,
    "koseki_notice": ex_officio.record_koseki_notice,
    "immigration_notice": foreign.enter_immigration_notice,
    "alias": foreign.record_alias,
    "naturalization": foreign.naturalize,
    "household_change": changes.change_household,
}


def test_each_stored_name_keeps_its_service_function() -> None:
    assert {name: kind.record for name, kind in kinds.KINDS.items()} == STORED


def test_a_service_function_names_its_kind_and_back() -> None:
    assert len(set(STORED.values())) == len(STORED)  # one function, one kind
    for name, record in STORED.items():
        assert kinds.name_of(record) == name
        assert kinds.kind_of(name).record is record


def test_a_function_that_records_no_notice_has_no_name() -> None:
    with pytest.raises(LookupError):
        kinds.name_of(residents.record_event)


def test_an_unknown_stored_name_is_refused_by_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        kinds.kind_of("adoption")
    assert refused.value.field == "kind"
