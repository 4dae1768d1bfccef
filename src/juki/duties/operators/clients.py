"""Systems that call a node's API, and how each request proves who sent it.

A client (a municipality's own system, another body's system, the local `juki` command)
is registered on the node with its Ed25519 public key and its rights per duty. Each request
carries a short-lived JWT (RFC 7519, EdDSA via PyJWT) signed with the client's key, naming
the node it is for (`aud`) and the end operator and terminal at the other end (`op`,
`term`): 000 AUTH-03 — a request without them is refused. The node answers 401 for an
unknown or bad signature, 403 for a right the client does not have; both are in the audit
log. (Node-to-node messages are authenticated differently: by their signed envelopes.)

Issue #14 closed three holes: a token is good for one request (its `jti` is kept until it
expires, `spend`); a client may hold two keys while it rotates them, each token naming its
key (`kid`); and the end operator a token names must be known to the node — an active
account of the node for the local command, one of the client's registered end operators
for another body's system — else 401 naming the field, so a two-person check made through
the API rests on a person the node knows, not on a name the caller chose.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from juki.core.errors import Conflict, InvalidInput, Refused
from juki.duties.operators.accounts import Actor, by_login, log_admin, now
from juki.duties.operators.duties import DUTIES, covers
from juki.duties.operators.tables import ApiClient, ApiClientOperator, ApiTokenUse

TOKEN_TTL_S = 60
MAX_TTL_S = 300  # a token longer-lived than this is refused
LEEWAY_S = 30  # clock difference tolerated between client and node


class CallerRefused(Refused):
    code = "unauthenticated"
    status = 401


@dataclass(frozen=True)
class Caller:
    """An authenticated request: which system, for which end operator at which terminal."""

    client_id: str
    name: str
    operator: str
    terminal: str
    body_code: str | None
    rights: dict[str, str] = field(default_factory=dict)
    jti: str = ""
    expires: int = 0  # the token's exp (seconds since the epoch)

    def may(self, duty: str, access: str = "read") -> bool:
        held = self.rights.get(duty)
        return held is not None and covers(held, access)

    @property
    def audit_name(self) -> str:
        return f"{self.operator}@{self.client_id}"[:40]


# --- registration -----------------------------------------------------------------------------


def register_client(
    session: Session,
    actor: Actor,
    role: str,
    *,
    client_id: str,
    name: str,
    public_key_pem: str,
    rights: dict[str, str],
    body_code: str | None = None,
    media_public_key_pem: str | None = None,
    operators: Sequence[str] | None = None,
) -> ApiClient:
    """Register a client. `operators`: the end operators of another body's system this
    node will accept in its tokens; None: the node's own operator accounts (the local
    command, a municipality's own system at its register)."""
    if not client_id or len(client_id) > 60 or not client_id.isascii():
        raise InvalidInput("クライアントIDは英数字60文字以内です", field="client_id")
    for duty, access in rights.items():
        if duty not in DUTIES or role not in DUTIES[duty].roles:
            raise InvalidInput("このノードにない事務です", field="rights")
        if access not in ("update", "read"):
            raise InvalidInput("権限は「更新」か「照会のみ」です", field="rights")
    _ed25519(public_key_pem)
    if media_public_key_pem is not None:
        try:
            media_key = serialization.load_pem_public_key(media_public_key_pem.encode())
        except ValueError:
            raise InvalidInput(
                "媒体用の公開鍵（PEM）を読めません", field="media_public_key"
            ) from None
        if not isinstance(media_key, X25519PublicKey):
            raise InvalidInput("媒体用の公開鍵は X25519 です", field="media_public_key")
    if session.scalars(select(ApiClient).where(ApiClient.client_id == client_id)).first():
        raise Conflict("このクライアントIDは登録済みです", field="client_id")
    client = ApiClient(
        client_id=client_id, name=name, public_key=public_key_pem,
        rights=json.dumps(rights, sort_keys=True), body_code=body_code,
        media_public_key=media_public_key_pem, status="active",
        created_at=now(), created_by=actor.login[:40],
        operator_source="accounts" if operators is None else "listed",
    )  # fmt: skip
    session.add(client)
    session.flush()
    log_admin(session, actor, "clients.register", client_id)
    for name in operators or ():
        add_operator(session, actor, client_id, name)
    return client


def _ed25519(pem: str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except ValueError:
        raise InvalidInput("公開鍵（PEM）を読めません", field="public_key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidInput("公開鍵は Ed25519 です", field="public_key")
    return key


def key_id(public_key_pem: str) -> str:
    """A key's `kid`: the first 16 bytes of the SHA-256 of its SubjectPublicKeyInfo, hex."""
    der = _ed25519(public_key_pem).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()[:32]


def _active(session: Session, client_id: str) -> ApiClient:
    client = session.scalars(select(ApiClient).where(ApiClient.client_id == client_id)).first()
    if client is None or client.status != "active":
        raise Conflict("有効なクライアントではありません", field="client_id")
    return client


def add_operator(session: Session, actor: Actor, client_id: str, name: str) -> None:
    """One end operator of another body's system, accepted from now on in its tokens."""
    client = _active(session, client_id)
    name = name.strip()
    if not name or len(name) > 40:
        raise InvalidInput("操作者は40文字以内で入力してください", field="operator")
    if client.operator_source != "listed":
        raise Conflict("このクライアントの操作者はこのノードの利用者IDです", field="operator")
    if known_operator(session, client, name) is not None:
        return
    listed = ApiClientOperator(
        client_id=client_id, operator=name, status="active", added_by=actor.login[:40],
        added_at=now(),
    )  # fmt: skip
    session.add(listed)
    log_admin(session, actor, "clients.add_operator", client_id)


def remove_operator(session: Session, actor: Actor, client_id: str, name: str) -> None:
    for row in session.scalars(
        select(ApiClientOperator).where(
            ApiClientOperator.client_id == client_id, ApiClientOperator.operator == name
        )
    ):
        row.status = "removed"
    log_admin(session, actor, "clients.remove_operator", client_id)


def add_key(session: Session, actor: Actor, client_id: str, public_key_pem: str) -> str:
    """The first step of a rotation: a second key, accepted beside the first until one of
    them is retired. Two at most. Returns the new key's `kid`."""
    client = _active(session, client_id)
    kid = key_id(public_key_pem)
    if client.next_public_key is not None:
        raise Conflict("鍵は既に2つあります。古い鍵を失効させてください", field="public_key")
    if kid == key_id(client.public_key):
        raise Conflict("登録済みの鍵です", field="public_key")
    client.next_public_key = public_key_pem
    log_admin(session, actor, "clients.add_key", client_id)
    return kid


def retire_key(session: Session, actor: Actor, client_id: str, kid: str) -> None:
    """The last step of a rotation: one of the two keys is no longer accepted."""
    client = _active(session, client_id)
    if client.next_public_key is None:
        raise Conflict("鍵が1つしかないため失効できません", field="kid")
    if kid == key_id(client.public_key):
        client.public_key, client.next_public_key = client.next_public_key, None
    elif kid == key_id(client.next_public_key):
        client.next_public_key = None
    else:
        raise InvalidInput("このクライアントの鍵IDではありません", field="kid")
    log_admin(session, actor, "clients.retire_key", client_id)


def revoke_client(session: Session, actor: Actor, client_id: str) -> None:
    client = session.scalars(select(ApiClient).where(ApiClient.client_id == client_id)).first()
    if client is None or client.status != "active":
        raise Conflict("有効なクライアントではありません", field="client_id")
    client.status = "revoked"
    log_admin(session, actor, "clients.revoke", client_id)


# --- the client's side ------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientKey:
    client_id: str
    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls, client_id: str) -> ClientKey:
        return cls(client_id, Ed25519PrivateKey.generate())

    @classmethod
    def from_pem(cls, client_id: str, pem: bytes) -> ClientKey:
        key = serialization.load_pem_private_key(pem, password=None)
        assert isinstance(key, Ed25519PrivateKey)
        return cls(client_id, key)

    def private_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def public_pem(self) -> str:
        return (
            self.private_key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )

    @property
    def kid(self) -> str:
        return key_id(self.public_pem())

    def token(self, audience: str, operator: str, terminal: str, at: float | None = None) -> str:
        issued = int(at if at is not None else time.time())
        claims = {
            "iss": self.client_id, "aud": audience, "iat": issued, "exp": issued + TOKEN_TTL_S,
            "jti": uuid.uuid4().hex, "op": operator, "term": terminal,
        }  # fmt: skip
        return jwt.encode(claims, self.private_key, algorithm="EdDSA", headers={"kid": self.kid})


# Roles with a node per municipality, prefecture or institution (their paths carry the code).
PER_PLACE_ROLES = ("registry", "cs", "prefecture", "atena", "intermediate")


def node_of_path(path: str) -> str:
    """The node a request is for, from its URL path: /registry/131075/… → registry:131075."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return ""
    if parts[0] in PER_PLACE_ROLES and len(parts) > 1:
        return f"{parts[0]}:{parts[1]}"
    return parts[0]


# --- the node's side --------------------------------------------------------------------------


def authenticate(session: Session, node_id: str, authorization: str) -> Caller:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise CallerRefused("認証情報（Bearer トークン）がありません", field="authorization")
    try:
        unverified: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        raise CallerRefused("トークンを読めません", field="authorization") from None
    client = session.scalars(
        select(ApiClient).where(ApiClient.client_id == str(unverified.get("iss", "")))
    ).first()
    if client is None or client.status != "active":
        raise CallerRefused("登録されていないクライアントです", field="authorization")
    key = _key_named(client, token)
    try:
        claims = jwt.decode(
            token, key, algorithms=["EdDSA"], audience=node_id, leeway=LEEWAY_S,
            options={"require": ["iss", "aud", "iat", "exp", "jti", "op", "term"]},
        )  # fmt: skip
    except jwt.MissingRequiredClaimError as missing:
        fields = {"op": "operator", "term": "terminal", "jti": "jti"}
        field_name = fields.get(missing.claim, "authorization")
        raise CallerRefused(
            "操作者と端末を示さない要求は受け付けません", field=field_name
        ) from None
    except jwt.InvalidTokenError:
        raise CallerRefused(
            "トークンの署名・宛先・有効期限を確認できません", field="authorization"
        ) from None
    if int(claims["exp"]) - int(claims["iat"]) > MAX_TTL_S:
        raise CallerRefused("トークンの有効期間が長すぎます", field="authorization")
    operator, terminal = str(claims["op"]).strip(), str(claims["term"]).strip()
    if not operator:
        raise CallerRefused("操作者と端末を示さない要求は受け付けません", field="operator")
    if not terminal:
        raise CallerRefused("操作者と端末を示さない要求は受け付けません", field="terminal")
    jti = str(claims["jti"])
    if not 8 <= len(jti) <= 64:
        raise CallerRefused("トークンID（jti）は8〜64文字です", field="jti")
    for name, value in (("operator", operator), ("terminal", terminal), ("jti", jti)):
        if not value.isprintable():  # NUL and other controls: PostgreSQL cannot even compare
            raise CallerRefused("使えない文字が含まれています", field=name)
    known = known_operator(session, client, operator)
    if known is None:
        raise CallerRefused("このノードに登録されていない操作者です", field="operator")
    operator = known
    return Caller(
        client_id=client.client_id, name=client.name, operator=operator[:40],
        terminal=terminal[:40], body_code=client.body_code, rights=json.loads(client.rights),
        jti=jti, expires=int(claims["exp"]),
    )  # fmt: skip


def _key_named(client: ApiClient, token: str) -> Ed25519PublicKey:
    """The client's key the token's `kid` names (one of two during a rotation)."""
    try:
        kid = str(jwt.get_unverified_header(token).get("kid", ""))
    except jwt.InvalidTokenError:
        raise CallerRefused("トークンを読めません", field="authorization") from None
    for pem in (client.public_key, client.next_public_key):
        if pem is not None and key_id(pem) == kid:
            return _ed25519(pem)
    raise CallerRefused("トークンの鍵ID（kid）が登録された鍵と合いません", field="kid")


def known_operator(session: Session, client: ApiClient, operator: str) -> str | None:
    """The end operator a token of `client` names, as this node knows them (the account's
    stored login, or the registered name), or None (issue #14): the name is what the audit
    log and every two-person check rest on, so it is the node's spelling that goes on —
    `YAMADA.ICHIRO` must not pass a check against `yamada.ichiro` as someone else."""
    if client.operator_source == "accounts":
        account = by_login(session, operator)
        return account.login if account is not None and account.status == "active" else None
    listed = select(ApiClientOperator.operator).where(
        ApiClientOperator.client_id == client.client_id,
        ApiClientOperator.operator == operator,
        ApiClientOperator.status == "active",
    )
    return session.scalars(listed).first()


def spend(session: Session, caller: Caller) -> None:
    """Record the token's `jti` as used (in its own transaction, before the request's
    work: a request that fails still spent its token); a second use is refused."""
    at = now()
    session.execute(delete(ApiTokenUse).where(ApiTokenUse.expires_at < at))
    expires = dt.datetime.fromtimestamp(caller.expires + LEEWAY_S, dt.UTC)
    session.add(ApiTokenUse(client_id=caller.client_id, jti=caller.jti, expires_at=expires))
    try:
        session.flush()
    except IntegrityError:
        raise CallerRefused("このトークンは使用済みです", field="jti") from None
