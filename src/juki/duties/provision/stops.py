"""A granted 利用停止請求 in force (個人情報保護法 第100条; 番号法 第30条; 000 DSC-02): whose
本人確認情報 this tier no longer provides to other bodies.

A granted 提供停止 (stop of provision) withholds the person from every provision by the
legal table, single or batch; a granted 利用停止 (stop of use) implies it, since a
provision is a use. What stays is the use the law itself requires of this file, keeping
it right: the updates from the CS (住基法 第30条の6, 第30条の7) and 本人確認情報整合 never
pass through provision, and the tier's own staff still search it for their duties.

A granted 消去 (erasure) cannot apply to the statutory file during its retention period,
so `decide_suspension` never grants one; one granted before that check existed is
honoured here as far as the file allows (not provided).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Date, DateTime, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from juki.core.sealed import SealedText


class UseSuspensionMixin:
    """A request to stop using, erase, or stop providing what was disclosed (利用停止請求;
    個人情報保護法 第98条, 番号法 第30条; 000 DSC-02). Taken at the disclosure desk, decided
    within 30 days (第102条) by someone other than the operator who took it, with reasons."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    disclosure_id: Mapped[int] = mapped_column(Integer, index=True)
    resident_code: Mapped[str] = mapped_column(String(11), index=True)
    measure: Mapped[str] = mapped_column(String(16))  # use_stop | erasure | provision_stop
    # why the person says the handling is unlawful; sealed (REQ-CON-03)
    grounds: Mapped[str] = mapped_column(
        "grounds_cipher", SealedText("use_suspensions.grounds"), key="grounds"
    )
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    operator: Mapped[str] = mapped_column(String(40))  # who took the request
    due_on: Mapped[dt.date] = mapped_column(Date)  # the decision's deadline
    status: Mapped[str] = mapped_column(String(16))  # pending | granted | refused
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decision_reason: Mapped[str | None] = mapped_column(
        "decision_reason_cipher",
        SealedText("use_suspensions.decision_reason"),
        key="decision_reason",
    )  # written about the person's request; sealed (REQ-CON-03)


STOPPING_MEASURES = ("provision_stop", "use_stop", "erasure")
# The provision record's refused_reason for a person withheld by a granted stop.
WITHHELD = "provision_stopped"


def stopped(session: Session, model: type[UseSuspensionMixin], codes: Iterable[str]) -> set[str]:
    """Of the 住民票コード `codes`, those whose provision a granted request stops."""
    wanted = sorted(set(codes))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):  # bounded IN lists for a batch's many codes
        found.update(
            session.scalars(
                select(model.resident_code).where(
                    model.resident_code.in_(wanted[start : start + 500]),
                    model.status == "granted",
                    model.measure.in_(STOPPING_MEASURES),
                )
            )
        )
    return found
