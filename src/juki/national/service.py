"""Rules of the national server (000 §2.3): File 2 updates, number routing, code pools."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.core import ids
from juki.core.crypto import FieldKeys
from juki.core.errors import Conflict
from juki.core.identity import NUMBER_COLUMN
from juki.core.identity_apply import Outcome, apply_records
from juki.core.messages import (
    REMOVAL_REASONS,
    ChangeReason,
    IdentityRecord,
    NumberRequest,
)
from juki.core.search import IdentitySearch, IdentityView, logged_search
from juki.national.models import (
    NationalIdentityRow,
    NumberBinding,
    PendingNumberRequest,
    ProvisionLog,
    ResidentCodeAllocation,
)


def _extra(record: IdentityRecord) -> dict[str, Any]:
    removed = record.reason in REMOVAL_REASONS
    return {"notified_on": dt.date.today(), "retention_flag": "removed" if removed else "current"}


class NumberBindings:
    """The bindings of one batch's codes, loaded in one query (000 P2.1 authenticity)."""

    def __init__(self, session: Session, keys: FieldKeys, codes: set[str]):
        self.session = session
        self.keys = keys
        self.by_code: dict[str, NumberBinding] = {}
        ordered = sorted(codes)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            stmt = select(NumberBinding).where(NumberBinding.resident_code.in_(chunk))
            self.by_code.update((b.resident_code, b) for b in self.session.scalars(stmt))

    def check(self, record: IdentityRecord) -> None:
        """The notified 個人番号 must be the latest issued for the 住民票コード."""
        if record.reason == ChangeReason.RESIDENT_CODE_CHANGE:
            self._rebind(record)
        binding = self.by_code.get(record.resident_code)
        index = self.keys.blind_index(record.individual_number, column=NUMBER_COLUMN)
        if binding is None or binding.individual_number_index != index:
            raise Conflict(
                "個人番号が住民票コードに対応しません",
                field="individual_number",
                code="number_mismatch",
            )

    def _rebind(self, record: IdentityRecord) -> None:
        """A 住民票コード change moves the number binding to the new code (000 P1.3)."""
        assert record.previous_resident_code is not None
        old = self.by_code.get(record.previous_resident_code)
        if old is None:
            raise Conflict(
                "変更前の住民票コードがありません", field="previous_resident_code", code="unknown"
            )
        if record.resident_code not in self.by_code:
            new = NumberBinding(
                resident_code=record.resident_code,
                individual_number_index=old.individual_number_index,
            )
            self.session.add(new)
            self.by_code[record.resident_code] = new


def apply_identity_updates(
    session: Session, keys: FieldKeys, records: list[dict[str, Any]]
) -> list[Outcome]:
    codes = {r["resident_code"] for r in records} | {
        r["previous_resident_code"] for r in records if r.get("previous_resident_code")
    }
    bindings = NumberBindings(session, keys, codes)
    return apply_records(session, NationalIdentityRow, records, keys, _extra, bindings.check)


def admit_number_request(
    session: Session, keys: FieldKeys, cs_node: str, request: NumberRequest
) -> None:
    """Checks before a request may reach the generator (000 §2.3 'validate them first')."""
    allocation = session.get(ResidentCodeAllocation, request.resident_code)
    if allocation is None or allocation.lg_code != request.lg_code:
        raise Conflict("払い出していない住民票コードです", field="resident_code", code="unknown")
    binding = session.get(NumberBinding, request.resident_code)
    if request.kind == "generate" and binding is not None:
        raise Conflict("既に個人番号が生成されています", field="resident_code", code="exists")
    if request.kind == "change":
        assert request.old_individual_number is not None
        index = keys.blind_index(request.old_individual_number, column=NUMBER_COLUMN)
        if binding is None or binding.individual_number_index != index:
            raise Conflict(
                "変更前の個人番号が最新の住民票コードに対応しません",
                field="old_individual_number",
                code="number_mismatch",
            )
    session.add(
        PendingNumberRequest(
            request_id=request.request_id,
            cs_node=cs_node,
            resident_code=request.resident_code,
            created_at=dt.datetime.now(dt.UTC),
        )
    )


def record_number_result(session: Session, keys: FieldKeys, result: dict[str, Any]) -> str:
    """Bind the issued number to its code and return the CS to relay the result to."""
    pending = session.get(PendingNumberRequest, result["request_id"])
    if pending is None:
        raise Conflict("対応する要求がありません", field="request_id", code="unknown")
    number = result.get("individual_number")
    if number:
        index = keys.blind_index(number, column=NUMBER_COLUMN)
        binding = session.get(NumberBinding, pending.resident_code)
        if binding is None:
            session.add(
                NumberBinding(resident_code=pending.resident_code, individual_number_index=index)
            )
        else:
            binding.individual_number_index = index
    session.delete(pending)
    return pending.cs_node


def allocate_resident_codes(session: Session, lg_code: str, count: int) -> list[str]:
    """Hand a municipality `count` fresh 住民票コード: 10 random digits + check digit,
    never handed out before (住基法施行規則 第1条)."""
    now = dt.datetime.now(dt.UTC)
    codes: list[str] = []
    while len(codes) < count:
        code = ids.resident_code_from_body(ids.new_resident_code_body())
        if code in codes or session.get(ResidentCodeAllocation, code) is not None:
            continue
        codes.append(code)
    session.add_all(
        ResidentCodeAllocation(resident_code=code, lg_code=lg_code, allocated_at=now)
        for code in codes
    )
    return codes


def search_identity(
    session: Session, keys: FieldKeys, query: IdentitySearch, requester: str
) -> list[IdentityView]:
    return logged_search(session, NationalIdentityRow, ProvisionLog, keys, query, requester)
