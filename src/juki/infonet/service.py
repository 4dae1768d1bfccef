"""The network's 符号 service (001b 5-③/④; 000 P2.3 and P2.3b): J-LIS gives a 住民票コード
against an institution's 処理通番, the network answers that institution's 中間サーバー with
the 符号; a change of 住民票コード re-keys every institution that holds the person."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select, update

from juki.core.infonet_messages import (
    FugoCodeChange,
    FugoIssued,
    FugoRekey,
    FugoResidentCode,
    PermitListRow,
    usable_key,
)
from juki.core.messages import MessageType
from juki.core.messaging.node import UnitOfWork
from juki.core.portal_messages import PORTAL
from juki.infonet import codes, legal_table
from juki.infonet.models import FugoLink, FugoRecord, Institution, ProvisionRecord

log = logging.getLogger(__name__)
KINDS = ("municipality", "other", "portal")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def intermediate_of(institution: str) -> str:
    """The node id of an institution's 中間サーバー (マイナポータル is its own node)."""
    return PORTAL if institution == PORTAL else f"intermediate:{institution}"


def register_institution(
    uow: UnitOfWork, institution: str, name: str, kind: str, office: str, reply_key: str
) -> bool:
    """Register an institution (the network operator's act) with the office the legal table
    names it by and its 中間サーバー's key, and send that 中間サーバー its 照会許可用照合リスト
    (NWS-5-1). True if it was new."""
    if not codes.INSTITUTION.match(institution) or kind not in KINDS:
        raise ValueError("institution id or kind")
    if not usable_key(reply_key):  # a key nothing can be sealed to would stall its answers
        raise ValueError("reply key")
    if uow.session.get(Institution, institution) is not None:
        return False
    uow.session.add(
        Institution(
            id=institution, name=name, kind=kind, office=office, reply_key=reply_key,
            registered_at=now(),
        )
    )  # fmt: skip
    if kind == "portal":  # マイナポータル provides nothing: no 照会許可用照合リスト
        return True
    for row in legal_table.shipped().rows.values():
        if office in legal_table.offices_named(row.provider):
            listed = PermitListRow(
                row=row.row, requester=row.requester, task=row.task, items=row.items
            )
            uow.send(intermediate_of(institution), MessageType.PERMIT_LIST, listed.model_dump())
    return True


def _key(uow: UnitOfWork) -> bytes:
    return codes.network_key(uow.node.secret)


def _record(
    uow: UnitOfWork, kind: str, institution: str, serial: str | None, reason: str | None = None
) -> None:
    uow.session.add(
        FugoRecord(at=now(), kind=kind, institution=institution, serial=serial, reason=reason)
    )


def issue(uow: UnitOfWork, given: FugoResidentCode) -> None:
    """5-③/④: the institution's 符号 for the person J-LIS named, to its 中間サーバー.
    An institution not registered gets nothing, and the refusal is recorded."""
    if uow.session.get(Institution, given.institution) is None:
        log.warning("符号: institution not registered, refused")
        _record(uow, "refused", given.institution, given.serial, "unregistered_institution")
        return
    key = _key(uow)
    link = codes.link_code(key, given.resident_code)
    fugo = codes.fugo(key, given.institution, link)
    held = uow.session.scalars(
        select(FugoLink).where(
            FugoLink.link_code == link, FugoLink.institution == given.institution
        )
    ).first()
    if held is None:
        uow.session.add(
            FugoLink(link_code=link, institution=given.institution, fugo=fugo, issued_at=now())
        )
    issued = FugoIssued(serial=given.serial, fugo=fugo)
    uow.send(intermediate_of(given.institution), MessageType.FUGO_ISSUED, issued.model_dump())
    _record(uow, "issued", given.institution, given.serial)


def rekey(uow: UnitOfWork, change: FugoCodeChange) -> None:
    """P2.3b: the person's 連携用符号 follows the new 住民票コード, and so does every
    institution's 符号; each 中間サーバー is told old → new, and the old 符号 is gone."""
    key = _key(uow)
    old_link = codes.link_code(key, change.old_resident_code)
    new_link = codes.link_code(key, change.new_resident_code)
    for link in uow.session.scalars(select(FugoLink).where(FugoLink.link_code == old_link)).all():
        new = codes.fugo(key, link.institution, new_link)
        if uow.session.scalars(select(FugoLink.id).where(FugoLink.fugo == new)).first():
            uow.session.delete(link)  # the institution holds the new 符号 already
            continue
        message = FugoRekey(old_fugo=link.fugo, new_fugo=new)
        uow.send(intermediate_of(link.institution), MessageType.FUGO_REKEY, message.model_dump())
        link.link_code, link.fugo, link.rekeyed_at = new_link, new, now()
        _record(uow, "rekeyed", link.institution, None)
    # The person's 情報提供等記録 follow them (マイナポータル shows them by the new code).
    uow.session.execute(
        update(ProvisionRecord)
        .where(ProvisionRecord.link_code == old_link)
        .values(link_code=new_link)
        .execution_options(synchronize_session=False)
    )
