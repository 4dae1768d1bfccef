"""File 3 in 整合 (issue #15): when a 市町村CS runs 本人確認情報整合 (001a §3.8 6-①), it
sends its 整合 data to the card system too, which compares, for every person whose card
entry that municipality holds (the latest entry per 住民票コード, not invalidated, not
removed), the items File 3 keeps — 氏名, 生年月日, 性別, 住所 (its 方書 aside, as relayed
changes compare it) and 個人番号 — and answers the differences by 住民票コード and item
name only. A change relayed from the national server that never reached File 3, or an
entry for a person the municipality no longer has, is found this way.

As with the other files in 整合, nothing is overwritten from the CS's data (002 §6.6): the
differences are for the operators to look into. A person the CS holds without a File 3
entry is not a difference (not every resident has had 送付先情報 sent), nor is an entry of
a holder who moved out (its card waits for 継続利用 at the new municipality).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from juki.card.models import CardFileEntry
from juki.card.service import held_info, lives_in, same_address
from juki.core.consistency import collect_parts, result_of
from juki.core.messages import (
    ChangeReason,
    ConsistencyDifference,
    ConsistencyRecord,
    DestinationInfo,
)
from juki.core.messaging.node import UnitOfWork


def answer(uow: UnitOfWork, raw: dict[str, Any]) -> dict[str, Any] | None:
    """Stage a part; on the last one, the ConsistencyResult for the CS."""
    collected = collect_parts(uow.session, uow.node.keys, raw)
    if collected is None:
        return None
    check, theirs = collected
    latest: dict[str, CardFileEntry] = {}
    for entry in uow.session.scalars(
        select(CardFileEntry)
        .where(
            CardFileEntry.lg_code == check.lg_code,
            CardFileEntry.status != "invalidated",
            CardFileEntry.removed_on.is_(None),
        )
        .order_by(CardFileEntry.id)
    ):
        latest[entry.resident_code] = entry
    differences = []
    for code, entry in sorted(latest.items()):
        held = held_info(uow, entry)
        record = theirs.get(code)
        if record is None:
            if _in_transit(entry, held, check.lg_code):
                continue
            differences.append(ConsistencyDifference(resident_code=code, kind="missing_there"))
            continue
        fields = _differing(held, record)
        if fields:
            differences.append(
                ConsistencyDifference(resident_code=code, kind="mismatch", fields=fields)
            )
    return result_of(check, uow.node.node_id, len(latest), differences)


def _in_transit(entry: CardFileEntry, held: DestinationInfo, lg_code: str) -> bool:
    """A holder who moved out (the card's 所管 stays here until its 継続利用 at the new
    municipality, 001a §3.3 3-⑥) or whose record already puts them elsewhere: not a
    difference of this municipality's file."""
    return entry.change_reason == ChangeReason.MOVE_OUT or not lives_in(held, lg_code)


def _differing(held: DestinationInfo, record: ConsistencyRecord) -> list[str]:
    fields = [
        name
        for name in ("name_kanji", "birth_date", "sex", "individual_number")
        if getattr(held, name) != getattr(record, name)
    ]
    if not same_address(held.address, record.address):
        fields.append("address")
    return sorted(fields)
