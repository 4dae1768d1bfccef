"""The CS's own provision control (001a XFER-2-1, XFER-2-2): every send of 本人確認情報
onward (to the prefecture, the national server, another municipality's CS) goes through
`provide`, which sends only what the provision-destination master lists and writes one
provision record per send — refused ones included — in the same transaction as the
outbox entry. Records name persons by 住民票コード only, never by 個人番号."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.core.messaging.node import UnitOfWork
from juki.cs import destinations
from juki.duties.search import ProvisionLog

log = logging.getLogger(__name__)
NOT_IN_MASTER = "提供先マスタにない提供先・電文です"


@dataclass(frozen=True)
class Sent:
    """Who caused the send: the node it came from, and the operator and terminal when the
    message names them (a registry's 本人確認情報 carries both)."""

    sender: str
    operator: str | None = None
    terminal: str | None = None


def provide(
    uow: UnitOfWork, sent: Sent, recipient: str, message_type: str, records: list[dict[str, Any]]
) -> bool:
    """Send `records` as `message_type` to `recipient` if the master lists the pair; record
    the provision either way (one record for the send). Returns whether it was sent."""
    row = _allowed(recipient, message_type)
    if row is not None:
        for raw in records:
            uow.send(recipient, message_type, raw)
    uow.append(ProvisionLog.__table__, entry(sent, recipient, message_type, codes_of(records), row))
    return row is not None


def provide_file(
    uow: UnitOfWork, sent: Sent, recipient: str, message_type: str, payload: dict[str, Any]
) -> bool:
    """The same for one envelope written straight to the outbox (a 整合 part)."""
    row = _allowed(recipient, message_type)
    if row is not None:
        uow.node.write_outbox(uow.session, recipient, message_type, payload)
    codes = [code for part in payload.get("records", []) for code in codes_of(part["records"])]
    uow.append(ProvisionLog.__table__, entry(sent, recipient, message_type, codes, row))
    return row is not None


def _allowed(recipient: str, message_type: str) -> destinations.Destination | None:
    row = destinations.find(recipient, message_type)
    if row is None:
        log.warning("%s to %s is not in the destination master: refused", message_type, recipient)
    return row


def entry(
    sent: Sent,
    recipient: str,
    message_type: str,
    codes: list[str],
    row: destinations.Destination | None,
) -> dict[str, Any]:
    """One provision record: when, who sent (node, operator, terminal), to whom, for which
    purpose under which article, which items, how, and which persons (住民票コード)."""
    return {
        "at": dt.datetime.now(dt.UTC), "requester": sent.sender[:64],
        "operator": (sent.operator or "-")[:40], "terminal": (sent.terminal or "-")[:40],
        "purpose": (row.purpose if row else message_type)[:200],
        "key_kind": "message", "kind": "provision", "method": "online",
        "body_code": recipient[:40], "duty_code": message_type[:60],
        "legal_basis": row.legal_basis[:100] if row else None,
        "items": ";".join(row.items) if row else "",
        "result_count": len(codes) if row else 0, "targets": json.dumps(codes),
        "refused_reason": None if row else NOT_IN_MASTER,
    }  # fmt: skip


def codes_of(records: Iterable[dict[str, Any]]) -> list[str]:
    """The 住民票コード a message names, at its top level or in the certificate or copy it
    carries (転出証明書情報, 広域交付住民票情報, 送付先情報)."""
    codes: list[str] = []
    for raw in records:
        for part in (raw, raw.get("certificate"), raw.get("copy_items"), raw.get("record")):
            if isinstance(part, dict) and isinstance(part.get("resident_code"), str):
                codes.append(part["resident_code"])
                break
    return codes


def provisions(
    session: Session, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[ProvisionLog]:
    """The provision records of a period, oldest first."""
    query = select(ProvisionLog)
    if since is not None:
        query = query.where(ProvisionLog.at >= since)
    if until is not None:
        query = query.where(ProvisionLog.at < until)
    return list(session.scalars(query.order_by(ProvisionLog.id)))
