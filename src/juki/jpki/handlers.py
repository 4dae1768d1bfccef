"""Messages JPKI accepts (paths in core/messaging/paths.py): the mayor's applications for a
card's certificates and requests on them, through the municipality's CS (answered the same
way), the national server's 異動等失効情報, and the kiosk's and マイナポータル's questions
about a 利用者証明用 certificate."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from juki.core.jpki_messages import JpkiCardStatus, JpkiChange, JpkiIssueRequest
from juki.core.kiosk_messages import KioskIdentify
from juki.core.messages import MessageType
from juki.core.messaging.envelope import Envelope
from juki.core.messaging.node import Handler, UnitOfWork
from juki.core.messaging.paths import code_of
from juki.core.messaging.records import valid_records
from juki.core.portal_messages import PortalIdentify
from juki.jpki import kiosk, portal, service

log = logging.getLogger(__name__)


def on_issue(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for raw in records:
        request = JpkiIssueRequest.model_validate(raw)
        answer = service.issue(uow.session, request, code_of(envelope.sender), uow.node.keys)
        if answer.result_code != "00" and answer.refused_field == "lg_code":
            log.warning("jpki application %s from another municipality", request.request_id)
            continue  # nothing of another municipality's resident goes back to this one
        uow.send(envelope.sender, MessageType.JPKI_ISSUED, answer.model_dump(mode="json"))


def on_card_status(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for raw in records:
        status = JpkiCardStatus.model_validate(raw)
        if status.action != "transfer":
            service.apply_card_status(uow.session, status, code_of(envelope.sender))
            continue
        answer = service.transfer(uow.session, status, code_of(envelope.sender))
        if answer is not None:
            uow.send(envelope.sender, MessageType.JPKI_ISSUED, answer.model_dump(mode="json"))


def on_change(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    changes = [JpkiChange.model_validate(raw) for raw in records]
    service.apply_changes(uow.session, changes, uow.node.keys)


def on_kiosk_identify(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for raw in records:
        answer = kiosk.identify(
            uow.session, KioskIdentify.model_validate(raw), dt.datetime.now(dt.UTC)
        )
        uow.send(envelope.sender, MessageType.KIOSK_IDENTIFIED, answer.model_dump(mode="json"))


def on_portal_identify(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for ask in valid_records(PortalIdentify, records, "jpki: portal.identify"):
        portal.identify(uow, envelope.sender, ask)


HANDLERS: dict[str, Handler] = {
    MessageType.JPKI_ISSUE: on_issue,
    MessageType.JPKI_CARD_STATUS: on_card_status,
    MessageType.JPKI_CHANGE: on_change,
    MessageType.KIOSK_IDENTIFY: on_kiosk_identify,
    MessageType.PORTAL_IDENTIFY: on_portal_identify,
}
