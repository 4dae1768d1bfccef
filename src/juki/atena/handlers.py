"""Messages the 統合宛名 accepts: the register's person updates (1-④), the 中間サーバー's
処理通番 (5-①) and its finding that two 統合宛名番号 are one person, each from its own
institution only (core/messaging/paths.py)."""

from __future__ import annotations

from juki.atena import service
from juki.core.infonet_messages import (
    AtenaUpdate,
    FugoSamePerson,
    FugoSerial,
    FukuhonCheck,
    FukuhonCheckDone,
    FukuhonOriginal,
)
from juki.core.messages import MessageType
from juki.core.messaging.node import Handler
from juki.core.messaging.records import each_record

HANDLERS: dict[str, Handler] = {
    MessageType.ATENA_UPDATE: each_record(AtenaUpdate, service.apply_update),
    MessageType.FUGO_SERIAL: each_record(FugoSerial, service.request_fugo),
    MessageType.FUGO_SAME_PERSON: each_record(FugoSamePerson, service.merge),
    MessageType.FUKUHON_CHECK: each_record(FukuhonCheck, service.relay_check),
    MessageType.FUKUHON_ORIGINAL: each_record(FukuhonOriginal, service.relay_original),
    MessageType.FUKUHON_CHECK_DONE: each_record(FukuhonCheckDone, service.relay_done),
}
