"""The kinds of 届出 that pass through 届出点検, each written out with the service function
that records it.

A route names the service function itself (`service.submit(uow, moves.record_move_out, …)`);
an entry kept for its check stores the kind's name (`PendingNotice.kind`), and the check
applies it by that name. The names are stored in every node's database: they never change
(`tests/registry/notice_checks/test_kinds.py` pins each to its function), so an entry kept
before an upgrade is applied after it by the same function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from juki.core.errors import InvalidInput
from juki.core.messaging.node import UnitOfWork
from juki.registry.ex_officio import schemas as ex_officio_schemas
from juki.registry.ex_officio import service as ex_officio
from juki.registry.foreign import schemas as foreign_schemas
from juki.registry.foreign import service as foreign
from juki.registry.notices import arrivals, changes, moves, schemas
from juki.registry.residents.schemas import Notice
from juki.registry.transfers import service as transfers
from juki.registry.transfers.schemas import SpecialMoveInNotice

# A service function that records one 届出: (uow, notice) for a 届出 that brings a person
# in, (uow, 宛名番号 or 世帯番号, notice) for one about a resident or a household.
Record = Callable[..., Any]
Target = Literal["resident", "household"]


@dataclass(frozen=True)
class Kind:
    """One kind of 届出: its name (also the 届出受付記録's), the notice it takes, the
    service function that records it, and what it concerns besides the notice itself."""

    label: str
    schema: type[Notice]
    record: Record
    target: Target | None = None

    def apply(self, uow: UnitOfWork, target: int | None, notice: Notice) -> Any:
        """Record `notice` by the kind's service function (on `target` if it has one)."""
        if self.target is None:
            return self.record(uow, notice)
        assert target is not None
        return self.record(uow, target, notice)


# Every input the register takes from the counter and the API, 職権修正 aside: what 001a
# ACQ-3-4 asks a second person to check (every input, deletion and correction).
KINDS: dict[str, Kind] = {
    "birth": Kind("出生届", schemas.BirthNotice, arrivals.record_birth),
    "move_in": Kind("転入届", schemas.MoveInNotice, arrivals.record_move_in),
    "household_move_in": Kind(
        "転入届（世帯）", schemas.HouseholdMoveInNotice, arrivals.record_household_move_in
    ),
    "special_move_in": Kind(
        "転入届（特例転入）", SpecialMoveInNotice, transfers.record_special_move_in
    ),
    "foreign_move_in": Kind(
        "転入届（法30条の46）", foreign_schemas.ForeignMoveInNotice, foreign.record_move_in
    ),
    "foreign_entry": Kind(
        "法30条の47の届出", foreign_schemas.ForeignEntryNotice, foreign.record_entry
    ),
    "ex_officio_entry": Kind(
        "職権記載", ex_officio_schemas.ExOfficioEntryNotice, ex_officio.record_entry
    ),
    "move_within": Kind("転居届", schemas.MoveWithinNotice, moves.record_move_within, "resident"),
    "move_out": Kind("転出届", schemas.MoveOutNotice, moves.record_move_out, "resident"),
    "death": Kind("死亡届", schemas.DeathNotice, moves.record_death, "resident"),
    "name_change": Kind(
        "氏名の変更", schemas.NameChangeNotice, changes.record_name_change, "resident"
    ),
    "cancellation": Kind(
        "異動の取消し", schemas.CancellationNotice, changes.cancel_last_change, "resident"
    ),
    "resident_code_change": Kind(
        "住民票コードの変更請求",
        schemas.ResidentCodeChangeNotice,
        changes.change_resident_code,
        "resident",
    ),
    "number_change": Kind(
        "個人番号の変更", schemas.NumberChangeNotice, changes.request_number_change, "resident"
    ),
    "restoration": Kind(
        "職権回復", ex_officio_schemas.RestoreNotice, ex_officio.restore, "resident"
    ),
    "ex_officio_removal": Kind(
        "職権消除", schemas.DeathNotice, ex_officio.record_ex_officio_removal, "resident"
    ),
    "disappearance": Kind(
        "失踪宣告", schemas.DeathNotice, ex_officio.record_disappearance, "resident"
    ),
    "koseki_notice": Kind(
        "戸籍通知", ex_officio_schemas.KosekiNotice, ex_officio.record_koseki_notice, "resident"
    ),
    "immigration_notice": Kind(
        "法務大臣からの通知",
        foreign_schemas.ImmigrationNoticeEntry,
        foreign.enter_immigration_notice,
        "resident",
    ),
    "alias": Kind(
        "通称の記載・削除", foreign_schemas.AliasNotice, foreign.record_alias, "resident"
    ),
    "naturalization": Kind(
        "帰化", foreign_schemas.NaturalizationNotice, foreign.naturalize, "resident"
    ),
    "household_change": Kind(
        "世帯変更届", schemas.HouseholdChangeNotice, changes.change_household, "household"
    ),
}
# Each service function records one kind (`test_kinds`), so a route's function names it.
_NAMES: dict[Record, str] = {kind.record: name for name, kind in KINDS.items()}


def kind_of(name: str) -> Kind:
    """The kind an entry names (`PendingNotice.kind`)."""
    if name not in KINDS:
        raise InvalidInput("届出の種類が正しくありません", field="kind")
    return KINDS[name]


def name_of(record: Record) -> str:
    """The name kept for a 届出 that `record` records. A function that records no 届出 of
    the table is a mistake in the route that passes it, not in its input."""
    if record not in _NAMES:
        raise LookupError(f"{getattr(record, '__qualname__', record)} records no kind of 届出")
    return _NAMES[record]
