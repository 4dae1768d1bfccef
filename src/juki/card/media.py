"""個人番号カード管理情報 to a mayor on electronic media (000 §3.3 1-⑪; F3-PRV-03, F3-PRV-04).

Juki-net carries card information to each mayor one record at a time (`issuance`). When a
municipality needs it on a medium instead (001a 7-② allows media for File 3), the card
system provides it the way the assessment asks of every media provision (F2-PRV-03 as
F3-PRV-03 takes it over):

1. one J-LIS operator asks for the cards issued for one municipality in a period, with a
   reason; the municipality must have its media key registered (else nothing to seal to);
2. a second operator approves (相互牽制); the file is made then: exactly the items of
   1-⑪ per card (`CardInfo`), sealed with HPKE (RFC 9180) to the municipality's X25519 key,
   so that only the municipality can open it (media encryption for the recipient only);
   the provision record names every person (住民票コード), method `media`;
3. the file is written out by an operator other than the approver, who is the witness
   (職員の立会い), only to a registered medium virus-checked that day, in the media ledger;
4. the medium is handed over before two or more witnesses, neither party among them, and
   the handover is in the ledger (F3-PRV-04: 複数人の立会い、受渡しの記録); J-LIS's copy of
   the sealed file is erased then, its SHA-256 kept.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import func, select

from juki.card.issuance import ITEMS, LEGAL_BASIS, PURPOSE
from juki.card.models import CardFileEntry, MediaHandover, MediaProvision
from juki.card.service import held_info
from juki.core import clock, ids
from juki.core.errors import Conflict, InvalidInput, NotFound, Refused
from juki.core.messages import CardInfo, MessageType
from juki.core.messaging.node import UnitOfWork
from juki.duties.ledgers import service as ledgers
from juki.duties.operators.clients import Caller
from juki.duties.provision.batch import open_result, recipient_key, seal
from juki.duties.provision.tables import MediaLedger
from juki.duties.search import ProvisionLog

HPKE_INFO = b"juki card information on media v1"


class MediaProvisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lg_code: str
    issued_from: dt.date
    issued_until: dt.date
    reason: str = Field(min_length=1, max_length=200)

    @field_validator("lg_code")
    @classmethod
    def _lg_code(cls, value: str) -> str:
        return ids.validate_lg_code(value)

    @model_validator(mode="after")
    def _period(self) -> MediaProvisionCreate:
        if self.issued_until < self.issued_from:
            raise ValueError("issued_until: 期間の終わりが始まりより前です")
        return self


class Handover(BaseModel):
    model_config = ConfigDict(extra="forbid")

    received_by: str = Field(min_length=1, max_length=80)  # the municipality's officer
    witnesses: list[str] = Field(min_length=2, max_length=10)

    @field_validator("witnesses")
    @classmethod
    def _named(cls, value: list[str]) -> list[str]:
        names = [name.strip() for name in value]
        if any(not name or len(name) > 40 for name in names):
            raise ValueError("立会人の氏名を40文字以内で記入してください")
        if len(set(names)) != len(names):
            raise ValueError("立会人は別々の人です")
        return names


def request(uow: UnitOfWork, caller: Caller, body: MediaProvisionCreate) -> MediaProvision:
    """Step 1: asked for by one operator; refused at once when there is nothing to provide
    or no key to seal it to."""
    recipient_key(uow.session, body.lg_code)
    if not _issued_count(uow, body.lg_code, body.issued_from, body.issued_until):
        raise InvalidInput("期間内に発行されたカードがありません", field="issued_from")
    made = MediaProvision(
        lg_code=body.lg_code, issued_from=body.issued_from, issued_until=body.issued_until,
        reason=body.reason, status="requested", requested_by=caller.audit_name,
        requested_at=dt.datetime.now(dt.UTC),
    )  # fmt: skip
    uow.session.add(made)
    uow.session.flush()
    return made


def approve(uow: UnitOfWork, caller: Caller, provision_id: int) -> MediaProvision:
    """Step 2: a second person approves; the sealed file is made in the same transaction."""
    made = _get(uow, provision_id)
    if made.status != "requested":
        raise Conflict("この媒体提供は既に承認されています", field="provision_id")
    if caller.audit_name == made.requested_by:
        raise Refused("依頼した人とは別の人が承認します（相互牽制）", field="approved_by")
    entries = _issued(uow, made.lg_code, made.issued_from, made.issued_until)
    records = [_card_info(uow, entry) for entry in entries]
    document = {
        "recipient": made.lg_code, "legal_basis": LEGAL_BASIS, "purpose": PURPOSE,
        "items": list(CardInfo.model_fields), "records": records,
    }  # fmt: skip
    key = recipient_key(uow.session, made.lg_code)
    made.sealed, made.sealed_sha256 = seal(document, key, HPKE_INFO)
    made.records_out, made.status = len(records), "sealed"
    made.approved_by, made.approved_at = caller.audit_name, dt.datetime.now(dt.UTC)
    uow.session.add(ProvisionLog(**_provision_record(uow, caller, made, entries)))
    return made


def write_out(uow: UnitOfWork, caller: Caller, provision_id: int, media_id: str) -> bytes:
    """Step 3: written by someone other than the approver, who witnesses it; only to a
    registered medium checked that day; in the media ledger."""
    made = _get(uow, provision_id)
    if made.status != "sealed" or made.sealed is None:
        raise Conflict("承認され暗号化された媒体提供ではありません", field="provision_id")
    if caller.audit_name == made.approved_by:
        raise Refused("書出しは承認者の立会いのもと別の人が行います", field="operator")
    ledgers.medium_ready(uow.session, media_id, dt.datetime.now(clock.JST).date())
    uow.session.add(
        MediaLedger(
            at=dt.datetime.now(dt.UTC), batch_id=made.id, body_code=made.lg_code,
            operator=caller.audit_name, witness=made.approved_by or "",
            file_sha256=made.sealed_sha256 or "", size=len(made.sealed),
            records=made.records_out or 0, note=f"媒体 {media_id}（個人番号カード管理情報）",
        )
    )  # fmt: skip
    made.status = "written"
    return made.sealed


def hand_over(
    uow: UnitOfWork, caller: Caller, provision_id: int, handover: Handover
) -> MediaHandover:
    """Step 4: the handover before several witnesses, none of them a party to it."""
    made = _get(uow, provision_id)
    ledger_row = uow.session.scalar(
        select(MediaLedger).where(MediaLedger.batch_id == made.id).order_by(MediaLedger.id.desc())
    )
    if made.status != "written" or ledger_row is None:
        raise Conflict("媒体に書き出されていない媒体提供です", field="provision_id")
    parties = {caller.operator, caller.audit_name, handover.received_by.strip()}
    if parties & set(handover.witnesses):
        raise InvalidInput("受渡しの当事者は立会人になれません", field="witnesses")
    row = MediaHandover(
        ledger_id=ledger_row.id, at=dt.datetime.now(dt.UTC), handed_by=caller.audit_name,
        received_by=handover.received_by.strip(),
        witnesses=json.dumps(handover.witnesses, ensure_ascii=False),
    )  # fmt: skip
    uow.session.add(row)
    # The file now exists only on the medium: J-LIS keeps its digest, not its copy.
    made.status, made.sealed = "handed_over", None
    uow.session.flush()
    return row


def _get(uow: UnitOfWork, provision_id: int) -> MediaProvision:
    made = uow.session.get(MediaProvision, provision_id)
    if made is None:
        raise NotFound("媒体提供の依頼が見つかりません", field="provision_id")
    return made


def _issued_where(lg_code: str, since: dt.date, until: dt.date) -> tuple[Any, ...]:
    """Cards issued (1-⑨) for the municipality's residents within the period (JST days)."""
    # Compared in UTC: SQLite keeps the stored wall time (UTC) without its zone.
    start = dt.datetime.combine(since, dt.time(), clock.JST).astimezone(dt.UTC)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), clock.JST).astimezone(dt.UTC)
    return (
        CardFileEntry.lg_code == lg_code,
        CardFileEntry.status == "issued",
        CardFileEntry.issued_at >= start,
        CardFileEntry.issued_at < end,
    )


def _issued_count(uow: UnitOfWork, lg_code: str, since: dt.date, until: dt.date) -> int:
    where = _issued_where(lg_code, since, until)
    return int(uow.session.scalar(select(func.count(CardFileEntry.id)).where(*where)) or 0)


def _issued(uow: UnitOfWork, lg_code: str, since: dt.date, until: dt.date) -> list[CardFileEntry]:
    where = _issued_where(lg_code, since, until)
    return list(uow.session.scalars(select(CardFileEntry).where(*where).order_by(CardFileEntry.id)))


def _card_info(uow: UnitOfWork, entry: CardFileEntry) -> dict[str, Any]:
    """Exactly the items of 1-⑪ (the whitelist refuses anything more, F3-PRV-05)."""
    assert entry.card_issue_number is not None
    assert entry.expires_on is not None
    return CardInfo(
        info_id=str(uuid.uuid4()), kind="issued",
        individual_number=held_info(uow, entry).individual_number,
        resident_code=entry.resident_code, lg_code=entry.lg_code,
        application_id=entry.application_id, card_issue_number=entry.card_issue_number,
        expires_on=entry.expires_on, result_code="00",
    ).model_dump(mode="json")  # fmt: skip


def _provision_record(
    uow: UnitOfWork, caller: Caller, made: MediaProvision, entries: list[CardFileEntry]
) -> dict[str, Any]:
    """One provision record for the file (F3-PRV-01): requested and approved by whom, to
    which mayor, under which ordinance, which items, by media, for whom (住民票コード)."""
    return {
        "at": dt.datetime.now(dt.UTC),
        "requester": f"{uow.node.node_id} ({made.requested_by})"[:64],
        "operator": caller.audit_name, "terminal": caller.terminal[:40],
        "purpose": f"{PURPOSE}（媒体: {made.reason}）"[:200], "key_kind": "list",
        "kind": "provision", "method": "media", "body_code": f"cs:{made.lg_code}",
        "duty_code": MessageType.CARD_INFO, "legal_basis": LEGAL_BASIS[:100], "items": ITEMS,
        "result_count": len(entries),
        "targets": json.dumps([entry.resident_code for entry in entries]),
        "refused_reason": None,
    }  # fmt: skip


def open_file(private_key: X25519PrivateKey, sealed: bytes) -> dict[str, Any]:
    """What the municipality does with its private key (tests use it too)."""
    return open_result(private_key, sealed, HPKE_INFO)
