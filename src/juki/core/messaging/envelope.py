"""The signed envelope: {id, sender, recipient, channel_seq, type, body, sent_at, signature}.

The signature is Ed25519 over the compact JSON of every other field (fixed field order,
no spaces, UTF-8), so any change to any field, the body included, breaks it. The sender's
certificate travels with the envelope, as X-Road attaches its signing certificate; the
receiver checks it chains to the network CA and names the sender.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field

from juki.core import crypto

SIGNED_FIELDS = ("id", "sender", "recipient", "channel_seq", "type", "body", "sent_at")


class Envelope(BaseModel):
    """The envelope's header, validated. The body stays the JSON the sender signed: the
    signature is checked over the received JSON itself, never over a re-serialisation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=36, max_length=36)
    sender: str = Field(min_length=1, max_length=64)
    recipient: str = Field(min_length=1, max_length=64)
    channel_seq: int = Field(ge=1)
    type: str = Field(min_length=1, max_length=64)
    body: dict[str, Any]
    sent_at: str = Field(min_length=20, max_length=40)  # ISO 8601, UTC
    signature: str = Field(min_length=1)
    certificate: str = Field(min_length=1)  # sender's PEM certificate


class Ack(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    status: str  # applied | duplicate | out_of_order | refused | failed
    detail: str = ""
    field: str = ""  # for a refusal: the envelope field at fault (signature, certificate …)


def canonical(payload: dict[str, Any]) -> bytes:
    """Compact JSON in the payload's own key order. JSON parsing keeps key order, so the
    receiver rebuilds exactly these bytes from what it parsed (no sorting needed)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def signed_bytes(raw: dict[str, Any]) -> bytes:
    """The bytes the signature covers: every field but the signature and certificate."""
    return canonical({name: raw[name] for name in SIGNED_FIELDS})


def verify(raw: dict[str, Any], public_key: Ed25519PublicKey) -> bool:
    return crypto.verify(public_key, signed_bytes(raw), str(raw["signature"]))


def seal(
    *,
    key: Ed25519PrivateKey,
    certificate_pem: str,
    sender: str,
    recipient: str,
    channel_seq: int,
    message_type: str,
    body: dict[str, Any],
    message_id: str | None = None,
) -> bytes:
    """The signed wire form of an envelope. `body` must be JSON-native (it is what the
    receiver will parse, so the signed bytes can be rebuilt exactly)."""
    unsigned: dict[str, Any] = {
        "id": message_id or str(uuid.uuid4()),
        "sender": sender,
        "recipient": recipient,
        "channel_seq": channel_seq,
        "type": message_type,
        "body": body,
        "sent_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    signature = crypto.sign(key, canonical(unsigned))
    return canonical(unsigned | {"signature": signature, "certificate": certificate_pem})
