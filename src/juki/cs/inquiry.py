"""本人確認情報の照会 at the CS: one person's record in the CS's own file, by 住民票コード
(001a §3.6; USE-2-7: only an operator authenticated biometrically reads it, in the CS
console). The caller logs the read (operator, terminal, 住民票コード) in the same
transaction.

Only the CS's own municipality's rows are read, the 個人番号 is never decrypted (the
screen shows that one is on file, masked), and the history shown is capped."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.core import ids
from juki.cs.models import CsIdentityRow

HISTORY_CAP = 20  # rows of one person's history on one screen, newest first


@dataclass(frozen=True)
class IdentityInquiry:
    latest: CsIdentityRow  # the person's latest row (current, or 消除 when removed)
    history: list[CsIdentityRow]  # newest first, at most HISTORY_CAP rows
    more: bool  # older rows exist beyond the cap


def by_resident_code(session: Session, lg_code: str, resident_code: str) -> IdentityInquiry | None:
    """The person with this 住民票コード in this municipality's file, or None. Raises
    InvalidInput naming `resident_code` when the code is malformed (nothing is read)."""
    code = ids.validate_resident_code(resident_code.strip(), field="resident_code")
    rows = list(
        session.scalars(
            select(CsIdentityRow)
            .where(CsIdentityRow.resident_code == code, CsIdentityRow.lg_code == lg_code)
            .order_by(CsIdentityRow.update_seq.desc(), CsIdentityRow.id.desc())
            .limit(HISTORY_CAP + 1)
        )
    )
    if not rows:
        return None
    return IdentityInquiry(latest=rows[0], history=rows[:HISTORY_CAP], more=len(rows) > HISTORY_CAP)
