"""Messages the 中間サーバー accepts: from its own institution's 統合宛名 the requests for a
処理通番 and the 副本; from the network 符号, re-keyings, the permit list, permits and the
results of its queries (core/messaging/paths.py)."""

from __future__ import annotations

from juki.core.infonet_messages import (
    FugoAcquire,
    FugoIssued,
    FugoRekey,
    FukuhonCheckDone,
    FukuhonOriginal,
    FukuhonRegister,
    InfonetResult,
    PermitListRow,
    PermitListWithdrawal,
    ProvisionPermit,
)
from juki.core.messages import MessageType
from juki.core.messaging.node import Handler
from juki.core.messaging.records import each_record
from juki.intermediate import checks, exchange, service

HANDLERS: dict[str, Handler] = {
    MessageType.FUGO_ACQUIRE: each_record(FugoAcquire, service.give_serial),
    MessageType.FUGO_ISSUED: each_record(FugoIssued, service.bind),
    MessageType.FUGO_REKEY: each_record(FugoRekey, service.rekey),
    MessageType.FUKUHON_REGISTER: each_record(FukuhonRegister, exchange.register_copy),
    MessageType.FUKUHON_ORIGINAL: each_record(FukuhonOriginal, checks.compare),
    MessageType.FUKUHON_CHECK_DONE: each_record(FukuhonCheckDone, checks.finish),
    MessageType.PERMIT_LIST: each_record(PermitListRow, exchange.receive_permit_list),
    MessageType.PERMIT_LIST_WITHDRAW: each_record(
        PermitListWithdrawal, exchange.withdraw_permit_list_row
    ),
    MessageType.PROVISION_PERMIT: each_record(ProvisionPermit, exchange.answer_permit),
    MessageType.INFONET_RESULT: each_record(InfonetResult, exchange.receive_result),
}
