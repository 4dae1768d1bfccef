"""The network's 符号 service (001b 5-③/④; 000 P2.3 and P2.3b): J-LIS gives a 住民票コード
against an institution's 処理通番, the network answers that institution's 中間サーバー with
the 符号; a change of 住民票コード re-keys every institution that holds the person."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from sqlalchemy import select, update

from juki.core.infonet_messages import (
    FugoCodeChange,
    FugoIssued,
    FugoRekey,
    FugoResidentCode,
    PermitListRow,
    PermitListWithdrawal,
    usable_key,
)
from juki.core.messages import MessageType
from juki.core.messaging.node import UnitOfWork
from juki.core.portal_messages import PORTAL
from juki.infonet import codes, legal_table
from juki.infonet.legal_table import LegalTable
from juki.infonet.models import (
    FugoLink,
    FugoRecord,
    Institution,
    PermitListSent,
    ProvisionRecord,
)

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
    uow.session.flush()
    send_permit_list(uow, institution)
    return True


def send_permit_list(uow: UnitOfWork, institution: str, table: LegalTable | None = None) -> int:
    """Bring the institution's 照会許可用照合リスト (NWS-5-1) to the legal table as it is:
    the rows under which its office provides, each sent if new or changed since it was
    last sent, and a withdrawal for each row gone. Run at registration and whenever the
    network starts (a new table is deployed with a new version); returns how many
    messages went. マイナポータル provides nothing and gets no list."""
    found = uow.session.get(Institution, institution)
    if found is None or found.kind == "portal":
        return 0
    rows = (table or legal_table.shipped()).rows.values()
    current = {
        row.row: PermitListRow(row=row.row, requester=row.requester, task=row.task, items=row.items)
        for row in rows
        if found.office in legal_table.offices_named(row.provider)
    }
    sent = {
        s.row: s
        for s in uow.session.scalars(
            select(PermitListSent).where(PermitListSent.institution == institution)
        )
    }
    to = intermediate_of(institution)
    count = 0
    for number, listed in sorted(current.items()):
        digest = hashlib.sha256(listed.model_dump_json().encode()).hexdigest()
        before = sent.get(number)
        if before is not None and before.digest == digest:
            continue
        uow.send(to, MessageType.PERMIT_LIST, listed.model_dump())
        if before is None:
            uow.session.add(
                PermitListSent(institution=institution, row=number, digest=digest, sent_at=now())
            )
        else:
            before.digest, before.sent_at = digest, now()
        count += 1
    for number, before in sent.items():
        if number not in current:
            withdrawn = PermitListWithdrawal(row=number)
            uow.send(to, MessageType.PERMIT_LIST_WITHDRAW, withdrawn.model_dump())
            uow.session.delete(before)
            count += 1
    return count


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
