"""住民票コード for 符号 (000 P2.3, C10–C12; 001b 5-②/③): an institution's request, with
the person's 個人番号 and the institution's 処理通番, comes through its municipality's CS;
J-LIS finds the person's latest 住民票コード and sends only that to the
information-provision network (F2-NW-07). J-LIS takes nothing from the network
(F2-NW-other). A later change of the code is told to the network (C12, P2.3b)."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from juki.core.audit import log as audit
from juki.core.identity import NUMBER_COLUMN
from juki.core.infonet_messages import FugoCodeChange, FugoRequest, FugoResidentCode
from juki.core.messages import MessageType
from juki.core.messaging.node import UnitOfWork
from juki.core.messaging.paths import code_of
from juki.core.portal_messages import PORTAL, PortalCode
from juki.national.models import FugoNotifiedCode, FugoProvision, NationalIdentityRow

log = logging.getLogger(__name__)
NETWORK = "infonet"  # 情報提供ネットワークシステム


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def provide(uow: UnitOfWork, requester: str, request: FugoRequest) -> None:
    """C10/C11. A CS may ask only for its own municipality as institution (番号法 第21条の2:
    J-LIS provides for the bodies the law names; F2-NW-05 refuses the rest). The code
    given is the latest one for the 個人番号 asked about (F2-NW-07), and goes to the
    network only. Every provision and refusal is recorded, and in the audit log."""
    reason = None if request.institution == code_of(requester) else "institution_not_permitted"
    code = None if reason else _latest_code(uow, request.individual_number)
    if reason is None and code is None:
        reason = "unknown_number"
    uow.session.add(
        FugoProvision(
            at=now(), serial=request.serial, institution=request.institution,
            requester=requester, resident_code=code, refused_reason=reason,
        )
    )  # fmt: skip
    audit.record(
        uow.session,
        audit.Access(
            operator=requester, terminal=requester,
            function="符号取得のための住民票コードの提供",
            targets=(f"resident_code={code}",) if code else (),
            purpose=f"情報提供ネットワークシステムへ (機関 {request.institution})",
            result="refused" if reason else "provided", number_touched=True,
        ),
    )  # fmt: skip
    if code is None:
        log.warning("符号: request refused (%s)", reason)
        return
    _remember(uow, code)
    given = FugoResidentCode(
        serial=request.serial, institution=request.institution, resident_code=code
    )
    uow.send(NETWORK, MessageType.FUGO_RESIDENT_CODE, given.model_dump())


def for_portal(uow: UnitOfWork, requester: str, asked: PortalCode) -> None:
    """マイナポータル's 符号 (the holder logged in with a card, `jpki/portal.py`): JPKI
    resolved the certificate's serial to the holder's code (000 §6.4); the code is given
    to the network only if it is the code of a current record here, recorded and
    remembered for C12 as any other."""
    current = uow.session.scalars(
        select(NationalIdentityRow.resident_code).where(
            NationalIdentityRow.resident_code == asked.resident_code,
            NationalIdentityRow.is_current.is_(True),
        )
    ).first()
    reason = None if current else "not_current"
    uow.session.add(
        FugoProvision(
            at=now(), serial=asked.login_id, institution=PORTAL, requester=requester,
            resident_code=current, refused_reason=reason,
        )
    )  # fmt: skip
    audit.record(
        uow.session,
        audit.Access(
            operator=requester, terminal=requester, function="符号取得のための住民票コードの提供",
            targets=(f"resident_code={asked.resident_code}",),
            purpose="情報提供ネットワークシステムへ (マイナポータル)",
            result="refused" if reason else "provided",
        ),
    )  # fmt: skip
    if current is None:
        log.warning("符号 (マイナポータル): not a current 住民票コード, refused")
        return
    _remember(uow, current)
    given = FugoResidentCode(serial=asked.login_id, institution=PORTAL, resident_code=current)
    uow.send(NETWORK, MessageType.FUGO_RESIDENT_CODE, given.model_dump())


def _latest_code(uow: UnitOfWork, individual_number: str) -> str | None:
    """The 住民票コード of the person whose current record (File 2) carries this 個人番号:
    after a 住民票コード change only the new code's row is current, and after a 個人番号
    change only the new number's (the number bindings keep old codes, so they cannot
    answer this)."""
    index = uow.node.keys.blind_index(individual_number, column=NUMBER_COLUMN)
    codes = uow.session.scalars(
        select(NationalIdentityRow.resident_code).where(
            NationalIdentityRow.individual_number_index == index,
            NationalIdentityRow.is_current.is_(True),
        )
    ).all()
    return codes[0] if len(set(codes)) == 1 else None  # two persons, one number: none


def _remember(uow: UnitOfWork, code: str) -> None:
    known = uow.session.get(FugoNotifiedCode, code)
    if known is None:
        uow.session.add(FugoNotifiedCode(resident_code=code, first_at=now(), last_at=now()))
    else:
        known.last_at = now()


def code_changed(uow: UnitOfWork, old: str, new: str) -> None:
    """C12: a changed 住民票コード that the network had is told to it, old and new."""
    if uow.session.get(FugoNotifiedCode, old) is None:
        return
    _remember(uow, new)
    change = FugoCodeChange(old_resident_code=old, new_resident_code=new)
    uow.send(NETWORK, MessageType.FUGO_CODE_CHANGE, change.model_dump())
