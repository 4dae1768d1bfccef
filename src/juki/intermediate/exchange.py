"""The 中間サーバー's part in 情報照会・情報提供 (001a §2.4 ②③⑤⑥⑧; NWS-5, NWS-6, NWS-7):
the 副本 it answers from, the 照会許可用照合リスト it checks permits against, its own queries
and their sealed answers, and the permits it answers — each in its 情報提供等記録."""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select

from juki.core.clock import as_utc
from juki.core.errors import InvalidInput, NotFound
from juki.core.infonet_messages import (
    FukuhonRegister,
    InfonetAnswer,
    InfonetQuery,
    InfonetResult,
    Outcome,
    PermitListRow,
    ProvisionPermit,
    open_answer,
    public_key_text,
    seal_answer,
)
from juki.core.messages import MessageType
from juki.core.messaging.node import Node, UnitOfWork
from juki.intermediate.models import FugoHeld, Fukuhon, PermitListEntry, ProvisionLog

log = logging.getLogger(__name__)
NETWORK = "infonet"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def reply_private_key(node: Node) -> X25519PrivateKey:
    """The key answers to this institution's queries are sealed to (NWS-6-1): derived from
    the node's secret (HKDF, RFC 5869), never stored; its public half is registered with
    the network."""
    seed = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"juki/infonet-reply-key"
    ).derive(node.secret)
    return X25519PrivateKey.from_private_bytes(seed)


def reply_public_key(node: Node) -> str:
    return public_key_text(reply_private_key(node))


# --- 副本 and the permit list -------------------------------------------------------------


def register_copy(uow: UnitOfWork, copy: FukuhonRegister) -> None:
    """副本の登録 (§3.13): the latest data replaces the last (removed persons are kept)."""
    found = uow.session.get(Fukuhon, (copy.atena_id, copy.kind))
    data = copy.data.model_dump_json()
    if found is None:
        uow.session.add(
            Fukuhon(
                atena_id=copy.atena_id, kind=copy.kind, data=data, removed=copy.removed,
                hold=copy.hold, registered_at=now(),
            )
        )  # fmt: skip
    else:
        found.data, found.removed, found.hold = data, copy.removed, copy.hold
        found.registered_at = now()


def receive_permit_list(uow: UnitOfWork, listed: PermitListRow) -> None:
    entry = uow.session.get(PermitListEntry, listed.row)
    items = json.dumps(list(listed.items), ensure_ascii=False)
    if entry is None:
        uow.session.add(
            PermitListEntry(
                row=listed.row, requester=listed.requester, task=listed.task, items=items,
                received_at=now(),
            )
        )  # fmt: skip
    else:
        entry.requester, entry.task, entry.items = listed.requester, listed.task, items
        entry.received_at = now()


# --- asking -------------------------------------------------------------------------------


def ask(
    uow: UnitOfWork, atena_id: str, row: int, task: str, items: tuple[str, ...], provider: str
) -> str:
    """情報照会 about the person this institution holds under `atena_id`: sent to the network
    under the person's 符号 (never the 個人番号); returns the query id."""
    held = uow.session.get(FugoHeld, atena_id)
    if held is None:
        raise NotFound("この団体内統合宛名番号の符号がありません", field="atena_id")
    query_id = secrets.token_hex(16)
    try:
        query = InfonetQuery(
            query_id=query_id, fugo=held.fugo, row=row, task=task, items=items, provider=provider
        )
    except ValueError as error:  # pydantic's, for a malformed row, item or provider
        raise InvalidInput("照会の内容が正しくありません", field="query") from error
    uow.session.add(
        ProvisionLog(
            side="asking", query_id=query_id, other=provider, row=row, task=task,
            items=json.dumps(list(items), ensure_ascii=False), atena_id=atena_id,
            asked_at=now(), outcome="asked",
        )
    )  # fmt: skip
    uow.send(NETWORK, MessageType.INFONET_QUERY, query.model_dump())
    return query_id


def receive_result(uow: UnitOfWork, result: InfonetResult) -> None:
    """The network's answer to one of this institution's queries, kept sealed."""
    entry = uow.session.scalars(
        select(ProvisionLog).where(
            ProvisionLog.side == "asking", ProvisionLog.query_id == result.query_id
        )
    ).first()
    if entry is None or entry.outcome != "asked":
        log.warning("情報照会: a result for no open query of ours, dropped")
        return
    entry.permit_id, entry.outcome, entry.reason = result.permit_id, result.outcome, result.reason
    entry.sealed, entry.answered_at = result.sealed, now()


def read_answer(uow: UnitOfWork, query_id: str) -> dict[str, object]:
    """The outcome of a query, with the provided data opened by this institution's key."""
    entry = uow.session.scalars(
        select(ProvisionLog).where(ProvisionLog.side == "asking", ProvisionLog.query_id == query_id)
    ).first()
    if entry is None:
        raise NotFound("照会が見つかりません", field="query_id")
    answer: dict[str, object] = {"outcome": entry.outcome, "reason": entry.reason}
    if entry.sealed is not None and entry.permit_id is not None:
        opened = open_answer(entry.sealed, reply_private_key(uow.node), entry.permit_id)
        answer["data"] = json.loads(opened)
    return answer


# --- providing ----------------------------------------------------------------------------


def answer_permit(uow: UnitOfWork, permit: ProvisionPermit) -> None:
    """NWS-5-1/5-2/5-3, 7-1: a permit is answered only if this institution's own list has
    its row, 事務 and items, and it is in date; the answer is made from the 副本
    automatically, unless the person is 自動応答不可 (then staff must review it: nothing
    is sent but `held`); it is sealed to the requester's key."""
    outcome, reason, sealed, atena_id = _provide(uow, permit)
    uow.session.add(
        ProvisionLog(
            side="providing", permit_id=permit.permit_id, other=permit.requester, row=permit.row,
            task=permit.task, items=json.dumps(list(permit.items), ensure_ascii=False),
            atena_id=atena_id, asked_at=now(), answered_at=now(), outcome=outcome,
            reason=reason,
        )
    )  # fmt: skip
    answer = InfonetAnswer(
        permit_id=permit.permit_id, outcome=outcome, sealed=sealed, reason=reason
    )
    uow.send(NETWORK, MessageType.INFONET_ANSWER, answer.model_dump())


def _provide(
    uow: UnitOfWork, permit: ProvisionPermit
) -> tuple[Outcome, str | None, str | None, str | None]:
    listed = uow.session.get(PermitListEntry, permit.row)
    if (
        listed is None
        or listed.task != permit.task
        or not set(permit.items) <= set(json.loads(listed.items))
    ):
        return "refused", "not_on_permit_list", None, None
    if as_utc(permit.expires_at) <= now():
        return "refused", "permit_expired", None, None
    held = uow.session.scalars(select(FugoHeld).where(FugoHeld.fugo == permit.fugo)).first()
    if held is None:
        return "not_held", "unknown_fugo", None, None
    copies = uow.session.scalars(
        select(Fukuhon).where(Fukuhon.atena_id == held.atena_id, Fukuhon.kind.in_(permit.items))
    ).all()
    if not copies:
        return "not_held", "no_copy", None, held.atena_id
    if any(copy.hold for copy in copies):
        return "held", "no_automatic_answer", None, held.atena_id
    data = {copy.kind: json.loads(copy.data) for copy in copies}
    body = json.dumps(data, ensure_ascii=False).encode()
    return "provided", None, seal_answer(body, permit.reply_key, permit.permit_id), held.atena_id
