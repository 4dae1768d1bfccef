"""Rules of the CS: check and keep every update, then notify the prefecture (001a §3.1)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.core.consistency import consistency_record, parts
from juki.core.crypto import FieldKeys
from juki.core.identity_apply import Outcome, apply_records
from juki.core.messages import REMOVAL_REASONS, ChangeReason, ConsistencyResult, IdentityRecord
from juki.core.text import gaiji_count
from juki.cs.models import ConsistencyReport, CsIdentityRow


def _extra(record: IdentityRecord) -> dict[str, Any]:
    moved_in = record.reason in (ChangeReason.MOVE_IN, ChangeReason.MOVE_IN_FROM_ABROAD)
    entered = moved_in or record.reason == ChangeReason.BIRTH
    code_changed = record.reason == ChangeReason.RESIDENT_CODE_CHANGE
    return {
        "postal_code": record.postal_code,
        "became_resident_on": record.change_date if entered else None,
        "address_set_on": record.change_date if entered or record.reason == "move_within" else None,
        "notified_on": record.notified_on,
        "previous_lg_code": record.previous_lg_code if moved_in else None,
        "previous_address": record.previous_address if moved_in else None,
        "previous_address_gaiji_count": gaiji_count(record.previous_address or ""),
        "previous_resident_code": record.previous_resident_code if code_changed else None,
        "resident_code_used_on": record.change_date if entered or code_changed else None,
        "request_number": record.update_id,
        "record_status": "removed" if record.reason in REMOVAL_REASONS else "current",
        "former_surname_kanji": record.former_surname_kanji,
        "former_surname_gaiji_count": gaiji_count(record.former_surname_kanji or ""),
        "former_surname_kana": record.former_surname_kana,
    }


def apply_identity_updates(
    session: Session, keys: FieldKeys, records: list[dict[str, Any]]
) -> list[Outcome]:
    """Format and logic checks before notifying (001a §3.1 1-⑥, §3.2)."""
    return apply_records(session, CsIdentityRow, records, keys, _extra)


def consistency_parts(session: Session, keys: FieldKeys, lg_code: str) -> list[dict[str, Any]]:
    """整合性確認用本人確認情報: the 8 items of every current resident (001a §3.8 6-①)."""
    rows = session.scalars(
        select(CsIdentityRow).where(
            CsIdentityRow.lg_code == lg_code,
            CsIdentityRow.is_current.is_(True),
            CsIdentityRow.removed.is_(False),
        )
    ).all()
    records = [consistency_record(row, keys) for row in rows]
    return parts(str(uuid.uuid4()), lg_code, records)


def record_consistency_result(session: Session, raw: dict[str, Any]) -> None:
    result = ConsistencyResult.model_validate(raw)
    session.add(
        ConsistencyReport(
            check_id=result.check_id,
            checker=result.checker,
            compared=result.compared,
            differences=[d.model_dump() for d in result.differences],
            received_at=dt.datetime.now(dt.UTC),
        )
    )


def consistency_reports(session: Session, check_id: str) -> list[ConsistencyReport]:
    return list(
        session.scalars(
            select(ConsistencyReport).where(ConsistencyReport.check_id == check_id)
        ).all()
    )
