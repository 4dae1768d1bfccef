"""What a running network does on its own, once a minute: sign and anchor every node's
audit head outside the database (REQ-LOG-01: rows reach an anchored checkpoint within a
minute), re-sign the CA's revocation list before it goes stale (a stale CRL stops every
certificate: `core/pki.py`), at each 中間サーバー ask again for 符号 whose 処理通番
expired and close the held answers left unreviewed, and at the network end the permits
left unanswered. `juki up` and `juki node serve` both run it; it wakes once a minute and
does one query per node (two at the network, three at a 中間サーバー) when nothing
changed."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from juki.core.messaging.node import Node
from juki.core.pki import PkiDirectory
from juki.infonet import brokering
from juki.intermediate import review
from juki.intermediate import service as fugo_requests

EVERY_S = 60.0
log = logging.getLogger(__name__)


def checkpoint_all(nodes: Iterable[Node]) -> None:
    """Sign every node's audit chain head and anchor it outside the database."""
    for node in nodes:
        with node.db.session() as session:
            node.checkpoint_audit(session)


def once(nodes: Iterable[Node], pki: PkiDirectory) -> None:
    pki.refresh_crl()
    checkpoint_all(nodes)
    for node in nodes:
        if node.role == "intermediate":  # 符号 acquisitions that expired are asked again;
            with node.unit_of_work() as uow:  # held answers past review leave the queue
                fugo_requests.renew_expired(uow)
                review.expire(uow)
        if node.role == "infonet":  # permits left unanswered end, and their requesters know
            with node.unit_of_work() as uow:
                brokering.expire_open(uow)


def every(nodes: list[Node], pki: PkiDirectory, seconds: float = EVERY_S) -> threading.Event:
    """Run `once` every `seconds` in a daemon thread; set the returned event to stop."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(seconds):
            try:
                once(nodes, pki)
            except Exception:  # logged, and tried again next minute: the network runs on
                log.exception("housekeeping failed")

    threading.Thread(target=run, name="housekeeping", daemon=True).start()
    return stop
