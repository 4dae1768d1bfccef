"""Audit checkpoints anchored outside the node's database (issue #14, item 9).

A signed checkpoint kept only in the database it vouches for can be deleted by whoever
writes to that database: change a row, recompute the chain after it, delete the last
checkpoint, and the chain verifies again. So each checkpoint is also appended to a file
outside the database (`.juki/audit-anchors/<node>.jsonl`: one JSON line per checkpoint,
opened O_APPEND, created 0600 in a 0700 folder), and `juki audit verify` checks every
anchor against the rows: an anchored head whose rows are gone or different is reported,
whatever the database's own checkpoints say.

What this does and does not protect (docs/pia/README.md, REQ-LOG-01): rows up to the last
anchored checkpoint cannot be altered, removed or cut off by anyone who can write only to
the database (an SQL account, a restored backup, an injected statement). Rows after it are
chained but not yet anchored (`juki up` anchors every minute). Someone who holds both the
host's files and the node's signing key can rewrite anchors too: against that, copy the
anchor files off the host (they hold hashes and signatures only, no personal information).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Anchor:
    node_id: str
    seq: int
    hash: str
    signature: str
    at: str


class AnchorFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, anchor: Anchor) -> None:
        """One line at the end, written and synced before the checkpoint is counted."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        line = json.dumps(anchor.__dict__, separators=(",", ":")) + "\n"
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, line.encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def last_seq(self) -> int:
        """The highest sequence number anchored (0: none yet)."""
        return max((anchor.seq for anchor in self.read()), default=0)

    def read(self) -> list[Anchor]:
        """Every anchor, oldest first; a line that is not one is kept as a bad anchor (seq
        -1) so that verification reports it."""
        if not self.path.exists():
            return []
        anchors = []
        for line in self.path.read_text().splitlines():
            try:
                anchors.append(Anchor(**json.loads(line)))
            except (ValueError, TypeError):
                anchors.append(Anchor("", -1, "", "", ""))
        return anchors
