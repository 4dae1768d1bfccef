"""一括提供 (batch provision by a condition-list file, 002 §6.2) under two-person control.

One operator asks for a batch for a body whose legal-table row allows `media`, with the
condition list (one row per person sought: a row id and one kind of key); a second operator
approves it, and only then does it run. The result file has exactly one result set per
condition row, correlated by its row id, holding only the row's items (REQ-PRV-08), and is
sealed to the body's registered X25519 key with HPKE (RFC 9180), so that nobody but the
body can read it (000 MEDIA-04). Each time the file is written out, the media ledger
records it with operator and witness (MEDIA-01, REQ-PRV-07); bulk output needs the second
person (MEDIA-03, REQ-OUT-01).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from typing import Any

from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.core import clock
from juki.core.crypto import FieldKeys, sealed_label
from juki.core.errors import Conflict, InvalidInput, NotFound, Refused
from juki.core.identity import IdentityRowMixin
from juki.duties.ledgers import service as ledgers
from juki.duties.operators.clients import Caller
from juki.duties.operators.tables import ApiClient
from juki.duties.provision import legal_table, stops
from juki.duties.provision.service import (
    ProvisionRequest,
    Recorded,
    plain,
    record,
    record_withheld,
)
from juki.duties.provision.tables import BatchProvision, MediaLedger
from juki.duties.search import search

MAX_ROWS = 10_000
SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
HPKE_INFO = b"juki batch provision v1"
CONDITIONS_COLUMN = sealed_label("batch_provisions.conditions")
KEY_COLUMNS = ("resident_code", "individual_number", "name_kanji", "name_kana", "birth_date",
               "sex", "address")  # fmt: skip


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body_code: str = Field(min_length=1, max_length=40)
    duty: str = Field(min_length=1, max_length=60)
    conditions_csv: str = Field(min_length=1, max_length=5_000_000)


def parse_conditions(text: str) -> list[tuple[str, ProvisionRequest]]:
    """The condition list: CSV with `row_id` and key columns; every row checked, and a bad
    one refused naming its line and column (nothing is stored)."""
    reader = csv.DictReader(io.StringIO(text))
    columns = set(reader.fieldnames or ())
    if "row_id" not in columns or not columns & set(KEY_COLUMNS):
        raise InvalidInput(
            "条件ファイルには row_id と検索キーの列が必要です", field="conditions_csv"
        )
    unknown = columns - {"row_id", *KEY_COLUMNS}
    if unknown:
        raise InvalidInput(
            f"条件ファイルに不明な列があります: {', '.join(sorted(unknown))}",
            field="conditions_csv",
        )
    rows: list[tuple[str, ProvisionRequest]] = []
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        row_id = (raw.get("row_id") or "").strip()
        if not row_id or row_id in seen:
            raise InvalidInput(f"{line}行目: row_id がないか重複しています", field="conditions_csv")
        seen.add(row_id)
        keys = {k: v.strip() for k, v in raw.items() if k in KEY_COLUMNS and v and v.strip()}
        try:
            rows.append((row_id, ProvisionRequest.model_validate({"duty": "batch", **keys})))
        except ValidationError as exc:
            where = ".".join(str(p) for p in exc.errors()[0]["loc"]) or "keys"
            raise InvalidInput(
                f"{line}行目: {where} が正しくありません", field="conditions_csv"
            ) from None
        if len(rows) > MAX_ROWS:
            raise InvalidInput(f"条件は{MAX_ROWS}行までです", field="conditions_csv")
    if not rows:
        raise InvalidInput("条件がありません", field="conditions_csv")
    return rows


def request(
    session: Session, keys: FieldKeys, node_id: str, body: BatchRequest, caller: Caller
) -> BatchProvision:
    row = legal_table.find(node_id, body.body_code, body.duty)
    if row is None or "media" not in row.methods:
        raise Refused(
            "この機関・事務には一括提供の定めがありません", field="duty", code="no_legal_basis"
        )
    rows = parse_conditions(body.conditions_csv)
    for _row_id, condition in rows:
        if condition.key_kind() not in row.keys:
            raise Refused("この事務では使えない検索キーです", field=condition.key_kind())
    recipient_key(session, body.body_code)  # refuse now if the body has no media key
    batch = BatchProvision()
    batch.body_code, batch.duty_code = body.body_code, body.duty
    batch.conditions = keys.encrypt(body.conditions_csv, column=CONDITIONS_COLUMN)
    batch.row_count, batch.status = len(rows), "requested"
    batch.requested_by, batch.requested_at = caller.audit_name, dt.datetime.now(dt.UTC)
    session.add(batch)
    session.flush()
    return batch


def approve_and_run(
    session: Session,
    keys: FieldKeys,
    node_id: str,
    identity_model: type[IdentityRowMixin],
    batch_id: int,
    caller: Caller,
) -> BatchProvision:
    """The second person approves; the batch runs in the same transaction over the node's
    file `identity_model`. A person whose provision a granted 利用停止請求 stops is answered
    in their row as withheld, with no items, and recorded apart as refused; the other rows
    are unaffected."""
    batch = _batch(session, batch_id)
    if batch.status != "requested":
        raise Conflict("この一括提供は既に処理されています", field="batch_id")
    if same_person(batch.requested_by, caller):
        raise Refused("依頼した人とは別の人が承認します（相互牽制）", field="approved_by")
    row = legal_table.find(node_id, batch.body_code, batch.duty_code)
    if row is None:
        raise Refused("法令（別表）の定めがなくなりました", field="duty", code="no_legal_basis")
    conditions = parse_conditions(keys.decrypt(batch.conditions, column=CONDITIONS_COLUMN))
    results: list[dict[str, Any]] = []
    codes: list[str] = []
    withheld: set[str] = set()
    for row_id, condition in conditions:
        found = search(session, identity_model, keys, condition.search(row.duty_name))
        stopped = stops.stopped(session, (v.resident_code for v in found))
        given = [view for view in found if view.resident_code not in stopped]
        codes += [view.resident_code for view in given]
        withheld |= stopped
        records = [{item: plain(getattr(v, item)) for item in row.items} for v in given]
        results.append({"row_id": row_id, "records": records, "withheld": len(stopped)})
    document = {
        "body": row.body_name, "duty": row.duty_name, "legal_basis": row.legal_basis,
        "items": list(row.items), "results": results,
    }  # fmt: skip
    batch.result, batch.result_sha256 = seal(
        document, recipient_key(session, batch.body_code), HPKE_INFO
    )
    batch.records_out, batch.status = len(codes), "done"
    batch.approved_by, batch.approved_at = caller.audit_name, dt.datetime.now(dt.UTC)
    what = Recorded(batch.body_code, batch.duty_code, "list", "media")
    record(
        session, caller, what, row.kind, legal_basis=row.legal_basis,
        items=row.items, targets=codes,
    )  # fmt: skip
    record_withheld(session, caller, what, row, sorted(withheld))
    return batch


def same_person(recorded: str, caller: Caller) -> bool:
    """Whether `recorded` (an audit name, `operator@client`, cut at 40 characters) names the
    caller's end operator through any system: a batch asked for through the API and
    approved in the node's console by the same person is still approved by its requester."""
    return recorded == caller.audit_name or recorded.startswith(f"{caller.operator}@"[:40])


def write_out(session: Session, batch_id: int, caller: Caller, media_id: str) -> bytes:
    """媒体への書出し: the sealed file, only to a registered medium checked for viruses
    that day, recorded in the media ledger with its witness."""
    batch = _batch(session, batch_id)
    if batch.status != "done" or batch.result is None:
        raise Conflict("承認され実行された一括提供ではありません", field="batch_id")
    ledgers.medium_ready(session, media_id, dt.datetime.now(clock.JST).date())
    entry = MediaLedger()
    entry.at, entry.batch_id, entry.body_code = dt.datetime.now(dt.UTC), batch.id, batch.body_code
    entry.operator, entry.witness = caller.audit_name, batch.approved_by or ""
    entry.file_sha256, entry.size = batch.result_sha256 or "", len(batch.result)
    entry.records, entry.note = batch.records_out or 0, f"媒体 {media_id}"
    session.add(entry)
    return batch.result


def seal(document: dict[str, Any], key: X25519PublicKey, info: bytes) -> tuple[bytes, str]:
    """A JSON document sealed with HPKE to one recipient's key, and the sealed bytes'
    SHA-256 (what the recipient confirms on receipt)."""
    sealed = SUITE.encrypt(json.dumps(document, ensure_ascii=False).encode(), key, info=info)
    return sealed, hashlib.sha256(sealed).hexdigest()


def open_result(
    private_key: X25519PrivateKey, sealed: bytes, info: bytes = HPKE_INFO
) -> dict[str, Any]:
    """What the recipient does with its private key (tests use it too); `info` is the
    context the file was sealed under (a batch provision's by default)."""
    opened: dict[str, Any] = json.loads(SUITE.decrypt(sealed, private_key, info=info))
    return opened


def recipient_key(session: Session, body_code: str) -> X25519PublicKey:
    client = session.scalars(
        select(ApiClient).where(
            ApiClient.body_code == body_code,
            ApiClient.status == "active",
            ApiClient.media_public_key.is_not(None),
        )
    ).first()
    if client is None or client.media_public_key is None:
        raise Refused("提供先機関の暗号鍵が登録されていません", field="body_code")
    return media_key_of(client.media_public_key)


def media_key_of(pem: str) -> X25519PublicKey:
    """A client's registered X25519 key (checked as X25519 when it was registered)."""
    key = serialization.load_pem_public_key(pem.encode())
    assert isinstance(key, X25519PublicKey)
    return key


def _batch(session: Session, batch_id: int) -> BatchProvision:
    batch = session.get(BatchProvision, batch_id)
    if batch is None:
        raise NotFound("一括提供の依頼が見つかりません", field="batch_id")
    return batch
