"""Files that hold secrets (keys, passwords, sealed backups): created 0600 in folders
created 0700, so they are never readable by others, not even for the moment between a
write and a chmod (issue #14, item 10). A file that was there already is narrowed to
0600 before anything is written to it."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(descriptor, "wb") as file:
        os.fchmod(file.fileno(), PRIVATE_FILE)  # before the first byte, if it existed
        file.write(data)
