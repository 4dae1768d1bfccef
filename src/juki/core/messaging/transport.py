"""Transports carry lists of envelopes to a recipient node and bring back acks. Core has
the in-process one; HTTPS between processes is the network's (`network/transport.py`).

Both run the same checks: the receiving Node verifies every envelope, whichever way it came.
"""

from __future__ import annotations

import json
from typing import Protocol

from juki.core.messaging.envelope import Ack
from juki.core.messaging.node import Node


class TransportError(Exception):
    """The recipient could not be reached; the dispatcher backs off and retries."""


class Transport(Protocol):
    def send(self, recipient: str, envelopes: list[bytes]) -> list[Ack]: ...


class InProcessTransport:
    """For nodes hosted in one process: the wire form is parsed again, as over HTTP."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}

    def register(self, node: Node) -> None:
        self.nodes[node.node_id] = node

    def send(self, recipient: str, envelopes: list[bytes]) -> list[Ack]:
        node = self.nodes.get(recipient)
        if node is None:
            raise TransportError(f"no route to {recipient}")
        return node.receive([json.loads(raw) for raw in envelopes])
