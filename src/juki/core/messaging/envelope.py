"""The signed envelope: {id, sender, recipient, channel_seq, type, body, sent_at, signature}.

The signature is Ed25519 over the canonical JSON of every other field (sorted keys, no
spaces, UTF-8), so any change to any field, the body included, breaks it. The sender's
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


class Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=36, max_length=36)
    sender: str = Field(min_length=1, max_length=64)
    recipient: str = Field(min_length=1, max_length=64)
    channel_seq: int = Field(ge=1)
    type: str = Field(min_length=1, max_length=64)
    body: dict[str, Any]
    sent_at: dt.datetime
    signature: str = Field(min_length=1)
    certificate: str = Field(min_length=1)  # sender's PEM certificate

    def signed_bytes(self) -> bytes:
        return canonical(self.model_dump(mode="json", exclude={"signature", "certificate"}))

    def verify_with(self, public_key: Ed25519PublicKey) -> bool:
        return crypto.verify(public_key, self.signed_bytes(), self.signature)


class Ack(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    status: str  # applied | duplicate | out_of_order | refused | failed
    detail: str = ""


def canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def seal(
    *,
    key: Ed25519PrivateKey,
    certificate_pem: str,
    sender: str,
    recipient: str,
    channel_seq: int,
    message_type: str,
    body: dict[str, Any],
) -> Envelope:
    unsigned = Envelope(
        id=str(uuid.uuid4()),
        sender=sender,
        recipient=recipient,
        channel_seq=channel_seq,
        type=message_type,
        body=body,
        sent_at=dt.datetime.now(dt.UTC),
        signature="-",
        certificate=certificate_pem,
    )
    # Sign exactly the bytes the receiver will rebuild from the wire form.
    wire = Envelope.model_validate_json(unsigned.model_dump_json())
    return wire.model_copy(update={"signature": crypto.sign(key, wire.signed_bytes())})
