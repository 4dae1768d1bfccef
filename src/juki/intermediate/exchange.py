"""The 中間サーバー's part in 情報照会・情報提供 (001a §2.4 ②③⑤⑥⑧; NWS-5, NWS-6, NWS-7):
the 副本 it answers from, the 照会許可用照合リスト it checks permits against, its own queries
and their sealed answers, and the permits it answers — each in its 情報提供等記録."""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select

from juki.core.clock import as_utc
from juki.core.crypto import verify
from juki.core.errors import InvalidInput, JukiError, NotFound
from juki.core.infonet_messages import (
    REVIEW_PERIOD,
    FukuhonRegister,
    InfonetAnswer,
    InfonetQuery,
    InfonetResult,
    Outcome,
    PermitListRow,
    PermitListWithdrawal,
    ProvisionPermit,
    QueryRequest,
    Reason,
    UnusableKey,
    open_answer,
    public_key_text,
    seal_answer,
)
from juki.core.messages import MessageType
from juki.core.messaging.node import Node, UnitOfWork
from juki.core.messaging.paths import code_of
from juki.intermediate.models import (
    FugoHeld,
    Fukuhon,
    HeldAnswer,
    PermitListEntry,
    ProvisionLog,
)

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


def copies_of(uow: UnitOfWork, atena_id: str) -> list[Fukuhon]:
    """副本の照会 (NWS-7-2): one person's 副本 as the 中間サーバー holds them (each was
    validated item by item when registered); the 符号 is not among them."""
    found = uow.session.scalars(
        select(Fukuhon).where(Fukuhon.atena_id == atena_id).order_by(Fukuhon.kind)
    ).all()
    if not found:
        raise NotFound("この団体内統合宛名番号の副本はありません", field="atena_id")
    return list(found)


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


def withdraw_permit_list_row(uow: UnitOfWork, withdrawn: PermitListWithdrawal) -> None:
    """A row the legal table no longer has for this institution: permits under it are
    refused from now on (`not_on_permit_list`)."""
    entry = uow.session.get(PermitListEntry, withdrawn.row)
    if entry is not None:
        uow.session.delete(entry)


# --- asking -------------------------------------------------------------------------------

# Who asks when no business system does (the tests, `juki bench exchange`): the 中間サーバー's
# own staff function.
STAFF = "intermediate"


def ask(
    uow: UnitOfWork, atena_id: str, row: int, task: str, items: tuple[str, ...], provider: str,
    asked_by: str = STAFF,
) -> str:  # fmt: skip
    """情報照会 about the person this institution holds under `atena_id`: a request signed
    with this node's key, naming the key the answer is to be sealed to, sent to the network
    under the person's 符号 (never the 個人番号); returns the query id. Only `asked_by` (the
    business system and operator that asked) may read the answer."""
    held = uow.session.get(FugoHeld, atena_id)
    if held is None:
        raise NotFound("この団体内統合宛名番号の符号がありません", field="atena_id")
    try:
        request = QueryRequest(
            query_id=secrets.token_hex(16), requester=code_of(uow.node.node_id), row=row,
            task=task, items=items, provider=provider, reply_key=reply_public_key(uow.node),
        )  # fmt: skip
    except ValueError as error:  # pydantic's, for a malformed row, item or provider
        raise InvalidInput("照会の内容が正しくありません", field="query") from error
    query = InfonetQuery(
        request=request, signature=uow.node.sign(request.signed_bytes()),
        certificate=uow.node.certificate_pem, fugo=held.fugo,
    )  # fmt: skip
    uow.session.add(
        ProvisionLog(
            side="asking", query_id=request.query_id, other=provider, row=row, task=task,
            items=json.dumps(list(items), ensure_ascii=False), atena_id=atena_id,
            asked_at=now(), outcome="asked", asked_by=asked_by[:120],
        )
    )  # fmt: skip
    uow.send(NETWORK, MessageType.INFONET_QUERY, query.model_dump(mode="json"))
    return request.query_id


def receive_result(uow: UnitOfWork, result: InfonetResult) -> None:
    """The network's answer to one of this institution's queries, kept sealed. A
    provision may follow a `not_provided` (the provider's staff reviewed a held answer and
    gave it: infonet/brokering.relay_answer); nothing else changes an answer."""
    entry = uow.session.scalars(
        select(ProvisionLog).where(
            ProvisionLog.side == "asking", ProvisionLog.query_id == result.query_id
        )
    ).first()
    late = entry is not None and entry.outcome == "not_provided" and result.outcome == "provided"
    if entry is None or (entry.outcome != "asked" and not late):
        log.warning("情報照会: a result for no open query of ours, dropped")
        return
    entry.permit_id, entry.outcome, entry.reason = result.permit_id, result.outcome, result.reason
    entry.sealed, entry.answered_at = result.sealed, now()


def read_answer(uow: UnitOfWork, query_id: str, reader: str = STAFF) -> dict[str, Any]:
    """The outcome of a query asked by `reader`, with the provided data opened by this
    institution's key (`unreadable` if it does not open: nothing else is shown)."""
    entry = uow.session.scalars(
        select(ProvisionLog).where(ProvisionLog.side == "asking", ProvisionLog.query_id == query_id)
    ).first()
    if entry is None or entry.asked_by != reader[:120]:
        raise NotFound("照会が見つかりません", field="query_id")
    answer: dict[str, Any] = {"outcome": entry.outcome, "reason": entry.reason}
    if entry.sealed is not None and entry.permit_id is not None:
        try:
            opened = open_answer(entry.sealed, reply_private_key(uow.node), entry.permit_id)
            answer["data"] = json.loads(opened)
        except (InvalidTag, ValueError):  # base64, JSON and HPKE's own errors
            answer["outcome"] = "unreadable"
    return answer


# --- providing ----------------------------------------------------------------------------


def answer_permit(uow: UnitOfWork, permit: ProvisionPermit) -> None:
    """NWS-5-1/5-2/5-3, 7-1: a permit is answered only once, only if the request is signed
    by the requester it names and asks this institution, and only if this institution's
    own list has its row, 事務 and items, in date; the answer is made from the 副本
    automatically, unless the person is 自動応答不可 (then it waits for staff to review it,
    `review.py`: nothing is sent but `held`); it is sealed to the key the requester
    signed."""
    done = uow.session.scalars(
        select(ProvisionLog.id).where(
            ProvisionLog.side == "providing", ProvisionLog.permit_id == permit.permit_id
        )
    ).first()
    if done is not None:
        log.warning("情報提供: a permit answered before, dropped")
        return
    outcome, reason, sealed, atena_id = _provide(uow, permit)
    request = permit.request
    if outcome == "held" and atena_id is not None:  # for staff to review (`review.py`)
        uow.session.add(
            HeldAnswer(
                permit_id=permit.permit_id, request=request.model_dump_json(),
                atena_id=atena_id, held_at=now(), review_by=now() + REVIEW_PERIOD,
            )
        )  # fmt: skip
    uow.session.add(
        ProvisionLog(
            side="providing", permit_id=permit.permit_id, other=request.requester,
            row=request.row, task=request.task,
            items=json.dumps(list(request.items), ensure_ascii=False), atena_id=atena_id,
            asked_at=now(), answered_at=now(), outcome=outcome, reason=reason,
        )
    )  # fmt: skip
    answer = InfonetAnswer(
        permit_id=permit.permit_id, outcome=outcome, sealed=sealed, reason=reason
    )
    uow.send(NETWORK, MessageType.INFONET_ANSWER, answer.model_dump())


def _signed_by_requester(uow: UnitOfWork, permit: ProvisionPermit) -> bool:
    request = permit.request
    try:
        node_id, key = uow.node.certified(permit.certificate)
    except JukiError:
        return False
    return (
        node_id == f"intermediate:{request.requester}"
        and request.provider == code_of(uow.node.node_id)
        and verify(key, request.signed_bytes(), permit.signature)
    )


def _provide(
    uow: UnitOfWork, permit: ProvisionPermit
) -> tuple[Outcome, Reason | None, str | None, str | None]:
    request = permit.request
    if not _signed_by_requester(uow, permit):
        return "refused", "bad_request_signature", None, None
    listed = uow.session.get(PermitListEntry, request.row)
    if (
        listed is None
        or listed.task != request.task
        or not set(request.items) <= set(json.loads(listed.items))
    ):
        return "refused", "not_on_permit_list", None, None
    if as_utc(permit.expires_at) <= now():
        return "refused", "permit_expired", None, None
    held = uow.session.scalars(select(FugoHeld).where(FugoHeld.fugo == permit.fugo)).first()
    if held is None:
        return "not_held", "unknown_fugo", None, None
    copies = copies_for(uow, held.atena_id, request.items)
    if not copies:
        return "not_held", "no_copy", None, held.atena_id
    if any(copy.hold for copy in copies):
        return "held", "no_automatic_answer", None, held.atena_id
    return (*sealed_answer(copies, request, permit.permit_id), held.atena_id)


def copies_for(uow: UnitOfWork, atena_id: str, items: tuple[str, ...]) -> list[Fukuhon]:
    """The person's 副本 of the kinds a request names."""
    return list(
        uow.session.scalars(
            select(Fukuhon).where(Fukuhon.atena_id == atena_id, Fukuhon.kind.in_(items))
        )
    )


def sealed_answer(
    copies: list[Fukuhon], request: QueryRequest, permit_id: str
) -> tuple[Outcome, Reason | None, str | None]:
    """The answer made from the 副本, sealed to the key the requester signed (NWS-6-1)."""
    if not copies:
        return "not_held", "no_copy", None
    data = {copy.kind: json.loads(copy.data) for copy in copies}
    body = json.dumps(data, ensure_ascii=False).encode()
    try:
        sealed = seal_answer(body, request.reply_key, permit_id)
    except UnusableKey:
        return "refused", "unusable_key", None
    return "provided", None, sealed
