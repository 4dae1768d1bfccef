"""送付先情報ファイル at the CS (File 3; 001a §3.7 7-①/②, §4.3).

The registry extracts each new person to be notified of a 個人番号 as one 送付先情報 record
and sends it with its SHA-256. The CS

1. receives it only if it arrived whole and correct (001a ACQ-3-8, 001b C-06): the digest
   matches, the record has the prescribed format, it is this municipality's, the person is a
   current resident, and the 個人番号 is the one File 2 holds for the latest 住民票コード
   (000 §3.3 1-①: the CS checks each number against the latest code);
2. holds it encrypted (the record names the 個人番号);
3. passes it to J-LIS's card management system without edits: the stored record is
   decrypted, its digest compared with the registry's once more, and only then sent, by the
   destination master and in the provision record (001a XFER-2-8, XFER-2-1);
4. marks it received when the card system's receipt returns, after which the purge job
   erases it in one batch (retention under a year: rules.toml; 001a ACQ-3-8, STO-2-2,
   STO-3-4). Refusals at either end go back to the registry by 送付先管理番号 only.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from juki.core.audit import log as audit
from juki.core.crypto import sealed_label
from juki.core.identity import NUMBER_COLUMN
from juki.core.messages import (
    DestinationInfo,
    DestinationNotice,
    DestinationReceipt,
    MessageType,
    destination_digest,
    item_at_fault,
)
from juki.core.messaging.node import UnitOfWork
from juki.core.messaging.paths import code_of
from juki.cs import provision
from juki.cs.models import CsIdentityRow, DestinationEntry

CARD = "card"  # 個人番号カード管理システム (000 §2.4)
RECORD_COLUMN = sealed_label("destination_record")
NO_DIGEST = "0" * 64
ALARM = logging.getLogger("juki.alarm")


@dataclass(frozen=True)
class Refusal:
    code: str
    field: str


def receive(uow: UnitOfWork, sender: str, raws: list[dict[str, Any]]) -> None:
    """7-①: store each intact, correct record; refuse the others back to the registry.
    File 2 and File 3 are read once for the batch, not once per record."""
    now = dt.datetime.now(dt.UTC)
    notices: list[tuple[dict[str, Any], DestinationNotice | None, Refusal | None]] = [
        (raw, *_intact(raw)) for raw in raws
    ]
    known = _Known.of(uow, [n.info() for _, n, _ in notices if n is not None])
    for raw, notice, refusal in notices:
        if notice is not None:
            refusal = _against_file(uow, notice.info(), known)
        if refusal is not None:
            _refuse(uow, sender, raw, refusal)
            continue
        assert notice is not None
        info = notice.info()
        known.destination_ids.add(info.destination_id)
        uow.session.add(
            DestinationEntry(
                destination_id=info.destination_id,
                record_cipher=uow.node.keys.encrypt(
                    json.dumps(notice.record, ensure_ascii=False), column=RECORD_COLUMN
                ),
                digest=notice.digest,
                status="stored",
                stored_at=now,
            )
        )
        _audit(uow, "cs.destination.receive", info.destination_id, "ok")
    uow.session.flush()
    send_stored(uow, provision.Sent(sender))


def _intact(raw: dict[str, Any]) -> tuple[DestinationNotice | None, Refusal | None]:
    """The notice if it arrived whole (digest) and in the prescribed format."""
    try:
        notice = DestinationNotice.model_validate(raw)
    except ValidationError as exc:
        return None, Refusal("invalid_notice", item_at_fault(exc))
    if not notice.intact():
        return None, Refusal("digest_mismatch", "digest")
    try:
        notice.info()
    except ValidationError as exc:
        return None, Refusal("invalid_format", item_at_fault(exc))
    return notice, None


@dataclass
class _Known:
    """What File 2 and File 3 hold about a batch's persons, read in one query each."""

    destination_ids: set[str]
    residents: dict[str, CsIdentityRow]

    @classmethod
    def of(cls, uow: UnitOfWork, infos: list[DestinationInfo]) -> _Known:
        ids = sorted({info.destination_id for info in infos})
        codes = sorted({info.resident_code for info in infos})
        held: set[str] = set()
        residents: dict[str, CsIdentityRow] = {}
        for start in range(0, max(len(ids), len(codes)), 500):
            held.update(
                uow.session.scalars(
                    select(DestinationEntry.destination_id).where(
                        DestinationEntry.destination_id.in_(ids[start : start + 500])
                    )
                )
            )
            for row in uow.session.scalars(
                select(CsIdentityRow).where(
                    CsIdentityRow.resident_code.in_(codes[start : start + 500]),
                    CsIdentityRow.is_current.is_(True),
                )
            ):
                residents[row.resident_code] = row
        return cls(held, residents)


def _against_file(uow: UnitOfWork, info: DestinationInfo, known: _Known) -> Refusal | None:
    if info.lg_code != code_of(uow.node.node_id):
        return Refusal("other_municipality", "lg_code")
    if info.destination_id in known.destination_ids:
        return Refusal("duplicate", "destination_id")
    row = known.residents.get(info.resident_code)
    if row is None or row.removed:  # only current residents (000 §3.3 1-①)
        return Refusal("not_current_resident", "resident_code")
    index = uow.node.keys.blind_index(info.individual_number, column=NUMBER_COLUMN)
    if index != row.individual_number_index:
        return Refusal("number_mismatch", "individual_number")
    return None


def send_stored(uow: UnitOfWork, sent: provision.Sent) -> int:
    """7-②: send every stored record to the card system exactly as received: decrypted,
    its digest recomputed and compared with the registry's (001a XFER-2-8). A record that
    no longer matches is not sent: it is marked damaged, the alarm raised and the registry
    told, so it extracts the person again."""
    now = dt.datetime.now(dt.UTC)
    entries = uow.session.scalars(
        select(DestinationEntry).where(DestinationEntry.status == "stored")
    ).all()
    sent_count = 0
    for entry in entries:
        record = json.loads(uow.node.keys.decrypt(entry.record_cipher, column=RECORD_COLUMN))
        if destination_digest(record) != entry.digest:
            ALARM.critical("送付先情報 %s changed at the CS: not sent", entry.destination_id)
            entry.status, entry.error_code = "damaged", "changed_at_cs"
            _audit(uow, "cs.destination.send", entry.destination_id, "refused", "changed_at_cs")
            _tell_registry(uow, entry, "refused", "changed_at_cs", "digest", "cs")
            continue
        notice = {"record": record, "digest": entry.digest}
        if provision.provide(uow, sent, CARD, MessageType.DESTINATION_INFO, [notice]):
            entry.status, entry.sent_at = "sent", now
            sent_count += 1
            _audit(uow, "cs.destination.send", entry.destination_id, "ok")
    return sent_count


def on_receipt(uow: UnitOfWork, raws: list[dict[str, Any]]) -> None:
    """The card system's receipt: registered (the record may now be erased after the set
    period) or refused; either way the registry hears of it."""
    now = dt.datetime.now(dt.UTC)
    receipts = [DestinationReceipt.model_validate(raw) for raw in raws]
    ids = sorted({receipt.destination_id for receipt in receipts})
    entries = {
        entry.destination_id: entry
        for start in range(0, len(ids), 500)
        for entry in uow.session.scalars(
            select(DestinationEntry).where(
                DestinationEntry.destination_id.in_(ids[start : start + 500])
            )
        )
    }
    for raw, receipt in zip(raws, receipts, strict=True):
        entry = entries.get(receipt.destination_id)
        if entry is None:
            continue  # already erased: a repeated receipt changes nothing
        if receipt.digest != entry.digest:
            ALARM.critical("receipt for 送付先情報 %s names another digest", entry.destination_id)
            entry.status, entry.error_code = "damaged", "receipt_digest_mismatch"
        elif receipt.result == "registered":
            entry.status, entry.received_at = "registered", now
        else:
            entry.status, entry.error_code = "refused", receipt.error_code
        _audit(uow, "cs.destination.receipt", entry.destination_id, entry.status)
        uow.send(_registry(uow), MessageType.DESTINATION_RECEIPT, raw)


def _refuse(uow: UnitOfWork, sender: str, raw: dict[str, Any], refusal: Refusal) -> None:
    record = raw.get("record")
    destination_id = str(record.get("destination_id", "")) if isinstance(record, dict) else ""
    digest = raw.get("digest")
    digest = digest if isinstance(digest, str) else NO_DIGEST
    _audit(uow, "cs.destination.receive", destination_id[:36], "refused", refusal.code)
    try:
        receipt = DestinationReceipt(
            destination_id=destination_id, lg_code=code_of(uow.node.node_id), digest=digest,
            result="refused", refused_by="cs", error_code=refusal.code, field=refusal.field,
        )  # fmt: skip
    except ValidationError:
        # Without a usable 送付先管理番号 or digest there is nothing to answer by; the
        # refusal is in the audit log and the registry's record stays unanswered.
        return
    uow.send(sender, MessageType.DESTINATION_RECEIPT, receipt.model_dump(mode="json"))


def _tell_registry(
    uow: UnitOfWork, entry: DestinationEntry, result: str, code: str, field: str, by: str
) -> None:
    receipt = DestinationReceipt.model_validate(
        {"destination_id": entry.destination_id, "lg_code": code_of(uow.node.node_id),
         "digest": entry.digest, "result": result, "refused_by": by, "error_code": code,
         "field": field}
    )  # fmt: skip
    uow.send(_registry(uow), MessageType.DESTINATION_RECEIPT, receipt.model_dump(mode="json"))


def _registry(uow: UnitOfWork) -> str:
    return f"registry:{code_of(uow.node.node_id)}"


def _audit(
    uow: UnitOfWork, function: str, destination_id: str, result: str, reason: str = ""
) -> None:
    targets = (f"送付先管理番号={destination_id}",) + ((f"理由={reason}",) if reason else ())
    uow.audit(
        audit.Access(
            operator="(cs)", terminal=uow.node.node_id, function=function, targets=targets,
            purpose="送付先情報の通知", result=result, number_touched=True,
        )
    )  # fmt: skip
