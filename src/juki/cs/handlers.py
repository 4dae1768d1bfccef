"""Messages the CS accepts: from its own registry, its prefecture and the national server."""

from __future__ import annotations

from typing import Any

from juki.core.ids import prefecture_code_of
from juki.core.messages import MessageType
from juki.core.messaging.envelope import Envelope
from juki.core.messaging.node import Handler, UnitOfWork
from juki.core.messaging.paths import code_of
from juki.cs import service

NATIONAL = "national"


def prefecture_of(uow: UnitOfWork) -> str:
    return f"prefecture:{prefecture_code_of(code_of(uow.node.node_id))}"


def registry_of(uow: UnitOfWork) -> str:
    return f"registry:{code_of(uow.node.node_id)}"


def on_identity_update(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for outcome in service.apply_identity_updates(uow.session, uow.node.keys, records):
        if outcome.error is None:
            uow.send(
                prefecture_of(uow),
                MessageType.IDENTITY_UPDATE,
                outcome.raw,
            )
        else:
            uow.send(envelope.sender, MessageType.IDENTITY_UPDATE_RESULT, outcome.result())


def relay_to_registry(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    """更新結果, 個人番号 results and code pools go back to the municipality's registry."""
    for raw in records:
        uow.send(registry_of(uow), envelope.type, raw)


def relay_to_national(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    """Number requests and pool requests go to the national server (000 P1.1 1-①)."""
    for raw in records:
        uow.send(NATIONAL, envelope.type, raw)


def on_consistency_result(
    uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]
) -> None:
    for raw in records:
        service.record_consistency_result(uow.session, raw)


def start_reconcile(uow: UnitOfWork) -> str:
    """6-①: send the 整合 data to the prefectural and national servers."""
    checks = service.consistency_parts(uow.session, uow.node.keys, code_of(uow.node.node_id))
    for check in checks:  # one envelope per part, so a large municipality streams its file
        uow.node.write_outbox(
            uow.session, prefecture_of(uow), MessageType.CONSISTENCY_CHECK, {"records": [check]}
        )
        uow.node.write_outbox(
            uow.session, NATIONAL, MessageType.CONSISTENCY_CHECK, {"records": [check]}
        )
    return str(checks[0]["check_id"])


HANDLERS: dict[str, Handler] = {
    MessageType.IDENTITY_UPDATE: on_identity_update,
    MessageType.IDENTITY_UPDATE_RESULT: relay_to_registry,
    MessageType.NUMBER_RESULT: relay_to_registry,
    MessageType.POOL_GRANT: relay_to_registry,
    MessageType.NUMBER_REQUEST: relay_to_national,
    MessageType.POOL_REQUEST: relay_to_national,
    MessageType.CONSISTENCY_RESULT: on_consistency_result,
}
