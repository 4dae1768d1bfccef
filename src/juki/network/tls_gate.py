"""The node process's mutual-TLS port, with every refused handshake on record.

000 NET-04 / F1-PRV-04 and 002 REQ-PRV-05 ask that communications be recorded, refusals
included. uvicorn (through asyncio) drops a connection whose TLS handshake fails without a
trace unless the event loop runs in debug mode, so a client with no certificate or one from
another CA would leave nothing behind. The gate accepts the TCP connection itself, puts
asyncio's own TLS protocol over it (as `loop.create_server(ssl=...)` would), and:

- on failure, closes the connection and hands the peer's address and the reason to a
  `RefusalRecorder` (which writes it to every hosted node's refusal record, msg_refusals);
- on success, gives the TLS transport to uvicorn's own HTTP protocol, which then serves the
  connection exactly as if uvicorn had terminated TLS itself.

A flood of bad handshakes must not become a flood of database writes: one record per peer
host and reason per `quiet_s`, the ones held back in between counted in the next record.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import threading
import time
from asyncio import sslproto
from collections.abc import Callable
from typing import Any, cast

from uvicorn.protocols.http.auto import AutoHTTPProtocol

log = logging.getLogger(__name__)

HANDSHAKE_TIMEOUT_S = 10
QUIET_S = 10.0


def refusal_reason(exc: BaseException) -> str:
    """What went wrong, in the TLS library's words (never anything the peer sent)."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"証明書を検証できません: {exc.verify_message}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS ハンドシェイク失敗: {exc.reason or type(exc).__name__}"
    if isinstance(exc, TimeoutError):
        return "TLS ハンドシェイクが時間内に終わりません"
    return f"TLS ハンドシェイク中に切断: {type(exc).__name__}"


class RefusalRecorder:
    """Throttled writer of refused handshakes: `write(peer, reason)` at most once per peer
    host and reason per `quiet_s`; what it held back is counted into the next record."""

    def __init__(
        self,
        write: Callable[[str, str], None],
        quiet_s: float = QUIET_S,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._write = write
        self._quiet_s = quiet_s
        self._clock = clock
        self._lock = threading.Lock()
        self._last: dict[tuple[str, str], float] = {}
        self._held: dict[tuple[str, str], int] = {}

    def refused(self, peer: str, host: str, reason: str) -> bool:
        """Record one refusal of `peer` (host:port); False when held back by the throttle."""
        now, key = self._clock(), (host, reason)
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self._quiet_s:
                self._held[key] = self._held.get(key, 0) + 1
                return False
            self._last[key] = now
            held = self._held.pop(key, 0)
        if held:
            reason = f"{reason} (直前 {held} 件の拒否を省略)"
        log.warning("TLS handshake refused from %s: %s", peer, reason)
        self._write(peer, reason)
        return True


def gate_protocol(
    context: ssl.SSLContext,
    recorder: RefusalRecorder,
    http_protocol: type[asyncio.Protocol] = AutoHTTPProtocol,
    handshake_timeout_s: int = HANDSHAKE_TIMEOUT_S,
) -> type[asyncio.Protocol]:
    """A protocol class for `uvicorn.run(http=..., loop="asyncio")`, served with no `ssl_*`
    options: the gate does TLS with `context` (which should demand a client certificate)."""

    class HandshakeGate(asyncio.Protocol):
        def __init__(self, **uvicorn_arguments: Any):
            self._loop: asyncio.AbstractEventLoop = (
                uvicorn_arguments.get("_loop") or asyncio.get_event_loop()
            )
            self._http = http_protocol(**uvicorn_arguments)
            self._watcher: asyncio.Task[None] | None = None  # held: the loop keeps tasks weakly

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            # What `loop.create_server(ssl=...)` does inside, done here in the same call so
            # that no byte can arrive before the TLS layer holds the transport: the TLS
            # protocol takes it over, hands the connection to uvicorn's HTTP protocol once
            # the handshake succeeds, and tells `waiter` how the handshake ended.
            # asyncio.sslproto is asyncio's own (undocumented) module behind create_server
            # and start_tls; tests/network/test_tls_gate.py fails if it ever changes shape.
            tcp = cast(asyncio.Transport, transport)
            waiter = self._loop.create_future()
            tls = sslproto.SSLProtocol(
                self._loop,
                self._http,
                context,
                waiter,
                server_side=True,
                ssl_handshake_timeout=handshake_timeout_s,
            )
            tcp.set_protocol(tls)
            tls.connection_made(tcp)
            peername = tcp.get_extra_info("peername") or ("?", 0)
            peer, host = f"{peername[0]}:{peername[1]}", str(peername[0])
            self._watcher = self._loop.create_task(self._watch(waiter, peer, host))

        async def _watch(self, waiter: asyncio.Future[None], peer: str, host: str) -> None:
            try:
                await waiter
            except (OSError, TimeoutError) as exc:  # ssl.SSLError is an OSError
                reason = refusal_reason(exc)
                await self._loop.run_in_executor(None, recorder.refused, peer, host, reason)

    return HandshakeGate
