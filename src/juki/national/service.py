"""Rules of the national server (000 §2.3): File 2 updates, number routing, code pools."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Literal

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from juki.core import ids
from juki.core.audit import log as audit
from juki.core.clock import japan_today
from juki.core.crypto import FieldKeys
from juki.core.errors import Conflict, JukiError
from juki.core.identity import NUMBER_COLUMN
from juki.core.identity_apply import Outcome, apply_records
from juki.core.messages import (
    REMOVAL_REASONS,
    ChangeReason,
    IdentityConfirm,
    IdentityConfirmed,
    IdentityRecord,
    NumberCheck,
    NumberCheckVerdict,
    NumberRequest,
)
from juki.duties.search import IdentitySearch, IdentityView, logged_search, search
from juki.national.models import (
    NationalIdentityRow,
    NumberBinding,
    NumberNotice,
    PendingNumberRequest,
    ResidentCodeAllocation,
)

log = logging.getLogger(__name__)


def _extra(record: IdentityRecord) -> dict[str, Any]:
    removed = record.reason in REMOVAL_REASONS
    return {
        "notified_on": japan_today(),
        "deleted_flag": False,
        "retention_flag": "removed" if removed else "current",
    }


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


def check_numbers(
    session: Session, keys: FieldKeys, asker: str, checks: list[NumberCheck]
) -> list[NumberCheckVerdict]:
    """個人番号の真正性確認 (001a ACQ-3-2): whether each number is the latest issued for its
    code, from the bindings (the generator's file stays unread, 000 §2.2). Each answer is
    in the audit log under the asking CS, keyed by code only."""
    bindings = NumberBindings(session, keys, {c.resident_code for c in checks})
    results: list[NumberCheckVerdict] = []
    for check in checks:
        binding = bindings.by_code.get(check.resident_code)
        index = keys.blind_index(check.individual_number, column=NUMBER_COLUMN)
        result: NumberCheckVerdict
        if binding is None:
            result = "unknown_code"
        else:
            result = "match" if binding.individual_number_index == index else "mismatch"
        audit.record(
            session,
            audit.Access(
                operator=asker,
                terminal=asker,
                function="個人番号の真正性確認",
                targets=(f"resident_code={check.resident_code}",),
                purpose="転入時の個人番号の確認 (001a ACQ-3-2)",
                result=result,
                number_touched=True,
            ),
        )
        results.append(result)
    return results


CONFIRM_PURPOSE = "窓口での本人確認 (001a §3.5, 住基法 第30条の10)"


def confirm_identity(
    session: Session, keys: FieldKeys, asker: str, check: IdentityConfirm
) -> IdentityConfirmed:
    """本人確認 with the card (001a §3.5 2-③/④): the 本人確認情報 of the 住民票コード the
    card gave, current or removed, without the 個人番号 (住基法 第30条の10: to a mayor for
    the mayor's own affairs). In the audit log under the asking CS, keyed by code only."""
    query = IdentitySearch(
        resident_code=check.resident_code, include_removed=True, purpose=CONFIRM_PURPOSE
    )
    found = search(session, NationalIdentityRow, keys, query, with_number=False)
    result: Literal["current", "removed", "unknown_code"] = (
        "unknown_code" if not found else "removed" if found[0].removed else "current"
    )
    audit.record(
        session,
        audit.Access(
            operator=asker, terminal=asker, function="本人確認情報の照会（カードによる本人確認）",
            targets=(f"resident_code={check.resident_code}",),
            purpose=CONFIRM_PURPOSE, result=result,
        ),
    )  # fmt: skip
    if not found:
        return IdentityConfirmed(check_id=check.check_id, lg_code=check.lg_code, result=result)
    view = found[0]
    return IdentityConfirmed(
        check_id=check.check_id, lg_code=check.lg_code, result=result,
        name_kanji=view.name_kanji, name_kana=view.name_kana, birth_date=view.birth_date,
        sex=view.sex, address=view.address, holder_lg_code=view.lg_code,
    )  # fmt: skip


def apply_identity_updates(
    session: Session, keys: FieldKeys, records: list[dict[str, Any]]
) -> list[Outcome]:
    codes = {r["resident_code"] for r in records} | {
        r["previous_resident_code"] for r in records if r.get("previous_resident_code")
    }
    bindings = NumberBindings(session, keys, codes)
    return apply_records(session, NationalIdentityRow, records, keys, _extra, bindings.check)


def _by_key(session: Session, model: Any, column: Any, keys: list[str]) -> dict[str, Any]:
    """Rows of `model` whose `column` is in `keys`, as ORM objects, in IN-chunks."""
    found: dict[str, Any] = {}
    for start in range(0, len(keys), 500):
        stmt = select(model).where(column.in_(keys[start : start + 500]))
        found.update((getattr(row, column.key), row) for row in session.scalars(stmt))
    return found


def _values_by_key(session: Session, value: Any, column: Any, keys: list[str]) -> dict[str, Any]:
    """`value` of each row whose `column` is in `keys` (plain tuples: no ORM objects)."""
    found: dict[str, Any] = {}
    for start in range(0, len(keys), 500):
        stmt = select(column, value).where(column.in_(keys[start : start + 500]))
        found.update((key, item) for key, item in session.execute(stmt))
    return found


def admit_number_requests(
    session: Session, keys: FieldKeys, cs_node: str, requests: list[NumberRequest]
) -> list[JukiError | None]:
    """Checks before requests may reach the generator (000 §2.3 "validate them first"):
    the code was allocated to that municipality, a first number is not asked twice, and a
    change presents the latest number of the code (P1.2 2-②). One query per check."""
    codes = [r.resident_code for r in requests]
    allocations = _values_by_key(
        session, ResidentCodeAllocation.lg_code, ResidentCodeAllocation.resident_code, codes
    )
    bindings = _values_by_key(
        session, NumberBinding.individual_number_index, NumberBinding.resident_code, codes
    )
    living = _living_in(session, [r.resident_code for r in requests if r.kind == "change"])
    now = dt.datetime.now(dt.UTC)
    verdicts: list[JukiError | None] = []
    admitted: list[dict[str, Any]] = []
    for request in requests:
        try:
            _admit(
                request,
                # A change is asked by the mayor of where the person lives now (番号法 第7条
                # 第2項), which after a 転入 is not the municipality the code was handed to.
                (living if request.kind == "change" else allocations).get(request.resident_code),
                bindings.get(request.resident_code),
                keys,
            )
        except JukiError as exc:
            verdicts.append(exc)
            continue
        verdicts.append(None)
        admitted.append(
            {
                "request_id": request.request_id,
                "cs_node": cs_node,
                "resident_code": request.resident_code,
                "created_at": now,
                "operator": request.operator_id[:64],
            }
        )
    if admitted:
        session.execute(insert(PendingNumberRequest), admitted)
    return verdicts


def record_refusals(
    session: Session, cs_node: str, refusals: list[tuple[NumberRequest, str]]
) -> None:
    """Requests refused here never reach the generator; each refusal is in the notice
    record all the same (000 F1-PRV-01 "refused provisions recorded")."""
    now = dt.datetime.now(dt.UTC)
    rows = [
        _notice_row(now, request.request_id, request.kind, request.lg_code, cs_node)
        | {
            "operator": request.operator_id[:64],
            "resident_code": request.resident_code,
            "refused_reason": code[:32],
        }
        for request, code in refusals
    ]
    if rows:
        session.execute(insert(NumberNotice), rows)


def _notice_row(
    at: dt.datetime, request_id: str, kind: str, lg_code: str, cs_node: str
) -> dict[str, Any]:
    """The common part of a 個人番号の通知の記録 row (000 F1-PRV-01): the request carries no
    terminal, so the terminal recorded is the sending node, the municipality's CS."""
    return {
        "at": at,
        "request_id": request_id,
        "kind": kind,
        "lg_code": lg_code,
        "recipient": cs_node,
        "terminal": cs_node,
    }


def _living_in(session: Session, codes: list[str]) -> dict[str, str]:
    """The municipality of each code's current, not removed record in File 2."""
    found: dict[str, str] = {}
    for start in range(0, len(codes), 500):
        rows = session.execute(
            select(NationalIdentityRow.resident_code, NationalIdentityRow.lg_code).where(
                NationalIdentityRow.resident_code.in_(codes[start : start + 500]),
                NationalIdentityRow.is_current.is_(True),
                NationalIdentityRow.removed.is_(False),
            )
        )
        found.update((code, lg) for code, lg in rows)
    return found


def _admit(
    request: NumberRequest,
    allocated_to: str | None,
    bound_index: str | None,
    keys: FieldKeys,
) -> None:
    """`allocated_to`: the municipality the code was handed to (for a change: where the
    person lives now); `bound_index`: the blind index of the code's latest 個人番号, if it
    has one."""
    if allocated_to != request.lg_code:
        raise Conflict("払い出していない住民票コードです", field="resident_code", code="unknown")
    if request.kind == "generate" and bound_index is not None:
        raise Conflict("既に個人番号が生成されています", field="resident_code", code="exists")
    if request.kind == "change":
        assert request.old_individual_number is not None
        index = keys.blind_index(request.old_individual_number, column=NUMBER_COLUMN)
        if bound_index != index:
            raise Conflict(
                "変更前の個人番号が最新の住民票コードに対応しません",
                field="old_individual_number",
                code="number_mismatch",
            )


def record_number_results(
    session: Session, keys: FieldKeys, results: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], str]]:
    """Bind each issued number to its code; record the notice (000 F1-PRV-01), the
    generator's refusals included; return (result, CS to relay it to)."""
    requests = [r["request_id"] for r in results]
    pending: dict[str, tuple[str, str]] = {}
    operators: dict[str, str | None] = {}
    for start in range(0, len(requests), 500):
        table = PendingNumberRequest
        stmt = select(table.request_id, table.cs_node, table.resident_code, table.operator).where(
            table.request_id.in_(requests[start : start + 500])
        )
        for rid, cs, code, operator in session.execute(stmt):
            pending[rid], operators[rid] = (cs, code), operator
    bound = _values_by_key(
        session,
        NumberBinding.individual_number_index,
        NumberBinding.resident_code,
        [code for _, code in pending.values()],
    )
    relays: list[tuple[dict[str, Any], str]] = []
    new_bindings: dict[str, str] = {}
    changed_bindings: dict[str, str] = {}
    notices: list[dict[str, Any]] = []
    now = dt.datetime.now(dt.UTC)
    for result in results:
        if result["request_id"] not in pending:
            log.warning("number result without a pending request; dropped")
            continue
        cs_node, code = pending[result["request_id"]]
        number = result.get("individual_number")
        if number:
            index = keys.blind_index(number, column=NUMBER_COLUMN)
            (changed_bindings if code in bound else new_bindings)[code] = index
        relays.append((result, cs_node))
        notices.append(
            _notice_row(now, result["request_id"], result["kind"], result["lg_code"], cs_node)
            | {
                "operator": operators[result["request_id"]] or cs_node,
                "resident_code": code,
                "refused_reason": None if number else str(result.get("error_code"))[:32],
            }
        )
    _write_bindings(session, new_bindings, changed_bindings)
    if notices:
        session.execute(insert(NumberNotice), notices)
    done = list(pending)
    for start in range(0, len(done), 500):
        session.execute(
            delete(PendingNumberRequest).where(
                PendingNumberRequest.request_id.in_(done[start : start + 500])
            )
        )
    return relays


def _write_bindings(session: Session, new: dict[str, str], changed: dict[str, str]) -> None:
    if new:
        session.execute(
            insert(NumberBinding),
            [
                {"resident_code": code, "individual_number_index": index}
                for code, index in new.items()
            ],
        )
    for code, index in changed.items():
        session.execute(
            update(NumberBinding)
            .where(NumberBinding.resident_code == code)
            .values(individual_number_index=index)
        )


def allocate_resident_codes(session: Session, lg_code: str, count: int) -> list[str]:
    """Hand a municipality `count` fresh 住民票コード: 10 random digits + check digit,
    never handed out before (住基法施行規則 第1条)."""
    now = dt.datetime.now(dt.UTC)
    codes: set[str] = set()
    while len(codes) < count:
        candidates = {
            ids.resident_code_from_body(ids.new_resident_code_body())
            for _ in range(count - len(codes))
        } - codes
        taken = _by_key(
            session,
            ResidentCodeAllocation,
            ResidentCodeAllocation.resident_code,
            sorted(candidates),
        )
        codes |= candidates - taken.keys()
    chosen = sorted(codes)
    session.execute(
        insert(ResidentCodeAllocation.__table__),  # type: ignore[arg-type]
        [{"resident_code": code, "lg_code": lg_code, "allocated_at": now} for code in chosen],
    )
    return chosen


def search_identity(
    session: Session, keys: FieldKeys, query: IdentitySearch, requester: str
) -> list[IdentityView]:
    return logged_search(session, NationalIdentityRow, keys, query, requester, with_number=True)
