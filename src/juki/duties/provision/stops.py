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

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.duties.provision.tables import UseSuspension

STOPPING_MEASURES = ("provision_stop", "use_stop", "erasure")
# The provision record's refused_reason for a person withheld by a granted stop.
WITHHELD = "provision_stopped"


def stopped(session: Session, codes: Iterable[str]) -> set[str]:
    """Of the 住民票コード `codes`, those whose provision a granted request stops."""
    wanted = sorted(set(codes))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):  # bounded IN lists for a batch's many codes
        found.update(
            session.scalars(
                select(UseSuspension.resident_code).where(
                    UseSuspension.resident_code.in_(wanted[start : start + 500]),
                    UseSuspension.status == "granted",
                    UseSuspension.measure.in_(STOPPING_MEASURES),
                )
            )
        )
    return found
