"""Messages the prefectural server accepts: only from its CSs and the national server."""

from __future__ import annotations

from typing import Any

from juki.core.consistency import answer_consistency
from juki.core.messages import IdentityUpdateResult, MessageType
from juki.core.messaging.envelope import Envelope
from juki.core.messaging.node import Handler, UnitOfWork
from juki.prefecture import service
from juki.prefecture.models import PrefectureIdentityRow

NATIONAL = "national"


def on_identity_update(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    """1-③: forward accepted updates to the national server; refuse the rest to the CS."""
    for outcome in service.apply_identity_updates(uow.session, uow.node.keys, records):
        if outcome.error is None:
            uow.send(NATIONAL, MessageType.IDENTITY_UPDATE, outcome.raw)
        else:
            uow.send(envelope.sender, MessageType.IDENTITY_UPDATE_RESULT, outcome.result())


def on_update_result(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    """The national server's 更新結果 goes back down to the CS that notified."""
    for raw in records:
        result = IdentityUpdateResult.model_validate(raw)
        uow.send(f"cs:{result.lg_code}", MessageType.IDENTITY_UPDATE_RESULT, raw)


def on_consistency_check(
    uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]
) -> None:
    for raw in records:
        result = answer_consistency(
            uow.session,
            PrefectureIdentityRow,
            uow.node.keys,
            uow.node.node_id,
            raw,
        )
        if result is not None:
            uow.send(envelope.sender, MessageType.CONSISTENCY_RESULT, result)


HANDLERS: dict[str, Handler] = {
    MessageType.IDENTITY_UPDATE: on_identity_update,
    MessageType.IDENTITY_UPDATE_RESULT: on_update_result,
    MessageType.CONSISTENCY_CHECK: on_consistency_check,
}
