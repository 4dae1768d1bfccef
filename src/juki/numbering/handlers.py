"""Messages the generator accepts: only from the national server (000 §2.2 connections)."""

from __future__ import annotations

import logging
from typing import Any

from juki.core.errors import Conflict, JukiError
from juki.core.messages import CodeChangeNotice, MessageType, NumberRequest
from juki.core.messaging.envelope import Envelope
from juki.core.messaging.node import Handler, UnitOfWork
from juki.numbering.service import NumberGenerator

log = logging.getLogger(__name__)


def _generator(uow: UnitOfWork) -> NumberGenerator:
    return NumberGenerator(uow.session, uow.node.keys, uow.node.secret)


def on_number_request(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    generator = _generator(uow)
    requests = [NumberRequest.model_validate(raw) for raw in records]
    generated = generator.generate_many([r.resident_code for r in requests if r.kind == "generate"])
    for request in requests:
        result: dict[str, Any] = {
            "request_id": request.request_id,
            "lg_code": request.lg_code,
            "resident_code": request.resident_code,
            "kind": request.kind,
        }
        try:
            if request.kind == "generate":
                outcome = generated[request.resident_code]
                if isinstance(outcome, str):
                    raise Conflict(
                        "既に個人番号が生成されています", field="resident_code", code=outcome
                    )
                number, at = outcome
            else:
                assert request.old_individual_number is not None
                number, at = generator.change(request.resident_code, request.old_individual_number)
            result |= {"individual_number": number, "generated_at": at.isoformat()}
        except JukiError as exc:
            result |= {"error_code": exc.code}
        uow.send(envelope.sender, MessageType.NUMBER_RESULT, result)


def on_code_change(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    generator = _generator(uow)
    for raw in records:
        notice = CodeChangeNotice.model_validate(raw)
        try:
            generator.change_resident_code(
                notice.old_resident_code, notice.new_resident_code, notice.individual_number
            )
        except JukiError as exc:  # recorded for 整合 follow-up; never retried blindly
            log.warning("code change notice not applied: %s (%s)", exc.code, exc.field)


HANDLERS: dict[str, Handler] = {
    MessageType.NUMBER_REQUEST: on_number_request,
    MessageType.CODE_CHANGE_NOTICE: on_code_change,
}
