"""The print contractor's channel (000 §3.3 1-②/③, C16; OUT-02, OUT-03, OUT-05, OUT-06).

1. A J-LIS operator makes a print batch for the print contractor: every person whose
   送付先情報 is registered and not yet sent (at most `MAX_RECORDS`; the rest go in the
   next batch). Per person the file holds the items printed on the 通知カード, the
   交付申請書 and the envelope, with the 申請書ID (`PrintRecord`, a whitelist: no
   住民票コード, nothing else of the 67 items). It is sealed with HPKE (RFC 9180) to the
   contractor's registered X25519 key, so that only the contractor can open it on the way
   (the dedicated line of C16, here the API); every person sent is in the exchange record.
2. The contractor's system fetches the sealed file and confirms its receipt with the
   SHA-256 it computed; on a match J-LIS erases its sealed copy at once and writes the
   erasure in the erasure history. A file never confirmed is erased by the purge job after
   its period (rules.toml).
3. After printing, the contractor reports its own erasure of the batch. Batches it holds
   past the retention period (`JUKI_PRINT_RETENTION_DAYS`, default 30 days from receipt)
   without a report are listed for follow-up (OUT-06: the system identifies data past
   retention; the erasure at the contractor itself is the contractor's [ORG]).
4. A form invalidated after it was sent (its person's 4情報 changed, or the person was
   removed) is a print stop (印刷停止): the contractor lists and acknowledges its stops;
   stops left unacknowledged are listed for J-LIS's follow-up.
5. At contract end the contractor's client is revoked (the line is cut), its roster is
   closed, every sealed file still held for it is erased, and the batches whose erasure it
   never reported are returned (OUT-06).

Every contractor call is limited to the staff on its roster (`staff`, OUT-02/03) and is
in the exchange record with its operator and terminal, refusals included (OUT-03, OUT-05).
Keys only: batch ids and 送付先管理番号 — never a 個人番号 in a URL, a log or an error.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from juki.card import staff
from juki.card.applications import exchange, refusal_recorded
from juki.card.models import CardFileEntry, PrintBatch, PrintFile
from juki.card.schemas import (
    CONTRACTOR_DUTIES,
    ContractEnd,
    ContractorErasure,
    PrintBatchCreate,
    PrintBatchRead,
    PrintReceipt,
    PrintRecord,
    PrintRetentionLine,
    PrintStop,
    PrintStopAck,
    PrintStopLine,
)
from juki.card.service import held_info
from juki.core.clock import JST
from juki.core.errors import Conflict, InvalidInput, NotFound
from juki.core.messaging.node import UnitOfWork
from juki.duties.operators.accounts import Actor
from juki.duties.operators.clients import Caller, revoke_client
from juki.duties.operators.tables import ApiClient
from juki.duties.provision.batch import media_key_of, seal
from juki.duties.retention.engine import Purge, record_erasure

HPKE_INFO = b"juki card print file v1"
DUTY = "card_print"  # the print contractor's duty (000 §3.3 1-②/③)
MAX_RECORDS = 10_000  # per batch; the rest waits for the next one
RETENTION_ENV = "JUKI_PRINT_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 30
ON_RECEIPT = "印刷ファイル（受領確認後の消去）"
ON_CONTRACT_END = "印刷ファイル（契約終了による消去）"
FILES_TABLE = "print_files"


# --- 1. the print batch (000 §3.3 1-②) -------------------------------------------------------


def make_batch(uow: UnitOfWork, caller: Caller, body: PrintBatchCreate) -> PrintBatch:
    """Seal every registered, unsent person's print items to the contractor's key."""
    session = uow.session
    client = _printer(session, body.contractor)
    assert client.media_public_key is not None  # checked by _printer
    entries = list(
        session.scalars(
            select(CardFileEntry)
            .where(CardFileEntry.status == "registered", CardFileEntry.print_batch_id.is_(None))
            .order_by(CardFileEntry.id)
            .limit(MAX_RECORDS)
        )
    )
    if not entries:
        raise Conflict(
            "印刷する送付先情報（登録済みで未送付のもの）がありません", field="contractor",
            code="nothing_to_print",
        )  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    batch = PrintBatch(
        contractor=client.client_id, record_count=len(entries), sha256="", size=0,
        created_by=caller.audit_name, created_at=now,
    )  # fmt: skip
    session.add(batch)
    session.flush()
    document = {
        "batch_id": batch.id, "items": list(PrintRecord.model_fields),
        "records": [print_record(uow, entry) for entry in entries],
    }  # fmt: skip
    sealed, batch.sha256 = seal(document, media_key_of(client.media_public_key), HPKE_INFO)
    batch.size = len(sealed)
    session.add(PrintFile(id=batch.id, sealed=sealed, created_at=now))
    for entry in entries:
        entry.print_batch_id = batch.id
        session.add(
            exchange(caller, "print_info", entry.destination_id, f"sent:{batch.id}",
                     counterpart=client.client_id)
        )  # fmt: skip
    return batch


def print_record(uow: UnitOfWork, entry: CardFileEntry) -> dict[str, Any]:
    """One person's print items from the held record, and nothing more (the whitelist)."""
    info = held_info(uow, entry).model_dump(mode="json")
    items = {name: info[name] for name in PrintRecord.model_fields if name in info}
    return PrintRecord.model_validate(items | {"application_id": entry.application_id}).model_dump(
        mode="json"
    )


def _printer(session: Session, client_id: str) -> ApiClient:
    """The print contractor: an active client holding `card_print`, with its X25519 key."""
    client = session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))
    if client is None or client.status != "active" or DUTY not in json.loads(client.rights):
        raise NotFound("印刷事業者として登録されたクライアントではありません", field="contractor")
    if client.media_public_key is None:
        raise InvalidInput("印刷事業者の暗号鍵（X25519）が登録されていません", field="contractor")
    return client


# --- 2. fetch and receipt (the contractor) ------------------------------------------------


def fetch(uow: UnitOfWork, caller: Caller, batch_id: int) -> bytes:
    """The sealed file, to the contractor it was sealed for only; the fetch is recorded."""
    with refusal_recorded(uow, caller, "print_file", _key(batch_id)):
        staff.require(uow.session, caller, DUTY)
        batch = _own(uow.session, caller, batch_id)
        held = _held(uow.session, batch)
        batch.fetched_at = batch.fetched_at or dt.datetime.now(dt.UTC)
        uow.session.add(exchange(caller, "print_file", _key(batch_id), "fetched"))
        return held.sealed


def confirm_receipt(
    uow: UnitOfWork, caller: Caller, batch_id: int, receipt: PrintReceipt
) -> PrintBatch:
    """The contractor's digest matches: J-LIS erases its sealed copy and records the
    erasure (OUT-06). A mismatch changes nothing (409, field `sha256`)."""
    with refusal_recorded(uow, caller, "print_receipt", _key(batch_id)):
        staff.require(uow.session, caller, DUTY)
        batch = _own(uow.session, caller, batch_id)
        if batch.received_at is not None:
            raise Conflict("受領確認済みです", field="batch_id", code="already_received")
        _held(uow.session, batch)
        if batch.fetched_at is None:
            raise Conflict("取得されていない印刷ファイルです", field="batch_id", code="not_fetched")
        if receipt.sha256 != batch.sha256:
            raise Conflict(
                "受領したファイルのハッシュ値が送付したものと一致しません", field="sha256",
                code="digest_mismatch",
            )  # fmt: skip
        now = dt.datetime.now(dt.UTC)
        batch.received_at, batch.received_by = now, caller.audit_name
        _erase_files(uow.session, ON_RECEIPT, [batch.id], now)
        uow.session.add(exchange(caller, "print_receipt", _key(batch_id), "received"))
        return batch


# --- 3. erasure at the contractor (OUT-06) --------------------------------------------------


def report_erasure(
    uow: UnitOfWork, caller: Caller, batch_id: int, report: ContractorErasure
) -> PrintBatch:
    """The contractor reports that it erased the batch's data after printing."""
    with refusal_recorded(uow, caller, "print_erasure", _key(batch_id)):
        staff.require(uow.session, caller, DUTY)
        batch = _own(uow.session, caller, batch_id)
        if batch.received_at is None:
            raise Conflict("受領確認のない印刷ファイルです", field="batch_id", code="not_received")
        if batch.contractor_erased_on is not None:
            raise Conflict("消去の報告は受付済みです", field="batch_id", code="already_reported")
        if report.erased_on > dt.datetime.now(JST).date():
            raise InvalidInput("消去日が未来の日付です", field="erased_on")
        if report.erased_on < batch.received_at.astimezone(JST).date():
            raise InvalidInput("消去日が受領より前の日付です", field="erased_on")
        batch.contractor_erased_on, batch.contractor_erased_by = report.erased_on, caller.audit_name
        batch.contractor_erasure_reported_at = dt.datetime.now(dt.UTC)
        uow.session.add(exchange(caller, "print_erasure", _key(batch_id), "erasure_reported"))
        return batch


def retention_days() -> int:
    """The contractor's retention period, in days from receipt (OUT-06: the minimum)."""
    raw = os.environ.get(RETENTION_ENV, str(DEFAULT_RETENTION_DAYS))
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{RETENTION_ENV} must be a whole number of days (1 or more)")
    return int(raw)


def past_retention(session: Session, as_of: dt.date) -> list[PrintRetentionLine]:
    """Batches a contractor holds past its retention period on `as_of` (JST) without a
    reported erasure: the system identifying data past retention (OUT-06)."""
    days = retention_days()
    held = session.scalars(
        select(PrintBatch)
        .where(PrintBatch.fetched_at.is_not(None), PrintBatch.contractor_erased_on.is_(None))
        .order_by(PrintBatch.id)
    )
    lines = []
    for batch in held:
        since = batch.received_at or batch.fetched_at
        assert since is not None
        due = since.astimezone(JST).date() + dt.timedelta(days=days)
        if as_of > due:
            lines.append(
                PrintRetentionLine(
                    batch_id=batch.id, contractor=batch.contractor,
                    record_count=batch.record_count, held_since=since, due_on=due,
                    days_over=(as_of - due).days,
                )
            )  # fmt: skip
    return lines


# --- 4. print stops (印刷停止) ----------------------------------------------------------------
#
# A person's 4情報 changed, or the person was removed, after their form went to the
# contractor: the form is invalid (service.apply_change, F3-ACQ-06) and must not be printed
# or mailed. The contractor's system polls its stops and acknowledges each; J-LIS lists the
# ones left unacknowledged past STOP_ACK_DAYS for follow-up.

STOP_ACK_DAYS = 2


def _stops_query(contractor: str | None = None) -> Select[CardFileEntry, PrintBatch]:
    query = (
        select(CardFileEntry, PrintBatch)
        .join(PrintBatch, PrintBatch.id == CardFileEntry.print_batch_id)
        .where(CardFileEntry.status == "invalidated", CardFileEntry.invalidated_at.is_not(None))
        .order_by(CardFileEntry.invalidated_at, CardFileEntry.id)
    )
    return query if contractor is None else query.where(PrintBatch.contractor == contractor)


def _stop(entry: CardFileEntry, batch: PrintBatch) -> PrintStop:
    assert entry.invalidated_at is not None  # _stops_query
    return PrintStop(
        batch_id=batch.id, application_id=entry.application_id,
        invalidated_at=entry.invalidated_at, acknowledged_at=entry.print_stop_acknowledged_at,
    )  # fmt: skip


def stops(uow: UnitOfWork, caller: Caller, *, pending_only: bool = True) -> list[PrintStop]:
    """The contractor's stops (by default those it has not acknowledged yet)."""
    with refusal_recorded(uow, caller, "print_stop", "print_stops"):
        staff.require(uow.session, caller, DUTY)
        query = _stops_query(caller.client_id)
        if pending_only:
            query = query.where(CardFileEntry.print_stop_acknowledged_at.is_(None))
        found = [_stop(entry, batch) for entry, batch in uow.session.execute(query)]
        uow.session.add(exchange(caller, "print_stop", "print_stops", f"listed:{len(found)}"))
        return found


def acknowledge_stops(uow: UnitOfWork, caller: Caller, ack: PrintStopAck) -> list[PrintStop]:
    """The contractor stopped these forms. Every id must be one of its stops, else nothing
    is recorded (404 naming `application_ids`)."""
    with refusal_recorded(uow, caller, "print_stop_ack", "print_stops"):
        staff.require(uow.session, caller, DUTY)
        wanted = set(ack.application_ids)
        query = _stops_query(caller.client_id).where(CardFileEntry.application_id.in_(wanted))
        rows = list(uow.session.execute(query))
        if len(rows) != len(wanted):
            raise NotFound(
                "印刷停止の対象ではない申請書IDが含まれています", field="application_ids"
            )
        now = dt.datetime.now(dt.UTC)
        for entry, _batch in rows:
            if entry.print_stop_acknowledged_at is None:
                entry.print_stop_acknowledged_at = now
                uow.session.add(
                    exchange(caller, "print_stop", entry.destination_id, "acknowledged")
                )
        return [_stop(entry, batch) for entry, batch in rows]


def unacknowledged_stops(session: Session, as_of: dt.date) -> list[PrintStopLine]:
    """Stops no contractor acknowledged within STOP_ACK_DAYS, as of a date (follow-up)."""
    query = _stops_query().where(CardFileEntry.print_stop_acknowledged_at.is_(None))
    lines = []
    for entry, batch in session.execute(query):
        stop = _stop(entry, batch)
        waiting = (as_of - _japan_day(stop.invalidated_at)).days
        if waiting > STOP_ACK_DAYS:
            line = stop.model_dump() | {"contractor": batch.contractor, "days_waiting": waiting}
            lines.append(PrintStopLine(**line))
    return lines


def _japan_day(moment: dt.datetime) -> dt.date:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite drops zones
    return aware.astimezone(JST).date()


# --- 5. contract end (OUT-06) ---------------------------------------------------------------


def end_contract(uow: UnitOfWork, caller: Caller, client_id: str) -> ContractEnd:
    """Cut the line (revoke the client), close its roster, erase every sealed file still
    held for it; return the batches whose erasure it never reported."""
    session = uow.session
    client = session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))
    if client is None or not set(json.loads(client.rights)) & set(CONTRACTOR_DUTIES):
        raise NotFound("委託先のクライアントではありません", field="client_id")
    if client.status != "active":
        raise Conflict("この委託先との契約は終了済みです", field="client_id", code="ended")
    revoke_client(session, Actor(caller.audit_name, caller.terminal), client_id)
    removed = staff.remove_all(session, caller.audit_name, client_id)
    batches = list(session.scalars(select(PrintBatch).where(PrintBatch.contractor == client_id)))
    held = set(
        session.scalars(select(PrintFile.id).where(PrintFile.id.in_([b.id for b in batches])))
    )
    _erase_files(session, ON_CONTRACT_END, sorted(held), dt.datetime.now(dt.UTC))
    session.add(exchange(caller, "contract_end", "contract_end", "ended", counterpart=client_id))
    return ContractEnd(
        client_id=client_id, revoked=True, staff_removed=removed, files_erased=sorted(held),
        erasure_not_reported=[
            b.id for b in batches if b.fetched_at is not None and b.contractor_erased_on is None
        ],
    )  # fmt: skip


# --- helpers --------------------------------------------------------------------------------


def read(session: Session, batch: PrintBatch) -> PrintBatchRead:
    held = session.get(PrintFile, batch.id) is not None
    state = (
        "contractor_erased" if batch.contractor_erased_on is not None
        else "received" if batch.received_at is not None
        else "withdrawn" if not held
        else "fetched" if batch.fetched_at is not None
        else "sealed"
    )  # fmt: skip
    return PrintBatchRead(
        id=batch.id, contractor=batch.contractor, state=state, record_count=batch.record_count,
        sha256=batch.sha256, created_at=batch.created_at, fetched_at=batch.fetched_at,
        received_at=batch.received_at, contractor_erased_on=batch.contractor_erased_on,
    )  # fmt: skip


def _key(batch_id: int) -> str:
    return f"print_batch:{batch_id}"


def _own(session: Session, caller: Caller, batch_id: int) -> PrintBatch:
    """The batch, for the contractor it was sealed for; to anyone else it does not exist."""
    batch = session.get(PrintBatch, batch_id)
    if batch is None or batch.contractor != caller.client_id:
        raise NotFound("印刷ファイルが見つかりません", field="batch_id")
    return batch


def _held(session: Session, batch: PrintBatch) -> PrintFile:
    held = session.get(PrintFile, batch.id)
    if held is None:
        raise Conflict("この印刷ファイルは消去済みです", field="batch_id", code="file_erased")
    return held


def _erase_files(session: Session, rule: str, batch_ids: list[int], at: dt.datetime) -> None:
    """Erase J-LIS's sealed copies and write the erasure in the erasure history."""
    if not batch_ids:
        return
    session.execute(delete(PrintFile).where(PrintFile.id.in_(batch_ids)))
    keys = [str(i) for i in batch_ids]
    record_erasure(session, Purge(rule, FILES_TABLE, at.isoformat(), len(batch_ids), keys), at)
