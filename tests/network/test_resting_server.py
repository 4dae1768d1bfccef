"""The HTTP server of `juki up` and `juki node serve` rests when idle (issue #13): its main
loop wakes once a second, on the second (for the Date header, RFC 9110 §6.6.1), not ten
times a second as uvicorn's own loop does; it stops at once when asked.

The wake-ups are counted against a fake clock (no test here waits on the wall clock): the
loop's waits are recorded and "elapse" at once."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import threading
from collections.abc import AsyncIterator
from types import SimpleNamespace

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from juki.network import server as server_module
from juki.network.server import RestingServer

PROMPTLY = 30.0  # a bound on waiting for a thread, generous for a loaded machine


class CountingServer(RestingServer):
    """Counts its main loop's wake-ups (and the counter uvicorn is given), and asks to stop
    after `stop_after` of them."""

    def __init__(self, config: uvicorn.Config, stop_after: int = 0):
        super().__init__(config)
        self.serving = threading.Event()
        self.counters: list[int] = []
        self.stop_after = stop_after

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.serving.set()

    async def on_tick(self, counter: int) -> bool:
        self.counters.append(counter)
        if self.stop_after and len(self.counters) >= self.stop_after:
            return True
        return await super().on_tick(counter)


def app() -> FastAPI:
    made = FastAPI()

    @made.get("/")
    def index() -> dict[str, str]:
        return {}

    return made


def test_the_loop_wakes_once_a_second_on_the_second(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = SimpleNamespace(now=1_000.25, waits=[])

    @contextlib.asynccontextmanager
    async def timeout(delay: float) -> AsyncIterator[None]:
        clock.waits.append(delay)
        clock.now += delay  # the wait elapses at once, on the fake clock
        raise TimeoutError
        yield  # pragma: no cover (a generator, for asynccontextmanager)

    fake_asyncio = SimpleNamespace(
        timeout=timeout, Event=asyncio.Event, get_running_loop=asyncio.get_running_loop
    )
    monkeypatch.setattr(server_module, "asyncio", fake_asyncio)
    monkeypatch.setattr(server_module, "time", SimpleNamespace(time=lambda: clock.now))
    server = CountingServer(uvicorn.Config(app(), log_level="error"), stop_after=11)
    server.server_state = uvicorn.server.ServerState()
    asyncio.run(server.main_loop())
    # Ten seconds of idling: ten waits (uvicorn's loop would have woken 100 times), the
    # first to the next whole second, the others a whole second each.
    assert len(server.counters) == 11
    assert clock.waits[0] == pytest.approx(0.75)
    assert clock.waits[1:] == pytest.approx([1.0] * 9)
    assert clock.now == pytest.approx(1_010.0)
    assert set(server.counters) == {0}  # counter 0: uvicorn refreshes the Date header


def test_the_server_serves_and_stops_when_asked() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app(), host="127.0.0.1", port=port, log_level="error")
    server = CountingServer(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert server.serving.wait(PROMPTLY)
    answer = httpx.get(f"http://127.0.0.1:{port}/")
    assert answer.status_code == 200
    assert answer.headers["date"]
    server.handle_exit(signal.SIGTERM, None)  # what the signal handler does
    thread.join(PROMPTLY)  # the loop is woken at once, not at its next second
    assert not thread.is_alive()
