"""Messages the portal accepts (core/messaging/paths.py): JPKI's answer about a log-in's
certificate; from the network the portal's 符号 for a log-in, re-keyings, and a person's
情報提供等記録."""

from __future__ import annotations

from juki.core.infonet_messages import FugoIssued, FugoRekey
from juki.core.messages import MessageType
from juki.core.messaging.node import Handler
from juki.core.messaging.records import each_record
from juki.core.portal_messages import PortalIdentified, RecordsAnswer
from juki.portal import service

HANDLERS: dict[str, Handler] = {
    MessageType.PORTAL_IDENTIFIED: each_record(PortalIdentified, service.on_identified),
    MessageType.FUGO_ISSUED: each_record(FugoIssued, service.on_fugo),
    MessageType.FUGO_REKEY: each_record(FugoRekey, service.on_rekey),
    MessageType.PORTAL_RECORDS: each_record(RecordsAnswer, service.on_records),
}
