"""Provide or transfer 本人確認情報 to a body by its legal-table row, and keep the record."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.core.crypto import FieldKeys
from juki.core.errors import Refused
from juki.core.identity import IdentityRowMixin
from juki.core.messages import Sex
from juki.duties.operators.clients import Caller
from juki.duties.provision import legal_table, stops
from juki.duties.search import IdentitySearch, ProvisionLog, search

# As searches record them (core.search.logged_search).
KEY_KIND_RECORDED = {"resident_code": "code", "individual_number": "number", "four_items": "4info"}


class ProvisionRefused(Refused):
    code = "provision_refused"


class ProvisionRequest(BaseModel):
    """One request: the duty it is for and one kind of key (the legal-table row says
    which kinds the duty may use)."""

    model_config = ConfigDict(extra="forbid")

    duty: str = Field(min_length=1, max_length=60)
    resident_code: str | None = None
    individual_number: str | None = None
    name_kanji: str | None = Field(default=None, max_length=100)
    name_kana: str | None = Field(default=None, max_length=100)
    birth_date: dt.date | None = None
    sex: Sex | None = None
    address: str | None = Field(default=None, max_length=200)
    method: Literal["online"] = "online"

    @model_validator(mode="after")
    def _one_key_kind(self) -> ProvisionRequest:
        self.search()  # IdentitySearch's rules: one kind of key, 4情報 with enough items
        return self

    def key_kind(self) -> str:
        if self.resident_code:
            return "resident_code"
        return "individual_number" if self.individual_number else "four_items"

    def search(self, purpose: str = "provision") -> IdentitySearch:
        keys = self.model_dump(exclude={"duty", "method"}, exclude_none=True)
        return IdentitySearch(**keys, purpose=purpose)


class ProvisionAnswer(BaseModel):
    body: str
    duty: str
    legal_basis: str
    items: list[str]
    records: list[dict[str, Any]]
    # Persons who matched but whose provision a granted 利用停止請求 stops: answered with no
    # items (000 DSC-02), so that the body asks the person instead.
    withheld: int = 0


def provide(
    session: Session,
    keys: FieldKeys,
    model: type[IdentityRowMixin],
    node_id: str,
    caller: Caller,
    request: ProvisionRequest,
) -> ProvisionAnswer:
    """Deny by default: no row for (the caller's body, the duty) → refused. The answer holds
    only the row's items for the persons of the node's file `model` matching the requester's
    own conditions, less those withheld by a granted stop (recorded apart, as refused)."""
    row = legal_table.find(node_id, caller.body_code, request.duty)
    if row is None:
        raise ProvisionRefused(
            "法令（別表）に定めのない提供です", field="duty", code="no_legal_basis"
        )
    if request.key_kind() not in row.keys:
        raise ProvisionRefused("この事務では使えない検索キーです", field=request.key_kind())
    found = search(session, model, keys, request.search(row.duty_name))
    stopped = stops.stopped(session, (view.resident_code for view in found))
    given = [view for view in found if view.resident_code not in stopped]
    records = [{item: plain(getattr(view, item)) for item in row.items} for view in given]
    what = of_request(caller, request)
    record(
        session, caller, what, row.kind, legal_basis=row.legal_basis,
        items=row.items, targets=[view.resident_code for view in given],
    )  # fmt: skip
    record_withheld(session, caller, what, row, sorted(stopped))
    return ProvisionAnswer(
        body=row.body_name, duty=row.duty_name, legal_basis=row.legal_basis,
        items=list(row.items), records=records, withheld=len(stopped),
    )  # fmt: skip


def record_withheld(
    session: Session,
    caller: Caller,
    what: Recorded,
    row: legal_table.LegalRow,
    codes: list[str],
) -> None:
    """The persons a granted stop withheld, in a record of their own: refused (reason code
    `stops.WITHHELD`), no items, their 住民票コード as targets (their 開示 shows it)."""
    if codes:
        record(
            session, caller, what, row.kind, legal_basis=row.legal_basis,
            targets=codes, refused=stops.WITHHELD,
        )  # fmt: skip


def record_refusal(
    session: Session, caller: Caller, request: ProvisionRequest, reason: str
) -> None:
    """Refused provisions are recorded too (000 PRV-LOG; 002 REQ-PRV-01)."""
    record(session, caller, of_request(caller, request), "provision", refused=reason)


@dataclass(frozen=True)
class Recorded:
    """What a provision record says of one request (or one batch)."""

    body_code: str | None
    duty: str
    key_kind: str  # code | number | 4info | list (a batch's condition list)
    method: str  # online | media


def of_request(caller: Caller, request: ProvisionRequest) -> Recorded:
    return Recorded(
        caller.body_code, request.duty, KEY_KIND_RECORDED[request.key_kind()], request.method
    )


def record(
    session: Session,
    caller: Caller,
    what: Recorded,
    kind: str,
    *,
    legal_basis: str | None = None,
    items: tuple[str, ...] = (),
    targets: list[str] | None = None,
    refused: str | None = None,
) -> None:
    """One provision record (000 F2-PRV-01; 002 REQ-PRV-01), refused attempts included."""
    entry = ProvisionLog()
    entry.at, entry.requester = dt.datetime.now(dt.UTC), caller.client_id[:64]
    entry.purpose, entry.key_kind = what.duty[:200], what.key_kind
    # A refused record answered nobody: its targets (if any) are the persons withheld.
    entry.result_count = 0 if refused else len(targets or [])
    entry.refused_reason = refused
    entry.operator, entry.terminal = caller.operator, caller.terminal
    entry.body_code, entry.duty_code = what.body_code, what.duty
    entry.legal_basis, entry.kind = legal_basis, kind
    entry.items, entry.method = ";".join(items), what.method
    entry.targets = json.dumps(targets or [])
    session.add(entry)


def plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return getattr(value, "value", value)


class ProvisionRecordView(BaseModel):
    at: dt.datetime
    body_code: str | None
    duty_code: str | None
    legal_basis: str | None
    items: list[str]
    method: str | None
    result: str  # provided | withheld (by a granted 利用停止請求) | refused


RESULTS: dict[str | None, str] = {None: "provided", stops.WITHHELD: "withheld"}


def provisions_of(session: Session, resident_code: str) -> list[ProvisionRecordView]:
    """The provisions of one person's information (for their 開示 request): every record
    whose targets name their 住民票コード, those withheld by a stop included."""
    quoted = json.dumps(resident_code)
    rows = session.scalars(
        select(ProvisionLog).where(ProvisionLog.targets.contains(quoted)).order_by(ProvisionLog.id)
    )
    return [_record_view(row) for row in rows if resident_code in json.loads(row.targets or "[]")]


def _record_view(row: ProvisionLog) -> ProvisionRecordView:
    items = [item for item in (row.items or "").split(";") if item]
    return ProvisionRecordView(
        at=row.at, body_code=row.body_code, duty_code=row.duty_code,
        legal_basis=row.legal_basis, items=items, method=row.method,
        result=RESULTS.get(row.refused_reason, "refused"),
    )  # fmt: skip
