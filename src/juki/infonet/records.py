"""情報提供等記録表示 (番号法 第23条第3項 and 附則第6条第3項: the person may see the records
of every provision of their 特定個人情報; 001a §2.4): マイナポータル asks under its own
符号 for the person, the network converts it to the person's 連携用符号 and answers with
their records, newest first — who asked whom, under which row and 事務, for which items,
when, and what came of it (refusals included; never the data itself). Only the portal asks,
and only under a 符号 the network gave it."""

from __future__ import annotations

import json
import logging

from sqlalchemy import select

from juki.core.messages import MessageType
from juki.core.messaging.node import UnitOfWork
from juki.core.portal_messages import (
    MAX_RECORDS,
    PORTAL,
    RecordLine,
    RecordsAnswer,
    RecordsAsk,
    Shown,
)
from juki.infonet.models import FugoLink, Institution, ProvisionRecord

log = logging.getLogger(__name__)
# What the person sees of each outcome: the data subject learns that nothing was given,
# not whether the provider held nothing or its staff withheld it.
SHOWN: dict[str, Shown] = {
    "provided": "provided", "not_held": "not_provided", "held": "not_provided",
    "withheld": "not_provided", "refused": "refused", "permitted": "pending",
    "reviewing": "pending",
}  # fmt: skip


def answer(uow: UnitOfWork, sender: str, ask: RecordsAsk) -> None:
    if sender != PORTAL:  # the path allows only the portal; said twice, as a rule
        log.warning("情報提供等記録: asked by someone other than the portal, dropped")
        return
    link = uow.session.scalars(
        select(FugoLink.link_code).where(FugoLink.institution == PORTAL, FugoLink.fugo == ask.fugo)
    ).first()
    lines: list[RecordLine] = []
    if link is not None:
        names = {
            r.id: r.name for r in uow.session.execute(select(Institution.id, Institution.name))
        }
        found = uow.session.scalars(
            select(ProvisionRecord)
            .where(ProvisionRecord.link_code == link)
            .order_by(ProvisionRecord.asked_at.desc(), ProvisionRecord.id.desc())
            .limit(MAX_RECORDS)
        )
        lines = [_line(record, names) for record in found]
    told = RecordsAnswer(ask_id=ask.ask_id, known=link is not None, records=tuple(lines))
    uow.send(PORTAL, MessageType.PORTAL_RECORDS, told.model_dump(mode="json"))


def _line(record: ProvisionRecord, names: dict[str, str]) -> RecordLine:
    return RecordLine(
        asked_at=record.asked_at, answered_at=record.answered_at,
        requester=record.requester, requester_name=names.get(record.requester, record.requester),
        provider=record.provider, provider_name=names.get(record.provider, record.provider),
        row=record.row, task=record.task, items=tuple(json.loads(record.items)),
        outcome=SHOWN.get(record.outcome, "refused"),
    )  # fmt: skip
