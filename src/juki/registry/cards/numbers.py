"""個人番号 as they come back to the register from J-LIS (000 P1.1 1-③; P1.2 2-④): each
is recorded (個人番号の記載, 番号法 第7条第1項), the change that awaited it is notified to
the CS, and the person's 送付先情報 is extracted for the 個人番号通知 (001a §3.7 7-①). The
本人確認情報更新結果 of each notified change is the record's own (`residents.service`)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, bindparam, select, update

from juki.core.identity import NUMBER_COLUMN
from juki.core.messaging.node import UnitOfWork
from juki.registry.cards import destination_info
from juki.registry.residents.models import Resident, ResidentEvent, ResidentHistory
from juki.registry.residents.pool import now
from juki.registry.residents.service import HISTORY_ITEMS, NUMBER_RECORDED, notify_identity


def receive_numbers(uow: UnitOfWork, results: list[dict[str, Any]]) -> None:
    """個人番号 from J-LIS: record each, then notify its awaiting event (1-③; P1.2 2-④).

    Set-based: one query for the residents, one for their awaiting events, one
    executemany for the numbers and one UPDATE for the events' status. One pass over the
    batch sorts each answer (numbered, refused, kept) for those statements, which makes the
    function longer than most; split, the pass would be read twice."""
    by_code = {r["resident_code"]: r for r in results}
    residents = _rows(uow, Resident.__table__, "resident_code", list(by_code))
    residents = [r for r in residents if r["awaiting_number"]]
    events: dict[int, dict[str, Any]] = {}
    for event in _rows(uow, ResidentEvent.__table__, "resident_id", [r["id"] for r in residents]):
        if event["status"] == "awaiting_number" and event["resident_id"] not in events:
            events[event["resident_id"]] = event
    numbered: list[dict[str, Any]] = []
    notified: list[int] = []
    refused: list[tuple[int, str | None]] = []
    kept: list[int] = []
    to_notify: dict[tuple[str, str], list[tuple[dict[str, Any], str]]] = {}
    for row in residents:
        result, awaiting = by_code[row["resident_code"]], events.get(row["id"])
        number = result.get("individual_number")
        cipher = uow.node.keys.encrypt(number, column=NUMBER_COLUMN) if number else None
        index = uow.node.keys.blind_index(number, column=NUMBER_COLUMN) if number else None
        if number:
            numbered.append(
                {"rid": row["id"], "cipher": cipher, "index": index, "version": row["version"] + 1}
            )
            _history_of_number(uow, row, numbered[-1])
        elif row["individual_number_cipher"] is not None:
            # A refused 変更要求: the person keeps the number they had; nothing to record.
            kept.append(row["id"])
        # A refused first number leaves the person awaiting one (the event shows why).
        if awaiting is None:
            continue
        if number is None:
            refused.append((awaiting["id"], result.get("error_code")))
            continue
        # The person as `_store_numbers` leaves them (the 統合宛名's 副本 is made from it:
        # the 副本の突合 found it one change behind).
        recorded = {"individual_number_cipher": cipher, "change_reason": NUMBER_RECORDED}
        resident = SimpleNamespace(**(dict(row) | recorded))
        notify_identity(uow, resident, SimpleNamespace(**awaiting))
        notified.append(awaiting["id"])
        clerk = (awaiting["operator_id"], awaiting["terminal_id"])
        to_notify.setdefault(clerk, []).append((row, number))
    _store_numbers(uow, numbered, notified, refused)
    # 個人番号通知: each person with a new number is extracted for the card system, after
    # their 本人確認情報 so the CS checks the number against its file (001a §3.7 7-①).
    for (operator, terminal), persons in to_notify.items():
        destination_info.extract(uow, persons, operator, terminal)
    if kept:
        uow.session.execute(
            update(Resident).where(Resident.id.in_(kept)).values(awaiting_number=False)
        )


def _history_of_number(uow: UnitOfWork, row: dict[str, Any], numbered: dict[str, Any]) -> None:
    """個人番号の記載 (番号法 第7条第1項) is a change of the 住民票 like any other: a history
    row, written by J-LIS's result rather than a clerk."""
    uow.append(
        ResidentHistory.__table__,
        {name: row[name] for name in HISTORY_ITEMS}
        | {
            "individual_number_cipher": numbered["cipher"],
            "individual_number_index": numbered["index"],
            "version": numbered["version"],
            "change_reason": NUMBER_RECORDED,
            "resident_id": row["id"],
            "recorded_at": now(),
            "operator_id": "J-LIS",
            "terminal_id": "",
            "update_id": None,
            "cancels_version": None,
        },
    )


def _rows(uow: UnitOfWork, table: Any, column: str, keys: list[Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for start in range(0, len(keys), 500):
        stmt = (
            select(table).where(table.c[column].in_(keys[start : start + 500])).order_by(table.c.id)
        )
        found += [dict(row) for row in uow.session.execute(stmt).mappings()]
    return found


def _store_numbers(
    uow: UnitOfWork,
    numbered: list[dict[str, Any]],
    notified: list[int],
    refused: list[tuple[int, str | None]],
) -> None:
    residents: Table = Resident.__table__  # type: ignore[assignment]
    events: Table = ResidentEvent.__table__  # type: ignore[assignment]
    if numbered:
        uow.session.execute(
            update(residents)
            .where(residents.c.id == bindparam("rid"))
            .values(
                individual_number_cipher=bindparam("cipher"),
                individual_number_index=bindparam("index"),
                awaiting_number=False,
                version=bindparam("version"),
                change_reason=NUMBER_RECORDED,
            ),
            numbered,
        )
    for start in range(0, len(notified), 500):
        uow.session.execute(
            update(events)
            .where(events.c.id.in_(notified[start : start + 500]))
            .values(status="sent")
        )
    for event_id, error_code in refused:
        uow.session.execute(
            update(events)
            .where(events.c.id == event_id)
            .values(status="rejected", error_code=error_code)
        )
