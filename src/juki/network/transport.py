"""Envelopes between processes: HTTPS with mutual TLS to the process hosting the recipient.

The receiving Node verifies every envelope, whichever way it came (core/messaging).
"""

from __future__ import annotations

import ssl

import httpx

from juki.core.messaging.envelope import Ack
from juki.core.messaging.transport import InProcessTransport, TransportError


class HttpTransport:
    """HTTPS with mutual TLS to the process hosting the recipient (`POST /messages`)."""

    def __init__(self, addresses: dict[str, str], context: ssl.SSLContext, timeout: float = 30):
        self.addresses = addresses
        self.client = httpx.Client(verify=context, timeout=timeout)

    def send(self, recipient: str, envelopes: list[bytes]) -> list[Ack]:
        base = self.addresses.get(recipient)
        if base is None:
            raise TransportError(f"no route to {recipient}")
        payload = b"[" + b",".join(envelopes) + b"]"
        try:
            response = self.client.post(
                f"{base}/messages", content=payload, headers={"content-type": "application/json"}
            )
        except httpx.HTTPError as exc:
            raise TransportError(f"{recipient}: {type(exc).__name__}") from None
        if response.status_code not in (200, 403):  # 403 carries the refusals' acks
            raise TransportError(f"{recipient}: HTTP {response.status_code}")
        return [Ack.model_validate(item) for item in response.json()]

    def close(self) -> None:
        self.client.close()


class RoutingTransport:
    """Local nodes in process, everything else over HTTPS."""

    def __init__(self, local: InProcessTransport, remote: HttpTransport | None):
        self.local = local
        self.remote = remote

    def send(self, recipient: str, envelopes: list[bytes]) -> list[Ack]:
        if recipient in self.local.nodes or self.remote is None:
            return self.local.send(recipient, envelopes)
        return self.remote.send(recipient, envelopes)
