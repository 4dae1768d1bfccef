"""手動修正: the prefecture's exceptional, two-person correction of its own file.

002 REQ-ACQ-09: for events the automatic updates cannot handle, the file is corrected by
hand under a privileged, separately logged function recording the reason, the request
reference (e.g. the municipality's contact) and the approver, with a periodic report of
such corrections. Corrections of a person's record by the municipality (職権修正) do not
come this way: they are notified through the CS like any other update (REQ-ACQ-01).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from juki.core.clock import JST
from juki.core.crypto import FieldKeys, sealed_label
from juki.core.errors import Conflict, InvalidInput, NotFound, Refused
from juki.core.messages import ChangeReason
from juki.core.text import gaiji_count, seion
from juki.duties.operators.clients import Caller
from juki.prefecture.models import ManualCorrection, PrefectureIdentityRow
from juki.prefecture.schemas import ManualCorrectionCreate, ManualCorrectionRead

VALUES_COLUMN = sealed_label("manual_corrections.values")


def _current(session: Session, resident_code: str) -> PrefectureIdentityRow:
    row = session.scalars(
        select(PrefectureIdentityRow).where(
            PrefectureIdentityRow.resident_code == resident_code,
            PrefectureIdentityRow.is_current.is_(True),
        )
    ).first()
    if row is None:
        raise NotFound("この住民票コードの本人確認情報がありません", field="resident_code")
    return row


def request(
    session: Session, keys: FieldKeys, body: ManualCorrectionCreate, caller: Caller
) -> ManualCorrection:
    """手動修正の入力: stored as requested; nothing in the file changes yet."""
    corrected = body.corrected()
    if not corrected:
        raise InvalidInput("修正する項目がありません", field="items")
    _current(session, body.resident_code)
    correction = ManualCorrection(
        resident_code=body.resident_code,
        items=";".join(corrected),
        values_cipher=keys.encrypt(json.dumps(corrected, ensure_ascii=False), column=VALUES_COLUMN),
        reason=body.reason,
        request_reference=body.request_reference,
        status="requested",
        requested_by=caller.operator[:40],
        requested_terminal=caller.terminal[:40],
        requested_at=dt.datetime.now(dt.UTC),
    )
    session.add(correction)
    session.flush()
    return correction


def approve(
    session: Session, keys: FieldKeys, correction_id: int, caller: Caller
) -> ManualCorrection:
    """承認: a different person holding the same privileged right approves, and the
    correction is applied as a new current row (the old one stays as history)."""
    correction = session.get(ManualCorrection, correction_id)
    if correction is None:
        raise NotFound("手動修正が見つかりません", field="correction_id")
    if correction.status != "requested":
        raise Conflict("この手動修正は既に処理されています", field="correction_id")
    if caller.operator[:40] == correction.requested_by:
        raise Refused("入力した人とは別の人が承認します（相互牽制）", field="approved_by")
    values = json.loads(keys.decrypt(correction.values_cipher, column=VALUES_COLUMN))
    correction.update_id = str(uuid.uuid4())
    _apply(session, _current(session, correction.resident_code), values, correction, caller)
    correction.status = "applied"
    correction.approved_by, correction.approved_terminal = (
        caller.operator[:40],
        caller.terminal[:40],
    )
    correction.approved_at = dt.datetime.now(dt.UTC)
    return correction


def _apply(
    session: Session,
    current: PrefectureIdentityRow,
    values: dict[str, str],
    correction: ManualCorrection,
    caller: Caller,
) -> None:
    columns = [c.key for c in PrefectureIdentityRow.__table__.columns if c.key != "id"]
    row: dict[str, Any] = {name: getattr(current, name) for name in columns}
    row |= {k: dt.date.fromisoformat(v) if k == "birth_date" else v for k, v in values.items()}
    row |= {
        "name_kanji_index": row["name_kanji"],  # indexed by the column type (core/sealed.py)
        "name_seion_index": seion(row["name_kana"]),
        "name_gaiji_count": gaiji_count(row["name_kanji"]),
        "address_gaiji_count": gaiji_count(row["address"]),
        "change_reason": ChangeReason.CORRECTION.value,
        "change_date": dt.datetime.now(JST).date(),
        "operator_id": caller.operator[:40],  # the approver, who made it take effect
        "terminal_id": caller.terminal[:40],
        "timestamp": dt.datetime.now(dt.UTC),
        "update_seq": current.update_seq + 1,
        "update_id": correction.update_id,
        "is_current": True,
    }
    row["gaiji_flag"] = bool(row["name_gaiji_count"] or row["address_gaiji_count"])
    session.execute(
        update(PrefectureIdentityRow)
        .where(PrefectureIdentityRow.id == current.id)
        .values(is_current=False)
    )
    session.add(PrefectureIdentityRow(**row))
    session.flush()


def view(correction: ManualCorrection) -> ManualCorrectionRead:
    return ManualCorrectionRead(
        id=correction.id,
        status=correction.status,
        items=correction.items.split(";"),
        reason=correction.reason,
        request_reference=correction.request_reference,
        requested_by=correction.requested_by,
        requested_at=correction.requested_at,
        approved_by=correction.approved_by,
        approved_at=correction.approved_at,
    )


def monthly_report(session: Session, year: int, month: int) -> list[ManualCorrectionRead]:
    """手動修正の定期報告: every correction entered in the month (Japan time), applied or
    still waiting, for the periodic review (002 REQ-ACQ-09)."""
    if not 1 <= month <= 12:
        raise InvalidInput("月は1から12です", field="month")
    start = dt.datetime(year, month, 1, tzinfo=JST)
    end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=JST)
    rows = session.scalars(
        select(ManualCorrection)
        .where(ManualCorrection.requested_at >= start.astimezone(dt.UTC))
        .where(ManualCorrection.requested_at < end.astimezone(dt.UTC))
        .order_by(ManualCorrection.id)
    )
    return [view(row) for row in rows]
