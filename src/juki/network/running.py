"""Whether a network is running from a home directory: every process that serves nodes
(`juki up`, `juki node serve`) holds a shared lock on `.juki/running.lock` for as long as
it runs (the kernel drops it when the process ends, however it ends), and a command that
must not run beside them (`juki keys rotate`) asks for the lock exclusively."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def _lock_path(home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    return home / "running.lock"


_HELD: list[IO[str]] = []  # open for the life of the process


def serving_from_now(home: Path) -> None:
    """This process serves nodes of `home` until it ends."""
    lock = _lock_path(home).open("a")
    fcntl.flock(lock, fcntl.LOCK_SH)
    _HELD.append(lock)


@contextmanager
def serving(home: Path) -> Iterator[None]:
    with _lock_path(home).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_SH)
        yield


def is_running(home: Path) -> bool:
    with _lock_path(home).open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
        return False
