"""庁内連携 (internal linkage, 001a §3.12, §4.1.8; XFER-1-x, USE-1-1): the register's items
go to the ward's departments (移転) and to the Board of Education (提供) only through this
interface, only for a recipient section registered in the 庁内連携先台帳 with an approved
purpose, only with the items approved for that purpose, keyed by 宛名番号. Every request,
refused ones included, is kept in the linkage record (linkage_log)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select

from juki.core.errors import InvalidInput, Refused
from juki.core.identity import NUMBER_COLUMN
from juki.core.messaging.node import UnitOfWork
from juki.duties.operators.clients import Caller
from juki.registry.households import service as households
from juki.registry.linkage.models import LinkageRecord
from juki.registry.linkage.schemas import LinkageAnswer, LinkageRequest
from juki.registry.residents.items import REGISTER_ITEMS
from juki.registry.residents.models import Resident

TABLE = Path(__file__).with_name("linkage_table.csv")
COLUMNS = (
    "approval_no", "section_code", "section_name", "kind", "legal_basis", "purpose", "items",
    "approved_on", "approved_by", "source",
)  # fmt: skip
ITEM_NAMES = frozenset(item.name for item in REGISTER_ITEMS)
KINDS = ("transfer", "provision")  # 移転 (a department) / 提供 (教育委員会, another body)


class LinkageRefused(Refused):
    code = "linkage_refused"


@dataclass(frozen=True)
class Approval:
    """One row of the 庁内連携先台帳 (XFER-1-2): who may receive which items, and why."""

    approval_no: str
    section_code: str
    section_name: str
    kind: str
    legal_basis: str
    purpose: str
    items: tuple[str, ...]
    approved_on: dt.date
    approved_by: str
    source: str


def parse(path: Path) -> list[Approval]:
    """Read and check a table; a bad row is refused naming its file, line and column."""
    approvals: list[Approval] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(line for line in handle if not line.startswith("#"))
        missing = set(COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise InvalidInput(
                f"{path}: 列がありません: {', '.join(sorted(missing))}", field="columns"
            )
        for line, raw in enumerate(reader, start=2):
            approvals.append(_row(raw, f"{path.name}:{line}", approvals))
    return approvals


def _row(raw: dict[str, str], where: str, earlier: list[Approval]) -> Approval:
    def bad(column: str, message: str) -> InvalidInput:
        return InvalidInput(f"{where}: {column}: {message}", field=column)

    values = {k: (raw.get(k) or "").strip() for k in COLUMNS}
    for column in COLUMNS:
        if not values[column]:
            raise bad(column, "空欄です")
    items = tuple(part.strip() for part in values["items"].split(";") if part.strip())
    unknown = [item for item in items if item not in ITEM_NAMES]
    if unknown:
        raise bad("items", f"住民基本台帳の項目ではありません: {', '.join(unknown)}")
    if values["kind"] not in KINDS:
        raise bad("kind", "transfer（移転）か provision（提供）です")
    if any(a.approval_no == values["approval_no"] for a in earlier):
        raise bad("approval_no", "承認番号が重複しています")
    try:
        approved_on = dt.date.fromisoformat(values["approved_on"])
    except ValueError:
        raise bad("approved_on", "日付（YYYY-MM-DD）ではありません") from None
    fields = {k: v for k, v in values.items() if k not in ("items", "approved_on")}
    return Approval(**fields, items=items, approved_on=approved_on)


@cache
def approvals() -> tuple[Approval, ...]:
    return tuple(parse(TABLE))


def approvals_of(section_code: str) -> list[Approval]:
    return [a for a in approvals() if a.section_code == section_code]


def transfer(uow: UnitOfWork, caller: Caller, request: LinkageRequest) -> LinkageAnswer:
    """Deny by default: no approval of the caller's section under that number, or an item
    the approval does not name → refused, and nothing is answered (XFER-1-5)."""
    approval = _approval(caller, request)
    people = uow.session.scalars(
        select(Resident).where(Resident.id.in_(set(request.addressee_ids))).order_by(Resident.id)
    ).all()
    records = [_record(uow, person, request.items) for person in people]
    record(uow, caller, request, approval=approval, persons=[p.id for p in people])
    return LinkageAnswer(
        section=approval.section_name, approval_no=approval.approval_no,
        legal_basis=approval.legal_basis, purpose=approval.purpose, items=request.items,
        records=records,
    )  # fmt: skip


def _approval(caller: Caller, request: LinkageRequest) -> Approval:
    found = next(
        (a for a in approvals_of(caller.body_code or "") if a.approval_no == request.approval_no),
        None,
    )
    if found is None:
        raise LinkageRefused(
            "庁内連携先台帳に承認のない連携です", field="approval_no", code="not_approved"
        )
    unknown = [item for item in request.items if item not in ITEM_NAMES]
    if unknown:
        raise InvalidInput("住民基本台帳の項目ではありません", field="items")
    outside = [item for item in request.items if item not in found.items]
    if outside:
        raise LinkageRefused(
            f"承認されていない項目です: {', '.join(outside)}", field="items",
            code="item_not_approved",
        )  # fmt: skip
    return found


def _record(uow: UnitOfWork, person: Resident, items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"addressee_id": person.id}
    for item in items:
        out[item] = _value(uow, person, item)
    return out


def _value(uow: UnitOfWork, person: Resident, item: str) -> Any:
    if item == "individual_number_cipher":
        cipher = person.individual_number_cipher
        return uow.node.keys.decrypt(cipher, column=NUMBER_COLUMN) if cipher else None
    if item in ("head_name_kanji", "head_name_kana"):
        head = households.head_of(uow, person.household_id)
        return getattr(head, item.removeprefix("head_"), None) if head else None
    if item == "lg_code":
        return uow.node.node_id.split(":")[-1]
    if item == "addressee_id":
        return person.id
    value = getattr(person, item)
    return value.isoformat() if isinstance(value, dt.date) else value


def record(
    uow: UnitOfWork,
    caller: Caller,
    request: LinkageRequest,
    *,
    approval: Approval | None = None,
    persons: list[int] | None = None,
    refused: str | None = None,
) -> None:
    """The linkage record (XFER-1-4): recipient, purpose, items, persons, time, operator."""
    entry = LinkageRecord(
        at=dt.datetime.now(dt.UTC), client_id=caller.client_id[:64],
        section_code=(caller.body_code or "")[:40], approval_no=request.approval_no[:20],
        kind=approval.kind if approval else None,
        legal_basis=approval.legal_basis if approval else None,
        items=";".join(request.items)[:1000], persons=json.dumps(persons or []),
        operator=caller.operator, terminal=caller.terminal, refused_reason=refused,
    )  # fmt: skip
    uow.session.add(entry)
