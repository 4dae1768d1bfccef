"""Systems that call a node's API, and how each request proves who sent it.

A client (a municipality's own system, another body's system, the local `juki` command)
is registered on the node with its Ed25519 public key and its rights per duty. Each request
carries a short-lived JWT (RFC 7519, EdDSA via PyJWT) signed with the client's key, naming
the node it is for (`aud`) and the end operator and terminal at the other end (`op`,
`term`): 000 AUTH-03 — a request without them is refused. The node answers 401 for an
unknown or bad signature, 403 for a right the client does not have; both are in the audit
log. (Node-to-node messages are authenticated differently: by their signed envelopes.)
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.core.errors import Conflict, InvalidInput, Refused
from juki.duties.operators.accounts import Actor, log_admin, now
from juki.duties.operators.duties import DUTIES, covers
from juki.duties.operators.tables import ApiClient

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
) -> ApiClient:
    if not client_id or len(client_id) > 60 or not client_id.isascii():
        raise InvalidInput("クライアントIDは英数字60文字以内です", field="client_id")
    for duty, access in rights.items():
        if duty not in DUTIES or role not in DUTIES[duty].roles:
            raise InvalidInput("このノードにない事務です", field="rights")
        if access not in ("update", "read"):
            raise InvalidInput("権限は「更新」か「照会のみ」です", field="rights")
    try:
        key = serialization.load_pem_public_key(public_key_pem.encode())
    except ValueError:
        raise InvalidInput("公開鍵（PEM）を読めません", field="public_key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidInput("公開鍵は Ed25519 です", field="public_key")
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
    )  # fmt: skip
    session.add(client)
    session.flush()
    log_admin(session, actor, "clients.register", client_id)
    return client


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

    def token(self, audience: str, operator: str, terminal: str, at: float | None = None) -> str:
        issued = int(at if at is not None else time.time())
        claims = {
            "iss": self.client_id, "aud": audience, "iat": issued, "exp": issued + TOKEN_TTL_S,
            "jti": uuid.uuid4().hex, "op": operator, "term": terminal,
        }  # fmt: skip
        return jwt.encode(claims, self.private_key, algorithm="EdDSA")


def node_of_path(path: str) -> str:
    """The node a request is for, from its URL path: /registry/131075/… → registry:131075."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return ""
    if parts[0] in ("registry", "cs", "prefecture") and len(parts) > 1:
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
    key = serialization.load_pem_public_key(client.public_key.encode())
    try:
        claims = jwt.decode(
            token, key, algorithms=["EdDSA"], audience=node_id, leeway=LEEWAY_S,  # type: ignore[arg-type]
            options={"require": ["iss", "aud", "iat", "exp", "op", "term"]},
        )  # fmt: skip
    except jwt.MissingRequiredClaimError as missing:
        field_name = {"op": "operator", "term": "terminal"}.get(missing.claim, "authorization")
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
    return Caller(
        client_id=client.client_id, name=client.name, operator=operator[:40],
        terminal=terminal[:40], body_code=client.body_code, rights=json.loads(client.rights),
    )  # fmt: skip
